"""The seed-scale synthetic deployment: generating and storing it, and matching over it.

``python benchmarks/bench_synthetic.py [--repeat 3]`` prints two markdown tables.

1. Synthesizing Suzhou at the seed's figures (1,200 practice points, 2,400 pairings,
   526 venues, 689 projects, 334 teams) into a database that holds the loaded network
   (every installed department), median of ``--repeat`` fresh databases per backend:
   the plan alone (pure Python, the pairings' nearest-station queries included), and
   ``synthesize`` end to end (read the network, plan, check every point with the
   network importer's checker, SQLAlchemy Core bulk inserts in one transaction).
   Baseline: the same plan and check, written through the ORM (``session.add_all`` of
   ``Site``, ``Pairing`` and ``ResourceRow`` objects), the path PERFORMANCE-FACTS warns
   about.
2. What the stored rows cost the matching engine: ``Engine.from_deployment`` (reading
   the published rows and compiling) and ranking one demand, over the registry's seed
   resources alone (baseline) and with the 1,549 synthetic resources.

PostgreSQL is used too when ``WENMING_BENCH_POSTGRES_URL`` or
``WENMING_TEST_POSTGRES_URL`` names a server (a private schema per run, dropped after).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path


@contextmanager
def database(backend: str, folder: Path, n: int) -> Iterator[str]:
    """A fresh, empty database URL (a SQLite file, or a private PostgreSQL schema)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'syn{n}.db'}"
        return
    from urllib.parse import quote

    from sqlalchemy import create_engine, text

    base = os.environ.get("WENMING_BENCH_POSTGRES_URL") or os.environ["WENMING_TEST_POSTGRES_URL"]
    schema = f"wm_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def deployment(url: str):
    from wenming.deployment import Deployment, DeploymentConfig
    from wenming.network.service import Network

    dep = Deployment(DeploymentConfig(name="bench", database=url))
    dep.storage.create()
    Network.from_deployment(dep).load_region()
    return dep


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def write_orm(dep) -> None:
    """The baseline: the same plan and check, written object by object through the ORM."""
    from wenming import synthetic
    from wenming.network.importer import check_sites
    from wenming.storage.tables import Pairing, ResourceRow, Site
    from wenming.storage.types import utcnow

    plan = synthetic.plan(dep.registry, synthetic.read_territory(dep.storage))
    sites = check_sites(dep.storage, dep.registry, plan.sites, source="bench")
    now = utcnow()
    with dep.storage.session() as s:
        s.add_all([Site(**row) for row in sites])
        s.add_all(
            [
                Pairing(industry_code=a, territorial_code=b, created_at=now, note="synthetic")
                for a, b in plan.pairings
            ]
        )
        s.add_all([ResourceRow(**row) for row in plan.resources])


def bench_synthesis(backends: list[str], repeat: int, folder: Path) -> list[str]:
    from wenming import synthetic

    lines = [
        "| backend | plan only (s) | synthesize, Core bulk, one transaction (s) "
        "| baseline: ORM add_all (s) | rows written |",
        "|---|---:|---:|---:|---:|",
    ]
    n = 0
    for backend in backends:
        plans, cores, orms = [], [], []
        rows = 0
        for _ in range(repeat):
            n += 1
            with database(backend, folder, n) as url:
                dep = deployment(url)
                territory = synthetic.read_territory(dep.storage)
                plans.append(timed(lambda dep=dep, t=territory: synthetic.plan(dep.registry, t)))
                report = None

                def run(dep=dep):
                    nonlocal report
                    report = synthetic.synthesize(dep.storage, dep.registry)

                cores.append(timed(run))
                rows = 1 + report.points + report.pairings + report.venues
                rows += report.projects + report.teams
                dep.close()
            n += 1
            with database(backend, folder, n) as url:
                dep = deployment(url)
                orms.append(timed(lambda dep=dep: write_orm(dep)))
                dep.close()
        lines.append(
            f"| {backend} | {statistics.median(plans):.3f} | {statistics.median(cores):.3f} "
            f"| {statistics.median(orms):.3f} | {rows:,} |"
        )
    return lines


def bench_matching(repeat: int, folder: Path) -> list[str]:
    from wenming import synthetic
    from wenming.matching import Demand, Engine

    demand = Demand(
        id="d1",
        category="core.science",
        tags=("water_saving",),
        audiences=("core.minors",),
        headcount=30,
        place="320505001002",
        start=date(2023, 7, 10),
        end=date(2023, 7, 10),
    )
    lines = [
        "| resources | Engine.from_deployment (ms) | rank one demand, top 10 explained (ms) "
        "| candidates passing |",
        "|---|---:|---:|---:|",
    ]
    with database("sqlite", folder, 0) as url:
        dep = deployment(url)
        for label in ("registry seed resources only (baseline)", "with the synthetic resources"):
            if label.startswith("with"):
                synthetic.synthesize(dep.storage, dep.registry)
            builds, ranks = [], []
            engine = None
            for _ in range(repeat):
                start = time.perf_counter()
                engine = Engine.from_deployment(dep)
                builds.append(time.perf_counter() - start)
            ranking = None
            for _ in range(max(repeat, 20)):
                start = time.perf_counter()
                ranking = engine.rank(demand, k=10)
                ranks.append(time.perf_counter() - start)
            lines.append(
                f"| {len(engine.keys):,} ({label}) | {statistics.median(builds) * 1000:.0f} "
                f"| {statistics.median(ranks) * 1000:.2f} | {ranking.passed} |"
            )
        dep.close()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    backends = ["sqlite"]
    if os.environ.get("WENMING_BENCH_POSTGRES_URL") or os.environ.get("WENMING_TEST_POSTGRES_URL"):
        backends.append("postgresql")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("## Synthesizing the seed-scale Suzhou deployment\n")
        print("\n".join(bench_synthesis(backends, args.repeat, folder)))
        print("\n## Matching over the stored seed-scale resources (SQLite)\n")
        print("\n".join(bench_matching(args.repeat, folder)))
    print(f"\nload average: {os.getloadavg()[0]:.2f} (2 cores; medians of {args.repeat} runs)")


if __name__ == "__main__":
    main()
