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
    # Alone (core + justice) the joint template is listed as unavailable, not an error.
    assert "justice.pingtan_civil_code" not in registry.templates
    [missing] = [u for u in registry.unavailable if u.id == "justice.pingtan_civil_code"]
    assert "culture_tourism" in missing.reason


def test_pingtan_joint_with_partner_installed():
    import wenming_justice

    wenming_culture_tourism = pytest.importorskip("wenming_culture_tourism")

    registry = load_registry(
        ("justice", wenming_justice), ("culture_tourism", wenming_culture_tourism)
    )
    joint = registry.templates["justice.pingtan_civil_code"]
    assert joint.seed and joint.name_zh == "苏州评弹唱民法"
    assert [p.department for p in joint.parts] == ["justice", "culture_tourism"]
    assert registry.joint_templates()["justice.pingtan_civil_code"] is joint


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
