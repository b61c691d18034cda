"""Relevance on the labelled evaluation set: does the engine choose what a dispatcher would?

    python benchmarks/eval_relevance.py [--deployment wenming.toml] [--write docs/evaluation.md]

Reads ``evaluation/demands.toml`` (demands written by hand from the seed and the
departments' public remits, never from the engine) and matches each demand's form
fields — category, audiences, subject words, template, headcount, dates, place —
on the seed-scale Suzhou deployment (``network load`` + ``network synthesize``, built
in a scratch folder unless ``--deployment`` names one). It prints, overall and per
department:

- **top-1**: the first candidate's department is the expected one (for a joint need:
  the first joint proposal's departments are the expected ones);
- **MRR@5**: the mean reciprocal rank of the expected department among the first five
  distinct departments of the ranking (0 when it is not among them);
- **joint first**: for demands with an ``expect_joint``, the first proposal of
  ``engine.joint`` (the templates inferred from the words) is that template.

Subject words are read through the vocabulary (names, synonyms, known words inside a
compound word); words it does not know are counted and listed, not dropped silently.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SET = ROOT / "evaluation" / "demands.toml"
GOALS = {"top1": 0.90, "joint": 0.90, "department_floor": 0.80}


def build(folder: Path) -> Path:
    """A seed-scale Suzhou deployment in ``folder`` (init, network load, synthesize)."""
    config = folder / "wenming.toml"
    for args in (
        ["init", str(folder), "--name", "Suzhou"],
        ["-d", str(config), "network", "load"],
        ["-d", str(config), "network", "synthesize"],
    ):
        subprocess.run(
            [sys.executable, "-m", "wenming", *args], check=True, capture_output=True, text=True
        )
    return config


def load_set(path: Path = SET) -> list[dict[str, Any]]:
    with path.open("rb") as fh:
        return tomllib.load(fh)["demand"]


def to_demand(row: dict[str, Any], words: Any) -> tuple[Any, tuple[str, ...]]:
    """The demand a careful operator's form gives, and the subject words not understood."""
    from wenming.matching import Demand

    tags, unknown = words.resolve_tags(row.get("subjects", ()), compounds=True)
    day = lambda key: date.fromisoformat(row[key]) if row.get(key) else None  # noqa: E731
    return (
        Demand(
            id=row["id"],
            category=row.get("category"),
            audiences=tuple(row.get("audiences", ())),
            tags=tags,
            template=row.get("template"),
            headcount=row.get("headcount", 0),
            place=row["place"],
            start=day("start"),
            end=day("end"),
        ),
        unknown,
    )


def departments_in_order(candidates: list[Any]) -> list[str]:
    seen: list[str] = []
    for c in candidates:
        if c.department and c.department not in seen:
            seen.append(c.department)
    return seen


def evaluate(engine: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
    from attrs import evolve

    from wenming.errors import WenmingError
    from wenming.matching.vocabulary import vocabulary

    words = vocabulary(engine.registry)
    per_dept: dict[str, list[tuple[bool, float]]] = defaultdict(list)
    results = []
    unknown_words: dict[str, int] = defaultdict(int)
    subject_words = 0
    for row in rows:
        demand, unknown = to_demand(row, words)
        subject_words += len(row.get("subjects", ()))
        for w in unknown:
            unknown_words[w] += 1
        expected = tuple(row["expect_departments"])
        got: tuple[str, ...] = ()
        rr = 0.0
        joint_ok = None
        error = ""
        try:
            if len(expected) == 1:
                ranking = engine.rank(demand, k=60, explain=False)
                order = departments_in_order(ranking.candidates)[:5]
                got = tuple(order[:1])
                rr = 1.0 / (order.index(expected[0]) + 1) if expected[0] in order else 0.0
            else:
                inferred = evolve(demand, template=None)
                proposals = engine.joint(inferred, k=5)
                templates = list(dict.fromkeys(p.template for p in proposals))[:5]
                if proposals:
                    got = tuple(proposals[0].parts)
                if row.get("expect_joint"):
                    joint_ok = bool(templates) and templates[0] == row["expect_joint"]
                    hit = row["expect_joint"] in templates
                    rr = 1.0 / (templates.index(row["expect_joint"]) + 1) if hit else 0.0
                else:
                    rr = 1.0 if set(got) == set(expected) else 0.0
        except WenmingError as exc:
            error = str(exc)
            if row.get("expect_joint"):
                joint_ok = False
        ok = set(got) == set(expected)
        for dept in expected:
            per_dept[dept].append((ok, rr))
        results.append(
            {
                "id": row["id"],
                "expected": expected,
                "got": got,
                "ok": ok,
                "rr": rr,
                "joint_ok": joint_ok,
                "unknown": unknown,
                "error": error,
            }
        )
    joint = [r["joint_ok"] for r in results if r["joint_ok"] is not None]
    return {
        "n": len(results),
        "top1": sum(r["ok"] for r in results) / len(results),
        "mrr5": sum(r["rr"] for r in results) / len(results),
        "joint": (sum(joint) / len(joint)) if joint else float("nan"),
        "joint_n": len(joint),
        "departments": {
            d: (sum(o for o, _ in v) / len(v), sum(r for _, r in v) / len(v), len(v))
            for d, v in sorted(per_dept.items())
        },
        "subject_words": subject_words,
        "unknown_words": dict(sorted(unknown_words.items(), key=lambda kv: (-kv[1], kv[0]))),
        "results": results,
    }


def report(figures: dict[str, Any], command: str, seconds: float) -> str:
    """The figures as a Markdown page (what ``--write`` saves)."""
    lines = [
        "# Relevance evaluation",
        "",
        "Does the engine choose what a dispatcher would? Measured on the labelled set in",
        "`evaluation/demands.toml` (written by hand from the seed and the departments' public",
        "remits, never from the engine; see `evaluation/README.md`), matched on the seed-scale",
        "Suzhou deployment (`network load` + `network synthesize`). Each demand is given as a",
        "careful operator's form would give it: category, audiences, subject words (read",
        "through the vocabulary), template when one was picked, headcount, dates and place.",
        "",
        "```console",
        f"$ {command}",
        "```",
        "",
        "| measure | value | goal |",
        "|---|---|---|",
        f"| demands | {figures['n']} | |",
        f"| top-1 department | {figures['top1']:.1%} | ≥ {GOALS['top1']:.0%} |",
        f"| MRR@5 | {figures['mrr5']:.3f} | |",
        f"| right joint template first ({figures['joint_n']} joint demands) "
        f"| {figures['joint']:.1%} | ≥ {GOALS['joint']:.0%} |",
        f"| lowest department top-1 | {min(v[0] for v in figures['departments'].values()):.1%} "
        f"| ≥ {GOALS['department_floor']:.0%} |",
        f"| subject words not understood | {sum(figures['unknown_words'].values())} of "
        f"{figures['subject_words']} | |",
        "",
        "Per department (a joint demand counts for each of its departments):",
        "",
        "| department | demands | top-1 | MRR@5 |",
        "|---|---|---|---|",
    ]
    for dept, (top1, mrr, n) in figures["departments"].items():
        lines.append(f"| {dept} | {n} | {top1:.1%} | {mrr:.3f} |")
    misses = [r for r in figures["results"] if not r["ok"] or r["joint_ok"] is False]
    lines += [
        "",
        f"Misses ({len(misses)}): the demand, the expected department(s), what came first.",
        "",
        "| demand | expected | first |",
        "|---|---|---|",
    ]
    for r in misses:
        got = ", ".join(r["got"]) or (f"error: {r['error']}" if r["error"] else "nothing")
        lines.append(f"| {r['id']} | {', '.join(r['expected'])} | {got} |")
    unknown = figures["unknown_words"]
    if unknown:
        lines += [
            "",
            "Subject words the vocabulary does not know (they are left out of the demand):",
            "",
            ", ".join(f"{w} ({n})" if n > 1 else w for w, n in unknown.items()) + ".",
        ]
    lines += [
        "",
        f"The run took {seconds:.1f} s, building the deployment included. The set is one",
        "labeller's reading; an independent set written elsewhere measures the same.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deployment", type=Path, help="a built deployment to match on")
    parser.add_argument("--write", type=Path, help="write the figures as a Markdown page")
    parser.add_argument("--misses", action="store_true", help="print every miss")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    from wenming.deployment import Deployment
    from wenming.matching import Engine

    with tempfile.TemporaryDirectory() as tmp:
        config = args.deployment or build(Path(tmp) / "suzhou")
        deployment = Deployment.from_file(config)
        try:
            engine = Engine.from_deployment(deployment)
            figures = evaluate(engine, load_set())
        finally:
            deployment.close()
    seconds = time.perf_counter() - started
    print(f"relevance on {figures['n']} labelled demands ({SET.relative_to(ROOT)})")
    print(f"  top-1 department   {figures['top1']:6.1%}   (goal ≥ {GOALS['top1']:.0%})")
    print(f"  MRR@5              {figures['mrr5']:6.3f}")
    print(f"  joint first        {figures['joint']:6.1%}   ({figures['joint_n']} joint demands)")
    unknown = sum(figures["unknown_words"].values())
    print(f"  unknown subjects   {unknown} of {figures['subject_words']} words")
    for dept, (top1, mrr, n) in figures["departments"].items():
        print(f"    {dept:18s} {n:3d}  top-1 {top1:6.1%}  MRR@5 {mrr:.3f}")
    if args.misses:
        for r in figures["results"]:
            if not r["ok"] or r["joint_ok"] is False:
                print(f"  miss {r['id']}: expected {r['expected']}, got {r['got']} {r['error']}")
    if args.write:
        command = "python benchmarks/eval_relevance.py --write docs/evaluation.md"
        args.write.write_text(report(figures, command, seconds), encoding="utf-8")
        print(f"wrote {args.write}")


if __name__ == "__main__":
    main()
