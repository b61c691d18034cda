"""The deployment secret: generated at init, owner-only, never shown, one key per purpose."""

from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner

from wenming.cli import cli
from wenming.deployment import Deployment
from wenming.errors import ConfigError
from wenming.secrets import ENV_SECRET, SECRET_FILE, Secrets, create_secret_file


def test_init_writes_an_owner_only_secret_and_keeps_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_SECRET, raising=False)
    runner = CliRunner()
    result = runner.invoke(cli, ["init", "dep", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    secret = tmp_path / "dep" / SECRET_FILE
    assert data["secret_created"] and secret.exists()
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    text = secret.read_text()
    assert text.strip() not in result.output
    config = (tmp_path / "dep" / "wenming.toml").read_text(encoding="utf-8")
    assert text.strip() not in config, "the secret never goes into the deployment file"
    again = json.loads(runner.invoke(cli, ["init", "dep", "--force", "--json"]).output)
    assert not again["secret_created"] and secret.read_text() == text, "never overwritten"
    dep = Deployment.from_file(tmp_path / "dep" / "wenming.toml")
    assert dep.secrets.key("people.id") == Secrets.load(secret).key("people.id")


def test_keys_differ_by_purpose_and_are_stable():
    s = Secrets(b"k" * 32, "test")
    assert s.key("a") == s.key("a") and len(s.key("a")) == 32
    assert s.key("a") != s.key("b")
    assert Secrets(b"j" * 32, "test").key("a") != s.key("a")
    assert "kkkk" not in repr(s)


def test_environment_secret_wins_and_bad_ones_are_named(tmp_path, monkeypatch):
    import base64

    monkeypatch.setenv(ENV_SECRET, base64.urlsafe_b64encode(b"e" * 32).decode())
    assert Secrets.load(tmp_path / "none").key("x") == Secrets(b"e" * 32, "").key("x")
    monkeypatch.setenv(ENV_SECRET, base64.urlsafe_b64encode(b"short").decode())
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        Secrets.load(tmp_path / "none")
    monkeypatch.delenv(ENV_SECRET)
    with pytest.raises(ConfigError, match="wenming init"):
        Secrets.load(tmp_path / "none")


def test_in_memory_deployments_get_their_own_secret():
    a, b = Deployment.in_memory(), Deployment.in_memory()
    assert a.secrets.key("x") == a.secrets.key("x") != b.secrets.key("x")


def test_create_secret_file_never_overwrites(tmp_path):
    path = tmp_path / SECRET_FILE
    assert create_secret_file(path)
    before = path.read_text()
    assert not create_secret_file(path)
    assert path.read_text() == before
