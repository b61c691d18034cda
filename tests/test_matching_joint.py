"""Joint-order composition (拼单): known best combinations on hand-built cases, and
the branch and bound against exhaustive enumeration on random ones."""

from __future__ import annotations

import itertools
import math
import random
from datetime import date

import pytest

from wenming import hookimpl
from wenming.errors import WenmingError
from wenming.matching import Demand, Engine
from wenming.matching.arrays import EARTH_RADIUS_KM
from wenming.records import Department, JointPart, Resource, Template
from wenming.testing import load_registry

LNG, LAT = 120.60, 31.30
KM = 180 / (math.pi * EARTH_RADIUS_KM)


def department(code: str, templates=()):
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
        def register_templates(register):
            for t in templates:
                register(t)

    return (code, Plugin)


def resource(
    name: str, north_km: float, *, kind: str = "team", east_km: float = 0.0, **kw
) -> Resource:
    kw.setdefault("categories", ("core.science",))
    kw.setdefault("place", "3205")
    if "lng" not in kw:
        kw["lat"] = LAT + north_km * KM
        kw["lng"] = LNG + east_km * KM / math.cos(math.radians(LAT))
    return Resource(name=name, kind=kind, name_zh=name, name_en=name, capacity=60, **kw)


def demand(**kw) -> Demand:
    values = {
        "id": "j",
        "category": "core.science",
        "place": "320505",
        "lng": LNG,
        "lat": LAT,
        "start": date(2023, 7, 10),
        "end": date(2023, 7, 10),
        "tags": ("x", "y"),
    }
    values.update(kw)
    return Demand(**values)


def test_the_best_pair_is_not_the_two_individual_bests_when_they_are_too_far_apart():
    resources = [
        ("a.north", resource("north", 2.5, tags=("x", "y"))),
        ("a.south", resource("south", -1.0)),
        ("b.south", resource("south", -2.8, tags=("x", "y"))),
        ("b.north", resource("north", 1.0)),
    ]
    eng = Engine(load_registry(department("a"), department("b")), resources)
    rank = {c.key: c.score for c in eng.rank(demand(), k=10).candidates}
    assert rank["a.north"] > rank["a.south"] and rank["b.south"] > rank["b.north"]
    proposals = eng.joint(demand(departments=("a", "b")), k=3)
    best = proposals[0]
    assert {d: c.key for d, c in best.parts.items()} == {"a": "a.north", "b": "b.north"}
    assert best.score == pytest.approx(rank["a.north"] + rank["b.north"])
    assert sum(best.breakdown.values()) == best.score
    combos = [tuple(c.key for c in p.parts.values()) for p in proposals]
    assert ("a.north", "b.south") not in combos, "5.3 km apart: beyond the 5 km reach"
    assert [p.score for p in proposals] == sorted((p.score for p in proposals), reverse=True)


def test_city_wide_resources_join_any_combination_and_departments_come_from_the_demand():
    resources = [
        ("a.here", resource("here", 0.0)),
        ("c.hub", resource("hub", 0.0, place="3205", lng=None, lat=None)),
    ]
    eng = Engine(load_registry(department("a"), department("c")), resources)
    proposals = eng.joint(demand(departments=("a", "c")))
    assert [tuple(c.key for c in p.parts.values()) for p in proposals] == [("a.here", "c.hub")]
    assert list(proposals[0].parts) == ["a", "c"], "parts keep the demand's department order"


def test_a_joint_template_gives_departments_kinds_and_skills():
    template = Template(
        name="first_aid",
        name_zh="应急救助普及",
        name_en="First aid for all",
        category="emergency_rescue",
        parts=(
            JointPart(
                department="a",
                contribution_zh="场地",
                contribution_en="venue",
                resource_kinds=("venue",),
            ),
            JointPart(
                department="b",
                contribution_zh="教员",
                contribution_en="trainers",
                resource_kinds=("team",),
                skills=("first_aid",),
            ),
        ),
        description="Venue plus certified trainers.",
    )
    resources = [
        ("a.hall", resource("hall", 0.5, kind="venue", categories=("core.emergency_rescue",))),
        ("a.team", resource("team", 0.0, categories=("core.emergency_rescue",))),
        # b's trainers do not list the category but bring the part's skill
        (
            "b.trainers",
            resource("trainers", 0.2, categories=("core.health_fitness",), skills=("first_aid",)),
        ),
        ("b.doctors", resource("doctors", 0.1, categories=("core.health_fitness",))),
    ]
    registry = load_registry(department("a", templates=[template]), department("b"))
    eng = Engine(registry, resources)
    proposals = eng.joint(Demand(id="t", template="first_aid", place="320505", lng=LNG, lat=LAT))
    assert [{d: c.key for d, c in p.parts.items()} for p in proposals] == [
        {"a": "a.hall", "b": "b.trainers"}
    ]


def test_no_combination_is_an_empty_list_and_the_gap_is_explained():
    resources = [
        ("a.here", resource("here", 0.0)),
        ("b.law", resource("law", 0.0, categories=("core.legal",))),
    ]
    eng = Engine(load_registry(department("a"), department("b")), resources)
    d = demand(departments=("a", "b"))
    assert eng.joint(d) == []
    gaps = eng.joint_gaps(d)
    assert list(gaps) == ["b"] and "department 'b'" in gaps["b"]
    with pytest.raises(WenmingError, match="names no departments"):
        eng.joint(demand())
    with pytest.raises(WenmingError, match="unknown department 'zz'"):
        eng.joint(demand(departments=("zz",)))


def _km(a: Resource, b: Resource) -> float:
    if a.lat is None or b.lat is None:
        return 0.0
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dl = math.radians(b.lng - a.lng)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


@pytest.mark.parametrize("seed", range(25))
def test_branch_and_bound_equals_enumeration(seed):
    rng = random.Random(seed)
    depts = [f"p{i}" for i in range(rng.randint(2, 4))]
    records = {}
    for d in depts:
        for i in range(rng.randint(1, 6)):
            records[f"{d}.r{i}"] = resource(
                f"r{i}",
                rng.uniform(-4, 4),
                east_km=rng.uniform(-4, 4),
                tags=tuple(rng.sample(("x", "y", "z"), rng.randint(0, 2))),
            )
    eng = Engine(load_registry(*(department(d) for d in depts)), list(records.items()))
    d = demand(departments=tuple(depts))
    scores = {c.key: c.score for c in eng.rank(d, k=len(records)).candidates}
    pools = [[k for k in scores if k.startswith(f"{dep}.")] for dep in depts]
    expected = []
    for combo in itertools.product(*pools):
        pairs = itertools.combinations(combo, 2)
        if all(_km(records[a], records[b]) <= 5.0 for a, b in pairs):
            expected.append((sum(scores[k] for k in combo), combo))
    expected.sort(key=lambda t: (-t[0], t[1]))
    got = eng.joint(d, k=5)
    assert [tuple(c.key for c in p.parts.values()) for p in got] == [c for _, c in expected[:5]]
    for p, (score, _) in zip(got, expected, strict=False):
        assert p.score == pytest.approx(score) and p.exact


def test_more_than_four_departments_use_the_beam_and_say_so():
    depts = [f"p{i}" for i in range(5)]
    records = [(f"{d}.r{i}", resource(f"r{i}", 0.3 * i)) for d in depts for i in range(3)]
    eng = Engine(load_registry(*(department(d) for d in depts)), records)
    proposals = eng.joint(demand(departments=tuple(depts)), k=2)
    assert len(proposals) == 2 and not proposals[0].exact
    assert all(c.key.endswith(".r0") for c in proposals[0].parts.values())
