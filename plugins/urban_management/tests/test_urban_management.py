"""The urban management plugin: conformance, the seed's old-town teams, its rules."""

from __future__ import annotations

import pytest

from wenming.testing import check_plugin, load_registry

GUSU = "320508"


@pytest.fixture(scope="module")
def registry():
    return check_plugin("urban_management")


def test_conformance(registry):
    department = registry.departments["urban_management"]
    assert department.name_zh == "苏州市城市管理局"
    assert department.subcenter_zh.endswith("分中心") and department.corps_zh.endswith("总队")


def test_site_types_are_practice_points(registry):
    own = {k: v for k, v in registry.site_types.items() if k.startswith("urban_management.")}
    assert len(own) >= 3
    assert {v.level for v in own.values()} == {"practice_point"}


def test_seed_teams_are_in_gusu(registry):
    wells = registry.resources["urban_management.ancient_well_team"]
    lanes = registry.resources["urban_management.clean_lanes_team"]
    assert wells.name_zh == "古井保护志愿服务队" and lanes.name_zh == "净美街巷志愿服务队"
    for team in (wells, lanes):
        assert team.kind == "team" and team.place == GUSU and team.members > 0
        assert "core.hygiene_environment" in team.categories
    assert "24" in wells.description and "300" in lanes.description


def test_templates(registry):
    own = {k: t for k, t in registry.templates.items() if k.startswith("urban_management.")}
    assert len(own) >= 4
    assert own["urban_management.ancient_well_care"].seed
    assert own["urban_management.clean_lanes"].seed
    assert own["urban_management.outdoor_workers_care"].months == (6, 7, 8, 9)
    assert own["urban_management.outdoor_workers_care"].audiences[0] == (
        "urban_management.outdoor_workers"
    )


def test_old_town_joint_needs_gardens_and_culture(registry):
    [missing] = [u for u in registry.unavailable if u.id == "urban_management.clean_old_town"]
    assert "gardens" in missing.reason and "culture_tourism" in missing.reason


def test_old_town_joint_with_partners():
    import wenming_urban_management

    gardens = pytest.importorskip("wenming_gardens")
    culture = pytest.importorskip("wenming_culture_tourism")
    registry = load_registry(
        ("urban_management", wenming_urban_management),
        ("gardens", gardens),
        ("culture_tourism", culture),
    )
    joint = registry.templates["urban_management.clean_old_town"]
    assert joint.name_zh == "净美古城 乐游姑苏" and joint.seed
    assert [p.department for p in joint.parts] == ["urban_management", "gardens", "culture_tourism"]
    assert {"ancient_well", "clean_streets", "flower_border", "tour_route"} <= set(joint.tags)


def test_rules(registry):
    own = {k: r for k, r in registry.rules.items() if k.startswith("urban_management.")}
    assert len(own) >= 2
    specialists = own["urban_management.right_specialists"]
    assert specialists.scope.departments == ("urban_management",)
    assert specialists.scope.categories == ("core.hygiene_environment",)
    assert specialists.params.min_overlap == 1
    cooling = own["urban_management.cooling_in_summer"]
    assert cooling.scope.templates == ("urban_management.outdoor_workers_care",)
    assert cooling.params.months == (6, 7, 8, 9)
    post = own["urban_management.post_within_walk"]
    assert post.scope.departments == ("urban_management",)
    assert post.scope.resource_kinds == ("venue",)


def test_settings(registry):
    assert registry.setting("urban_management", "summer_care_months") == [6, 7, 8, 9]
    assert registry.setting("urban_management", "old_town_district") == GUSU
