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
    alone = check_plugin("health")
    waiting = [u for u in alone.unavailable if u.id == "health.healthy_estates"]
    assert len(waiting) == 2  # the template and the project resource
    assert all("housing" in u.reason for u in waiting)
    assert "health.healthy_estates" not in alone.resources
    import wenming_health

    housing = pytest.importorskip("wenming_housing")
    registry = load_registry(("health", wenming_health), ("housing", housing))
    joint = registry.templates["health.healthy_estates"]
    assert joint.name_zh == "健康住区 物业护航" and joint.seed
    assert [p.department for p in joint.parts] == ["health", "housing"]
    assert joint.category == "core.emergency_rescue"
    assert registry.resources["health.healthy_estates"].template == "health.healthy_estates"


def test_rules(registry):
    own = {k: r for k, r in registry.rules.items() if k.startswith("health.")}
    assert len(own) >= 2
    certified = own["health.certified_trainers"]
    assert certified.mode == "filter" and certified.params.require == ("certified_rescue",)
    assert certified.scope.categories == ("core.emergency_rescue",)
    assert own["health.herb_growing_season"].scope.templates == ("health.herb_garden_practice",)
    assert own["health.clinic_near_home"].params.reach_km == 3.0


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


# --- rule behaviour, ranked by the matching engine ----------------------------------

LNG, LAT = 121.11, 31.45  # a demand in Chengxiang town, Taicang
KM = 1 / 95.0  # degrees of longitude per kilometre at this latitude


def _resource(name, kind="team", *, east_km=0.0, **extra):
    from wenming.records import Resource

    values = {
        "name": name,
        "kind": kind,
        "name_zh": name,
        "name_en": name,
        "place": "320585100",
        "categories": ("core.emergency_rescue",),
        "audiences": ("core.residents",),
        "capacity": 40,
        "members": 40,
        "lng": LNG + east_km * KM,
        "lat": LAT,
    }
    return f"health.{name}", Resource(**{**values, **extra})


def _demand(**values):
    from datetime import date

    from wenming.matching import Demand

    defaults = {
        "id": "d",
        "category": "core.emergency_rescue",
        "audiences": ("core.residents",),
        "headcount": 20,
        "lng": LNG,
        "lat": LAT,
        "start": date(2023, 5, 12),
        "end": date(2023, 5, 12),
    }
    return Demand(**{**defaults, **values})


def _rank(registry, resources, demand):
    from wenming.matching import Engine

    ranking = Engine(registry, resources).rank(demand, k=10, explain=True, include_excluded=True)
    return [c.key for c in ranking.candidates], {e.key: e for e in ranking.excluded}, ranking


def test_first_aid_only_from_certified_trainers(registry):
    resources = [
        _resource("instructors", tags=("first_aid", "certified_rescue")),
        _resource("doctors", tags=("first_aid",)),
    ]
    ranked, excluded, _ = _rank(registry, resources, _demand(tags=("first_aid",)))
    assert ranked == ["health.instructors"]
    assert excluded["health.doctors"].rule_id == "health.certified_trainers"


def test_clinics_favour_the_vulnerable(registry):
    clinic = {"categories": ("core.health_fitness",)}
    resources = [
        _resource("general_clinic", **clinic),
        _resource(
            "veterans_clinic", **clinic, audiences=("core.residents", "core.military_families")
        ),
    ]
    demand = _demand(
        category="core.health_fitness", audiences=("core.residents", "core.military_families")
    )
    ranked, _, ranking = _rank(registry, resources, demand)
    assert ranked == ["health.veterans_clinic", "health.general_clinic"]
    top, second = ranking.candidates
    assert top.breakdown["health.vulnerable_first"] == pytest.approx(0.12)
    assert second.breakdown.get("health.vulnerable_first", 0.0) == 0.0


def test_a_health_center_serves_its_town(registry):
    center = {"kind": "venue", "categories": ("core.health_fitness",)}
    resources = [
        _resource("town_center", **center, east_km=2.0),
        _resource("next_town", **center, east_km=4.0),  # inside core's 5 km, outside 3 km
    ]
    ranked, excluded, _ = _rank(registry, resources, _demand(category="core.health_fitness"))
    assert ranked == ["health.town_center"]
    assert excluded["health.next_town"].rule_id == "health.clinic_near_home"


def test_herb_garden_practice_in_the_growing_season(registry):
    from datetime import date

    resources = [
        _resource(
            "herbs",
            kind="project",
            template="health.herb_garden_practice",
            categories=("core.science",),
            audiences=("core.families_with_children",),
        )
    ]
    may = _demand(category="core.science", audiences=("core.families_with_children",))
    january = _demand(
        category="core.science",
        audiences=("core.families_with_children",),
        start=date(2024, 1, 13),
        end=date(2024, 1, 13),
    )
    assert _rank(registry, resources, may)[0] == ["health.herbs"]
    ranked, excluded, _ = _rank(registry, resources, january)
    assert ranked == []
    assert excluded["health.herbs"].rule_id == "health.herb_growing_season"


def test_seed_herb_garden_hosts_a_dianzhan_class(registry):
    """The real record: a Dianzhan village class in May is matched with the village's garden."""
    from wenming.matching import Engine

    engine = Engine(registry, registry.resources)
    demand = _demand(
        category="core.science",
        audiences=("core.families_with_children",),
        tags=("herbal_medicine",),
        lng=None,
        lat=None,
        place=DIANZHAN_VILLAGE,
    )
    ranking = engine.rank(demand, k=3, explain=True)
    assert ranking.candidates[0].key == "health.dianzhan_herb_garden"


def _engine_with(*partners):
    import wenming_health
    from wenming.matching import Engine

    modules = [("health", wenming_health)]
    for name in partners:
        modules.append((name, pytest.importorskip(f"wenming_{name}")))
    registry = load_registry(*modules)
    return Engine(registry, registry.resources)


def test_station_asking_first_aid_for_property_staff_gets_the_seed_pair():
    """A station asks for first-aid training for its estate's property staff."""
    engine = _engine_with("housing")
    station_terms = {
        "tags": ("first_aid", "property_service", "first_responder"),
        "audiences": ("core.residents",),
        "headcount": 30,
        "lng": None,
        "lat": None,
        "place": "320505001002",  # 横塘社区, Hengtang subdistrict, Huqiu
    }
    for extra in ({"template": "health.healthy_estates"}, {"departments": ("health", "housing")}):
        demand = _demand(**station_terms, **extra)
        proposals = engine.joint(demand, k=3)
        assert proposals, engine.joint_gaps(demand)
        best = proposals[0]
        assert best.parts["health"].key == "health.emergency_center_team"
        assert best.parts["housing"].key == "housing.property_first_responders"


def test_health_part_of_medical_help_for_military_families():
    """助医行 (registered by veterans): health's part is the hospital doctors."""
    engine = _engine_with("veterans")
    demand = _demand(
        category="core.health_fitness",
        tags=("medical_help", "home_visit"),
        audiences=("core.military_families",),
        headcount=5,
        template="veterans.medical_help",
        lng=None,
        lat=None,
        place=DIANZHAN_VILLAGE,
    )
    proposals = engine.joint(demand, k=3)
    assert proposals, engine.joint_gaps(demand)
    assert proposals[0].parts["health"].key == "health.hospital_medical_volunteers"


def test_health_part_of_rescue_outreach_is_a_seed_first_aid_team():
    """应急救助普及 (registered by emergency): health sends 金色闪电 or 红十字."""
    engine = _engine_with("emergency", "veterans")
    demand = _demand(
        tags=("first_aid", "cpr"),
        audiences=("core.new_employment",),
        headcount=30,
        template="emergency.rescue_outreach",
        lng=None,
        lat=None,
        place="320508021019",
    )
    proposals = engine.joint(demand, k=3)
    assert proposals, engine.joint_gaps(demand)
    assert proposals[0].parts["health"].key in {
        "health.golden_lightning",
        "health.red_cross_rescue",
    }
