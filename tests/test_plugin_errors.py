"""What a plugin author reads when something is wrong: every problem at once, in words."""

from __future__ import annotations

import textwrap

import pytest

from wenming.errors import PluginError, PluginProblems
from wenming.plugins import load_plugins
from wenming.registry import build_registry
from wenming.testing import check_plugin

MANY = """
    from wenming import hookimpl
    from wenming.records import Resource, SiteType, Template

    @hookimpl
    def register_site_types(register):
        register(SiteType(name="hall", name_zh="礼堂", name_en="Hall", level="practice_point"))
        register(SiteType(name="hall", name_zh="礼堂", name_en="Hall", level="practice_point"))

    @hookimpl
    def register_templates(register):
        register(Template(name="talk", name_zh="讲座", name_en="Talk", category="astrology"))
        register(Template(name="tour", name_zh="参观", name_en="Tour", category="science",
                          site_types=["tourism_bureau.museum"]))

    @hookimpl
    def register_resources(register):
        register(Resource(name="r", kind="team", name_zh="队", name_en="T", place="3205",
                          template="nothing_here"))
"""


def test_check_plugin_lists_every_problem_in_one_assertion(fake_dists):
    fake_dists.add("wenming-many", "many", MANY)
    with pytest.raises(AssertionError) as err:
        check_plugin("many")
    text = str(err.value)
    assert text.startswith("plugin 'many' is not conformant (")
    for problem in (
        "the module does not declare WENMING_API",
        "the module has no docstring",
        "hook register_site_types has no docstring",
        "site type 'many.hall': duplicate ID: registered twice",
        "template 'many.talk', field 'category': unknown category 'astrology'",
        "template 'many.tour', field 'site_types': plugin tourism_bureau is not installed "
        "(needed for site type 'tourism_bureau.museum')",
        "resource 'many.r', field 'template': unknown template 'nothing_here'",
    ):
        assert f"\n  - {problem}" in text, text
    assert "plugin 'many'" not in text.split("\n", 1)[1]  # the prefix is said once


def test_problems_are_reported_together_in_one_line_outside_tests(fake_dists):
    fake_dists.add("wenming-many", "many", MANY)
    reg = build_registry(load_plugins())
    info = reg.plugin("many")
    assert info.error.startswith("plugin 'many' (wenming-many 1.2.3): 4 problems: ")
    assert "\n" not in info.error and len(info.problems) == 4
    with pytest.raises(PluginProblems) as err:
        build_registry(load_plugins(strict=True))
    assert len(err.value.problems) == 4
    assert str(err.value).count("plugin 'many'") == 1


def test_a_wrongly_named_hook_argument_says_what_the_hook_takes(fake_dists):
    fake_dists.add(
        "wenming-badarg",
        "badarg",
        """
        from wenming import hookimpl

        @hookimpl
        def register_settings(registrar):
            pass
        """,
    )
    reg = build_registry(load_plugins())
    assert reg.plugin("badarg").error == (
        "plugin 'badarg' (wenming-badarg 1.2.3): hook register_settings takes `register`, "
        "got `registrar`"
    )


def test_an_unknown_hook_name_suggests_the_nearest(fake_dists):
    fake_dists.add(
        "wenming-typo",
        "typo",
        """
        from wenming import hookimpl

        @hookimpl
        def register_sitetypes(register):
            pass
        """,
    )
    error = build_registry(load_plugins()).plugin("typo").error
    assert "implements a hook that does not exist: register_sitetypes " in error
    assert "(did you mean register_site_types?)" in error


def test_strict_errors_name_the_plugin_once(fake_dists):
    fake_dists.add("wenming-broken", "broken", "import no_such_module_anywhere\n")
    with pytest.raises(PluginError) as err:
        load_plugins(strict=True)
    assert str(err.value).count("plugin 'broken'") == 1
    assert str(err.value).startswith("plugin 'broken' (wenming-broken 1.2.3): failed to import")


def test_a_reference_into_a_disabled_plugin_says_so(fake_dists):
    fake_dists.add(
        "wenming-user",
        "user",
        """
        from wenming import hookimpl
        from wenming.records import Template

        @hookimpl
        def register_templates(register):
            register(Template(name="t", name_zh="项目", name_en="T", category="science",
                              site_types=["water.waterworks"]))
        """,
    )
    error = build_registry(load_plugins(exclude=["water"])).plugin("user").error
    assert (
        "plugin water is not loaded here (installed, but left out by the plugin selection)" in error
    )


def test_templates_without_resources_are_a_warning_check_shows(fake_dists, tmp_path):
    fake_dists.add(
        "wenming-bare",
        "bare",
        '''
        """Templates, and nothing to deliver them."""
        from wenming import contributes
        from wenming.records import Template

        WENMING_API = "1.0"
        register_templates = contributes(
            Template(name="t", name_zh="项目", name_en="T", category="science", description="x"),
            doc="One template.",
        )
        ''',
    )
    reg = build_registry(load_plugins())
    assert reg.plugin("bare").ok
    (warning,) = reg.plugin("bare").warnings
    assert warning.startswith("1 template(s) but no resources: matching finds nothing")
    assert not reg.plugin("water").warnings
    registry = check_plugin("bare")  # a warning, not a failure
    assert "bare.t" in registry.templates

    from click.testing import CliRunner

    from wenming.cli import cli

    path = tmp_path / "wenming.toml"
    path.write_text(
        textwrap.dedent(
            """\
            name = "t"
            database = "sqlite:///t.db"
            [plugins]
            only = ["bare"]
            """
        ),
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(cli, ["-d", str(path), "init"]).exit_code == 0
    out = runner.invoke(cli, ["-d", str(path), "check"]).output
    assert "ok   plugin bare:" in out and "template(s) but no resources" in out


def test_joint_templates_is_a_mapping_like_templates():
    from types import MappingProxyType

    from wenming.testing import load_registry

    reg = load_registry()
    assert isinstance(reg.joint_templates, MappingProxyType)
    assert all(reg.templates[k] is t for k, t in reg.joint_templates.items())


def test_discovery_finds_what_importlib_metadata_finds(fake_dists):
    from importlib.metadata import entry_points

    from wenming.plugins import discover

    fake_dists.add("wenming-good", "good", '"""A plugin."""\n')
    expected = sorted(
        (ep.name, ep.value, ep.dist.name, ep.dist.version) for ep in entry_points(group="wenming")
    )
    found = discover()
    assert sorted((e.name, e.value, e.dist, e.version) for e in found) == expected
    assert found[0].name == "core" and ("good", "wenming-good") in {(e.name, e.dist) for e in found}


def test_help_does_not_import_the_registry_the_database_or_entry_point_metadata():
    """Nor the rule kinds' parameter classes: core's plugin builds its rule kinds when a
    registry asks for them."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from wenming.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ['sqlalchemy', 'sqlmodel', 'numpy', 'cattrs', 'importlib.metadata',\n"
        "         'wenming.registry', 'wenming.deployment', 'pypinyin', 'xlsxwriter',\n"
        "         'wenming.matching.params', 'wenming.storage', 'sqlite3']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
