"""How well free-text intake reads the evaluation set, field by field and through the engine.

``python benchmarks/eval_intake.py [--set evaluation/demands.toml] [--misses] [--json]``

Each demand of the set is given to :func:`wenming.intake.Interpreter.understand` as
text only, with the filing station's ``place`` and the ``today`` it was written (never
its labels). Printed, as markdown:

- headcount, venue capacity, dates (start and end), recurrence and place: right on the
  demands whose words state them (a place name several divisions share must come back
  as a question, not a guess), and how often a field was set where the words state none;
- department: the intake's own strongest department hint, and the top-1 candidate's
  department when the understood demand is ranked by the matching engine over the
  registry's seed resources (a joint demand: its first joint proposal);
- joint: the right joint template understood, and the engine's first joint proposal
  carrying it;
- speed: the median and 95th percentile of one ``understand`` call after load.

Goals (issue 12): headcount, dates and place ≥ 95 %, top-1 department ≥ 85 %, right
joint template first ≥ 80 %, < 5 ms per wish.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pct(right: int, total: int) -> str:
    return f"{100 * right / total:.1f} % ({right}/{total})" if total else "–"


def _engine_department(engine, demand) -> tuple[str | None, str | None]:
    """(top-1 department, first joint template) of the engine for an understood demand."""
    from wenming.errors import WenmingError

    try:
        if demand.departments or (
            demand.template and "." in demand.template and _is_joint(engine, demand)
        ):
            proposals = engine.joint(demand, k=1)
            if not proposals:
                return None, None
            p = proposals[0]
            first = next(iter(p.parts))
            return first, p.template
        ranking = engine.rank(demand, k=1, explain=False)
    except WenmingError as exc:
        return f"error: {exc}", None
    if not ranking.candidates:
        return None, None
    return ranking.candidates[0].department, None


def _is_joint(engine, demand) -> bool:
    t = engine.registry.templates.get(demand.template)
    return bool(t and t.is_joint)


def evaluate(path: Path, *, use_engine: bool = True) -> dict:
    from wenming.deployment import Deployment
    from wenming.intake import Interpreter

    demands = tomllib.loads(path.read_text(encoding="utf-8"))["demand"]
    deployment = Deployment.in_memory("eval")
    t0 = time.perf_counter()
    interpreter = Interpreter.from_deployment(deployment)
    load_ms = (time.perf_counter() - t0) * 1e3
    engine = None
    if use_engine:
        from wenming.matching import Engine

        engine = Engine(deployment.registry, deployment.registry.resources)

    c: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_dept: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    misses: list[str] = []
    durations: list[float] = []

    def count(key: str, ok: bool, item: dict, detail: str) -> None:
        c[key][1] += 1
        if ok:
            c[key][0] += 1
        else:
            misses.append(f"{item['id']:<16} {key:<18} {detail}  | {item['text']}")

    for item in demands:
        kwargs = {"place": item["place"], "today": item["today"]}
        interpreter.understand(item["text"], **kwargs)  # warm (first call compiles regexes)
        t = time.perf_counter()
        u = interpreter.understand(item["text"], **kwargs)
        durations.append((time.perf_counter() - t) * 1e3)
        d = u.demand
        if "headcount" in item:
            count(
                "headcount",
                d.headcount == item["headcount"],
                item,
                f"got {d.headcount}, want {item['headcount']}",
            )
        elif d.headcount:
            count(
                "headcount_unstated", False, item, f"set {d.headcount} where the words state none"
            )
        if "venue_capacity" in item:
            count(
                "venue_capacity",
                u.venue_capacity == item["venue_capacity"],
                item,
                f"got {u.venue_capacity}, want {item['venue_capacity']}",
            )
        if "start" in item:
            got = (d.start.isoformat() if d.start else None, d.end.isoformat() if d.end else None)
            want = (item["start"], item["end"])
            count("dates", got == want, item, f"got {got}, want {want}")
        elif d.start:
            count(
                "dates_unstated", False, item, f"set {d.start}..{d.end} where the words state none"
            )
        if "recurrence" in item:
            count(
                "recurrence",
                u.recurrence == item["recurrence"],
                item,
                f"got {u.recurrence}, want {item['recurrence']}",
            )
        if "ambiguous_place" in item.get("flags", ()):
            asked = any(q.field == "place" for q in u.questions)
            count(
                "place", asked and u.named_place is None, item, "a shared name must be asked back"
            )
        elif "expect_place" in item:
            count(
                "place",
                u.named_place == item["expect_place"],
                item,
                f"got {u.named_place}, want {item['expect_place']}",
            )
        expected = item["expect_departments"]
        ok = u.department in expected
        count("department_intake", ok, item, f"got {u.departments[:3]}, want {expected}")
        for dep in expected:
            per_dept[dep][1] += 1
            per_dept[dep][0] += ok
        if engine is not None:
            top, joint = _engine_department(engine, d)
            if item.get("expect_joint"):
                count(
                    "joint_engine",
                    joint == item["expect_joint"],
                    item,
                    f"engine first joint {joint}, want {item['expect_joint']}",
                )
                eng_ok = joint == item["expect_joint"] or top in expected
            else:
                eng_ok = top in expected
            count("department_engine", eng_ok, item, f"engine top-1 {top}, want {expected}")
            for dep in expected:
                per_dept[dep][2] += eng_ok
        if item.get("expect_joint"):
            count(
                "joint_intake",
                u.joint_template == item["expect_joint"],
                item,
                f"got {u.joint_template}, want {item['expect_joint']}",
            )
        elif u.joint_template:
            count(
                "joint_unwanted",
                False,
                item,
                f"made joint {u.joint_template} for a single-department wish",
            )
        if item.get("expect_template") and not item.get("expect_joint"):
            got = d.template
            if got is not None:
                count(
                    "template_set_right",
                    got == item["expect_template"],
                    item,
                    f"set {got}, want {item['expect_template']}",
                )
    durations.sort()
    return {
        "set": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
        "demands": len(demands),
        "load_ms": round(load_ms, 1),
        "median_ms": round(statistics.median(durations), 3),
        "p95_ms": round(durations[int(0.95 * (len(durations) - 1))], 3),
        "max_ms": round(durations[-1], 3),
        "counts": {k: v for k, v in sorted(c.items())},
        "per_department": {k: v for k, v in sorted(per_dept.items())},
        "misses": misses,
    }


LABELS = (
    ("headcount", "headcount right (demands that state one)"),
    ("venue_capacity", "venue capacity right (demands that ask for one)"),
    ("dates", "start and end right (demands that state a time)"),
    ("recurrence", "recurrence right (demands that state one)"),
    ("place", "place right (named, or a shared name asked back)"),
    ("department_intake", "top-1 department, intake's own hint"),
    ("department_engine", "top-1 department through the engine"),
    ("joint_intake", "right joint template understood"),
    ("joint_engine", "right joint template first through the engine"),
    ("template_set_right", "template set on the demand and right"),
    ("headcount_unstated", "headcount set where none is stated (lower is better)"),
    ("dates_unstated", "dates set where none are stated (lower is better)"),
    ("joint_unwanted", "single-department wish made joint (lower is better)"),
)


def report(result: dict) -> str:
    lines = [
        f"Evaluation set `{result['set']}`: {result['demands']} demands, given as text.",
        "",
        "| measure | result |",
        "|---|---|",
    ]
    counts = result["counts"]
    for key, label in LABELS:
        if key in counts:
            right, total = counts[key]
            if key.endswith(("_unstated", "_unwanted")):
                lines.append(f"| {label} | {total} |")
            else:
                lines.append(f"| {label} | {_pct(right, total)} |")
    lines += [
        f"| load (lexicon compile, region names) | {result['load_ms']} ms |",
        f"| understand one wish: median / p95 / max | {result['median_ms']} / {result['p95_ms']} / {result['max_ms']} ms |",
        "",
        "| department | demands | intake top-1 | engine top-1 |",
        "|---|---|---|---|",
    ]
    for dep, (ok, total, eng) in result["per_department"].items():
        lines.append(f"| {dep} | {total} | {_pct(ok, total)} | {_pct(eng, total)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=ROOT / "evaluation" / "demands.toml")
    parser.add_argument("--misses", action="store_true", help="list every miss")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--no-engine", action="store_true", help="skip the engine measures")
    args = parser.parse_args(argv)
    result = evaluate(args.set.resolve(), use_engine=not args.no_engine)
    if args.json:
        json.dump(
            {k: v for k, v in result.items() if k != "misses" or args.misses},
            sys.stdout,
            ensure_ascii=False,
            indent=1,
        )
        print()
        return 0
    print(report(result))
    if args.misses:
        print()
        print("\n".join(result["misses"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
