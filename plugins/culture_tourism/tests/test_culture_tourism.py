"""The culture & tourism plugin: conformance, the seed's projects, its rules."""

from __future__ import annotations

import pytest

from wenming.testing import check_plugin

GUSU = "320508"


@pytest.fixture(scope="module")
def registry():
    return check_plugin("culture_tourism")


def test_conformance(registry):
    department = registry.departments["culture_tourism"]
    assert department.name_zh == "苏州市文化广电和旅游局"
    assert department.subcenter_zh.endswith("分中心") and department.corps_zh.endswith("总队")


def test_site_types_are_practice_points(registry):
    own = {k: v for k, v in registry.site_types.items() if k.startswith("culture_tourism.")}
    assert len(own) >= 3
    assert {v.level for v in own.values()} == {"practice_point"}


@pytest.mark.parametrize(
    ("key", "name_zh"),
    [
        ("culture_tourism.market_art_space", "集市文艺空间打造"),
        ("culture_tourism.red_film_class", "电影党史课"),
        ("culture_tourism.route_contest", "古城街区游线征集大赛"),
    ],
)
def test_seed_projects_are_templates_and_resources(registry, key, name_zh):
    template = registry.templates[key]
    assert template.name_zh == name_zh and template.seed and template.description
    resource = registry.resources[key]
    assert resource.kind == "project" and resource.template == key


def test_market_art_and_routes_are_in_gusu(registry):
    for key in ("market_art_space", "market_art_team", "route_contest", "old_town_routes"):
        assert registry.resources[f"culture_tourism.{key}"].place == GUSU
    assert "市文联" in registry.resources["culture_tourism.market_art_team"].description
    assert "5,800" in registry.resources["culture_tourism.red_film_class"].description


def test_partner_teams_for_the_joint_projects(registry):
    troupe = registry.resources["culture_tourism.pingtan_troupe"]
    assert "pingtan_performance" in troupe.skills  # what 苏州评弹唱民法's culture part needs
    guides = registry.resources["culture_tourism.old_town_guides"]
    assert "tour_guiding" in guides.skills  # what 净美古城 乐游姑苏's culture part needs
    assert {"old_town", "tour_route", "ancient_well"} <= set(guides.tags)


def test_rules(registry):
    own = {k: r for k, r in registry.rules.items() if k.startswith("culture_tourism.")}
    assert len(own) >= 2
    assert own["culture_tourism.full_house"].params.min_fill == 0.25
    lecturers = own["culture_tourism.registered_lecturers"]
    assert lecturers.params.require == ("theory_lecturer",)
    assert lecturers.scope.categories == ("core.theory_policy",)
    walks = own["culture_tourism.old_town_walks"]
    assert "culture_tourism.street_tour_guiding" in walks.scope.templates


def test_only_the_lecturers_carry_the_lecturer_tag(registry):
    teams = {
        k: r
        for k, r in registry.resources.items()
        if k.startswith("culture_tourism.") and r.kind == "team"
    }
    carrying = {k for k, r in teams.items() if "theory_lecturer" in r.tags}
    assert carrying == {"culture_tourism.red_film_lecturers"}


def test_settings(registry):
    assert registry.setting("culture_tourism", "pre_screening_minutes") == 10
    assert registry.setting("culture_tourism", "tour_group_size") == 20


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
        "place": GUSU,
        "categories": ("core.culture_arts",),
        "audiences": ("core.residents",),
        "capacity": 40,
        "members": 40,
        "lng": LNG + east_km * KM,
        "lat": LAT,
    }
    return f"culture_tourism.{name}", Resource(**{**values, **extra})


def _demand(**values):
    from datetime import date

    from wenming.matching import Demand

    defaults = {
        "id": "d",
        "category": "core.culture_arts",
        "audiences": ("core.residents",),
        "headcount": 20,
        "lng": LNG,
        "lat": LAT,
        "start": date(2023, 7, 1),
        "end": date(2023, 7, 1),
    }
    return Demand(**{**defaults, **values})


def _rank(registry, resources, demand):
    from wenming.matching import Engine

    ranking = Engine(registry, resources).rank(demand, k=10, explain=True, include_excluded=True)
    return [c.key for c in ranking.candidates], {e.key: e for e in ranking.excluded}, ranking


def test_a_hall_is_opened_for_an_audience(registry):
    resources = [_resource("cinema", kind="venue", capacity=120)]
    ranked, _, _ = _rank(registry, resources, _demand(headcount=60))
    assert ranked == ["culture_tourism.cinema"]
    ranked, excluded, _ = _rank(registry, resources, _demand(headcount=10))
    assert ranked == []
    assert excluded["culture_tourism.cinema"].rule_id == "culture_tourism.full_house"
    # A team is not a hall: it takes a small group.
    assert _rank(registry, [_resource("artists")], _demand(headcount=5))[0] == [
        "culture_tourism.artists"
    ]


def test_theory_talks_only_from_registered_lecturers(registry):
    theory = {"categories": ("core.theory_policy",), "tags": ("red_film", "party_history")}
    resources = [
        _resource("lecturers", **{**theory, "tags": (*theory["tags"], "theory_lecturer")}),
        _resource("film_fans", **theory),
    ]
    demand = _demand(category="core.theory_policy", tags=("red_film",))
    ranked, excluded, _ = _rank(registry, resources, demand)
    assert ranked == ["culture_tourism.lecturers"]
    assert excluded["culture_tourism.film_fans"].rule_id == "culture_tourism.registered_lecturers"


def test_old_town_routes_serve_the_old_town(registry):
    route = {"kind": "project", "template": "culture_tourism.street_tour_guiding"}
    resources = [
        _resource("route_here", **route, east_km=1.0),
        _resource("route_there", **route, east_km=4.5),  # inside core's 5 km, outside 4 km
    ]
    ranked, excluded, ranking = _rank(registry, resources, _demand(tags=("tour_route",)))
    assert ranked == ["culture_tourism.route_here"]
    assert excluded["culture_tourism.route_there"].rule_id == "culture_tourism.old_town_walks"
    assert ranking.candidates[0].breakdown["culture_tourism.old_town_walks"] > 0
