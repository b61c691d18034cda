"""``wenming plugin new``: the distribution it writes loads, conforms and passes its tests.

Installing it for real is done by the tutorial's test and by the ``alone(plugin='scaffold')``
nox session; here it is made importable with a ``.dist-info`` next to its source.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib

import pytest
from click.testing import CliRunner

from wenming.cli import cli
from wenming.errors import WenmingError
from wenming.scaffold import new_plugin


def test_plugin_new_writes_a_distribution(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["plugin", "new", "market", "--dir", str(tmp_path), "--name-zh", "苏州市市场监督管理局"],
    )
    assert result.exit_code == 0, result.output
    root = tmp_path / "wenming-market"
    assert result.output.splitlines()[0] == f"wrote {root}/"
    assert f"python -m pip install -e {root}" in result.output
    meta = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["build-system"]["build-backend"] == "hatchling.build"
    assert meta["project"]["name"] == "wenming-market"
    assert meta["project"]["dependencies"] == ["wenming>=0.1,<0.2"]
    assert meta["project"]["entry-points"]["wenming"] == {"market": "wenming_market"}
    assert meta["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["src/wenming_market"]
    for path in (root / "src/wenming_market/__init__.py", root / "tests/test_market.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    assert "苏州市市场监督管理局" in (root / "src/wenming_market/__init__.py").read_text("utf-8")
    assert "pip install -e ./wenming-market" in (root / "README.md").read_text("utf-8")


def test_the_written_plugin_passes_its_own_tests_unchanged(tmp_path):
    (root,) = {p.parents[2] for p in new_plugin("market", tmp_path)[2:3]}
    site = tmp_path / "site"
    info = site / "wenming_market-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: wenming-market\nVersion: 0.1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text("[wenming]\nmarket = wenming_market\n", "utf-8")
    env = {k: v for k, v in os.environ.items() if k != "WENMING_PLUGINS"}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(root / "src"), *sys.path])
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root / "tests")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout


def test_plugin_names_are_identifiers_and_nothing_is_overwritten(tmp_path):
    for bad in ("Market", "2market", "market-reg", "class", "core"):
        with pytest.raises(WenmingError, match="plugin name"):
            new_plugin(bad, tmp_path)
    new_plugin("market", tmp_path)
    with pytest.raises(WenmingError, match="exists already"):
        new_plugin("market", tmp_path)
    with pytest.raises(WenmingError, match="--name-zh"):
        new_plugin("other", tmp_path, name_zh='市场"监管')
    result = CliRunner().invoke(cli, ["plugin", "new", "market", "--dir", str(tmp_path)])
    assert result.exit_code == 1 and result.output.startswith("error: ")
