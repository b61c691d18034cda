"""The justice plugin: conformance, what the seed says it holds, and how its rules rank."""

from __future__ import annotations

import pytest

from wenming.testing import check_plugin, load_registry


@pytest.fixture(scope="module")
def registry():
    return check_plugin("justice")


def test_conformance(registry):
    department = registry.departments["justice"]
    assert department.name_zh == "苏州市司法局"
    assert department.subcenter_zh.endswith("分中心")
    assert department.corps_zh.endswith("总队")


def test_site_types_are_practice_points(registry):
    own = {k: v for k, v in registry.site_types.items() if k.startswith("justice.")}
    assert len(own) >= 3
    assert {v.level for v in own.values()} == {"practice_point"}
    assert own["justice.rule_of_law_park"].name_zh == "法治主题公园"


def test_seed_projects(registry):
    talks = registry.templates["justice.xiaowu_judge_talks"]
    assert talks.name_zh == "小吴法官说法" and talks.seed
    assert talks.category == "core.theory_policy"
    own = [t for k, t in registry.templates.items() if k.startswith("justice.")]
    assert len(own) >= 4
    for template in own:
        assert template.audiences and template.site_types and template.tags


def test_rule_of_law_park_is_at_dianzhan_village(registry):
    park = registry.resources["justice.dianzhan_rule_of_law_park"]
    assert park.kind == "venue"
    assert park.place == "320585100203"  # 太仓市城厢镇电站村
    assert park.site_type == "justice.rule_of_law_park"
    corps = registry.resources["justice.corps"]
    assert corps.kind == "team" and corps.place == "3205" and corps.members > 0


def test_pingtan_joint_waits_for_culture_tourism(registry):
    # Alone (core + justice) the joint template and the project that delivers it are
    # listed as unavailable, not errors.
    assert "justice.pingtan_civil_code" not in registry.templates
    assert "justice.pingtan_civil_code" not in registry.resources
    waiting = [u for u in registry.unavailable if u.id == "justice.pingtan_civil_code"]
    assert len(waiting) == 2  # the template and the project resource
    assert all("culture_tourism" in u.reason for u in waiting)


def test_pingtan_joint_with_partner_installed():
    import wenming_justice

    wenming_culture_tourism = pytest.importorskip("wenming_culture_tourism")

    registry = load_registry(
        ("justice", wenming_justice), ("culture_tourism", wenming_culture_tourism)
    )
    joint = registry.templates["justice.pingtan_civil_code"]
    assert joint.seed and joint.name_zh == "苏州评弹唱民法"
    assert [p.department for p in joint.parts] == ["justice", "culture_tourism"]
    assert registry.joint_templates["justice.pingtan_civil_code"] is joint
    project = registry.resources["justice.pingtan_civil_code"]
    assert project.kind == "project" and project.template == "justice.pingtan_civil_code"


def test_rules_scoped_to_justice(registry):
    own = {k: r for k, r in registry.rules.items() if k.startswith("justice.")}
    assert len(own) >= 2
    for rule in own.values():
        assert rule.scope.departments == ("justice",)
        assert rule.description
    licensed = own["justice.licensed_advice"]
    assert licensed.mode == "filter"
    assert licensed.params.require == ("licensed_legal_professional",)
    assert licensed.scope.categories == ("core.legal",)


def test_mediators_are_not_legal_advisers(registry):
    mediators = registry.resources["justice.chengxiang_mediators"]
    assert "licensed_legal_professional" not in mediators.tags
    assert "core.legal" not in mediators.categories
    assert registry.templates["justice.neighbour_mediation"].category == "justice.mediation"


def test_settings(registry):
    assert registry.setting("justice", "hotline") == "12348"
    assert registry.setting("justice", "consultation_slot_minutes") == 20


# --- rule behaviour, ranked by the matching engine ----------------------------------

#: A demand's position in Gusu, and how many degrees of longitude make a kilometre there.
LNG, LAT = 120.62, 31.31
KM = 1 / 95.1


def _team(name, *, tags=(), audiences=("residents",), categories=("legal",), east_km=0.0):
    from wenming.records import Resource

    return (
        f"justice.{name}",
        Resource(
            name=name,
            kind="team",
            name_zh=name,
            name_en=name,
            place="320508",
            categories=tuple(f"core.{c}" if "." not in c else c for c in categories),
            audiences=tuple(f"core.{a}" for a in audiences),
            tags=tags,
            capacity=40,
            members=40,
            lng=LNG + east_km * KM,
            lat=LAT,
        ),
    )


def _demand(**values):
    from datetime import date

    from wenming.matching import Demand

    defaults = {
        "id": "d",
        "category": "core.legal",
        "audiences": ("core.residents",),
        "headcount": 20,
        "lng": LNG,
        "lat": LAT,
        "start": date(2023, 6, 10),
        "end": date(2023, 6, 10),
    }
    return Demand(**{**defaults, **values})


def _rank(registry, resources, demand):
    from wenming.matching import Engine

    ranking = Engine(registry, resources).rank(demand, k=10, explain=True, include_excluded=True)
    return [c.key for c in ranking.candidates], {e.key: e for e in ranking.excluded}, ranking


def test_legal_advice_only_from_licensed_teams(registry):
    resources = [
        _team("lawyers", tags=("legal_advice", "licensed_legal_professional")),
        _team("enthusiasts", tags=("legal_advice",)),
    ]
    ranked, excluded, _ = _rank(registry, resources, _demand(tags=("legal_advice",)))
    assert ranked == ["justice.lawyers"]
    assert excluded["justice.enthusiasts"].rule_id == "justice.licensed_advice"
    assert "licensed_legal_professional" in excluded["justice.enthusiasts"].reason


def test_mediation_does_not_need_a_licence(registry):
    resources = [_team("mediators", tags=("mediation",), categories=("justice.mediation",))]
    ranked, excluded, _ = _rank(
        registry, resources, _demand(category="justice.mediation", tags=("mediation",))
    )
    assert ranked == ["justice.mediators"] and not excluded


def test_those_who_cannot_pay_come_first(registry):
    resources = [
        _team("for_everyone", tags=("licensed_legal_professional",), audiences=("residents",)),
        _team(
            "for_migrants",
            tags=("licensed_legal_professional",),
            audiences=("residents", "migrant_workers"),
        ),
    ]
    demand = _demand(audiences=("core.residents", "core.migrant_workers"))
    ranked, _, ranking = _rank(registry, resources, demand)
    assert ranked == ["justice.for_migrants", "justice.for_everyone"]
    top, second = ranking.candidates
    assert top.breakdown["justice.those_who_cannot_pay"] == pytest.approx(0.12)
    assert second.breakdown.get("justice.those_who_cannot_pay", 0.0) == 0.0
    assert top.score - second.score == pytest.approx(0.12)
    # A demand for the general public gets no such preference.
    _, _, general = _rank(registry, resources, _demand())
    assert {c.breakdown.get("justice.those_who_cannot_pay", 0.0) for c in general.candidates} == {
        0.0
    }


def test_a_park_serves_its_walking_distance(registry):
    from wenming.records import Resource

    def park(name, east_km):
        return (
            f"justice.{name}",
            Resource(
                name=name,
                kind="venue",
                name_zh=name,
                name_en=name,
                place="320508",
                site_type="justice.rule_of_law_park",
                categories=("core.legal",),
                audiences=("core.residents",),
                capacity=100,
                lng=LNG + east_km * KM,
                lat=LAT,
            ),
        )

    resources = [park("near_park", 1.0), park("far_park", 4.0)]  # both inside core's 5 km
    ranked, excluded, _ = _rank(registry, resources, _demand())
    assert ranked == ["justice.near_park"]
    assert excluded["justice.far_park"].rule_id == "justice.park_within_walk"


def test_station_asking_for_pingtan_civil_code_gets_the_seed_pair():
    """A station in Gusu asks for 'the Civil Code in pingtan' for its elderly residents."""
    import wenming_justice
    from wenming.matching import Engine

    culture = pytest.importorskip("wenming_culture_tourism")
    registry = load_registry(("justice", wenming_justice), ("culture_tourism", culture))
    engine = Engine(registry, registry.resources)
    station_terms = {
        "category": "core.legal",
        "tags": ("civil_code", "pingtan"),
        "audiences": ("core.elderly", "core.residents"),
        "headcount": 80,
        "place": "320508021019",  # 沧浪亭社区, Shuangta subdistrict, Gusu
        "lng": None,
        "lat": None,
    }
    for extra in (
        {"template": "justice.pingtan_civil_code"},
        {"departments": ("justice", "culture_tourism")},
    ):
        proposals = engine.joint(_demand(**station_terms, **extra), k=3)
        assert proposals, engine.joint_gaps(_demand(**station_terms, **extra))
        best = proposals[0]
        assert best.parts["justice"].key == "justice.pingtan_civil_code"
        assert best.parts["culture_tourism"].key == "culture_tourism.pingtan_troupe"
        assert best.score == max(p.score for p in proposals)
