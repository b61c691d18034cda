"""Cost of the department plugins at start-up: importing them and building the registry.

``python benchmarks/bench_departments.py [--runs N]`` prints a markdown table of median
wall times, in-process: loading and validating core alone (the baseline) against core
plus every installed department plugin, the import of each plugin module in a fresh
interpreter, and generating the department catalogue page. The registry is built on
every start-up (``wenming plugins``, every deployment), so it must stay small next to
the interpreter's own start.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.metadata import entry_points


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def import_ms(module: str, runs: int) -> float:
    """Median import time of ``module`` in a fresh interpreter, minus importing wenming."""
    code = (
        "import time, wenming.records, wenming.matching.params; t=time.perf_counter(); "
        f"import {module}; print(time.perf_counter()-t)"
    )
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        times.append(float(out.stdout))
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()

    from wenming.catalog import departments_markdown
    from wenming.plugins import load_plugins
    from wenming.registry import build_registry

    eps = sorted(
        (ep for ep in entry_points(group="wenming") if ep.name != "core"), key=lambda e: e.name
    )
    names = [ep.name for ep in eps]

    def core_alone() -> object:
        return build_registry(load_plugins(only=["core"]))

    def everything() -> object:
        return build_registry(load_plugins())

    registry = everything()
    counts = {
        "site types": len(registry.site_types),
        "templates": len(registry.templates),
        "rules": len(registry.rules),
        "resources": len(registry.resources),
    }
    print(
        f"{len(names)} department plugins installed; registry of "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
        + f"; median of {args.runs} runs\n"
    )
    print("| what | median (ms) |")
    print("|---|---|")
    print(
        f"| load + build registry, core alone (baseline) | {median_ms(core_alone, args.runs):.1f} |"
    )
    print(
        f"| load + build registry, core + {len(names)} departments (modules imported) | "
        f"{median_ms(everything, args.runs):.1f} |"
    )
    print(
        f"| generate the catalogue page from a built registry | "
        f"{median_ms(lambda: departments_markdown(registry), args.runs):.1f} |"
    )
    import_runs = max(3, args.runs // 3)
    per_plugin = {ep.name: import_ms(ep.value, import_runs) for ep in eps}
    total = sum(per_plugin.values())
    slowest = max(per_plugin, key=per_plugin.__getitem__)
    print(
        f"| import all {len(names)} plugin modules (sum of fresh-interpreter imports) | "
        f"{total:.1f} |"
    )
    print(f"| slowest single plugin import ({slowest}) | {per_plugin[slowest]:.1f} |")


if __name__ == "__main__":
    main()
