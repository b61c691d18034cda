"""Relevance first: the engine chooses what a dispatcher would choose.

The cases of the issue on the seed-scale Suzhou deployment (the fifteen department
plugins, the real divisions, the synthetic points and resources), and the model's
guarantees on small instances: relevance in whole points decides, the order terms
stay below one point, a department's rules stay within its budget, reach follows the
mode of service, a named template's own resources come first or say why not, and
the vocabulary reads words by ID, name, synonym and traditional characters.
"""

from __future__ import annotations

import itertools
import json
import math
from datetime import date

import numpy as np
import pytest
from click.testing import CliRunner

from wenming import hookimpl
from wenming.cli import cli
from wenming.deployment import Deployment, DeploymentConfig, MatchingConfig
from wenming.errors import ContributionError, WenmingError
from wenming.matching import Demand, Engine
from wenming.matching.arrays import EARTH_RADIUS_KM
from wenming.matching.vocabulary import listing, resolve, vocabulary
from wenming.records import (
    DEPARTMENT_RULE_BUDGET,
    Department,
    JointPart,
    Resource,
    Rule,
    Template,
)
from wenming.testing import load_registry

DIANZHAN = "320585100203"  # 太仓市城厢镇电站村: the seed's model station
HENGTANG = "320505001002"  # 虎丘区横塘街道横塘社区
RELEVANCE = ("core.category", "core.tags", "core.audience", "core.template")


# ----------------------------------------------------------------------------- seed scale


@pytest.fixture(scope="module")
def suzhou(tmp_path_factory):
    """The seed-scale deployment: network load + synthesize, and its engine."""
    from wenming.network.service import Network
    from wenming.synthetic import synthesize

    url = f"sqlite:///{tmp_path_factory.mktemp('suzhou') / 'suzhou.db'}"
    deployment = Deployment(DeploymentConfig(name="Suzhou", database=url))
    deployment.storage.create()
    Network.from_deployment(deployment).load_region()
    synthesize(deployment.storage, deployment.registry)
    engine = Engine.from_deployment(deployment)
    yield engine
    deployment.close()


def relevance(candidate) -> float:
    return sum(v for k, v in candidate.breakdown.items() if k in RELEVANCE)


def first(engine: Engine, **kw):
    kw.setdefault("id", "d")
    return engine.rank(Demand(**kw), k=10).candidates


def test_the_water_saving_class_goes_to_water_not_to_the_herb_garden_next_door(suzhou):
    found = first(
        suzhou, category="science", tags=("water_saving",), audiences=("minors",), place=DIANZHAN
    )
    assert found[0].department == "water"
    assert found[0].breakdown["core.tags"] == 6.0
    keys = [c.key for c in found]
    herb = "health.dianzhan_herb_garden"
    assert herb in keys, "the herb garden stands next door and is a science venue"
    assert all(c.department == "water" for c in found[: keys.index(herb)])
    for c in found:
        assert sum(c.breakdown.values()) == c.score


def test_gardens_family_rule_cannot_outbid_water_in_hengtang(suzhou):
    found = first(
        suzhou,
        category="science",
        tags=("节水",),
        audiences=("minors", "families_with_children"),
        place=HENGTANG,
    )
    assert found[0].department == "water"
    gardens = [c for c in found if c.department == "gardens"]
    assert all(c.score < found[0].score for c in gardens)
    assert all(c.breakdown.get("gardens.families_in_nature", 0) <= 0.2 for c in gardens)


def test_fitness_guidance_for_the_elderly_goes_to_sports(suzhou):
    found = first(
        suzhou, category="health_fitness", tags=("健身",), audiences=("elderly",), place=DIANZHAN
    )
    assert found[0].department == "sports"
    assert found[0].key != "health.dianzhan_herb_garden"


def test_a_science_talk_for_residents_goes_to_science(suzhou):
    found = first(
        suzhou, category="science", tags=("科普",), audiences=("residents",), place=DIANZHAN
    )
    assert found[0].department == "science"


def test_a_named_template_prefers_its_own_resources(suzhou):
    for template in ("water.water_classroom", "sports.fitness_guidance", "science.science_caravan"):
        ranking = suzhou.rank(Demand(id="t", template=template, place=DIANZHAN), k=3)
        top = ranking.candidates[0]
        assert top.department == template.split(".")[0], template
        assert top.breakdown["core.template"] == 4.0, template


def test_a_template_out_of_season_says_which_rule_refused_its_own(suzhou):
    ranking = suzhou.rank(
        Demand(
            id="t", template="gardens.wetland_observer", place=DIANZHAN, start=date(2027, 7, 10)
        ),
        k=3,
    )
    own = {e.key: e for e in ranking.template_refusals}
    assert own, "the template's own resources are refused and the ranking says so"
    assert any(e.rule_id == "core.time" and "months 7" in e.reason for e in own.values())
    assert ranking.candidates[0].department == "gardens", "its department still comes first"
    assert ranking.candidates[0].key not in own


def test_the_garden_wedding_reaches_a_garden_across_the_city(suzhou):
    words = Demand(
        id="w",
        category="culture_arts",
        tags=("婚礼", "园林"),
        audiences=("newlyweds",),
        headcount=40,
        place=DIANZHAN,
        start=date(2027, 5, 20),
    )
    proposals = suzhou.joint(words, k=3)
    assert proposals, suzhou.joint_gaps(words)
    best = proposals[0]
    assert best.template == "civil_affairs.jiangnan_wedding_registration"
    garden = best.parts["gardens"]
    assert garden.kind == "venue" and garden.breakdown["core.tags"] > 0
    assert sum(best.breakdown.values()) == pytest.approx(best.score, abs=1e-9)


def test_paired_practice_points_are_offered_as_venues_of_their_department(suzhou):
    points = [k for k in suzhou.keys if ".point_" in k]
    assert points
    i = suzhou.keys.index(points[0])
    assert suzhou._items[i].kind == "venue" and suzhou._items[i].synthetic
    assert points[0].split(".")[0] == suzhou._items[i].department


def test_relevance_decides_and_order_only_breaks_ties(suzhou):
    found = suzhou.rank(
        Demand(id="d", category="science", tags=("节水", "湿地"), place=HENGTANG), k=40
    ).candidates
    for a, b in itertools.pairwise(found):
        assert relevance(a) >= relevance(b)
        order_a, order_b = a.score - relevance(a), b.score - relevance(b)
        assert 0 <= order_a < 1 and 0 <= order_b < 1


# ----------------------------------------------------------------------------- small instances


LNG, LAT = 120.60, 31.30
KM_PER_DEG_LAT = math.pi * EARTH_RADIUS_KM / 180


def dept(code: str, rules=(), templates=(), resources=()):
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

        @hookimpl
        def register_templates(register):
            for t in templates:
                register(t)

    return (code, Plugin)


def res(name: str, north_km: float = 0.0, *, kind: str = "team", place="320505", **kw):
    kw.setdefault("categories", ("core.science",))
    return Resource(
        name=name,
        kind=kind,
        name_zh=name,
        name_en=name,
        place=place,
        capacity=kw.pop("capacity", 60),
        lng=LNG,
        lat=LAT + north_km / KM_PER_DEG_LAT,
        **kw,
    )


def ask(north_km: float = 0.0, **kw) -> Demand:
    kw.setdefault("category", "core.science")
    return Demand(id="d", place="320505", lng=LNG, lat=LAT + north_km / KM_PER_DEG_LAT, **kw)


def test_the_registry_holds_every_department_to_its_rule_budget():
    greedy = Rule(name="mine_first", kind="audience", weight=0.15)
    more = Rule(name="and_near", kind="distance", mode="both", weight=0.1)
    with pytest.raises(ContributionError) as err:
        load_registry(dept("a", rules=[greedy, more]))
    message = str(err.value)
    assert "plugin 'a'" in message and "rule 'a.and_near'" in message
    assert f"budget of {DEPARTMENT_RULE_BUDGET:g}" in message
    assert load_registry(dept("a", rules=[greedy])).rules["a.mine_first"].weight == 0.15


def test_deployment_weights_keep_the_tiers_apart():
    registry = load_registry(dept("a", rules=[Rule(name="pref", kind="audience", weight=0.1)]))
    with pytest.raises(WenmingError, match="rule 'a.pref' brings plugin 'a'.*budget"):
        Engine(registry, [], config=MatchingConfig(weights={"a.pref": 0.5}))
    with pytest.raises(WenmingError, match="below one\\s+point of relevance"):
        Engine(registry, [], config=MatchingConfig(weights={"core.distance": 0.9}))


def test_a_department_bonus_never_outbids_a_more_relevant_resource():
    """Property over random instances: a higher relevance always ranks first, whatever
    the distances, reputations, loads and department bonuses."""
    rng = np.random.default_rng(11)
    bonus = Rule(name="bonus", kind="fairness", weight=DEPARTMENT_RULE_BUDGET)
    registry = load_registry(dept("a", rules=[bonus]), dept("b"))
    tags = ("cpr", "aed", "first_aid", "safety")
    for _ in range(20):
        resources = [
            (
                f"{'ab'[i % 2]}.r{i}",
                res(
                    f"r{i}",
                    float(rng.uniform(0, 4.5)),
                    tags=tuple(t for t in tags if rng.random() < 0.5),
                    audiences=("core.minors",) if rng.random() < 0.5 else (),
                ),
            )
            for i in range(12)
        ]
        reputation = {k: (float(rng.uniform(1, 5)), int(rng.integers(0, 30))) for k, _ in resources}
        load = {k: int(rng.integers(0, 6)) for k, _ in resources}
        eng = Engine(registry, resources, reputation=reputation, load=load)
        found = eng.rank(ask(tags=tags[:3], audiences=("minors",)), k=12).candidates
        # ranking the top 3 scores the order tier of fewer survivors: the same answer
        top3 = eng.rank(ask(tags=tags[:3], audiences=("minors",)), k=3)
        assert top3.candidates == found[:3] and top3.passed == len(found)
        for a, b in itertools.pairwise(found):
            assert relevance(a) >= relevance(b)
            if relevance(a) > relevance(b):
                assert a.score > b.score
            assert sum(a.breakdown.values()) == a.score


def test_a_team_travels_its_county_a_venue_is_walked_to():
    resources = [
        ("a.team", res("team", 20.0)),
        ("a.hall", res("hall", 20.0, kind="venue")),
        ("a.other_county_team", res("other", 20.0, place="320506")),
        ("a.street_team", res("street", 20.0, reach_km=2.0)),
    ]
    ranking = Engine(load_registry(dept("a")), resources).rank(ask(), include_excluded=True)
    assert [c.key for c in ranking.candidates] == ["a.team"]
    refused = {e.key: e.reason for e in ranking.excluded}
    assert "beyond the 5 km reach" in refused["a.hall"]
    assert "another county" in refused["a.other_county_team"]
    assert "own 2 km reach" in refused["a.street_team"]


def test_destination_venues_and_templates_reach_farther():
    nature = Template(
        name="nature",
        name_zh="自然",
        name_en="Nature",
        category="science",
        site_types=("core.station",),
        service_mode="destination",
        travel_km=30.0,
    )
    tour = Template(
        name="tour",
        name_zh="游",
        name_en="Tour",
        category="science",
        site_types=("core.institute",),
        service_mode="destination",
    )
    resources = [
        ("a.near_park", res("near_park", 20.0, kind="venue", site_type="core.station")),
        ("a.far_park", res("far_park", 40.0, kind="venue", site_type="core.station")),
        ("a.museum", res("museum", 60.0, kind="venue", site_type="core.institute")),
        (
            "a.far_museum",
            res("far_museum", 60.0, kind="venue", site_type="core.institute", place="320506"),
        ),
        ("a.hall", res("hall", 20.0, kind="venue")),
    ]
    eng = Engine(load_registry(dept("a", templates=[nature, tour])), resources)
    ranking = eng.rank(ask(), include_excluded=True)
    assert {c.key for c in ranking.candidates} == {"a.near_park", "a.museum"}
    reasons = {e.key: e.reason for e in ranking.excluded}
    assert "travel radius" in reasons["a.far_park"]
    assert "another county" in reasons["a.far_museum"]
    # a demand for a destination template travels to any venue within its radius
    assert "a.hall" in {c.key for c in eng.rank(ask(template="a.nature")).candidates}
    assert eng.registry.templates["a.tour"].is_destination


def test_joint_parts_judge_their_own_share_and_name_the_rule_that_refused():
    fair = Template(
        name="fair",
        name_zh="市集",
        name_en="Fair",
        category="science",
        parts=(
            JointPart(
                department="a",
                contribution_zh="场地",
                contribution_en="Hall",
                resource_kinds=("venue",),
            ),
            JointPart(
                department="b",
                contribution_zh="讲解",
                contribution_en="Guides",
                resource_kinds=("venue",),
                headcount_share=0.25,
            ),
        ),
    )
    resources = [
        ("a.big_hall", res("big_hall", kind="venue", capacity=100)),
        ("b.small_room", res("small_room", 1.0, kind="venue", capacity=30)),
        ("b.far_room", res("far_room", 9.0, kind="venue", capacity=30)),
    ]
    eng = Engine(load_registry(dept("a", templates=[fair]), dept("b")), resources)
    demand = ask(template="a.fair", headcount=100)
    (proposal,) = eng.joint(demand, k=3)
    assert proposal.parts["b"].key == "b.small_room", "25 of 100 fit its 30 seats"
    refused = eng.joint_refusals(demand)
    assert [(e.key, e.rule_id) for e in refused["b"]] == [("b.far_room", "core.distance")]
    crowd = ask(template="a.fair", headcount=200)
    assert eng.joint(crowd) == []
    gaps = eng.joint_gaps(crowd)
    assert "core.capacity refused" in gaps["a"] and "core.capacity refused" in gaps["b"]


# ----------------------------------------------------------------------------- vocabulary


@pytest.fixture(scope="module")
def registry():
    deployment = Deployment.in_memory()
    yield deployment.registry
    deployment.close()


def test_words_resolve_by_id_name_synonym_and_traditional_characters(registry):
    assert resolve(registry, "tag", "water.water_saving") == "water.water_saving"
    assert resolve(registry, "tag", "节水") == "water.water_saving"
    assert resolve(registry, "tag", "节约用水") == "water.water_saving"
    assert resolve(registry, "tag", "節約用水") == "water.water_saving"
    assert resolve(registry, "tag", "wetland") == "gardens.wetland"
    assert resolve(registry, "category", "科学普及") == "core.science"
    assert resolve(registry, "audience", "老年人") == "core.elderly"
    with pytest.raises(WenmingError, match="unknown tag 'wetlnd'; did you mean gardens.wetland"):
        resolve(registry, "tag", "wetlnd")
    with pytest.raises(
        WenmingError, match="unknown audience 'elderley'; did you mean core.elderly"
    ):
        resolve(registry, "audience", "elderley")
    words = vocabulary(registry)
    tags, unknown = words.resolve_tags(["急救", "节水宣传", "不存在的词"], compounds=True)
    assert "first_aid" in tags and "water.water_saving" in tags
    assert unknown == ("不存在的词",)


def test_every_department_names_its_subjects_in_the_vocabulary(registry):
    tags = registry.tags
    assert "first_aid" in tags and tags["first_aid"].department is None, "core: bare name"
    assert tags["water.water_saving"].department == "water"
    for code in registry.departments:
        own = [t for t in tags.values() if t.department == code]
        assert len(own) >= 5, code
        assert f"{code}.{code}" in tags, f"{code} has no line-of-work tag"
    words = vocabulary(registry)
    for key, record in (*registry.resources.items(), *registry.templates.items()):
        owner = registry.owner(key)
        for word in (*record.tags, *record.skills):
            assert words.canonical(word, owner) in tags, f"{key}: {word!r} is not a tag"


def test_wenming_vocabulary_lists_every_kind_of_word(tmp_path, registry):
    path = tmp_path / "wenming.toml"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path), "--name", "T"]).exit_code == 0
    out = runner.invoke(cli, ["-d", str(path), "vocabulary", "--json"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert set(data) == {"categories", "audiences", "tags", "rule_kinds"}
    kinds = {k["id"]: k for k in data["rule_kinds"]}
    assert kinds["core.tags"]["tier"] == "relevance" and kinds["core.distance"]["tier"] == "order"
    assert {p["name"] for p in kinds["core.distance"]["params"]} == {"reach_km", "decay_km"}
    water = next(t for t in data["tags"] if t["id"] == "water.water_saving")
    assert "节约用水" in water["synonyms"]
    assert data == json.loads(json.dumps(listing(registry), ensure_ascii=False))
    text = runner.invoke(cli, ["-d", str(path), "vocabulary", "--kind", "tags"])
    assert "water.water_saving  节水  Water saving" in text.output


def test_the_words_page_is_current():
    from pathlib import Path

    from wenming import docgen

    page = Path(__file__).parents[1] / "docs" / "reference" / "words.md"
    assert page.read_text(encoding="utf-8") == docgen.words_markdown(), (
        "docs/reference/words.md is stale: run python -m wenming.docgen docs/reference"
    )
    assert "| `water.water_saving` | 节水 | Water saving |" in page.read_text(encoding="utf-8")
