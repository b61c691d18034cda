"""The demo deployment: composes a deployment from every installed plugin in a scratch
folder and shows, command by command, what wenming does with it.

Run it with ``python3 -m nox -s demo`` (see the README). Each step prints the command
it runs, so everything shown can be repeated by hand.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / ".demo"


def run(*args: str, check: bool = True) -> None:
    cmd = ["wenming", "-d", str((SCRATCH / "wenming.toml").relative_to(ROOT)), *args]
    print(f"\n$ {shlex.join(cmd)}", flush=True)
    result = subprocess.run([sys.executable, "-m", "wenming", *cmd[1:]], cwd=ROOT)
    if check and result.returncode != 0:
        raise SystemExit(f"demo step failed with exit code {result.returncode}: {shlex.join(cmd)}")


def main() -> None:
    if SCRATCH.exists():
        shutil.rmtree(SCRATCH)
    print(f"Composing a deployment of every installed plugin in {SCRATCH.relative_to(ROOT)}/")
    print(f"\n$ wenming init {SCRATCH.relative_to(ROOT)} --name Suzhou")
    subprocess.run(
        [sys.executable, "-m", "wenming", "init", SCRATCH.name, "--name", "Suzhou"],
        cwd=ROOT,
        check=True,
    )
    run("plugins")
    run("check")
    network_demo()


def network_demo() -> None:
    """The practice network: load Suzhou's divisions, compare with the seed's figures,
    a near query, coverage, and the offline map written into the scratch folder."""
    run("network", "load")
    run("network", "stats")
    run("network", "show", "320585100203")  # 太仓市城厢镇电站村, the seed's model station
    run("network", "pair", "3205.veterans", "320585100203", "--note", "双拥国防园")
    run("network", "near", "120.6195,31.3114", "--type", "station", "--k", "5")
    run("network", "coverage")
    run("network", "map", str((SCRATCH / "map.html").relative_to(ROOT)))


if __name__ == "__main__":
    main()
