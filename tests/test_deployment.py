"""Deployment files: structured with cattrs, errors name the file, key and value."""

from __future__ import annotations

import pytest

from wenming.deployment import Deployment, read_config, resolve_database
from wenming.errors import ConfigError


def write(tmp_path, text: str | bytes):
    path = tmp_path / "wenming.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_full_file(tmp_path):
    path = write(
        tmp_path,
        """
name = "Suzhou"
database = "sqlite:///suzhou.db"
[plugins]
exclude = ["water"]
[matching]
reach_minutes = 10
[matching.weights]
"core.distance" = 2.0
""",
    )
    config = read_config(path)
    assert config.plugins.exclude == ("water",)
    assert config.matching.reach_km == pytest.approx(10 * 20 / 60)
    dep = Deployment.from_file(path)
    assert dep.registry.plugin("water").status == "disabled"
    assert dep.database_url == f"sqlite:///{tmp_path / 'suzhou.db'}"


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ('name = "x"\nstrict = "yes"\n', ["strict"]),
        ('name = "x"\ncolour = "red"\n', ["unknown key(s): colour"]),
        ('database = "sqlite://"\n', ["name"]),
        ('name = "x"\n[plugins]\nonly = 3\n', ["plugins.only"]),
        ('name = "x"\n[matching]\nreach_minutes = "soon"\n', ["matching.reach_minutes"]),
        ('name = "x"\nnot toml at all\n', ["invalid TOML", "line 2"]),
        (b'name = "\xff"\n', ["not UTF-8"]),
    ],
)
def test_bad_files_name_file_and_key(tmp_path, text, fragments):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        read_config(path)
    message = str(err.value)
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message, message


def test_unknown_rule_weight_and_bad_setting(tmp_path):
    path = write(tmp_path, 'name = "x"\n[matching.weights]\n"core.telepathy" = 1.0\n')
    with pytest.raises(ConfigError, match="matching.weights: no rule 'core.telepathy'"):
        Deployment.from_file(path)
    path = write(tmp_path, 'name = "x"\n[settings.water]\nflood_season_months = 7\n')
    with pytest.raises(
        ConfigError, match=r"wenming.toml: settings.water.flood_season_months = 7: expected list"
    ):
        Deployment.from_file(path)


def test_missing_file():
    with pytest.raises(ConfigError, match="no deployment file here"):
        read_config(__import__("pathlib").Path("/nonexistent/wenming.toml"))


def test_relative_sqlite_paths_follow_the_file(tmp_path):
    assert resolve_database("sqlite:///a.db", tmp_path) == f"sqlite:///{tmp_path / 'a.db'}"
    assert resolve_database("sqlite:////abs/a.db", tmp_path) == "sqlite:////abs/a.db"
    assert resolve_database("sqlite://", tmp_path) == "sqlite://"
    assert resolve_database("postgresql+psycopg://h/db", tmp_path) == "postgresql+psycopg://h/db"
