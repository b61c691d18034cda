"""Runs docs/tutorial.md: every file it shows is written and every command it shows is run.

The plugin is installed with the tutorial's own ``python -m pip install -e`` into a
throw-away virtual environment that sees this environment's packages (a ``.pth`` file),
so the test environment itself is left as it was.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)


def steps(text: str) -> list[tuple[str, str]]:
    """``("file", "path\\ncontent")`` and ``("run", "command")`` in page order."""
    out: list[tuple[str, str]] = []
    for lang, body in BLOCK.findall(text):
        if lang == "console":
            out += [("run", line[2:]) for line in body.splitlines() if line.startswith("$ ")]
        elif lang == "python" and body.startswith("# file: "):
            out.append(("file", body))
    return out


def test_the_tutorial_shows_commands_and_files():
    found = steps(TUTORIAL.read_text(encoding="utf-8"))
    commands = [s for kind, s in found if kind == "run"]
    assert commands[0].startswith("wenming plugin new market ")
    assert sum(kind == "file" for kind, _ in found) == 2
    assert any(c.startswith("python -m pip install -e ./wenming-market") for c in commands)
    assert any("match --joint --template market.food_and_health_class" in c for c in commands)


@pytest.fixture(scope="module")
def python(tmp_path_factory) -> Path:
    """A virtual environment that sees this one's packages and installs into its own."""
    root = tmp_path_factory.mktemp("tutorial")
    env = root / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    exe = env / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    target = subprocess.run(
        [str(exe), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    parent = sysconfig.get_paths()["purelib"]
    Path(target, "_wenming_parent.pth").write_text(
        f"import site; site.addsitedir({parent!r})\n", encoding="utf-8"
    )
    return exe


def test_every_command_of_the_tutorial_runs(python, tmp_path):
    outputs: dict[str, str] = {}
    for kind, body in steps(TUTORIAL.read_text(encoding="utf-8")):
        if kind == "file":
            header, content = body.split("\n", 1)
            path = tmp_path / header.removeprefix("# file: ").strip()
            assert path.exists(), f"the tutorial replaces {path}, which plugin new wrote"
            path.write_text(content, encoding="utf-8")
            continue
        args = shlex.split(body)
        if args[0] == "wenming":
            args = [str(python), "-m", "wenming", *args[1:]]
        elif args[0] == "python":
            args = [str(python), *args[1:]]
        else:
            pytest.fail(f"the tutorial runs {args[0]!r}; only wenming and python are expected")
        result = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 0, f"$ {body}\n{result.stdout}\n{result.stderr}"
        outputs[body] = result.stdout

    def out(fragment: str) -> str:
        (text,) = [o for cmd, o in outputs.items() if fragment in cmd]
        return text

    assert "passed" in out("pytest -q wenming-market")
    assert "ok   plugin market: wenming-market 0.1.0" in out("check")
    assert "320505001  横塘街道新时代文明实践所" in out("network find")
    ranked = out("match --category science").splitlines()
    assert ranked[0].startswith("demand: core.science, 40 people, 320505001")
    assert "  1 " in ranked[1] and "market.food_safety_talk" in ranked[1]
    assert "market.food_and_health_class" in out("joint templates")
    proposal = out("match --joint").splitlines()
    assert proposal[1].strip().startswith("market: market.corps")
    assert proposal[2].strip().startswith("health: health.")
    shown = out("order show 1")
    assert "joint: market + health" in shown and "+08:00" in shown
    order = subprocess.run(
        [str(python), "-m", "wenming", "-d", "city/wenming.toml", "order", "show", "1", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    parts = json.loads(order.stdout)["order"]["parts"]
    assert {p["department"] for p in parts} == {"market", "health"}
    assert all(p["state"] == "dispatched" for p in parts)
