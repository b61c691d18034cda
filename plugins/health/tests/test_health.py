"""The health plugin: conformance, the seed's teams and herb garden, rules, first-aid plans."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from wenming.errors import WenmingError
from wenming.testing import check_plugin, load_registry

DIANZHAN_VILLAGE = "320585100203"


@pytest.fixture(scope="module")
def registry():
    return check_plugin("health")


def test_conformance(registry):
    department = registry.departments["health"]
    assert department.name_zh == "苏州市卫生健康委员会"
    assert department.subcenter_zh.endswith("分中心") and department.corps_zh.endswith("总队")
    assert "first-aid-plan" in registry.commands


def test_site_types_and_templates(registry):
    sites = {k: v for k, v in registry.site_types.items() if k.startswith("health.")}
    assert len(sites) >= 3 and {v.level for v in sites.values()} == {"practice_point"}
    assert sites["health.herb_garden"].name_zh == "中草药种植实践田"
    templates = {k: t for k, t in registry.templates.items() if k.startswith("health.")}
    assert len(templates) >= 4


def test_herb_garden_is_at_dianzhan_village(registry):
    garden = registry.resources["health.dianzhan_herb_garden"]
    assert garden.kind == "venue" and garden.place == DIANZHAN_VILLAGE
    assert garden.site_type == "health.herb_garden"


@pytest.mark.parametrize(
    ("key", "name_zh"),
    [
        ("health.golden_lightning", "金色闪电急救科普志愿服务队"),
        ("health.red_cross_rescue", "红十字应急救援志愿服务队"),
        ("health.emergency_center_team", "市急救中心急救专业志愿服务队"),
    ],
)
def test_seed_first_aid_teams_are_certified(registry, key, name_zh):
    team = registry.resources[key]
    assert team.kind == "team" and team.name_zh == name_zh
    assert "certified_rescue" in team.tags and "first_aid_teaching" in team.skills
    assert team.categories == ("core.emergency_rescue",)


def test_medical_volunteers_fit_the_veterans_joint(registry):
    # 助医行 (veterans' joint): health's part needs general practice for military families.
    team = registry.resources["health.hospital_medical_volunteers"]
    assert "general_practice" in team.skills
    assert "core.military_families" in team.audiences
    assert "certified_rescue" not in team.tags


def test_healthy_estates_joint():
    [missing] = [u for u in check_plugin("health").unavailable if u.id == "health.healthy_estates"]
    assert "housing" in missing.reason
    import wenming_health

    housing = pytest.importorskip("wenming_housing")
    registry = load_registry(("health", wenming_health), ("housing", housing))
    joint = registry.templates["health.healthy_estates"]
    assert joint.name_zh == "健康住区 物业护航" and joint.seed
    assert [p.department for p in joint.parts] == ["health", "housing"]
    assert joint.category == "core.emergency_rescue"


def test_rules(registry):
    own = {k: r for k, r in registry.rules.items() if k.startswith("health.")}
    assert len(own) >= 2
    certified = own["health.certified_trainers"]
    assert certified.mode == "filter" and certified.params.require == ("certified_rescue",)
    assert certified.scope.categories == ("core.emergency_rescue",)
    assert own["health.herb_growing_season"].scope.templates == ("health.herb_garden_practice",)
    assert own["health.clinic_near_home"].params.reach_km == 5.0


def test_class_size_setting(registry):
    assert registry.setting("health", "max_class_per_trainer") == 30


@pytest.mark.parametrize(
    ("trainees", "size", "expected"),
    [(1, 30, 1), (30, 30, 1), (31, 30, 2), (75, 30, 3), (75, 20, 4)],
)
def test_instructors_needed(trainees, size, expected):
    from wenming_health.first_aid import instructors_needed

    assert instructors_needed(trainees, size) == expected


def test_plan_reads_the_deployment_setting():
    import wenming_health
    from wenming_health.first_aid import plan_first_aid

    registry = load_registry(
        wenming_health, name="health", settings={"health": {"max_class_per_trainer": 20}}
    )
    plan = plan_first_aid(registry, 75)
    assert plan.instructors == 4 and plan.max_class_per_trainer == 20
    assert {t.key for t in plan.teams} == {
        "health.golden_lightning",
        "health.red_cross_rescue",
        "health.emergency_center_team",
    }
    with pytest.raises(WenmingError, match="at least 1"):
        plan_first_aid(registry, 0)


def test_first_aid_plan_command(tmp_path, monkeypatch):
    from wenming.cli import cli

    monkeypatch.chdir(tmp_path)
    (tmp_path / "wenming.toml").write_text(
        'name = "t"\ndatabase = "sqlite://"\n\n'
        '[plugins]\nonly = ["health"]\n\n[settings.health]\nmax_class_per_trainer = 25\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(cli, ["first-aid-plan", "60", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["instructors"] == 3 and data["max_class_per_trainer"] == 25
    bad = runner.invoke(cli, ["first-aid-plan", "0"])
    assert bad.exit_code == 1 and "at least 1" in bad.output
