"""The matching engine: every core rule kind's filter and score, rule scopes and weights,
explanations that add up, deterministic ranking, custom kinds, loading from storage."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from datetime import date

import numpy as np
import pytest

from wenming import hookimpl
from wenming.deployment import MatchingConfig
from wenming.errors import WenmingError
from wenming.matching import Demand, Engine
from wenming.matching.arrays import EARTH_RADIUS_KM, Columns
from wenming.records import Department, Resource, Rule, RuleKind, RuleScope, Template
from wenming.testing import load_registry

LNG, LAT = 120.60, 31.30
KM_PER_DEG_LAT = math.pi * EARTH_RADIUS_KM / 180


def dept(code: str) -> Department:
    return Department(
        code=code,
        name_zh=f"{code}局",
        name_en=code.title(),
        subcenter_zh="分中心",
        subcenter_en="Sub-center",
        corps_zh="总队",
        corps_en="Corps",
    )


def department(code: str, rules=(), templates=(), kinds=()):
    """A department plugin object contributing the given records."""

    class Plugin:
        @hookimpl
        def register_department(register):
            register(dept(code))

        @hookimpl
        def register_rule_kinds(register):
            for k in kinds:
                register(k)

        @hookimpl
        def register_templates(register):
            for t in templates:
                register(t)

        @hookimpl
        def register_rules(register):
            for r in rules:
                register(r)

    return (code, Plugin)


def res(name: str, *, north_km: float = 0.0, kind: str = "team", **kw) -> Resource:
    """A resource ``north_km`` north of the demand's default position."""
    kw.setdefault("categories", ("core.science",))
    # a city-level place with coordinates: no county, so only the reach decides
    kw.setdefault("place", "3205")
    kw.setdefault("capacity", 60)
    if "lng" not in kw:
        kw["lng"], kw["lat"] = LNG, LAT + north_km / KM_PER_DEG_LAT
    return Resource(name=name, kind=kind, name_zh=name, name_en=name, **kw)


def demand(**kw) -> Demand:
    values = {
        "id": "d1",
        "category": "core.science",
        "headcount": 30,
        "place": "320505",
        "lng": LNG,
        "lat": LAT,
        "start": date(2023, 7, 10),
        "end": date(2023, 7, 10),
    }
    values.update(kw)
    return Demand(**values)


def engine(resources, *plugins, **kw) -> Engine:
    registry = load_registry(*plugins)
    return Engine(registry, resources, **kw)


def by_key(ranking):
    return {c.key: c for c in ranking.candidates}


def excluded(ranking):
    return {e.key: e for e in ranking.excluded}


# ---------------------------------------------------------------- core rule kinds


def test_category_filters_other_categories_and_scores_its_weight():
    eng = engine([("a.sci", res("sci")), ("a.law", res("law", categories=("core.legal",)))])
    ranking = eng.rank(demand(), include_excluded=True)
    assert by_key(ranking)["a.sci"].breakdown["core.category"] == 4.0
    refused = excluded(ranking)["a.law"]
    assert refused.rule_id == "core.category"
    assert "core.legal" in refused.reason and "core.science" in refused.reason


def test_category_partial_lets_other_categories_through_at_a_lower_score():
    rule = Rule(
        name="soft",
        kind="core.category",
        mode="both",
        weight=0.2,
        params={"partial": 0.25},
        description="Science dept takes neighbours.",
    )
    resources = [("sci.law", res("law", categories=("core.legal",)))]
    eng = engine(resources, department("sci", rules=[rule]))
    ranking = eng.rank(demand(category="core.legal"), include_excluded=True)
    assert by_key(ranking)["sci.law"].breakdown["sci.soft"] == 0.2
    ranking = eng.rank(demand(category="core.science"), include_excluded=True)
    # core.category still refuses it, sci.soft alone would have let it through
    assert excluded(ranking)["sci.law"].rule_id == "core.category"


def test_tags_score_is_the_share_of_demand_tags_carried_skills_included():
    resources = [
        ("a.half", res("half", tags=("water_saving",))),
        ("a.all", res("all", tags=("water_saving",), skills=("first_aid",))),
        ("a.none", res("none")),
    ]
    eng = engine(resources)
    got = by_key(eng.rank(demand(tags=("water_saving", "first_aid"))))
    # relevance moves in whole points: half of the tags' weight 6
    assert got["a.half"].breakdown["core.tags"] == 3.0
    assert got["a.all"].breakdown["core.tags"] == 6.0
    assert got["a.none"].breakdown["core.tags"] == 0.0
    # a registered tag no resource carries still counts in the share
    got = by_key(eng.rank(demand(tags=("water_saving", "cpr"))))
    assert got["a.half"].breakdown["core.tags"] == 3.0
    # a word no tag knows is a free word: it counts in the share and matches nothing
    got = by_key(eng.rank(demand(tags=("water_saving", "unheard_of"))))
    assert got["a.half"].breakdown["core.tags"] == 3.0
    # the vocabulary (the CLI's and the forms' look-up) refuses it with the closest words
    from wenming.matching.vocabulary import vocabulary

    with pytest.raises(WenmingError, match="unknown tag 'watr_saving'; did you mean water_saving"):
        vocabulary(eng.registry).resolve("tag", "watr_saving", extra=eng.vocab["tags"].index)
    # a Chinese name or synonym reads as the tag
    got = by_key(eng.rank(demand(tags=("心肺复苏", "water_saving"))))
    assert got["a.half"].breakdown["core.tags"] == 3.0


def test_tags_filter_min_overlap_and_required_tags():
    rule = Rule(
        name="certified",
        kind="core.tags",
        mode="filter",
        params={"min_overlap": 2, "require": ["certified_rescue"]},
        description="Rescue training needs certified teams.",
    )
    resources = [
        ("r.ok", res("ok", tags=("cpr", "aed", "certified_rescue"))),
        ("r.uncertified", res("uncertified", tags=("cpr", "aed"))),
        ("r.one", res("one", tags=("cpr", "certified_rescue"))),
    ]
    eng = engine(resources, department("r", rules=[rule]))
    ranking = eng.rank(demand(tags=("cpr", "aed")), include_excluded=True)
    assert set(by_key(ranking)) == {"r.ok"}
    out = excluded(ranking)
    assert out["r.uncertified"].rule_id == "r.certified"
    assert "certified_rescue" in out["r.uncertified"].reason
    assert "needs 2" in out["r.one"].reason


def test_audience_scores_overlap_and_a_limited_rule_only_counts_its_populations():
    rule = Rule(
        name="young",
        kind="audience",
        mode="score",
        weight=0.15,
        params={"audiences": ["minors"]},
        description="Favour children.",
    )
    resources = [
        ("k.kids", res("kids", audiences=("core.minors",))),
        ("k.old", res("old", audiences=("core.elderly",))),
    ]
    eng = engine(resources, department("k", rules=[rule]))
    got = by_key(eng.rank(demand(audiences=("minors", "elderly"))))
    assert got["k.kids"].breakdown["core.audience"] == 2.0
    assert got["k.old"].breakdown["core.audience"] == 2.0
    assert got["k.kids"].breakdown["k.young"] == 0.15
    assert got["k.old"].breakdown["k.young"] == 0.0
    got = by_key(eng.rank(demand(audiences=("core.elderly",))))
    assert got["k.kids"].breakdown["core.audience"] == 0.0


def test_audience_filter_refuses_resources_for_other_populations():
    rule = Rule(
        name="only_elderly", kind="audience", mode="filter", description="Elderly services only."
    )
    resources = [
        ("k.kids", res("kids", audiences=("core.minors",))),
        ("k.any", res("any")),
    ]
    eng = engine(resources, department("k", rules=[rule]))
    ranking = eng.rank(demand(audiences=("elderly",)), include_excluded=True)
    assert set(by_key(ranking)) == {"k.any"}, "a resource listing no audiences passes"
    assert excluded(ranking)["k.kids"].rule_id == "k.only_elderly"


def test_distance_reach_decay_and_the_living_circle_default():
    resources = [
        ("a.here", res("here")),
        ("a.near", res("near", north_km=3.0)),
        ("a.far", res("far", north_km=6.0)),
    ]
    eng = engine(resources)  # 15 minutes at 20 km/h: 5 km
    ranking = eng.rank(demand(), include_excluded=True)
    got = by_key(ranking)
    assert got["a.here"].breakdown["core.distance"] == pytest.approx(0.35)
    assert got["a.near"].breakdown["core.distance"] == pytest.approx(
        0.35 * math.exp(-1.0), rel=1e-6
    )
    far = excluded(ranking)["a.far"]
    assert far.rule_id == "core.distance" and "6.0 km away, beyond the 5 km reach" in far.reason
    wider = engine(resources, config=MatchingConfig(reach_minutes=30.0))
    assert "a.far" in by_key(wider.rank(demand()))


def test_city_wide_resources_pass_distance_and_unlocated_ones_fail():
    resources = [
        ("a.citywide", res("citywide", place="3205", lng=None, lat=None)),
        ("a.nowhere", res("nowhere", place="999999999999", lng=None, lat=None)),
    ]
    ranking = engine(resources).rank(demand(), include_excluded=True)
    assert by_key(ranking)["a.citywide"].breakdown["core.distance"] == 0.0
    nowhere = excluded(ranking)["a.nowhere"]
    assert nowhere.rule_id == "core.distance" and "no known position" in nowhere.reason


def test_capacity_filter_and_snug_fit_score():
    rule = Rule(
        name="full_rooms",
        kind="capacity",
        mode="filter",
        params={"min_fill": 0.4},
        description="Do not waste big halls.",
    )
    resources = [
        ("c.small", res("small", kind="venue", capacity=20)),
        ("c.fit", res("fit", kind="venue", capacity=30)),
        ("c.double", res("double", kind="venue", capacity=60)),
        ("c.hall", res("hall", kind="venue", capacity=500)),
        ("c.team", res("team", capacity=20)),
    ]
    eng = engine(resources, department("c", rules=[rule]))
    ranking = eng.rank(demand(headcount=30), include_excluded=True)
    got = by_key(ranking)
    assert got["c.fit"].breakdown["core.capacity"] == 0.15
    assert got["c.double"].breakdown["core.capacity"] == 0.075
    out = excluded(ranking)
    # both capacity rules refuse it; the first in rule-ID order is named
    assert out["c.small"].rule_id == "c.full_rooms"
    assert "headcount 30 exceeds the capacity 20" in out["c.small"].reason
    assert out["c.hall"].rule_id == "c.full_rooms"
    # a team that overflows is not refused (it runs more sessions), it scores lower
    assert got["c.team"].breakdown["core.capacity"] == pytest.approx(0.15 * 20 / 30)
    # no headcount: capacity does not judge
    assert len(eng.rank(demand(headcount=0)).candidates) == 5


def test_time_filter_uses_the_season_and_rule_months():
    summer = Rule(
        name="summer",
        kind="time",
        mode="both",
        weight=0.1,
        params={"months": [7, 8]},
        description="Summer care runs in July and August.",
    )
    resources = [
        ("t.winter", res("winter", months=(12, 1, 2))),
        ("t.all_year", res("all_year")),
    ]
    eng = engine(resources, department("t", rules=[summer]))
    ranking = eng.rank(demand(), include_excluded=True)
    assert set(by_key(ranking)) == {"t.all_year"}
    assert excluded(ranking)["t.winter"].rule_id == "core.time"
    assert by_key(ranking)["t.all_year"].breakdown["t.summer"] == 0.1
    # a window June–July is half in the summer months
    window = demand(start=date(2023, 6, 20), end=date(2023, 7, 5))
    assert by_key(eng.rank(window))["t.all_year"].breakdown["t.summer"] == 0.05
    in_june = eng.rank(demand(start=date(2023, 6, 1), end=date(2023, 6, 1)), include_excluded=True)
    assert excluded(in_june)["t.all_year"].rule_id == "t.summer"
    assert "months 6" in excluded(in_june)["t.all_year"].reason


def test_reputation_shrinks_towards_the_prior_and_filters_below_the_minimum():
    rule = Rule(
        name="trusted",
        kind="reputation",
        mode="filter",
        params={"minimum": 3.5},
        description="Only well-rated teams.",
    )
    resources = [("r.good", res("good")), ("r.bad", res("bad")), ("r.new", res("new"))]
    reputation = {"r.good": (5.0, 20), "r.bad": (1.0, 20)}
    eng = engine(resources, department("r", rules=[rule]), reputation=reputation)
    ranking = eng.rank(demand(), include_excluded=True)
    got = by_key(ranking)
    assert got["r.good"].breakdown["core.reputation"] == pytest.approx(0.15 * (4.8 - 1) / 4)
    assert got["r.new"].breakdown["core.reputation"] == pytest.approx(0.15 * 0.75), "neutral"
    assert excluded(ranking)["r.bad"].rule_id == "r.trusted"
    assert "20 evaluations" in excluded(ranking)["r.bad"].reason


def test_fairness_prefers_idle_teams_and_caps_open_dispatches():
    rule = Rule(
        name="cap",
        kind="fairness",
        mode="filter",
        params={"max_open": 5},
        description="No team gets more than five open dispatches.",
    )
    resources = [("f.idle", res("idle")), ("f.busy", res("busy")), ("f.swamped", res("swamped"))]
    eng = engine(resources, department("f", rules=[rule]), load={"f.busy": 3, "f.swamped": 6})
    ranking = eng.rank(demand(), include_excluded=True)
    got = by_key(ranking)
    assert got["f.idle"].breakdown["core.fairness"] == pytest.approx(0.1)
    assert got["f.busy"].breakdown["core.fairness"] == pytest.approx(0.05)
    assert excluded(ranking)["f.swamped"].rule_id == "f.cap"


def test_inputs_refresh_without_recompiling_from_mappings_or_arrays():
    resources = [("f.a", res("a")), ("f.b", res("b"))]
    eng = engine(resources, department("f"))
    assert [c.key for c in eng.rank(demand()).candidates] == ["f.a", "f.b"]
    busy = eng.with_inputs(load={"f.a": 9}, reputation={"f.b": (5.0, 50)})
    assert [c.key for c in busy.rank(demand()).candidates] == ["f.b", "f.a"]
    assert by_key(busy.rank(demand()))["f.a"].breakdown["core.fairness"] == pytest.approx(0.025)
    assert [c.key for c in eng.rank(demand()).candidates] == ["f.a", "f.b"], "original kept"
    arrays = eng.with_inputs(load=np.array([0.0, 3.0]), reputation=([1.0, 5.0], [100, 100]))
    got = by_key(arrays.rank(demand()))
    assert got["f.b"].breakdown["core.fairness"] == pytest.approx(0.05)
    assert got["f.a"].breakdown["core.reputation"] == pytest.approx(
        0.15 * ((100 + 20) / 105 / 4 - 0.25)
    )
    with pytest.raises(WenmingError, match="one entry per resource"):
        eng.with_inputs(load=[1, 2, 3])
    with pytest.raises(WenmingError, match="must be \\(mean rating, count\\)"):
        eng.with_inputs(reputation={"f.a": 4.5})


# ---------------------------------------------------------------- scopes, weights, ranking


def test_department_rules_judge_only_their_resources_and_scoped_categories():
    rule = Rule(
        name="bonus",
        kind="fairness",
        mode="score",
        weight=0.2,
        scope=RuleScope(categories=("science",)),
        description="Science bonus.",
    )
    resources = [("w.own", res("own")), ("x.other", res("other"))]
    eng = engine(resources, department("w", rules=[rule]), department("x"))
    got = by_key(eng.rank(demand()))
    assert got["w.own"].breakdown["w.bonus"] == 0.2
    assert "w.bonus" not in got["x.other"].breakdown
    legal = [("w.law", res("law", categories=("core.legal",)))]
    eng = engine(legal, department("w", rules=[rule]))
    assert "w.bonus" not in eng.rank(demand(category="legal")).candidates[0].breakdown


def test_scope_by_template_and_resource_kind():
    t = Template(
        name="walk", name_zh="散步", name_en="Walk", category="science", description="A walk."
    )
    by_template = Rule(
        name="walkers",
        kind="fairness",
        mode="score",
        weight=0.1,
        scope=RuleScope(templates=("walk",)),
        description="Walk projects.",
    )
    venues = Rule(
        name="venues",
        kind="distance",
        mode="both",
        weight=0.1,
        params={"reach_km": 1.0},
        scope=RuleScope(resource_kinds=("venue",)),
        description="Venues walkable.",
    )
    resources = [
        ("p.walk", res("walk", kind="project", template="p.walk")),
        ("p.team", res("team")),
        ("p.hall", res("hall", kind="venue", north_km=2.0)),
    ]
    eng = engine(resources, department("p", rules=[by_template, venues], templates=[t]))
    ranking = eng.rank(demand(), include_excluded=True)
    got = by_key(ranking)
    assert "p.walkers" in got["p.walk"].breakdown and "p.walkers" not in got["p.team"].breakdown
    assert excluded(ranking)["p.hall"].rule_id == "p.venues"


def test_deployment_weights_override_rule_weights():
    resources = [("a.sci", res("sci"))]
    eng = engine(resources, config=MatchingConfig(weights={"core.category": 10.0}))
    assert eng.rank(demand()).candidates[0].breakdown["core.category"] == 10.0
    with pytest.raises(WenmingError, match="no rule 'core.nope'"):
        engine(resources, config=MatchingConfig(weights={"core.nope": 1.0}))


def test_breakdown_adds_up_and_ranking_is_sorted_with_key_tie_break():
    resources = [
        (
            f"a.r{i:02d}",
            res(
                f"r{i:02d}",
                north_km=(i % 4) * 0.7,
                tags=("x",) if i % 3 else (),
                capacity=30 + 10 * (i % 5),
            ),
        )
        for i in range(20)
    ]
    eng = engine(resources)
    ranking = eng.rank(demand(tags=("x", "cpr")), k=20)
    assert len(ranking.candidates) == 20
    for c in ranking.candidates:
        assert sum(c.breakdown.values()) == c.score
    order = [(-c.score, c.key) for c in ranking.candidates]
    assert order == sorted(order)
    twins = engine([("a.b", res("b")), ("a.a", res("a"))]).rank(demand())
    assert [c.key for c in twins.candidates] == ["a.a", "a.b"], "equal scores: key order"
    again = eng.rank(demand(tags=("x", "cpr")), k=20)
    assert again == ranking


def test_top_k_and_counts():
    resources = [(f"a.r{i}", res(f"r{i}", north_km=i * 0.5)) for i in range(15)]
    ranking = engine(resources).rank(demand(), k=3)
    assert [c.key for c in ranking.candidates] == ["a.r0", "a.r1", "a.r2"]
    assert ranking.considered == 15 and ranking.passed == 11  # 0 … 5 km
    assert engine(resources).rank(demand(), k=3, explain=False).candidates[0].breakdown == {}


def test_demand_ids_resolve_like_plugin_references():
    t = Template(
        name="walk",
        name_zh="散步",
        name_en="Walk",
        category="science",
        audiences=("minors",),
        tags=("nature",),
        description="A walk.",
    )
    eng = engine([("w.a", res("a"))], department("w", templates=[t]))
    resolved = eng.resolve(Demand(id="x", template="walk", lng=LNG, lat=LAT))
    assert resolved.template == "w.walk" and resolved.category == "core.science"
    assert resolved.audiences == ("core.minors",) and resolved.tags == ("nature",)
    with pytest.raises(WenmingError, match="demand 'x': unknown category 'astrology'"):
        eng.rank(Demand(id="x", category="astrology", lng=LNG, lat=LAT))
    with pytest.raises(WenmingError, match="unknown department 'nope'"):
        eng.rank(Demand(id="x", category="science", lng=LNG, lat=LAT, departments=("nope",)))


def test_demand_from_mapping_names_source_and_field():
    d = Demand.from_mapping(
        {"id": 7, "category": "science", "tags": "a; b", "date": "2023-07-10", "headcount": "30"}
        | {"place": "320505"},
        source="f.json",
    )
    assert d.id == "7" and d.tags == ("a", "b") and d.start == d.end == date(2023, 7, 10)
    with pytest.raises(WenmingError, match="f.json: field 'start'"):
        Demand.from_mapping({"id": "x", "place": "3205", "start": "July"}, source="f.json")
    with pytest.raises(WenmingError, match="f.json: unknown field"):
        Demand.from_mapping({"id": "x", "place": "3205", "colour": "red"}, source="f.json")
    with pytest.raises(WenmingError, match="f.json: field 'headcount'"):
        Demand.from_mapping({"id": "x", "place": "3205", "headcount": -1}, source="f.json")
    with pytest.raises(WenmingError, match="end .* is before start"):
        Demand.from_mapping(
            {"id": "x", "place": "3205", "start": "2023-07-10", "end": "2023-07-01"}
        )


def test_resources_given_as_records_rows_or_pairs():
    registry = load_registry(department("w"))
    with pytest.raises(WenmingError, match="not in the registry"):
        Engine(registry, [res("loose")])
    with pytest.raises(WenmingError, match="given twice"):
        Engine(registry, [("w.a", res("a")), ("w.a", res("a"))])
    with pytest.raises(WenmingError, match="not a resource"):
        Engine(registry, [("w.a", {"name": "a"})])


# ---------------------------------------------------------------- custom kinds


CUSTOM_KIND = '''
import numpy as np
from attrs import frozen


@frozen
class MembersParams:
    per_point: int = 100


class MembersKind:
    """Bigger teams score higher; teams under a tenth of ``per_point`` are refused."""

    def __init__(self, params, context):
        self.per_point = params.per_point

    def passes(self, res, dem):
        return res.members * 10 >= self.per_point

    def score(self, res, dem):
        return np.minimum(res.members / self.per_point, 1.0)

    def reason(self, res, dem):
        return f"only {int(res.members)} members"
'''


def test_a_plugin_kind_with_a_vectorised_class(tmp_path, monkeypatch):
    (tmp_path / "custom_members_kind.py").write_text(textwrap.dedent(CUSTOM_KIND), "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import custom_members_kind as mod

    kind = RuleKind(
        name="members",
        params=mod.MembersParams,
        impl="custom_members_kind:MembersKind",
        description="Team size.",
    )
    rule = Rule(
        name="big_teams",
        kind="members",
        mode="both",
        weight=0.2,
        params={"per_point": 200},
        description="Prefer big teams.",
    )
    resources = [
        ("v.big", res("big", members=300)),
        ("v.mid", res("mid", members=50)),
        ("v.tiny", res("tiny", members=5)),
    ]
    eng = engine(resources, department("v", rules=[rule], kinds=[kind]))
    ranking = eng.rank(demand(), include_excluded=True)
    got = by_key(ranking)
    assert got["v.big"].breakdown["v.big_teams"] == 0.2
    assert got["v.mid"].breakdown["v.big_teams"] == 0.05
    assert excluded(ranking)["v.tiny"].reason == "only 5 members"
    assert [c.key for c in ranking.candidates] == ["v.big", "v.mid"]


def test_a_kind_whose_implementation_cannot_be_imported_is_named():
    kind = RuleKind(
        name="ghost",
        params=MatchingConfig,
        impl="no_such_module_here:Ghost",
        description="Missing.",
    )
    rule = Rule(name="boo", kind="ghost", weight=0.1, description="Uses the missing kind.")
    with pytest.raises(WenmingError, match="rule kind 'g.ghost'.*no_such_module_here:Ghost"):
        engine([], department("g", rules=[rule], kinds=[kind]))


def test_kinds_evaluate_blocks_and_pairs_like_single_demands():
    """The same kind code serves one demand × n, a block m × n and aligned pairs."""
    n, m = 6, 3
    resources = [
        (f"a.r{i}", res(f"r{i}", north_km=i, tags=("x",) * (i % 2), capacity=20 + 10 * i))
        for i in range(n)
    ]
    eng = engine(resources, reputation={"a.r1": (2.0, 4)}, load={"a.r2": 5})
    demands = [demand(id=f"d{j}", tags=("x",), lat=LAT + j / 200) for j in range(m)]
    cols = eng._demand_columns([eng.resolve(d) for d in demands])
    di, ri = np.divmod(np.arange(m * n), n)
    for rule in eng._rules:
        for method in ("passes", "score"):
            fn = getattr(rule.kind, method)
            block = fn(Columns(eng.columns, None, "row"), Columns(cols, None, "col"))
            if block is None:
                continue
            block = np.broadcast_to(block, (m, n))
            pairs = np.broadcast_to(fn(Columns(eng.columns, ri), Columns(cols, di)), (m * n,))
            for j in range(m):
                single = np.broadcast_to(fn(eng._all, Columns(cols, j)), (n,))
                assert np.array_equal(block[j], single), (rule.id, method)
                assert np.array_equal(pairs[j * n : (j + 1) * n], single), (rule.id, method)


# ---------------------------------------------------------------- deployment, imports


def test_from_deployment_reads_published_rows(wenming_storage):
    from wenming import builtins
    from wenming.deployment import Deployment, DeploymentConfig
    from wenming.storage.tables import ResourceRow

    with wenming_storage.session() as s:
        for key, status in (("core.published_hall", "published"), ("core.draft", "draft")):
            s.add(
                ResourceRow(
                    key=key,
                    kind="venue",
                    department=None,
                    name=key,
                    place_code="320505",
                    categories=["core.science"],
                    capacity=50,
                    lng=LNG,
                    lat=LAT,
                    status=status,
                    extra={"slots": 3},
                )
            )
    config = DeploymentConfig(name="t", database=wenming_storage.url)
    deployment = Deployment(config, extra_plugins=[("core", builtins)], use_entry_points=False)
    try:
        eng = Engine.from_deployment(deployment)
        assert eng.keys == ["core.published_hall"]
        assert int(eng.columns["slots"][0]) == 3
        assert eng.rank(demand()).candidates[0].key == "core.published_hall"
    finally:
        deployment.close()


def test_importing_the_api_does_not_import_numpy():
    code = (
        "import sys, wenming.cli, wenming.matching\n"
        "from wenming.matching import Demand\n"
        "from wenming.matching.results import Ranking\n"
        "Demand(id='x', place='3205')\n"
        "assert 'numpy' not in sys.modules, 'numpy imported'\n"
        "from wenming.matching import Engine\n"
        "assert 'numpy' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
