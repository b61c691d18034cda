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
    assert "urban_management.clean_old_town" not in registry.templates
    assert "urban_management.clean_old_town" not in registry.resources
    waiting = [u for u in registry.unavailable if u.id == "urban_management.clean_old_town"]
    assert len(waiting) == 2  # the template and the project resource
    assert all("gardens" in u.reason and "culture_tourism" in u.reason for u in waiting)


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
    project = registry.resources["urban_management.clean_old_town"]
    assert project.place == GUSU and project.template == "urban_management.clean_old_town"


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


# --- rule behaviour, ranked by the matching engine ----------------------------------

LNG, LAT = 120.62, 31.31  # a demand in Gusu
KM = 1 / 95.1  # degrees of longitude per kilometre at this latitude


def _resource(name, kind="team", *, tags=(), template=None, months=(), east_km=0.0, **extra):
    from wenming.records import Resource

    values = {
        "name": name,
        "kind": kind,
        "name_zh": name,
        "name_en": name,
        "place": GUSU,
        "categories": ("core.hygiene_environment",),
        "audiences": ("core.residents",),
        "tags": tags,
        "template": template,
        "months": months,
        "capacity": 40,
        "members": 40,
        "lng": LNG + east_km * KM,
        "lat": LAT,
    }
    return f"urban_management.{name}", Resource(**{**values, **extra})


def _demand(**values):
    from datetime import date

    from wenming.matching import Demand

    defaults = {
        "id": "d",
        "category": "core.hygiene_environment",
        "audiences": ("core.residents",),
        "headcount": 20,
        "lng": LNG,
        "lat": LAT,
        "start": date(2023, 5, 20),
        "end": date(2023, 5, 20),
    }
    return Demand(**{**defaults, **values})


def _rank(registry, resources, demand):
    from wenming.matching import Engine

    ranking = Engine(registry, resources).rank(demand, k=10, explain=True, include_excluded=True)
    return [c.key for c in ranking.candidates], {e.key: e for e in ranking.excluded}, ranking


def test_a_well_demand_goes_to_the_well_team(registry):
    resources = [
        _resource("well_team", tags=("ancient_well", "old_town")),
        _resource("lane_team", tags=("clean_streets", "old_town")),
        _resource("sorting_team", tags=("waste_sorting",)),
    ]
    ranked, excluded, ranking = _rank(
        registry, resources, _demand(tags=("ancient_well", "old_town"))
    )
    # Both old-town teams share a tag; the one that also restores wells ranks first.
    assert ranked == ["urban_management.well_team", "urban_management.lane_team"]
    top, second = ranking.candidates
    assert (
        top.breakdown["urban_management.right_specialists"]
        > second.breakdown["urban_management.right_specialists"]
    )
    assert excluded["urban_management.sorting_team"].rule_id == "urban_management.right_specialists"


def test_summer_cooling_only_in_summer(registry):
    resources = [
        _resource(
            "cooling",
            kind="project",
            template="urban_management.outdoor_workers_care",
            categories=("core.help_in_difficulty",),
            audiences=("urban_management.outdoor_workers",),
        )
    ]
    from datetime import date

    july = _demand(
        category="core.help_in_difficulty",
        audiences=("urban_management.outdoor_workers",),
        start=date(2023, 7, 15),
        end=date(2023, 7, 15),
    )
    december = _demand(
        category="core.help_in_difficulty",
        audiences=("urban_management.outdoor_workers",),
        start=date(2023, 12, 15),
        end=date(2023, 12, 15),
    )
    assert _rank(registry, resources, july)[0] == ["urban_management.cooling"]
    ranked, excluded, _ = _rank(registry, resources, december)
    assert ranked == []
    assert excluded["urban_management.cooling"].rule_id == "urban_management.cooling_in_summer"


def test_a_post_serves_the_lanes_around_it(registry):
    resources = [
        _resource("near_post", kind="venue", tags=("old_town",), east_km=1.0),
        _resource("far_post", kind="venue", tags=("old_town",), east_km=3.0),
    ]
    ranked, excluded, _ = _rank(registry, resources, _demand(tags=("old_town",)))
    assert ranked == ["urban_management.near_post"]
    assert excluded["urban_management.far_post"].rule_id == "urban_management.post_within_walk"


def _old_town_engine():
    import wenming_urban_management
    from wenming.matching import Engine

    gardens = pytest.importorskip("wenming_gardens")
    culture = pytest.importorskip("wenming_culture_tourism")
    registry = load_registry(
        ("urban_management", wenming_urban_management),
        ("gardens", gardens),
        ("culture_tourism", culture),
    )
    return Engine(registry, registry.resources)


#: A Pingjiang station asks, in its own words, for the old-town clean-up: wells, lanes,
#: flower borders and a tour route, for residents and visitors.
OLD_TOWN_DEMAND = {
    "tags": ("old_town", "ancient_well", "clean_streets", "flower_border", "tour_route"),
    "audiences": ("core.residents", "core.tourists"),
    "headcount": 30,
    "place": "320508018021",  # 历史街区社区, Pingjiang subdistrict
    "lng": None,
    "lat": None,
}


def test_old_town_joint_template_proposes_the_seed_teams():
    engine = _old_town_engine()
    demand = _demand(**OLD_TOWN_DEMAND, template="urban_management.clean_old_town")
    proposals = engine.joint(demand, k=3)
    assert proposals, engine.joint_gaps(demand)
    best = proposals[0]
    assert best.parts["urban_management"].key in {
        "urban_management.ancient_well_team",
        "urban_management.clean_lanes_team",
    }
    assert best.parts["gardens"].key == "gardens.flower_border_team"
    assert best.parts["culture_tourism"].key in {
        "culture_tourism.old_town_routes",
        "culture_tourism.old_town_guides",
    }


def test_old_town_demand_naming_the_partners_gets_the_old_town_resources():
    engine = _old_town_engine()
    demand = _demand(
        **OLD_TOWN_DEMAND, departments=("urban_management", "gardens", "culture_tourism")
    )
    proposals = engine.joint(demand, k=3)
    assert proposals, engine.joint_gaps(demand)
    best = proposals[0]
    assert best.parts["urban_management"].key in {
        "urban_management.clean_old_town",
        "urban_management.ancient_well_team",
        "urban_management.clean_lanes_team",
    }
    assert best.parts["gardens"].key == "gardens.flower_border_team"
    assert best.parts["culture_tourism"].key == "culture_tourism.old_town_guides"
