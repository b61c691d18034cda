"""Joint proposals from a station's words (issue 4): a demand that names a service
category, tags, audiences, headcount, place and date — no template, no departments —
brings the seed's joint project out of the engine first, composed from the right
partners; the template fit is part of the explanation. With all fifteen department
plugins installed, plus hand-built registries for the mechanics."""

from __future__ import annotations

import json
import math
from datetime import date
from importlib.metadata import entry_points

import attrs
import pytest
from click.testing import CliRunner

from wenming import hookimpl
from wenming.deployment import MatchingConfig
from wenming.errors import WenmingError
from wenming.matching import Demand, Engine
from wenming.matching.arrays import EARTH_RADIUS_KM
from wenming.plugins import ENV_EXCLUDE, ENV_ONLY, GROUP, load_plugins
from wenming.records import Department, JointPart, Resource, Template
from wenming.registry import build_registry
from wenming.testing import load_registry

DEPARTMENTS = {
    "housing",
    "transport",
    "gardens",
    "emergency",
    "civil_affairs",
    "justice",
    "urban_management",
    "culture_tourism",
    "sports",
    "health",
    "science",
    "water",
    "education",
    "veterans",
    "state_assets",
}

#: The seed's joint projects as a station writes them: category, tags, audiences,
#: headcount, place and date — and the joint template and partners that must come first.
STATION_WORDS: dict[str, tuple[dict[str, object], str, set[str]]] = {
    "wedding registration in a garden": (
        {
            "category": "culture_arts",
            "tags": ("wedding", "garden"),
            "audiences": ("newlyweds",),
            "headcount": 20,
            "place": "320508019",
            "date": "2023-05-20",
        },
        "civil_affairs.jiangnan_wedding_registration",
        {"civil_affairs", "gardens"},
    ),
    "pingtan civil-code performance": (
        {
            "category": "legal",
            "tags": ("pingtan", "civil_code"),
            "audiences": ("elderly",),
            "headcount": 60,
            "place": "320508018",
            "date": "2023-06-15",
        },
        "justice.pingtan_civil_code",
        {"justice", "culture_tourism"},
    ),
    "medical help for needy military families": (
        {
            "category": "health_fitness",
            "tags": ("medical_help", "home_visit"),
            "audiences": ("military_families", "people_in_difficulty"),
            "headcount": 6,
            "place": "320508021",
            "date": "2023-08-01",
        },
        "veterans.medical_help",
        {"veterans", "health"},
    ),
    "first aid for property staff": (
        {
            "category": "emergency_rescue",
            "tags": ("first_aid", "property"),
            "audiences": ("property_staff",),
            "headcount": 30,
            "place": "320508021",
            "date": "2023-09-12",
        },
        "health.healthy_estates",
        {"health", "housing"},
    ),
    "rescue training for couriers and drivers": (
        {
            "category": "emergency_rescue",
            "tags": ("first_aid", "couriers", "drivers"),
            "audiences": ("new_employment", "drivers"),
            "headcount": 30,
            "place": "320576054",
            "date": "2023-10-20",
        },
        "emergency.rescue_outreach",
        {"emergency", "health", "veterans"},
    ),
    "old-town clean-up": (
        {
            "category": "hygiene_environment",
            "tags": ("old_town", "clean_streets", "ancient_well"),
            "audiences": ("residents", "tourists"),
            "headcount": 30,
            "place": "320508018",
            "date": "2023-04-08",
        },
        "urban_management.clean_old_town",
        {"urban_management", "gardens", "culture_tourism"},
    ),
}

#: The rules that judge a template's fit with core's defaults, and their weights.
FIT_RULES = {"core.category": 4.0, "core.tags": 6.0, "core.audience": 2.0}


@pytest.fixture(scope="module")
def registry():
    import os

    missing = DEPARTMENTS - {ep.name for ep in entry_points(group=GROUP)}
    assert not missing, f"department plugins not installed: {sorted(missing)}"
    saved = {k: os.environ.pop(k) for k in (ENV_ONLY, ENV_EXCLUDE) if k in os.environ}
    try:
        registry = build_registry(load_plugins())
    finally:
        os.environ.update(saved)
    assert set(registry.departments) >= DEPARTMENTS and registry.unavailable == ()
    return registry


@pytest.fixture(scope="module")
def engine(registry):
    return Engine(registry, registry.resources)


def station(name: str, **changes: object) -> Demand:
    fields, _template, _partners = STATION_WORDS[name]
    return Demand.from_mapping({"id": name, **fields, **changes})


@pytest.mark.parametrize("name", sorted(STATION_WORDS))
def test_a_stations_words_bring_the_seed_joint_project_first(registry, engine, name):
    _fields, template_id, partners = STATION_WORDS[name]
    demand = station(name)
    assert not demand.template and not demand.departments

    fits = engine.fitting_templates(demand)
    assert fits and fits[0].template == template_id, [(f.template, f.score) for f in fits]
    assert set(fits[0].departments) == partners

    proposals = engine.joint(demand, k=5)
    best = proposals[0]
    assert best.template == template_id
    assert set(best.parts) == partners
    # the explanation: the template's fit rule by rule, then the parts' rules
    assert best.fit is not None and best.fit.template == template_id
    assert set(best.fit.breakdown) == set(FIT_RULES)
    assert best.fit.breakdown["core.category"] == FIT_RULES["core.category"]
    assert best.fit.breakdown["core.tags"] > 0, "it shares the station's words"
    assert best.fit.score == sum(best.fit.breakdown.values())
    assert best.score == pytest.approx(sum(c.score for c in best.parts.values()))
    assert sum(best.breakdown.values()) == best.score
    # each partner's resource does the project's work
    template = registry.templates[template_id]
    work = set(template.tags) | set(template.skills) | {s for p in template.parts for s in p.skills}
    for dept, candidate in best.parts.items():
        resource = registry.resources[candidate.key]
        assert candidate.department == dept
        assert (set(resource.tags) | set(resource.skills)) & work, candidate.key
    # composed exactly as if the station had named the template
    named = engine.joint(attrs.evolve(demand, template=template_id), k=1)[0]
    assert {d: c.key for d, c in named.parts.items()} == {d: c.key for d, c in best.parts.items()}
    assert named.score == best.score and named.template == template_id and named.fit is None


def test_templates_sharing_words_are_interleaved_by_rank_in_order_of_fit(engine):
    demand = station("rescue training for couriers and drivers")
    fits = engine.fitting_templates(demand)
    assert [f.template for f in fits[:2]] == ["emergency.rescue_outreach", "health.healthy_estates"]
    assert fits[0].score > fits[1].score
    proposals = engine.joint(demand, k=6)
    assert [p.template for p in proposals[:2]] == [f.template for f in fits[:2]]
    for fit in fits[:2]:
        mine = [p for p in proposals if p.template == fit.template]
        alone = engine.joint(attrs.evolve(demand, template=fit.template), k=len(mine))
        assert [p.parts for p in mine] == [p.parts for p in alone]
        assert all(p.fit == fit for p in mine)
    one = engine.joint(demand, k=6, templates=1)
    alone = engine.joint(attrs.evolve(demand, template=fits[0].template), k=6)
    assert [p.parts for p in one] == [p.parts for p in alone]
    assert {p.template for p in one} == {fits[0].template}


def test_the_template_season_is_a_filter(engine):
    may = station("wedding registration in a garden")
    assert engine.joint(may)[0].template == "civil_affairs.jiangnan_wedding_registration"
    july = station("wedding registration in a garden", date="2023-07-15")
    assert [f.template for f in engine.fitting_templates(july)] == []
    with pytest.raises(WenmingError, match="no joint template fits its words"):
        engine.joint(july)


def test_words_no_joint_project_shares_infer_nothing(engine):
    divorce = Demand(id="mediation", category="core.legal", tags=("divorce",), place="320508018")
    assert engine.fitting_templates(divorce) == []
    with pytest.raises(WenmingError, match=r"demand 'mediation' names no departments.*divorce"):
        engine.joint(divorce)
    with pytest.raises(WenmingError, match="no joint template fits"):
        engine.joint_gaps(divorce)
    silent = Demand(id="silent", place="320508018")
    with pytest.raises(WenmingError, match="no joint template fits"):
        engine.joint(silent)


# ---------------------------------------------------------------- mechanics, hand-built

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


def part(dept: str, *skills: str) -> JointPart:
    return JointPart(
        department=dept, contribution_zh="出力", contribution_en="helps", skills=skills
    )


def joint_template(name: str, parts, **kw) -> Template:
    kw.setdefault("category", "science")
    return Template(name=name, name_zh=name, name_en=name, parts=parts, description=name, **kw)


def team(name: str, north_km: float = 0.0, **kw) -> Resource:
    kw.setdefault("categories", ("core.science",))
    return Resource(
        name=name,
        kind="team",
        name_zh=name,
        name_en=name,
        place="3205",
        capacity=60,
        lng=LNG,
        lat=LAT + north_km * KM,
        **kw,
    )


def ask(**kw) -> Demand:
    values = {"id": "s", "category": "core.science", "place": "320505", "lng": LNG, "lat": LAT}
    values.update(kw)
    return Demand(**values)


STARS = joint_template(
    "stargazing", (part("a", "telescope"), part("b")), tags=("stars", "night"), months=(8,)
)
RIVERS = joint_template("river_walk", (part("a"), part("c")), tags=("river", "night"))


def mechanics(*resources, config=None) -> Engine:
    registry = load_registry(
        department("a", templates=[STARS, RIVERS]), department("b"), department("c")
    )
    return Engine(registry, list(resources), config=config)


def test_fit_uses_the_rules_weights_and_a_parts_skills_count_as_the_templates_words():
    eng = mechanics(config=MatchingConfig(weights={"core.tags": 2.0}))
    fits = eng.fitting_templates(ask(tags=("telescope", "night")))
    assert [(f.template, f.breakdown) for f in fits] == [
        ("a.stargazing", {"core.audience": 0.0, "core.category": 4.0, "core.tags": 2.0}),
        ("a.river_walk", {"core.audience": 0.0, "core.category": 4.0, "core.tags": 1.0}),
    ]
    assert [f.departments for f in fits] == [("a", "b"), ("a", "c")]
    august = eng.fitting_templates(ask(tags=("night",), start=date(2023, 8, 1)))
    assert [f.template for f in august] == ["a.river_walk", "a.stargazing"], "tie: by ID"
    winter = eng.fitting_templates(ask(tags=("night",), start=date(2023, 1, 1)))
    assert [f.template for f in winter] == ["a.river_walk"], "stargazing is out of season"
    assert eng.fitting_templates(ask(category="core.legal", tags=("night",))) == []


def test_a_better_fit_without_a_partner_gives_way_and_the_gap_is_named():
    resources = [
        ("a.astronomers", team("astronomers", skills=("telescope",))),
        ("a.walkers", team("walkers", 0.5)),
        ("c.boatmen", team("boatmen", 1.0)),
        # b has a team, but it does not offer science: the stargazing part stays empty
        ("b.lawyers", team("lawyers", categories=("core.legal",))),
    ]
    eng = mechanics(*resources)
    d = ask(tags=("stars", "night"))
    assert [f.template for f in eng.fitting_templates(d)] == ["a.stargazing", "a.river_walk"]
    proposals = eng.joint(d)
    assert {p.template for p in proposals} == {"a.river_walk"}
    assert {d: c.key for d, c in proposals[0].parts.items()} == {
        "a": "a.astronomers",
        "c": "c.boatmen",
    }
    gaps = eng.joint_gaps(d)
    assert list(gaps) == ["a.stargazing:b"]
    assert gaps["a.stargazing:b"].startswith("joint template a.stargazing: no team")
    with pytest.raises(WenmingError, match="templates must be ≥ 1"):
        eng.joint(d, templates=0)


def test_named_departments_or_templates_are_not_inferred():
    resources = [("a.walkers", team("walkers")), ("c.boatmen", team("boatmen"))]
    eng = mechanics(*resources)
    direct = eng.joint(ask(tags=("stars",), departments=("a", "c")))
    assert direct and all(p.template is None and p.fit is None for p in direct)
    by_template = eng.joint(ask(template="river_walk"))
    assert by_template and all(p.template == "a.river_walk" and p.fit is None for p in by_template)


# ---------------------------------------------------------------- command line


def test_cli_match_joint_from_a_stations_words(tmp_path, monkeypatch):
    from wenming.cli import cli

    monkeypatch.chdir(tmp_path)
    for name in ("WENMING_PLUGINS", ENV_ONLY, ENV_EXCLUDE):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "wenming.toml").write_text(
        'name = "joint"\ndatabase = "sqlite:///wenming.db"\n', encoding="utf-8"
    )
    words = [
        "match",
        "--joint",
        "--category",
        "emergency_rescue",
        "--tag",
        "first_aid",
        "--tag",
        "property",
        "--audience",
        "property_staff",
        "--place",
        "320508021",
        "--headcount",
        "30",
        "--k",
        "3",
    ]
    runner = CliRunner()
    result = runner.invoke(cli, [*words, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    best = data["proposals"][0]
    assert best["template"] == "health.healthy_estates"
    assert set(best["parts"]) == {"health", "housing"}
    assert best["fit"]["breakdown"]["core.tags"] == 6.0 and best["fit"]["score"] == 10.0
    text = runner.invoke(cli, [*words, "--explain"], catch_exceptions=False)
    assert text.exit_code == 0, text.output
    first = text.output.splitlines()[0]
    assert "health.healthy_estates (fit 10.000)" in first
    assert (
        "template fit: core.audience 0.000 · core.category 4.000 · core.tags 6.000" in text.output
    )
    nothing = runner.invoke(
        cli, ["match", "--joint", "--category", "legal", "--tag", "调解", "--place", "320508018"]
    )
    assert nothing.exit_code != 0
    assert "no joint template fits its words" in nothing.output
    typo = runner.invoke(
        cli, ["match", "--joint", "--category", "legal", "--tag", "pingtn", "--place", "320508018"]
    )
    assert typo.exit_code != 0
    assert "unknown tag 'pingtn'; did you mean pingtan (评弹)" in typo.output
