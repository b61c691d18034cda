"""Start-up time of the command line with every installed plugin.

``python benchmarks/bench_startup.py [--runs N]`` prints a markdown table: the median
CPU time (user + system, of the child process: what a shared, busy machine distorts
least) and the median wall time of ``wenming --help``, ``wenming plugins``, ``wenming
network stats`` and ``wenming order show 1`` over a deployment with Suzhou's network and
one order, next to the floors they are compared with (the interpreter alone, and
importing click + pluggy + attrs) — with bytecode cached (after a warm-up run) and
without any: ``PYTHONDONTWRITEBYTECODE=1`` with ``PYTHONPYCACHEPREFIX`` naming an empty
folder, so every module, the standard library's too, is compiled anew on every run (the
variable alone changes nothing once the warm-up has written the caches).

Goals (issue 17): ``--help`` at most 2× the click + pluggy + attrs floor in CPU time;
``network stats`` and ``order show`` at most 0.5 s with bytecode cached.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import entry_points
from pathlib import Path


def measure(cmd: list[str], runs: int, cwd: str, env: dict[str, str]) -> tuple[float, float]:
    """Median (CPU seconds, wall seconds) of ``runs`` runs after one warm-up run."""
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=env)  # warm-up
    cpu, wall = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=env)
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(cpu), statistics.median(wall)


def deployment(wenming: list[str], env: dict[str, str]) -> str:
    """A scratch deployment of every installed plugin with Suzhou loaded and one order."""
    folder = tempfile.mkdtemp(prefix="wenming-bench-startup-")
    steps = [
        ["init", ".", "--name", "bench"],
        ["network", "load"],
        [
            *("order", "submit", "--place", "320505001002", "--start", "2023-07-10"),
            *("--category", "science", "--actor", "ops", "--role", "city_dispatcher"),
        ],
    ]
    for step in steps:
        subprocess.run(
            [*wenming, *step], cwd=folder, check=True, stdout=subprocess.DEVNULL, env=env
        )
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    py = sys.executable
    wenming = [py, "-m", "wenming"]
    plugins = sorted(ep.name for ep in entry_points(group="wenming"))
    cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    no_cache = tempfile.mkdtemp(prefix="wenming-bench-nocache-")  # stays empty
    uncached = {**cached, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": no_cache}
    empty = tempfile.mkdtemp()  # no deployment file: every installed plugin loads
    folder = deployment(wenming, cached)
    rows = [
        ("python -c pass (floor)", [py, "-c", "pass"], empty),
        ("import click, pluggy, attrs (floor)", [py, "-c", "import click, pluggy, attrs"], empty),
        ("import sqlmodel (floor of a database command)", [py, "-c", "import sqlmodel"], empty),
        ("wenming --help", [*wenming, "--help"], empty),
        ("wenming plugins", [*wenming, "plugins"], empty),
        ("wenming network stats", [*wenming, "network", "stats"], folder),
        ("wenming order show 1", [*wenming, "order", "show", "1"], folder),
    ]
    print(f"{len(plugins)} plugins installed: {', '.join(plugins)}; median of {args.runs} runs")
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    print(
        "| command | CPU ms, cached | wall ms, cached | CPU ms, no bytecode cache "
        "| wall ms, no bytecode cache |"
    )
    print("|---|---|---|---|---|")
    results = {}
    for label, cmd, cwd in rows:
        warm = measure(cmd, args.runs, cwd, cached)
        cold = measure(cmd, args.runs, cwd, uncached)
        results[label] = warm
        print(
            f"| `{label}` | {warm[0] * 1000:.0f} | {warm[1] * 1000:.0f} "
            f"| {cold[0] * 1000:.0f} | {cold[1] * 1000:.0f} |"
        )
    floor = results["import click, pluggy, attrs (floor)"][0]
    print(f"\n`wenming --help` / floor (CPU, cached): {results['wenming --help'][0] / floor:.2f}×")
    print(f"load average at end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    shutil.rmtree(folder, ignore_errors=True)
    Path(empty).rmdir()
    Path(no_cache).rmdir()


if __name__ == "__main__":
    main()
