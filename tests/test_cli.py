"""The command line over the Python API."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from wenming import __version__
from wenming.cli import cli


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_help_lists_core_commands(run):
    result = run("--help")
    for name in ("init", "check", "plugins"):
        assert name in result.output


def test_init_then_check_is_healthy(run, tmp_path):
    result = run("init", "dep", "--name", "Suzhou", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["created"] and data["schema_version"] >= 1
    assert "core" in data["plugins"] and "water" in data["plugins"]
    assert (tmp_path / "dep" / "wenming.toml").read_text(encoding="utf-8").startswith("# wenming")
    result = run("-d", "dep/wenming.toml", "check")
    assert result.exit_code == 0, result.output
    assert "healthy" in result.output.splitlines()[-1]
    again = json.loads(run("init", "dep", "--json").output)
    assert not again["created"], "an existing deployment file is kept"


def test_check_fails_without_database(run, tmp_path):
    run("init", "dep")
    (tmp_path / "dep" / "wenming.db").unlink()
    result = run("-d", "dep/wenming.toml", "check", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert not data["healthy"]
    assert any(c["check"] == "database" and not c["ok"] for c in data["checks"])


def test_bad_deployment_file_is_one_line_and_nonzero(run, tmp_path):
    (tmp_path / "wenming.toml").write_text('name = "x"\nstrict = "yes"\n', encoding="utf-8")
    result = run("plugins")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert "wenming.toml" in result.output and "strict" in result.output


def test_plugins_json_lists_builtins_and_sample_plugin(run):
    result = run("plugins", "--json")
    assert result.exit_code == 0
    plugins = {p["name"]: p for p in json.loads(result.output)}
    assert plugins["core"]["status"] == "ok"
    assert plugins["core"]["counts"]["site_types"] == 5
    assert "register_rule_kinds" in plugins["core"]["hooks"]
    water = plugins["water"]
    assert water["distribution"] == "wenming-water" and water["version"]
    assert water["counts"]["templates"] >= 4 and "register_department" in water["hooks"]


def test_plugin_commands_are_added(run, tmp_path, monkeypatch):
    import textwrap

    site = tmp_path / "site"
    site.mkdir()
    (site / "fake_cmd_plugin.py").write_text(
        textwrap.dedent('''
        import click
        from wenming import hookimpl

        @click.command(name="hello-water")
        def hello():
            """Say hello from a plugin."""
            click.echo("hello from a plugin")

        @hookimpl
        def register_commands(register):
            register(hello)
    '''),
        encoding="utf-8",
    )
    info = site / "fake_cmd-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-cmd\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[wenming]\ncmd = fake_cmd_plugin\n")
    monkeypatch.syspath_prepend(str(site))
    import importlib

    importlib.invalidate_caches()
    assert "hello-water" in run("--help").output
    result = run("hello-water")
    assert result.exit_code == 0 and result.output == "hello from a plugin\n"
