"""Registry validation: namespacing, reference resolution, rules, settings, joint templates."""

from __future__ import annotations

import click
import pytest

from wenming import hookimpl
from wenming.errors import ConfigError, ContributionError, PluginError
from wenming.records import Department, JointPart, Rule, RuleScope, Setting, SiteType, Template
from wenming.testing import load_registry


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


def test_local_references_resolve_to_own_namespace_then_core():
    class P:
        @hookimpl
        def register_site_types(register):
            register(
                SiteType(
                    name="station", name_zh="自有站", name_en="Own station", level="practice_point"
                )
            )

        @hookimpl
        def register_templates(register):
            register(
                Template(
                    name="t",
                    name_zh="项目",
                    name_en="T",
                    category="legal",
                    site_types=["station", "core.station"],
                    audiences=["elderly"],
                )
            )

    reg = load_registry(P, name="p")
    t = reg.templates["p.t"]
    assert t.site_types == ("p.station", "core.station")
    assert t.category == "core.legal" and t.audiences == ("core.elderly",)


def test_wrong_record_type_names_the_hook():
    class P:
        @hookimpl
        def register_site_types(register):
            register({"name": "x"})

    with pytest.raises(
        PluginError, match="register_site_types record: expected SiteType, got dict"
    ):
        load_registry(P, name="p")


def test_department_code_must_be_the_plugin_name():
    class P:
        @hookimpl
        def register_department(register):
            register(dept("health"))

    with pytest.raises(ContributionError, match="must equal the plugin name 'water'") as err:
        load_registry(P, name="water")
    assert err.value.field == "code"


def test_rule_params_are_structured_and_checked():
    class P:
        @hookimpl
        def register_rules(register):
            register(Rule(name="r", kind="distance", params={"reach_km": 2.5}))

    reg = load_registry(P, name="p")
    assert reg.rules["p.r"].params.reach_km == 2.5
    assert reg.rules["p.r"].kind == "core.distance"

    class Unknown:
        @hookimpl
        def register_rules(register):
            register(Rule(name="r", kind="distance", params={"reach": 2.5}))

    with pytest.raises(
        ContributionError, match=r"rule 'unknown.r', field 'params.reach'.*unknown parameter"
    ):
        load_registry(Unknown, name="unknown")

    class BadType:
        @hookimpl
        def register_rules(register):
            register(Rule(name="r", kind="distance", params={"reach_km": "far"}))

    with pytest.raises(ContributionError, match=r"field 'params.reach_km'.*got 'far'"):
        load_registry(BadType, name="badtype")

    class BadKind:
        @hookimpl
        def register_rules(register):
            register(Rule(name="r", kind="telepathy"))

    with pytest.raises(ContributionError, match="field 'kind'.*unknown rule kind 'telepathy'"):
        load_registry(BadKind, name="badkind")


def test_department_rules_default_to_the_department_scope():
    class Water:
        @hookimpl
        def register_department(register):
            register(dept("water"))

        @hookimpl
        def register_rules(register):
            register(Rule(name="near", kind="distance"))
            register(
                Rule(name="venues", kind="distance", scope=RuleScope(resource_kinds=["venue"]))
            )

    reg = load_registry(Water, name="water")
    assert reg.rules["water.near"].scope.departments == ("water",)
    assert reg.rules["water.venues"].scope.departments == ("water",)
    assert reg.rules["water.venues"].scope.resource_kinds == ("venue",)
    assert reg.rules["core.distance"].scope.departments == ()


def test_joint_template_needs_every_partner_else_it_is_unavailable():
    def joint_plugin(code: str, partner: str):
        class P:
            @hookimpl
            def register_department(register):
                register(dept(code))

            @hookimpl
            def register_templates(register):
                register(
                    Template(
                        name="joint",
                        name_zh="拼单",
                        name_en="Joint",
                        category="culture_arts",
                        parts=[
                            JointPart(
                                department=code, contribution_zh="场地", contribution_en="Venue"
                            ),
                            JointPart(
                                department=partner, contribution_zh="团队", contribution_en="Team"
                            ),
                        ],
                    )
                )

        return P

    class Gardens:
        @hookimpl
        def register_department(register):
            register(dept("gardens"))

    alone = load_registry(joint_plugin("civil", "gardens"), name="civil")
    assert "civil.joint" not in alone.templates
    assert alone.unavailable[0].reason == "partner departments not installed: gardens"
    assert alone.plugin("civil").ok and alone.plugin("civil").warnings
    both = load_registry(("civil", joint_plugin("civil", "gardens")), ("gardens", Gardens))
    assert both.templates["civil.joint"].is_joint
    assert set(both.joint_templates) == {"civil.joint"}


def test_settings_defaults_values_and_errors():
    class Health:
        @hookimpl
        def register_settings(register):
            register(
                Setting(
                    name="max_class", type="int", default=30, minimum=1, description="Class size"
                )
            )

    assert load_registry(Health, name="health").setting("health", "max_class") == 30
    reg = load_registry(Health, name="health", settings={"health": {"max_class": 12}})
    assert reg.setting("health", "max_class") == 12
    with pytest.raises(ConfigError, match=r"settings.health.max_class = 'x': expected int"):
        load_registry(Health, name="health", settings={"health": {"max_class": "x"}})
    with pytest.raises(ConfigError, match=r"settings.health.max_clas: .*declares no such setting"):
        load_registry(Health, name="health", settings={"health": {"max_clas": 3}})
    with pytest.raises(ConfigError, match="must be at least 1"):
        load_registry(Health, name="health", settings={"health": {"max_class": 0}})
    with pytest.raises(ConfigError, match=r"\[settings.nobody\]: no plugin 'nobody'"):
        load_registry(Health, name="health", settings={"nobody": {}})


def test_commands_collide_across_plugins():
    @click.command(name="report")
    def report():
        """Report."""

    class A:
        @hookimpl
        def register_commands(register):
            register(report)

    class B:
        @hookimpl
        def register_commands(register):
            register(report)

    reg = load_registry(("a", A), ("b", B), strict=False)
    assert reg.commands["report"].plugin == "a"
    assert "already taken by plugin 'a'" in reg.plugin("b").error


def test_registry_is_immutable():
    reg = load_registry()
    with pytest.raises(TypeError):
        reg.site_types["x.y"] = None  # type: ignore[index]
    with pytest.raises(AttributeError):
        reg.site_types = {}  # type: ignore[misc]


def test_unavailable_joint_template_takes_its_dependants_along_without_failing():
    class Civil:
        @hookimpl
        def register_department(register):
            register(dept("civil"))

        @hookimpl
        def register_templates(register):
            register(
                Template(
                    name="wedding",
                    name_zh="户外婚姻登记",
                    name_en="Outdoor wedding",
                    category="culture_arts",
                    site_types=["gardens.scenic_garden"],  # the partner's site type
                    parts=[
                        JointPart(
                            department="civil", contribution_zh="登记", contribution_en="Registry"
                        ),
                        JointPart(
                            department="gardens", contribution_zh="园林", contribution_en="Garden"
                        ),
                    ],
                )
            )

        @hookimpl
        def register_resources(register):
            from wenming.records import Resource

            register(
                Resource(
                    name="wedding_project",
                    kind="project",
                    name_zh="江南美学",
                    name_en="Jiangnan aesthetics",
                    place="3205",
                    template="wedding",
                )
            )

        @hookimpl
        def register_rules(register):
            register(
                Rule(
                    name="wedding_near",
                    kind="distance",
                    description="near",
                    scope=RuleScope(templates=["wedding"]),
                )
            )

    class Gardens:
        @hookimpl
        def register_department(register):
            register(dept("gardens"))

        @hookimpl
        def register_site_types(register):
            register(
                SiteType(
                    name="scenic_garden", name_zh="园林", name_en="Garden", level="practice_point"
                )
            )

    alone = load_registry(Civil, name="civil")
    assert alone.plugin("civil").ok
    assert {u.id for u in alone.unavailable} == {
        "civil.wedding",
        "civil.wedding_project",
        "civil.wedding_near",
    }
    assert "civil.wedding_near" not in alone.rules, "a rule must not widen to every resource"
    both = load_registry(("civil", Civil), ("gardens", Gardens))
    assert both.templates["civil.wedding"].site_types == ("gardens.scenic_garden",)
    assert both.resources["civil.wedding_project"].template == "civil.wedding"
    assert both.rules["civil.wedding_near"].scope.templates == ("civil.wedding",)


def test_contributes_builds_a_documented_hook_from_records():
    import types

    from wenming import contributes

    hall = SiteType(name="hall", name_zh="礼堂", name_en="Hall", level="practice_point")
    yard = SiteType(name="yard", name_zh="院", name_en="Yard", level="practice_point")
    module = types.ModuleType("fake_contributor")
    module.register_department = contributes(dept("fake"), doc="The fake department.")
    module.register_site_types = contributes((hall,), [yard], doc="Halls and yards.")
    reg = load_registry(module, name="fake")
    assert {"fake.hall", "fake.yard"} <= set(reg.site_types)
    assert reg.departments["fake"].code == "fake"
    assert reg.plugin("fake").counts["site_types"] == 2
    assert module.register_site_types.__doc__ == "Halls and yards."
