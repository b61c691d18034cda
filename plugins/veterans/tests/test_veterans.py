import wenming_veterans
from wenming import hookimpl
from wenming.records import Department
from wenming.testing import check_plugin, load_registry


class HealthStub:
    """Just the partner department, so the joint template can become available."""

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
    assert registry.joint_templates().keys() == {"veterans.medical_help"}


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
