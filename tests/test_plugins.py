"""Plugin loading: every fault is reported with its plugin and distribution, and the
other plugins still load."""

from __future__ import annotations

import pytest

from wenming.errors import PluginError
from wenming.plugins import load_plugins
from wenming.registry import build_registry

GOOD = '''
    """A well-behaved plugin."""
    from wenming import hookimpl
    from wenming.records import SiteType
    WENMING_API = "1.0"

    @hookimpl
    def register_site_types(register):
        register(SiteType(name="hall", name_zh="礼堂", name_en="Hall", level="practice_point"))
'''


def registry(**kwargs):
    return build_registry(load_plugins(**kwargs))


def test_good_plugin_and_installed_ones_load(fake_dists):
    fake_dists.add("wenming-good", "good", GOOD)
    reg = registry()
    assert reg.plugin("good").ok
    assert reg.plugin("good").dist == "wenming-good"
    assert reg.plugin("good").version == "1.2.3"
    assert "good.hall" in reg.site_types
    assert reg.plugin("core").ok and reg.plugin("water").ok
    assert reg.healthy


def _assert_isolated(reg, name, *fragments):
    info = reg.plugin(name)
    assert info.status == "error"
    for fragment in fragments:
        assert fragment in info.error, info.error
    assert reg.plugin("good").ok and "good.hall" in reg.site_types
    assert reg.plugin("water").ok and "water.waterworks" in reg.site_types
    assert not any(rid.startswith(f"{name}.") for rid in reg.site_types)
    assert not reg.healthy


def test_broken_import(fake_dists):
    fake_dists.add("wenming-good", "good", GOOD)
    fake_dists.add("wenming-broken", "broken", "import no_such_module_anywhere\n", version="0.3.1")
    reg = registry()
    _assert_isolated(
        reg,
        "broken",
        "plugin 'broken' (wenming-broken 0.3.1)",
        "failed to import",
        "no_such_module",
    )


def test_raising_hook(fake_dists):
    fake_dists.add("wenming-good", "good", GOOD)
    fake_dists.add(
        "wenming-raises",
        "raises",
        """
        from wenming import hookimpl
        from wenming.records import SiteType

        @hookimpl
        def register_site_types(register):
            register(SiteType(name="ok", name_zh="好", name_en="Ok", level="station"))
            raise RuntimeError("database of sites unreachable")
        """,
    )
    reg = registry()
    _assert_isolated(
        reg,
        "raises",
        "(wenming-raises 1.2.3)",
        "hook register_site_types raised RuntimeError",
        "database of sites unreachable",
    )


def test_unknown_hook_name(fake_dists):
    fake_dists.add("wenming-good", "good", GOOD)
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
    reg = registry()
    _assert_isolated(
        reg, "typo", "(wenming-typo 1.2.3)", "hook that does not exist", "register_sitetypes"
    )


def test_bad_argument_name(fake_dists):
    fake_dists.add("wenming-good", "good", GOOD)
    fake_dists.add(
        "wenming-badarg",
        "badarg",
        """
        from wenming import hookimpl

        @hookimpl
        def register_site_types(registr):
            pass
        """,
    )
    reg = registry()
    _assert_isolated(reg, "badarg", "(wenming-badarg 1.2.3)", "registr")


def test_argument_with_default_is_refused(fake_dists):
    fake_dists.add("wenming-good", "good", GOOD)
    fake_dists.add(
        "wenming-default",
        "default",
        """
        from wenming import hookimpl

        @hookimpl
        def register_site_types(register=None):
            pass
        """,
    )
    reg = registry()
    _assert_isolated(reg, "default", "parameter 'register' has a default value")


def test_duplicate_id(fake_dists):
    fake_dists.add("wenming-good", "good", GOOD)
    fake_dists.add(
        "wenming-dup",
        "dup",
        """
        from wenming import hookimpl
        from wenming.records import SiteType

        @hookimpl
        def register_site_types(register):
            for _ in range(2):
                register(SiteType(name="hall", name_zh="礼堂", name_en="Hall", level="practice_point"))
        """,
    )
    reg = registry()
    _assert_isolated(reg, "dup", "site type 'dup.hall'", "duplicate ID")


def test_duplicate_plugin_name_names_both_distributions(fake_dists):
    fake_dists.add("wenming-good", "good", GOOD)
    fake_dists.add("wenming-good-fork", "good", GOOD, module="fake_good_fork")
    reg = registry()
    errors = [i for i in reg.plugins if i.status == "error"]
    assert len(errors) == 1
    assert "wenming-good" in errors[0].error and "wenming-good-fork" in errors[0].error
    assert reg.plugin("good").ok


def test_dangling_reference_names_plugin_record_and_field(fake_dists):
    fake_dists.add("wenming-good", "good", GOOD)
    fake_dists.add(
        "wenming-dangling",
        "dangling",
        """
        from wenming import hookimpl
        from wenming.records import Template

        @hookimpl
        def register_templates(register):
            register(Template(name="talk", name_zh="讲座", name_en="Talk", category="astrology"))
        """,
    )
    reg = registry()
    _assert_isolated(
        reg,
        "dangling",
        "template 'dangling.talk'",
        "field 'category'",
        "unknown category 'astrology'",
    )


def test_dropping_a_plugin_cascades_to_plugins_that_reference_it(fake_dists):
    fake_dists.add("wenming-good", "good", GOOD)
    fake_dists.add(
        "wenming-base",
        "base",
        """
        from wenming import hookimpl
        from wenming.records import SiteType, Template

        @hookimpl
        def register_site_types(register):
            register(SiteType(name="yard", name_zh="院", name_en="Yard", level="practice_point"))

        @hookimpl
        def register_templates(register):
            register(Template(name="bad", name_zh="坏", name_en="Bad", category="nothing"))
        """,
    )
    fake_dists.add(
        "wenming-user",
        "user",
        """
        from wenming import hookimpl
        from wenming.records import Template

        @hookimpl
        def register_templates(register):
            register(Template(name="t", name_zh="项目", name_en="T", category="legal",
                              site_types=["base.yard"]))
        """,
    )
    reg = registry()
    assert "unknown category 'nothing'" in reg.plugin("base").error
    assert (
        "plugin base failed to load (needed for site type 'base.yard')" in reg.plugin("user").error
    )
    assert reg.plugin("good").ok


def test_incompatible_api_version(fake_dists):
    fake_dists.add("wenming-good", "good", GOOD)
    fake_dists.add(
        "wenming-future",
        "future",
        GOOD.replace('WENMING_API = "1.0"', 'WENMING_API = "2.0"'),
        version="9.0.0",
    )
    reg = registry()
    _assert_isolated(reg, "future", "(wenming-future 9.0.0)", "plugin API 2.0", "core provides 1.0")


def test_strict_mode_stops_at_the_first_failure(fake_dists):
    fake_dists.add("wenming-broken", "broken", "raise SystemError('boom')\n")
    with pytest.raises(PluginError, match="plugin 'broken' .*failed to import"):
        registry(strict=True)


def test_environment_selects_and_excludes(fake_dists, monkeypatch):
    fake_dists.add("wenming-good", "good", GOOD)
    monkeypatch.setenv("WENMING_PLUGINS", "good")
    reg = registry()
    assert reg.plugin("water").status == "disabled"
    assert reg.plugin("good").ok and reg.plugin("core").ok
    monkeypatch.delenv("WENMING_PLUGINS")
    monkeypatch.setenv("WENMING_DISABLE_PLUGINS", "good,core")
    reg = registry()
    assert reg.plugin("good").status == "disabled"
    assert reg.plugin("core").ok, "core cannot be disabled"


def test_deployment_selection(fake_dists):
    fake_dists.add("wenming-good", "good", GOOD)
    reg = registry(exclude=["water"])
    assert reg.plugin("water").status == "disabled" and "water.waterworks" not in reg.site_types
    reg = registry(only=["water"])
    assert reg.plugin("good").status == "disabled" and reg.plugin("water").ok
