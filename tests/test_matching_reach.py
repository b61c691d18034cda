"""Service reach per resource: a distance rule's hard reach for a pair is the resource's
own ``reach_km`` when set, else the rule's ``params.reach_km``, else the deployment's
living circle — in ranking, in batch filtering and for stored rows."""

from __future__ import annotations

import math
from datetime import date

import pytest

from wenming import hookimpl
from wenming.deployment import MatchingConfig
from wenming.errors import WenmingError
from wenming.matching import Demand, Engine
from wenming.matching.arrays import EARTH_RADIUS_KM
from wenming.records import Department, Resource, Rule, RuleScope
from wenming.testing import load_registry

LNG, LAT = 120.60, 31.30
KM_PER_DEG_LAT = math.pi * EARTH_RADIUS_KM / 180

#: A department rule: its venues are walked to, so they serve within 2 km.
WALK = Rule(
    name="walk_to_venues",
    kind="distance",
    mode="both",
    weight=0.1,
    params={"reach_km": 2.0, "decay_km": 1.0},
    scope=RuleScope(resource_kinds=("venue",)),
    description="Venues within a walk.",
)


def department(code: str, rules=()):
    class Plugin:
        @hookimpl
        def register_department(register):
            register(
                Department(
                    code=code,
                    name_zh=f"{code}局",
                    name_en=code,
                    subcenter_zh="分中心",
                    subcenter_en="Sub-center",
                    corps_zh="总队",
                    corps_en="Corps",
                )
            )

        @hookimpl
        def register_rules(register):
            for r in rules:
                register(r)

    return (code, Plugin)


def res(name: str, north_km: float, *, kind: str = "team", **kw) -> Resource:
    return Resource(
        name=name,
        kind=kind,
        name_zh=name,
        name_en=name,
        place="3205",
        categories=("core.science",),
        capacity=60,
        lng=LNG,
        lat=LAT + north_km / KM_PER_DEG_LAT,
        **kw,
    )


def demand(id: str = "d", north_km: float = 0.0) -> Demand:
    return Demand(
        id=id,
        category="core.science",
        headcount=20,
        place="3205",
        lng=LNG,
        lat=LAT + north_km / KM_PER_DEG_LAT,
        start=date(2023, 7, 10),
        end=date(2023, 7, 10),
    )


def outcome(eng: Engine, d: Demand) -> dict[str, str]:
    """Resource key → "ok" or the ID of the rule that refused it."""
    ranking = eng.rank(d, k=100, include_excluded=True)
    out = {c.key: "ok" for c in ranking.candidates}
    out.update({e.key: e.rule_id for e in ranking.excluded})
    return out


def test_the_deployment_default_is_the_living_circle_and_configurable():
    resources = [("a.near", res("near", 4.0)), ("a.far", res("far", 7.0))]
    registry = load_registry(department("a"))
    default = Engine(registry, resources)  # 15 min at 20 km/h: 5 km
    assert outcome(default, demand()) == {"a.near": "ok", "a.far": "core.distance"}
    wider = Engine(registry, resources, config=MatchingConfig(reach_minutes=24.0))  # 8 km
    assert outcome(wider, demand()) == {"a.near": "ok", "a.far": "ok"}


def test_a_rules_own_reach_replaces_the_default_for_what_it_judges():
    resources = [("a.hall", res("hall", 3.0, kind="venue")), ("a.team", res("team", 3.0))]
    eng = Engine(load_registry(department("a", rules=[WALK])), resources)
    ranking = eng.rank(demand(), include_excluded=True)
    assert [c.key for c in ranking.candidates] == ["a.team"], "the team: only the 5 km default"
    (hall,) = ranking.excluded
    assert hall.rule_id == "a.walk_to_venues"
    assert "3.0 km away, beyond the 2 km reach" in hall.reason


def test_a_resources_own_reach_replaces_every_distance_rules_reach():
    resources = [
        # widened: a coach takes the group 20 km, beyond the rule's 2 km and the 5 km default
        ("a.coach_trip", res("coach_trip", 20.0, kind="venue", reach_km=25.0)),
        # widened for the rule only: 3 km is within its own 4 km and the default 5 km
        ("a.big_hall", res("big_hall", 3.0, kind="venue", reach_km=4.0)),
        # narrowed: a team that only serves its own street
        ("a.street_team", res("street_team", 3.0, reach_km=1.0)),
        ("a.plain_team", res("plain_team", 3.0)),
        ("a.plain_hall", res("plain_hall", 3.0, kind="venue")),
    ]
    eng = Engine(load_registry(department("a", rules=[WALK])), resources)
    assert outcome(eng, demand()) == {
        "a.coach_trip": "ok",
        "a.big_hall": "ok",
        "a.street_team": "core.distance",
        "a.plain_team": "ok",
        "a.plain_hall": "a.walk_to_venues",
    }
    ranking = eng.rank(demand(), include_excluded=True)
    street = next(e for e in ranking.excluded if e.key == "a.street_team")
    assert "3.0 km away, beyond the resource's own 1 km reach" in street.reason
    coach = next(c for c in ranking.candidates if c.key == "a.coach_trip")
    assert coach.breakdown["core.distance"] == pytest.approx(0.35 * math.exp(-20.0 / 3.0), rel=1e-6)
    # the reach decides the filter, not the decay: same distance, same distance score
    got = {c.key: c for c in ranking.candidates}
    assert got["a.big_hall"].breakdown["core.distance"] == pytest.approx(
        got["a.plain_team"].breakdown["core.distance"]
    )


def test_batch_filtering_uses_each_resources_reach():
    resources = [
        ("a.coach_trip", res("coach_trip", 0.0, kind="venue", reach_km=25.0)),
        ("a.street_team", res("street_team", 0.0, reach_km=1.0)),
        ("a.plain_team", res("plain_team", 0.0)),
    ]
    eng = Engine(load_registry(department("a", rules=[WALK])), resources)
    demands = [demand(f"d{km}", north_km=km) for km in (0.5, 3.0, 12.0, 30.0)]
    result = eng.batch(demands, slots={k: 10 for k, _ in resources})
    expected = {d.id: {k for k, v in outcome(eng, d).items() if v == "ok"} for d in demands}
    assert expected == {
        "d0.5": {"a.coach_trip", "a.street_team", "a.plain_team"},
        "d3.0": {"a.coach_trip", "a.plain_team"},
        "d12.0": {"a.coach_trip"},
        "d30.0": set(),
    }
    for d in demands:
        if expected[d.id]:
            assert result.assignments[d.id] in expected[d.id]
        else:
            assert "no resource passes" in result.unassigned[d.id]
    assert result.arcs == sum(len(v) for v in expected.values())


def test_reach_must_be_positive():
    with pytest.raises(ValueError, match="reach_km must be a positive number"):
        res("bad", 0.0, reach_km=0.0)
    with pytest.raises(ValueError, match="reach_km must be a positive number"):
        res("bad", 0.0, reach_km=-3)


def test_stored_rows_carry_their_reach(wenming_storage):
    from wenming import builtins
    from wenming.deployment import Deployment, DeploymentConfig
    from wenming.storage.tables import ResourceRow

    def row(key: str, north_km: float, reach_km=None, extra=None) -> ResourceRow:
        return ResourceRow(
            key=key,
            kind="team",
            name=key,
            place_code="320505",
            categories=["core.science"],
            capacity=50,
            lng=LNG,
            lat=LAT + north_km / KM_PER_DEG_LAT,
            reach_km=reach_km,
            extra=extra or {},
        )

    with wenming_storage.session() as s:
        s.add(row("unit.coach", 12.0, reach_km=15.0))
        s.add(row("unit.doorstep", 3.0, reach_km=1.5))
        s.add(row("unit.plain", 3.0))
        # published before the column existed: the reach was kept in extra
        s.add(row("unit.older", 9.0, extra={"reach_km": 10}))
    with wenming_storage.session() as s:
        stored = s.get(ResourceRow, 1)
        assert stored is not None and stored.reach_km == 15.0
    config = DeploymentConfig(name="t", database=wenming_storage.url)
    deployment = Deployment(config, extra_plugins=[("core", builtins)], use_entry_points=False)
    try:
        eng = Engine.from_deployment(deployment)
        assert outcome(eng, demand()) == {
            "unit.coach": "ok",
            "unit.doorstep": "core.distance",
            "unit.plain": "ok",
            "unit.older": "ok",
        }
    finally:
        deployment.close()


def test_a_row_with_a_bad_reach_is_named():
    from wenming.storage.tables import ResourceRow

    bad = ResourceRow(
        key="unit.bad",
        kind="team",
        name="bad",
        place_code="320505",
        categories=["core.science"],
        lng=LNG,
        lat=LAT,
        extra={"reach_km": "far"},
    )
    with pytest.raises(WenmingError, match="resource 'unit.bad': reach_km must be a positive"):
        Engine(load_registry(), [bad])
