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
