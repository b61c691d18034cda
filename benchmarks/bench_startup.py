"""Start-up time of the command line with every installed plugin.

``python benchmarks/bench_startup.py [--runs N]`` prints a markdown table: the median
wall time of ``wenming --help`` and ``wenming plugins`` next to the floor they are
compared with (the interpreter alone, and importing click + pluggy + attrs).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import entry_points


def median_seconds(cmd: list[str], runs: int, cwd: str) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
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
    print(f"{len(plugins)} plugins installed: {', '.join(plugins)}; median of {args.runs} runs\n")
    print("| command | median (ms) |")
    print("|---|---|")
    for label, cmd in rows:
        print(f"| `{label}` | {median_seconds(cmd, args.runs, cwd) * 1000:.0f} |")


if __name__ == "__main__":
    main()
