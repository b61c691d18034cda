"""The sports plugin: conformance, its venues and teams, its rules."""

from __future__ import annotations

import pytest

from wenming.testing import check_plugin


@pytest.fixture(scope="module")
def registry():
    return check_plugin("sports")


def test_conformance(registry):
    department = registry.departments["sports"]
    assert department.name_zh == "苏州市体育局"
    assert department.subcenter_zh.endswith("分中心") and department.corps_zh.endswith("总队")


def test_site_types_and_templates(registry):
    sites = {k: v for k, v in registry.site_types.items() if k.startswith("sports.")}
    assert len(sites) >= 3 and {v.level for v in sites.values()} == {"practice_point"}
    templates = {k: t for k, t in registry.templates.items() if k.startswith("sports.")}
    assert len(templates) >= 4
    # The seed names no sports project: nothing here may claim to be one.
    assert not any(t.seed for t in templates.values())
    assert templates["sports.summer_swimming"].months == (7, 8)


def test_resources(registry):
    corps = registry.resources["sports.corps"]
    assert corps.kind == "team" and corps.place == "3205" and corps.members > 0
    venues = [
        r for k, r in registry.resources.items() if k.startswith("sports.") and r.kind == "venue"
    ]
    assert len(venues) >= 2
    assert all(r.site_type and r.site_type.startswith("sports.") for r in venues)


def test_enthusiasts_are_not_certified(registry):
    walkers = registry.resources["sports.neighbourhood_walkers"]
    assert "certified_sports_instructor" not in walkers.tags
    assert "certified_sports_instructor" in registry.resources["sports.corps"].tags


def test_rules(registry):
    own = {k: r for k, r in registry.rules.items() if k.startswith("sports.")}
    assert len(own) >= 2
    circle = own["sports.fifteen_minute_fitness_circle"]
    assert circle.params.reach_km == 1.5 and circle.scope.resource_kinds == ("venue",)
    assert circle.scope.departments == ("sports",)
    certified = own["sports.certified_instructors"]
    assert certified.mode == "filter"
    assert certified.params.require == ("certified_sports_instructor",)
    assert own["sports.swimming_in_summer"].scope.templates == ("sports.summer_swimming",)


def test_settings(registry):
    assert registry.setting("sports", "swimmers_per_coach") == 10
    assert registry.setting("sports", "fitness_circle_minutes") == 15


# --- rule behaviour, ranked by the matching engine ----------------------------------

LNG, LAT = 120.62, 31.31  # a demand in Gusu
KM = 1 / 95.1  # degrees of longitude per kilometre at this latitude


def _resource(name, kind="team", *, east_km=0.0, **extra):
    from wenming.records import Resource

    values = {
        "name": name,
        "kind": kind,
        "name_zh": name,
        "name_en": name,
        "place": "320508",
        "categories": ("core.health_fitness",),
        "audiences": ("core.residents",),
        "tags": ("certified_sports_instructor",),
        "capacity": 40,
        "members": 40,
        "lng": LNG + east_km * KM,
        "lat": LAT,
    }
    return f"sports.{name}", Resource(**{**values, **extra})


def _demand(**values):
    from datetime import date

    from wenming.matching import Demand

    defaults = {
        "id": "d",
        "category": "core.health_fitness",
        "audiences": ("core.residents",),
        "headcount": 20,
        "lng": LNG,
        "lat": LAT,
        "start": date(2023, 7, 20),
        "end": date(2023, 7, 20),
    }
    return Demand(**{**defaults, **values})


def _rank(registry, resources, demand):
    from wenming.matching import Engine

    ranking = Engine(registry, resources).rank(demand, k=10, explain=True, include_excluded=True)
    return [c.key for c in ranking.candidates], {e.key: e for e in ranking.excluded}, ranking


def test_fitness_venues_within_the_fifteen_minute_circle(registry):
    resources = [
        _resource("next_door", kind="venue", tags=(), east_km=0.5),
        _resource("across_town", kind="venue", tags=(), east_km=1.0),
        _resource("too_far", kind="venue", tags=(), east_km=2.5),  # inside core's 5 km
    ]
    ranked, excluded, ranking = _rank(registry, resources, _demand())
    assert ranked == ["sports.next_door", "sports.across_town"]
    assert excluded["sports.too_far"].rule_id == "sports.fifteen_minute_fitness_circle"
    near, far = ranking.candidates
    rule = "sports.fifteen_minute_fitness_circle"
    assert near.breakdown[rule] > far.breakdown[rule]


def test_guidance_only_from_certified_instructors(registry):
    resources = [
        _resource("instructors"),
        _resource("enthusiasts", tags=("fitness_for_all",)),
    ]
    ranked, excluded, _ = _rank(registry, resources, _demand())
    assert ranked == ["sports.instructors"]
    assert excluded["sports.enthusiasts"].rule_id == "sports.certified_instructors"


def test_swimming_classes_in_the_summer_holidays(registry):
    from datetime import date

    resources = [
        _resource(
            "swim_classes",
            kind="project",
            template="sports.summer_swimming",
            audiences=("core.minors",),
        )
    ]
    july = _demand(audiences=("core.minors",))
    may = _demand(audiences=("core.minors",), start=date(2023, 5, 20), end=date(2023, 5, 20))
    assert _rank(registry, resources, july)[0] == ["sports.swim_classes"]
    ranked, excluded, _ = _rank(registry, resources, may)
    assert ranked == []
    assert excluded["sports.swim_classes"].rule_id == "sports.swimming_in_summer"


def test_older_residents_first(registry):
    resources = [
        _resource("general"),
        _resource("seniors", audiences=("core.residents", "core.elderly")),
    ]
    ranked, _, ranking = _rank(
        registry, resources, _demand(audiences=("core.residents", "core.elderly"))
    )
    assert ranked == ["sports.seniors", "sports.general"]
    top, second = ranking.candidates
    assert top.breakdown["sports.older_and_disabled_first"] == pytest.approx(0.08)
    assert second.breakdown.get("sports.older_and_disabled_first", 0.0) == 0.0
