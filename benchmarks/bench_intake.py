"""What free-text intake costs: building the interpreter, and reading one wish.

``python benchmarks/bench_intake.py [--repeat 5] [--compare]`` prints a markdown table.
Every demand text of ``evaluation/demands.toml`` is read ``--repeat`` times after one
warm-up pass; the median and 95th percentile per wish are given both as wall time and
as the thread's CPU time (on a shared machine the wall time's tail is other processes'
scheduling, the CPU time is the intake's own). The build (lexicon of every installed
plugin and the region's place names compiled into one automaton) is timed in a fresh
process-like setting: a new deployment each time, median of ``--repeat``.

With ``--compare`` and the libraries installed, the same texts are also segmented with
jieba and their times parsed with jionlp — the alternatives the design was measured
against (see docs/intake.md); they are not dependencies of wenming.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pcts(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[int(0.95 * (len(values) - 1))]


def bench(repeat: int) -> list[tuple[str, str]]:
    from wenming.deployment import Deployment
    from wenming.intake import Interpreter

    demands = tomllib.loads((ROOT / "evaluation" / "demands.toml").read_text("utf-8"))["demand"]
    builds = []
    interpreter = None
    for _ in range(repeat):
        deployment = Deployment.in_memory("bench")
        t = time.perf_counter()
        interpreter = Interpreter(deployment.registry, loaded=deployment.loaded)
        builds.append((time.perf_counter() - t) * 1e3)
    assert interpreter is not None
    lexicon = interpreter.lexicon
    for d in demands:
        interpreter.understand(d["text"], place=d["place"], today=d["today"])
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(repeat):
        for d in demands:
            t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
            interpreter.understand(d["text"], place=d["place"], today=d["today"])
            cpu.append((time.thread_time_ns() - c0) / 1e6)
            wall.append((time.perf_counter_ns() - t0) / 1e6)
    wm, wp = _pcts(wall)
    cm, cp = _pcts(cpu)
    chars = statistics.mean(len(d["text"]) for d in demands)
    return [
        ("wishes read", f"{len(demands)} × {repeat} (mean {chars:.0f} characters)"),
        (
            "lexicon",
            f"{len(lexicon.meanings):,} phrases + {len(lexicon.places):,} place names, "
            f"{len(lexicon.steps)} plugin steps",
        ),
        ("build the interpreter (median)", f"{statistics.median(builds):.0f} ms"),
        ("understand one wish, wall: median / p95", f"{wm:.3f} / {wp:.3f} ms"),
        ("understand one wish, CPU: median / p95", f"{cm:.3f} / {cp:.3f} ms"),
    ]


def compare(repeat: int) -> list[tuple[str, str]]:
    demands = tomllib.loads((ROOT / "evaluation" / "demands.toml").read_text("utf-8"))["demand"]
    texts = [d["text"] for d in demands]
    rows: list[tuple[str, str]] = []
    try:
        t = time.perf_counter()
        import jieba

        jieba.setLogLevel(60)
        jieba.initialize()
        load = (time.perf_counter() - t) * 1e3
        per = []
        for _ in range(repeat):
            for s in texts:
                t = time.perf_counter_ns()
                jieba.lcut(s)
                per.append((time.perf_counter_ns() - t) / 1e6)
        rows.append(
            (
                "jieba: import + dictionary / cut one wish (median)",
                f"{load:.0f} ms / {statistics.median(per):.3f} ms",
            )
        )
    except ImportError:
        rows.append(("jieba", "not installed"))
    try:
        import logging

        t = time.perf_counter()
        import jionlp

        load = (time.perf_counter() - t) * 1e3
        logging.getLogger().setLevel(logging.CRITICAL)
        base = time.mktime((2027, 6, 15, 0, 0, 0, 0, 0, 0))
        per = []
        for s in texts[:60]:
            t = time.perf_counter_ns()
            with contextlib.suppress(Exception):  # measuring, not using
                jionlp.ner.extract_time(s, time_base=base)
            per.append((time.perf_counter_ns() - t) / 1e6)
        rows.append(
            (
                "jionlp: import / extract times from one wish (median)",
                f"{load:.0f} ms / {statistics.median(per):.3f} ms",
            )
        )
    except ImportError:
        rows.append(("jionlp", "not installed"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args(argv)
    rows = bench(args.repeat)
    if args.compare:
        rows += compare(args.repeat)
    print("| measure | figure |")
    print("|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
