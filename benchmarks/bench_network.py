"""The practice network: loading Suzhou into SQLite, and radius / k-nearest queries.

``python benchmarks/bench_network.py [--repeat 5] [--queries 1000] [--points 1200]``
prints two markdown tables.

1. Loading the whole Suzhou network (guidance center, one sub-center per installed
   department, 10 centers, 118 institutes, 2,248 stations) into a new SQLite file:
   schema creation, reading the packaged region data (cold cache), checking every row
   and one Core ``INSERT`` in one transaction. Baseline: the same rows through the ORM
   (``session.add_all`` of ``Site`` objects), the path PERFORMANCE-FACTS warns about.
2. Queries over Suzhou plus ``--points`` synthetic practice points: the k nearest
   sites, the k nearest stations (a filtered query) and every site within 2 km, at
   ``--queries`` random points in Suzhou. The spatial index (a lng/lat grid, exact
   chord distances on unit-sphere xyz) against a linear NumPy scan of every site and a
   pure-Python haversine scan.
   Also ``Network.near`` end to end (index plus building the result records).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

LNG = (120.35, 121.15)
LAT = (30.95, 31.85)


def registry():
    from wenming.plugins import load_plugins
    from wenming.registry import build_registry

    return build_registry(load_plugins())


def load_once(reg, folder: Path, n: int, orm: bool) -> float:
    from wenming.network import importer, regions
    from wenming.storage import Storage

    regions._read_region.cache_clear()
    storage = Storage(f"sqlite:///{folder / f'load{n}-{orm}.db'}")
    start = time.perf_counter()
    storage.create()
    if orm:
        from wenming.storage.tables import Site

        rows = importer.region_rows(reg, "suzhou")
        checked = importer._Checker("bench", reg, {}).check_all(list(enumerate(rows, 1)))
        with storage.session() as s:
            s.add_all([Site(**row) for row in checked])
    else:
        report = importer.load_region(storage, reg, "suzhou")
        assert report.total >= 2377, report
    elapsed = time.perf_counter() - start
    storage.dispose()
    return elapsed


def bench_load(reg, repeat: int) -> list[tuple[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        core = [load_once(reg, folder, i, orm=False) for i in range(repeat)]
        orm = [load_once(reg, folder, i, orm=True) for i in range(repeat)]
    return [
        ("`load_region` (check + Core insert, one transaction)", statistics.median(core)),
        ("baseline: same rows via ORM `session.add_all`", statistics.median(orm)),
    ]


def build_network(reg, points: int):
    from wenming.network.service import Network
    from wenming.storage import Storage

    storage = Storage("sqlite://")
    storage.create()
    net = Network(storage, reg)
    net.load_region("suzhou")
    types = sorted(
        (tid, reg.department_of(tid))
        for tid, t in reg.site_types.items()
        if t.level == "practice_point" and reg.department_of(tid)
    )
    stations = [s.code for s in net.sites(level="station")]
    rng = random.Random(5)
    if types:
        net.add_sites(
            [
                {
                    "code": f"bench.{i:05d}",
                    "name": f"合成实践点 {i}",
                    "site_type": rng.choice(types)[0],
                    "parent_code": rng.choice(stations),
                    "synthetic": True,
                }
                for i in range(points)
            ],
            source="bench",
        )
    return net


def python_scan(sites, lng, lat, k=None, radius=None, level=None):
    from wenming.network.geo import haversine_km

    found = [
        (haversine_km(lng, lat, s.lng, s.lat), s.code)
        for s in sites
        if level is None or s.level == level
    ]
    if radius is not None:
        return sorted(d for d in found if d[0] <= radius)
    return sorted(found)[:k]


def _within(fn, lng, lat, *, r, level):
    return fn(lng, lat, r, level=level)


def _nearest(fn, lng, lat, *, k, level):
    return fn(lng, lat, k, level=level)


def _near(fn, lng, lat, *, k, radius_km, level):
    return fn(lng, lat, k=k, radius_km=radius_km, level=level)


def timed(fn, queries) -> tuple[float, float]:
    """Median and 95th percentile time per call, in µs."""
    times = []
    for q in queries:
        start = time.perf_counter()
        fn(*q)
        times.append((time.perf_counter() - start) * 1e6)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]


def bench_queries(reg, n_queries: int, points: int) -> tuple[int, list]:
    net = build_network(reg, points)
    idx, sites = net.index()
    rng = random.Random(11)
    queries = [(rng.uniform(*LNG), rng.uniform(*LAT)) for _ in range(n_queries)]
    # build the filtered tree once, as a long-lived Network would have it
    idx.nearest(*queries[0], 5, level="station")
    cases = [
        ("10 nearest sites", {"k": 10}),
        ("5 nearest stations", {"k": 5, "level": "station"}),
        ("all sites within 2 km", {"radius": 2.0}),
    ]
    rows = []
    for label, args in cases:
        k, r, level = args.get("k"), args.get("radius"), args.get("level")
        if r is not None:
            fns = (
                partial(_within, idx.within, r=r, level=level),
                partial(_within, idx.scan_within, r=r, level=level),
                partial(python_scan, sites, radius=r, level=level),
                partial(_near, net.near, k=None, radius_km=r, level=level),
            )
        else:
            fns = (
                partial(_nearest, idx.nearest, k=k, level=level),
                partial(_nearest, idx.scan_nearest, k=k, level=level),
                partial(python_scan, sites, k=k, level=level),
                partial(_near, net.near, k=k, radius_km=None, level=level),
            )
        timings = []
        for n, fn in enumerate(fns):
            subset = queries[:200] if n == 2 else queries
            timed(fn, subset[:50])  # warm up
            timings.append(timed(fn, subset))
        rows.append((label, *timings))
    return len(sites), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--points", type=int, default=1200)
    args = parser.parse_args()
    reg = registry()
    print(
        f"Loading Suzhou into SQLite ({len(reg.departments)} departments installed), "
        f"median of {args.repeat}\n"
    )
    print("| path | seconds |")
    print("|---|---:|")
    for label, seconds in bench_load(reg, args.repeat):
        print(f"| {label} | {seconds:.3f} |")
    n, rows = bench_queries(reg, args.queries, args.points)
    print(
        f"\nQueries over {n:,} sites at {args.queries:,} random points "
        "(µs per query: median / p95; pure Python on 200 points)\n"
    )
    print("| query | grid index | NumPy linear scan | pure-Python scan | `Network.near` |")
    print("|---|---:|---:|---:|---:|")
    for label, index, scan, slow, api in rows:
        cells = " | ".join(f"{m:,.0f} / {p:,.0f}" for m, p in (index, scan, slow, api))
        print(f"| {label} | {cells} |")


if __name__ == "__main__":
    main()
