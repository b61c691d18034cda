from datetime import date

import attrs

import wenming_veterans
from wenming import hookimpl
from wenming.records import Department, Resource
from wenming.testing import check_plugin, load_registry


class HealthStub:
    """The partner department and one medical team, so the joint template is available."""

    @hookimpl
    def register_department(register):
        register(
            Department(
                code="health",
                name_zh="苏州市卫生健康委员会",
                name_en="Suzhou Health Commission",
                subcenter_zh="卫健行业新时代文明实践分中心",
                subcenter_en="Health practice sub-center",
                corps_zh="卫健志愿服务总队",
                corps_en="Health volunteer corps",
            )
        )

    @hookimpl
    def register_resources(register):
        register(
            Resource(
                name="doctors",
                kind="team",
                name_zh="医疗志愿服务队",
                name_en="Medical volunteers",
                place="3205",
                categories=["health_fitness"],
                audiences=["military_families", "elderly"],
                skills=["general_practice"],
                tags=["free_clinic", "medical_help"],
                capacity=20,
                members=80,
            )
        )


def test_conformance_alone_marks_the_joint_template_unavailable():
    registry = check_plugin("veterans")
    assert registry.departments["veterans"].name_zh == "苏州市退役军人事务局"
    assert "veterans.medical_help" not in registry.templates
    [gone] = [u for u in registry.unavailable if u.id == "veterans.medical_help"]
    assert "health" in gone.reason
    assert registry.plugin("veterans").ok
    assert any("veterans.medical_help" in w for w in registry.plugin("veterans").warnings)


def test_medical_help_is_joint_with_health():
    registry = load_registry(("veterans", wenming_veterans), ("health", HealthStub))
    t = registry.templates["veterans.medical_help"]
    assert t.is_joint and t.seed and "助医行" in t.name_zh
    assert [p.department for p in t.parts] == ["veterans", "health"]
    assert t.audiences[0] == "core.military_families"
    assert registry.joint_templates.keys() == {"veterans.medical_help"}


def test_defence_park_at_dianzhan_village():
    registry = check_plugin("veterans")
    park = registry.resources["veterans.defence_park"]
    assert park.kind == "venue" and park.place == "320585100203"
    assert park.site_type == "veterans.defence_park"
    assert "双拥国防园" in park.name_zh


def test_seed_rescue_team():
    registry = check_plugin("veterans")
    team = registry.resources["veterans.veteran_rescue_team"]
    assert team.kind == "team" and "退役军人应急救援" in team.name_zh
    assert "core.emergency_rescue" in team.categories
    assert "certified_rescue" in team.tags and team.members > 0


def test_site_types_templates_rules_counts():
    registry = load_registry(("veterans", wenming_veterans), ("health", HealthStub))
    own = lambda table: [k for k in table if k.startswith("veterans.")]  # noqa: E731
    assert len(own(registry.site_types)) >= 3
    assert len(own(registry.templates)) >= 4
    assert len(own(registry.rules)) >= 2
    assert registry.rules["veterans.military_families_first"].scope.departments == ("veterans",)
    rescue = registry.rules["veterans.certified_rescuers_only"]
    assert rescue.params.require == ("certified_rescue",)
    assert rescue.scope.categories == ("core.emergency_rescue",)


def test_settings():
    registry = load_registry(
        wenming_veterans, name="veterans", settings={"veterans": {"escorts_per_family": 3}}
    )
    assert registry.setting("veterans", "escorts_per_family") == 3
    assert registry.setting("veterans", "home_visit_reach_km") == 10.0


# --- rule behaviour, with the matching engine ------------------------------------

STATION = (121.21, 31.44)  # Dianzhan village, Chengxiang town, Taicang


def _engine(registry, replace=None):
    """The registry's resources 1 km east of the station, ``replace`` records swapped in."""
    from wenming.matching import Engine

    resources = {**registry.resources, **(replace or {})}
    lng = STATION[0] + 1.0 / 95.0
    return Engine(
        registry, [(k, attrs.evolve(r, lng=lng, lat=STATION[1])) for k, r in resources.items()]
    )


def _demand(**fields):
    from wenming.matching import Demand

    values = {"id": "d", "headcount": 8, "lng": STATION[0], "lat": STATION[1]}
    values.update(fields)
    return Demand(**values)


def _ranked(engine, **fields):
    ranking = engine.rank(_demand(**fields), k=20, explain=True, include_excluded=True)
    return {c.key: c for c in ranking.candidates}, {e.key: e.rule_id for e in ranking.excluded}


def test_military_families_come_first():
    engine = _engine(check_plugin("veterans"))
    key = "veterans.corps"
    families, _ = _ranked(
        engine, category="core.help_in_difficulty", audiences=("core.military_families",)
    )
    elderly, _ = _ranked(engine, category="core.help_in_difficulty", audiences=("core.elderly",))
    assert families[key].score > elderly[key].score
    assert families[key].breakdown["veterans.military_families_first"] == 0.2
    assert elderly[key].breakdown["veterans.military_families_first"] == 0.0


def test_only_certified_rescuers_give_rescue_training():
    registry = check_plugin("veterans")
    # The corps, were it to offer rescue training, is not a certified rescue team.
    corps = registry.resources["veterans.corps"]
    eager = attrs.evolve(corps, categories=(*corps.categories, "core.emergency_rescue"))
    engine = _engine(registry, {"veterans.corps": eager})
    rescue, refused = _ranked(
        engine, category="core.emergency_rescue", audiences=("core.new_employment",), headcount=30
    )
    assert "veterans.veteran_rescue_team" in rescue
    assert refused["veterans.corps"] == "veterans.certified_rescuers_only"
    # The rule judges emergency-rescue demands only: for a talk the corps is fine.
    talk, _ = _ranked(engine, category="core.theory_policy", audiences=("core.minors",))
    assert "veterans.corps" in talk


def test_remembrance_only_around_qingming_and_martyrs_day():
    registry = check_plugin("veterans")
    memorial_team = Resource(
        name="memorial_guides",
        kind="team",
        name_zh="烈士陵园讲解志愿队",
        name_en="Memorial guides",
        place="320585100",
        template="veterans.remembrance",
        categories=("core.theory_policy",),
        audiences=("core.minors", "core.residents"),
        tags=("red_education", "remembrance"),
        capacity=150,
        members=30,
    )
    engine = _engine(registry, {"veterans.memorial_guides": memorial_team})
    april = date(2023, 4, 4)
    june = date(2023, 6, 12)
    kept, _ = _ranked(engine, category="core.theory_policy", start=april, end=april, headcount=60)
    _, refused = _ranked(engine, category="core.theory_policy", start=june, end=june, headcount=60)
    assert "veterans.memorial_guides" in kept
    assert refused["veterans.memorial_guides"] == "veterans.remembrance_season"


def test_medical_help_joint_proposal_pairs_veterans_and_health():
    registry = load_registry(("veterans", wenming_veterans), ("health", HealthStub))
    engine = _engine(registry)
    demand = _demand(
        category="core.health_fitness",
        audiences=("core.military_families",),
        tags=("medical_help", "home_visit"),
        template="veterans.medical_help",
    )
    proposals = engine.joint(demand, k=3)
    assert proposals, engine.joint_gaps(demand)
    best = proposals[0]
    assert set(best.parts) == {"veterans", "health"}
    assert best.parts["health"].key == "health.doctors"
    # The veterans' part is a team (the template's part says so) that makes home visits.
    veterans_part = registry.resources[best.parts["veterans"].key]
    assert veterans_part.kind == "team" and "home_visit" in veterans_part.skills
