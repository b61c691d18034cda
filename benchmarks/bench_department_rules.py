"""What the departments' own matching rules cost the engine, and what they change.

``python benchmarks/bench_department_rules.py [--resources 2000 20000] [--demands 200]``
prints a markdown table. Every installed department plugin contributes scoped rules
(two or three each) on top of core's eight default rules. This compares, on the same
deterministic synthetic resources and demands (drawn from the installed plugins'
templates, spread over Suzhou), an engine compiled with core's rules only (the
baseline) against one with every rule of the registry: compile time, the median time
to rank one demand (top 10, with explanations) and an optimal batch assignment of
2,000 demands. It also reports how often the department rules change a demand's top
candidate — the rules are there to change decisions, not only to cost time.
Compile and batch times are medians of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta
from functools import partial

#: Suzhou's bounding box (WGS-84), for synthetic positions.
LNG = (120.35, 121.15)
LAT = (30.95, 31.85)
KINDS = ("venue", "project", "team")


def synthetic_resources(registry, n: int, rng: random.Random) -> list:
    """``n`` resources shaped like the plugins' templates, keyed under their departments."""
    from wenming.records import Resource

    templates = [
        (tid, t)
        for tid, t in sorted(registry.templates.items())
        if not t.is_joint and registry.department_of(tid)
    ]
    out = []
    for i in range(n):
        tid, t = rng.choice(templates)
        dept = registry.department_of(tid)
        kind = rng.choices(KINDS, weights=(526, 689, 334))[0]  # the seed's platform mix
        site_type = next(
            (s for s in t.site_types if registry.site_types[s].level == "practice_point"), None
        )
        resource = Resource(
            name=f"bench_{i}",
            kind=kind,
            name_zh=f"{t.name_zh}（合成{i}）",
            name_en=f"{t.name_en} (synthetic {i})",
            place="3205",
            categories=(t.category,),
            audiences=t.audiences,
            tags=t.tags,
            skills=t.skills,
            template=tid if kind == "project" else None,
            site_type=site_type if kind == "venue" else None,
            capacity=rng.choice((20, 30, 40, 60, 80, 120, 200)),
            members=rng.randint(20, 300) if kind == "team" else 0,
            months=t.months,
            lng=rng.uniform(*LNG),
            lat=rng.uniform(*LAT),
            synthetic=True,
        )
        out.append((f"{dept}.bench_{i}", resource))
    return out


def synthetic_demands(registry, m: int, rng: random.Random) -> list:
    """``m`` station demands in a template's words: its category, some audiences and tags."""
    from wenming.matching import Demand

    templates = [t for _, t in sorted(registry.templates.items()) if not t.is_joint]
    start = date(2023, 1, 1)
    out = []
    for j in range(m):
        t = rng.choice(templates)
        day = start + timedelta(days=rng.randrange(365))
        audiences = tuple(rng.sample(t.audiences, k=min(len(t.audiences), rng.randint(1, 2))))
        tags = tuple(rng.sample(t.tags, k=min(len(t.tags), rng.randint(1, 3))))
        out.append(
            Demand(
                id=f"d{j}",
                category=t.category,
                audiences=audiences,
                tags=tags,
                headcount=rng.randint(5, 60),
                lng=rng.uniform(*LNG),
                lat=rng.uniform(*LAT),
                start=day,
                end=day,
            )
        )
    return out


def timed(fn, repeat: int = 1):
    """The last value of ``fn()`` and the median of ``repeat`` wall times (s)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return value, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--demands", type=int, default=200)
    parser.add_argument("--batch", type=int, default=2000, help="demands in the batch run")
    parser.add_argument("--repeat", type=int, default=3, help="runs of compile and batch")
    args = parser.parse_args()

    import attrs

    from wenming.matching import Engine
    from wenming.plugins import load_plugins
    from wenming.registry import build_registry

    full = build_registry(load_plugins())
    core_rules = {k: r for k, r in full.rules.items() if full.owner(k) == "core"}
    core_only = attrs.evolve(full, rules=core_rules)
    departments = len(full.departments)
    print(
        f"{departments} department plugins; {len(core_rules)} core rules, "
        f"{len(full.rules) - len(core_rules)} department rules; "
        f"{args.demands} demands ranked (median), batch of {args.batch} demands\n"
    )
    print(
        "| resources | rules | compile (ms) | rank one demand, median (ms) | "
        "batch, optimal (s) | top-1 changed by department rules |"
    )
    print("|---|---|---|---|---|---|")
    Engine(full, synthetic_resources(full, 10, random.Random(1)))  # import the rule kinds once
    for n in args.resources:
        rng = random.Random(20230330 + n)
        resources = synthetic_resources(full, n, rng)
        demands = synthetic_demands(full, args.demands, rng)
        batch = synthetic_demands(full, args.batch, random.Random(7 + n))
        tops: dict[str, list[str | None]] = {}
        for label, registry in (("core only (baseline)", core_only), ("core + departments", full)):
            engine, compile_s = timed(partial(Engine, registry, resources), args.repeat)
            times = []
            top: list[str | None] = []
            for d in demands:
                ranking, seconds = timed(partial(engine.rank, d, k=10, explain=True))
                times.append(seconds)
                top.append(ranking.candidates[0].key if ranking.candidates else None)
            tops[label] = top
            result, batch_s = timed(partial(engine.batch, batch, method="optimal"), args.repeat)
            changed = ""
            if label != "core only (baseline)":
                base = tops["core only (baseline)"]
                diff = sum(a != b for a, b in zip(base, top, strict=True))
                changed = f"{diff} of {len(top)} ({diff / len(top):.0%})"
            print(
                f"| {n:,} | {label}: {len(registry.rules)} | {compile_s * 1000:.0f} | "
                f"{statistics.median(times) * 1000:.2f} | {batch_s:.2f} "
                f"({len(result.assignments)} assigned) | {changed or '—'} |"
            )


if __name__ == "__main__":
    main()
