"""Start-up time of the command line with every installed plugin.

``python benchmarks/bench_startup.py [--runs N]`` prints a markdown table: the median
wall time of ``wenming --help`` and ``wenming plugins`` next to the floor they are
compared with (the interpreter alone, and importing click + pluggy + attrs) — once as
an ordinary installation runs (bytecode cached after a warm-up run) and once with
``PYTHONDONTWRITEBYTECODE=1``, where every module of the checkout is compiled anew.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import entry_points


def median_seconds(cmd: list[str], runs: int, cwd: str, env: dict[str, str]) -> float:
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=env)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    py = sys.executable
    wenming = shutil.which("wenming") or f"{py} -m wenming"
    plugins = sorted(ep.name for ep in entry_points(group="wenming"))
    cwd = tempfile.mkdtemp()  # no deployment file: every installed plugin loads
    rows = [
        ("python -c pass (floor)", [py, "-c", "pass"]),
        ("import click, pluggy, attrs (floor)", [py, "-c", "import click, pluggy, attrs"]),
        ("wenming --help", [*wenming.split(), "--help"]),
        ("wenming plugins", [*wenming.split(), "plugins"]),
    ]
    cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    uncached = {**cached, "PYTHONDONTWRITEBYTECODE": "1"}
    print(f"{len(plugins)} plugins installed: {', '.join(plugins)}; median of {args.runs} runs\n")
    print("| command | median (ms), bytecode cached | median (ms), PYTHONDONTWRITEBYTECODE=1 |")
    print("|---|---|---|")
    for label, cmd in rows:
        warm = median_seconds(cmd, args.runs, cwd, cached) * 1000
        cold = median_seconds(cmd, args.runs, cwd, uncached) * 1000
        print(f"| `{label}` | {warm:.0f} | {cold:.0f} |")


if __name__ == "__main__":
    main()
