from __future__ import annotations

import pytest

import wenming_transport
from wenming.errors import ConfigError
from wenming.testing import check_plugin, load_registry
from wenming_transport import doctors_needed, rider_friendly


@pytest.fixture(scope="module")
def registry():
    return check_plugin("transport")


def test_conformance(registry):
    dept = registry.departments["transport"]
    assert dept.name_zh == "苏州市交通运输局"
    assert "交通行业文明实践联盟" in dept.description


def test_seed_sites_are_practice_point_types(registry):
    names = {t.name_zh for rid, t in registry.site_types.items() if rid.startswith("transport.")}
    assert {"司机之家", "暖蜂驿站"} <= names
    own = [t for rid, t in registry.site_types.items() if rid.startswith("transport.")]
    assert len(own) >= 3 and all(t.level == "practice_point" for t in own)


@pytest.mark.parametrize(
    ("template", "zh"),
    [
        ("free_clinic", "健康义诊"),
        ("skills_training", "技能提升培训"),
        ("snapshot_city_check", "随手拍"),
        ("shopping_help", "帮采买"),
        ("transport_red_talks", "交通别样红"),
    ],
)
def test_seed_projects_are_seed_templates(registry, template, zh):
    t = registry.templates[f"transport.{template}"]
    assert t.seed and zh in t.name_zh and t.description


def test_realistic_additions_are_not_marked_seed(registry):
    assert not registry.templates["transport.road_safety_class"].seed


def test_seed_alliance_and_projects_are_resources(registry):
    alliance = registry.resources["transport.practice_alliance"]
    assert alliance.kind == "team" and alliance.name_zh == "交通行业文明实践联盟"
    for name in ("snapshot_city_check", "shopping_help", "transport_red_talks"):
        project = registry.resources[f"transport.{name}"]
        assert project.kind == "project" and project.template == f"transport.{name}"
    # 姑苏区金阊街道 and 工业园区金鸡湖街道
    assert registry.resources["transport.warm_bee_station_jinchang"].place == "320508019"
    assert registry.resources["transport.warm_bee_station_jinji_lake"].place == "320576054"
    assert registry.resources["transport.warm_bee_station_jinchang"].site_type == (
        "transport.warm_bee_station"
    )


def test_rules_favour_new_employment_near_stations(registry):
    rules = {rid: r for rid, r in registry.rules.items() if rid.startswith("transport.")}
    favour = rules["transport.new_employment_first"]
    assert favour.scope.departments == ("transport",)
    assert "core.new_employment" in favour.params.audiences
    assert "transport.delivery_riders" in favour.params.audiences
    near = rules["transport.near_our_stations"]
    assert near.scope.resource_kinds == ("venue",) and near.params.reach_km == 3.0
    term = rules["transport.road_safety_in_term"]
    assert term.mode == "filter" and 7 not in term.params.months
    assert term.scope.templates == ("transport.road_safety_class",)


def test_rider_friendly_hours_follow_the_setting():
    default = load_registry(wenming_transport, name="transport")
    assert rider_friendly(default, 15) and not rider_friendly(default, 12)
    night_shift = load_registry(
        wenming_transport, name="transport", settings={"transport": {"rider_peak_hours": [21]}}
    )
    assert rider_friendly(night_shift, 12) and not rider_friendly(night_shift, 21)
    with pytest.raises(ValueError, match="0–23"):
        rider_friendly(default, 24)


def test_rider_peak_hours_must_be_hours():
    bad = load_registry(
        wenming_transport, name="transport", settings={"transport": {"rider_peak_hours": ["noon"]}}
    )
    with pytest.raises(ConfigError, match="rider_peak_hours"):
        rider_friendly(bad, 9)


def test_doctors_needed_rounds_up():
    default = load_registry(wenming_transport, name="transport")
    assert doctors_needed(default, 0) == 0
    assert doctors_needed(default, 25) == 1
    assert doctors_needed(default, 26) == 2
    with pytest.raises(ConfigError, match="checks_per_doctor"):
        load_registry(
            wenming_transport, name="transport", settings={"transport": {"checks_per_doctor": 1}}
        )


# --- rule behaviour, ranked by the matching engine ------------------------------------

HERE = (120.62, 31.30)
KM_PER_DEG_LNG = 111.32 * 0.8563  # at 31.3° N


def _engine(extra=(), **positions):
    """Core + transport; the named transport resources ``km`` east of HERE, and ``extra``
    (key, Resource) pairs as given."""
    from attrs import evolve

    from wenming.matching import Engine

    registry = load_registry(wenming_transport, name="transport")
    resources = [
        (
            f"transport.{name}",
            evolve(
                registry.resources[f"transport.{name}"],
                lng=HERE[0] + km / KM_PER_DEG_LNG,
                lat=HERE[1],
            ),
        )
        for name, km in positions.items()
    ]
    return Engine(registry, [*resources, *extra])


def _demand(demand_id, day=None, **fields):
    from datetime import date

    from wenming.matching import Demand

    day = day or date(2023, 5, 10)
    fields.setdefault("category", "core.health_fitness")
    fields.setdefault("headcount", 20)
    return Demand(id=demand_id, lng=HERE[0], lat=HERE[1], start=day, end=day, **fields)


def test_riders_are_favoured_at_warm_bee_stations():
    engine = _engine(warm_bee_station_jinchang=0.5, drivers_home_high_speed_rail_city=0.5)
    riders = engine.rank(
        _demand("r", audiences=("transport.delivery_riders",), tags=("free_clinic",))
    )
    residents = engine.rank(_demand("p", audiences=("core.residents",), tags=("free_clinic",)))
    station = "transport.warm_bee_station_jinchang"
    assert riders.candidates[0].key == station
    assert riders.candidates[0].breakdown["transport.new_employment_first"] == pytest.approx(0.11)
    score = {c.key: c.score for c in residents.candidates}[station]
    assert riders.candidates[0].score > score + 2.0  # the rule's 2 plus core's audience match
    assert residents.candidates[0].breakdown.get("transport.new_employment_first", 0.0) == 0.0


def test_stations_serve_riders_within_three_km_nearer_first():
    engine = _engine(warm_bee_station_jinchang=0.5, warm_bee_station_jinji_lake=2.5)
    near = engine.rank(
        _demand("r", audiences=("core.new_employment",), tags=("free_clinic",)), explain=True
    )
    assert [c.key for c in near.candidates] == [
        "transport.warm_bee_station_jinchang",
        "transport.warm_bee_station_jinji_lake",
    ]
    first, second = (c.breakdown["transport.near_our_stations"] for c in near.candidates)
    assert first > second > 0
    far = _engine(warm_bee_station_jinji_lake=3.5).rank(
        _demand("r", audiences=("core.new_employment",)), include_excluded=True
    )
    assert not far.candidates
    assert far.excluded[0].rule_id == "transport.near_our_stations"


def test_road_safety_classes_run_in_term_time_only():
    from datetime import date

    from wenming.records import Resource

    class_project = Resource(
        name="road_safety_gusu",
        kind="project",
        name_zh="交通安全进校园（姑苏）",
        name_en="Road safety class, Gusu",
        place="320508",
        template="transport.road_safety_class",
        categories=("core.education_support",),
        audiences=("core.minors",),
        tags=("road_safety",),
        capacity=60,
        lng=HERE[0],
        lat=HERE[1],
    )
    engine = _engine(extra=[("transport.road_safety_gusu", class_project)])
    ask = {"category": "core.education_support", "audiences": ("core.minors",)}
    october = engine.rank(_demand("t", day=date(2023, 10, 12), **ask))
    assert [c.key for c in october.candidates] == ["transport.road_safety_gusu"]
    july = engine.rank(_demand("t", day=date(2023, 7, 12), **ask), include_excluded=True)
    assert not july.candidates
    assert july.excluded[0].rule_id == "transport.road_safety_in_term"
