"""Batch dispatch: the min-cost-flow optimum equals brute-force enumeration on small
random instances; slots per resource and day; greedy as a baseline; reasons."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import numpy as np
import pytest

from wenming.errors import WenmingError
from wenming.matching import Demand, Engine
from wenming.matching.arrays import EARTH_RADIUS_KM
from wenming.matching.batch import unit_values
from wenming.matching.engine import default_slots
from wenming.records import Resource
from wenming.testing import load_registry

LNG, LAT = 120.60, 31.30
KM = 180 / (math.pi * EARTH_RADIUS_KM)  # degrees of latitude per km
CATEGORIES = ("core.science", "core.legal", "core.culture_arts")


def resource(name: str, north_km: float, categories, capacity: int = 60, **kw) -> Resource:
    return Resource(
        name=name,
        kind="team",
        name_zh=name,
        name_en=name,
        place="3205",
        lng=LNG,
        lat=LAT + north_km * KM,
        categories=categories,
        capacity=capacity,
        **kw,
    )


def demand(
    i: int, north_km: float, category: str, day: date | None, headcount: int = 10, tags=()
) -> Demand:
    return Demand(
        id=f"d{i}",
        category=category,
        place="3205",
        lng=LNG,
        lat=LAT + north_km * KM,
        start=day,
        end=day,
        headcount=headcount,
        tags=tags,
    )


def brute_force(demands, options, slots, day_of):
    """Best total value by enumerating every assignment (pruned by the bound)."""
    order = sorted(range(len(demands)), key=lambda j: -max([v for _, v in options[j]] or [0]))
    best = [0]
    remaining = [0] * (len(order) + 1)
    for pos in range(len(order) - 1, -1, -1):
        j = order[pos]
        remaining[pos] = remaining[pos + 1] + max([v for _, v in options[j]] or [0])
    used: dict[tuple[str, object], int] = {}

    def visit(pos: int, value: int) -> None:
        if value + remaining[pos] <= best[0]:
            return
        if pos == len(order):
            best[0] = value
            return
        j = order[pos]
        for key, v in options[j]:
            bucket = (key, day_of[j])
            if used.get(bucket, 0) < slots[key]:
                used[bucket] = used.get(bucket, 0) + 1
                visit(pos + 1, value + v)
                used[bucket] -= 1
        visit(pos + 1, value)

    visit(0, 0)
    return best[0]


def random_instance(rng: random.Random):
    n = rng.randint(2, 5)
    m = rng.randint(3, 8)
    resources = [
        (
            f"core.r{i}",
            resource(
                f"r{i}",
                rng.uniform(0, 8),
                tuple(rng.sample(CATEGORIES, rng.randint(1, 2))),
                capacity=rng.choice((15, 30, 60)),
                tags=tuple(rng.sample(("a", "b", "c"), rng.randint(0, 2))),
            ),
        )
        for i in range(n)
    ]
    days = [date(2023, 7, 10), date(2023, 7, 11), None]
    demands = [
        demand(
            j,
            rng.uniform(0, 8),
            rng.choice(CATEGORIES),
            rng.choice(days),
            headcount=rng.choice((10, 20, 40)),
            tags=tuple(rng.sample(("a", "b", "c"), rng.randint(0, 2))),
        )
        for j in range(m)
    ]
    slots = {key: rng.randint(0, 2) for key, _ in resources}
    return resources, demands, slots


@pytest.mark.parametrize("seed", range(40))
def test_optimal_equals_brute_force_on_random_instances(seed):
    rng = random.Random(seed)
    resources, demands, slots = random_instance(rng)
    registry = load_registry()
    eng = Engine(registry, resources, slots=slots)
    # the independent side: pair scores from single-demand ranking, then enumeration
    options = []
    for d in demands:
        ranking = eng.rank(d, k=len(resources))
        options.append([(c.key, int(unit_values([c.score])[0])) for c in ranking.candidates])
    day_of = [d.day for d in demands]
    expected = brute_force(demands, options, slots, day_of)
    result = eng.batch(demands)
    got = int(unit_values(list(result.scores.values())).sum()) if result.scores else 0
    assert got == expected
    # every assignment is feasible, within slots, and scored as ranking scores it
    ranked = [dict(opts) for opts in options]
    load: dict[tuple[str, object], int] = {}
    for j, d in enumerate(demands):
        if d.id in result.assignments:
            key = result.assignments[d.id]
            assert key in ranked[j]
            assert int(unit_values([result.scores[d.id]])[0]) == ranked[j][key]
            load[(key, d.day)] = load.get((key, d.day), 0) + 1
        else:
            assert d.id in result.unassigned
    assert all(count <= slots[key] for (key, _), count in load.items())
    greedy = eng.batch(demands, method="greedy")
    greedy_value = int(unit_values(list(greedy.scores.values())).sum()) if greedy.scores else 0
    assert greedy_value <= expected


def test_greedy_loses_where_demands_compete_and_optimal_does_not():
    # d0 (science) suits both teams, the all-round one best; d1 (legal) only that one.
    resources = [
        ("core.both", resource("both", 0.0, ("core.science", "core.legal"))),
        ("core.sci", resource("sci", 1.0, ("core.science",))),
    ]
    monday = date(2023, 7, 10)
    demands = [demand(0, 0.0, "core.science", monday), demand(1, 0.5, "core.legal", monday)]
    eng = Engine(load_registry(), resources, slots={"core.both": 1, "core.sci": 1})
    greedy = eng.batch(demands, method="greedy")
    optimal = eng.batch(demands)
    assert greedy.assignments == {"d0": "core.both"}
    assert "fully booked" in greedy.unassigned["d1"]
    assert optimal.assignments == {"d0": "core.sci", "d1": "core.both"}
    assert optimal.total > greedy.total


def test_slots_count_per_resource_and_day():
    resources = [("core.team", resource("team", 0.0, ("core.science",)))]
    monday, tuesday = date(2023, 7, 10), date(2023, 7, 11)
    demands = [
        demand(0, 0.0, "core.science", monday),
        demand(1, 0.1, "core.science", monday),
        demand(2, 0.2, "core.science", tuesday),
    ]
    eng = Engine(load_registry(), resources, slots={"core.team": 1})
    result = eng.batch(demands)
    assert result.assignments == {"d0": "core.team", "d2": "core.team"}
    assert "fully booked on 2023-07-10" in result.unassigned["d1"]
    assert eng.batch(demands, slots={"core.team": 2}).assignments.keys() == {"d0", "d1", "d2"}


def test_unassigned_demands_name_the_rules_that_refused_them():
    resources = [
        ("core.sci", resource("sci", 0.0, ("core.science",))),
        ("core.far", resource("far", 20.0, ("core.legal",))),
    ]
    eng = Engine(load_registry(), resources)
    result = eng.batch([demand(0, 0.0, "core.legal", None)])
    reason = result.unassigned["d0"]
    assert reason.startswith("no resource passes the rules")
    assert "core.category refused 1" in reason and "core.distance refused 1" in reason


def test_default_slots_by_kind_and_members():
    assert default_slots("venue", 0) == 2
    assert default_slots("project", 500) == 1
    assert default_slots("team", 0) == 1
    assert default_slots("team", 75) == 3
    assert default_slots("team", 5000) == 10


def test_batch_refuses_duplicate_ids_and_unknown_methods():
    eng = Engine(load_registry(), [("core.sci", resource("sci", 0.0, ("core.science",)))])
    d = demand(0, 0.0, "core.science", None)
    with pytest.raises(WenmingError, match="appears twice"):
        eng.batch([d, d])
    with pytest.raises(WenmingError, match="method must be"):
        eng.batch([d], method="random")


def test_batch_pair_scores_equal_single_rankings_on_a_larger_instance():
    rng = np.random.default_rng(7)
    resources = [
        (
            f"core.r{i:03d}",
            resource(
                f"r{i:03d}",
                float(rng.uniform(0, 30)),
                (CATEGORIES[i % 3],),
                capacity=int(rng.integers(10, 80)),
            ),
        )
        for i in range(120)
    ]
    demands = [
        demand(
            j,
            float(rng.uniform(0, 30)),
            CATEGORIES[j % 3],
            date(2023, 7, 1) + timedelta(days=int(rng.integers(0, 3))),
            headcount=int(rng.integers(5, 60)),
        )
        for j in range(300)
    ]
    eng = Engine(load_registry(), resources)
    result = eng.batch(demands)
    assert result.arcs > 300
    for d in demands[:40]:
        if d.id in result.assignments:
            scores = {c.key: c.score for c in eng.rank(d, k=120).candidates}
            assert result.scores[d.id] == pytest.approx(scores[result.assignments[d.id]])


def test_optimal_equals_the_linear_programming_optimum_on_a_medium_instance():
    """An independent exact solver: HiGHS on the LP relaxation (integral here, since
    the constraint matrix is totally unimodular) reaches the same integer optimum."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    from wenming.matching.batch import buckets

    rng = np.random.default_rng(11)
    resources = [
        (
            f"core.r{i:03d}",
            resource(
                f"r{i:03d}", float(rng.uniform(0, 12)), (CATEGORIES[i % 3], CATEGORIES[(i + 1) % 3])
            ),
        )
        for i in range(60)
    ]
    demands = [
        demand(
            j,
            float(rng.uniform(0, 12)),
            CATEGORIES[j % 3],
            date(2023, 7, 1) + timedelta(days=int(rng.integers(0, 2))),
            headcount=int(rng.integers(5, 60)),
        )
        for j in range(400)
    ]
    slots = {key: int(rng.integers(1, 4)) for key, _ in resources}
    eng = Engine(load_registry(), resources, slots=slots)
    result = eng.batch(demands)
    value = int(unit_values(list(result.scores.values())).sum())
    resolved = [eng.resolve(d) for d in demands]
    di, ri, total = eng._pairs(eng._demand_columns(resolved))
    days = np.array([d.day.toordinal() for d in resolved])
    bucket, cap = buckets(ri, di, days, np.array([slots[k] for k in eng.keys]))
    p = len(di)
    a = coo_matrix(
        (
            np.ones(2 * p),
            (np.concatenate([di, len(demands) + bucket]), np.concatenate([np.arange(p)] * 2)),
        ),
        shape=(len(demands) + len(cap), p),
    )
    lp = linprog(
        -unit_values(total).astype(float),
        A_ub=a.tocsr(),
        b_ub=np.concatenate([np.ones(len(demands)), cap]),
        bounds=(0, 1),
        method="highs",
    )
    assert lp.status == 0
    assert abs(-lp.fun - value) < 0.5
    assert len(result.unassigned) > 0, "the instance is contended"
