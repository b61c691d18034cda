"""Leaderboards at province scale: the top 50 read from counters vs a full recompute.

``python benchmarks/bench_reports.py [--records 10000000] [--repeat 20] [--postgres URL]``
prints markdown tables.

1. Writes ``--records`` synthetic service records (a volunteer's hours on one delivered
   part: station → town → county, department, team, unit, month) over Suzhou's real
   2,248 stations, 15 departments, 334 teams and 1,143 units, for one year.
2. **Full recompute**: the counters of ``volunteer_hours`` for every dimension (city,
   county, town, station, department, team, unit) × period (month, quarter, year), by
   ``INSERT … SELECT … GROUP BY`` over the records — what a nightly batch would do, and
   the same shape ``wenming stats rebuild`` writes.
3. **Reads**: ``Counters.top`` (the code ``wenming leaderboard`` runs) for the top 50 of
   each dimension for a month, a quarter, the year and a six-month range, against the
   same leaderboard computed with ``GROUP BY`` over the records (no counters).
4. **The fold**: events/s of ``Fold`` + ``increments`` (the per-transition counting
   path and ``stats rebuild``), on ``min(records, 200000)`` complete events.

SQLite always; PostgreSQL too with ``--postgres``. Counter values are checked equal to
the GROUP BY values for every read.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

DIMS = ("city", "county", "town", "station", "department", "team", "unit")
DEPARTMENTS = (
    "housing",
    "transport",
    "gardens",
    "emergency",
    "civil_affairs",
    "justice",
    "urban_management",
    "culture_tourism",
    "sports",
    "health",
    "science",
    "water",
    "education",
    "veterans",
    "state_assets",
)
YEAR = 2027


def stations() -> list[str]:
    from wenming.network import regions

    path = Path(regions.__file__).resolve().parents[1] / "data/regions/suzhou/villages.csv"
    with path.open(encoding="utf-8") as fh:
        return [row["code"] for row in csv.DictReader(fh)]


def records(n: int, seed: int = 7):
    """Columns of n service records, as NumPy arrays of strings and floats."""
    rng = np.random.default_rng(seed)
    codes = np.array(stations())
    station = codes[rng.integers(0, len(codes), n)]
    team = rng.integers(0, 334, n)
    department = np.array(DEPARTMENTS)[team % 15]
    month = rng.integers(1, 13, n)
    return {
        "station": station,
        "town": station.astype("<U9"),  # codes are prefix-hierarchical
        "county": station.astype("<U6"),
        "department": department,
        "team": np.char.add(np.char.add(department, ".team_"), team.astype(str)),
        "unit": np.char.add("unit", (rng.integers(1, 1144, n)).astype(str)),
        "month": np.char.add(f"{YEAR}-", np.char.zfill(month.astype(str), 2)),
        "quarter": np.char.add(f"{YEAR}-Q", ((month - 1) // 3 + 1).astype(str)),
        "hours": rng.choice([0.5, 1.0, 1.5, 2.0, 3.0, 4.0], n),
    }


COLUMNS = ("station", "town", "county", "department", "team", "unit", "month", "quarter")


def rows_of(cols, start: int, stop: int):
    return list(
        zip(
            *(cols[c][start:stop].tolist() for c in COLUMNS),
            cols["hours"][start:stop].tolist(),
            strict=True,
        )
    )


def recompute_sql(dim: str, period_col: str) -> str:
    key = "'all'" if dim == "city" else dim
    period = f"'{YEAR}'" if period_col == "year" else period_col
    return (
        "INSERT INTO wm_stat (metric, dim, key, period, value, n) "
        f"SELECT 'volunteer_hours', '{dim}', {key}, {period}, SUM(hours), COUNT(*) "
        "FROM bench_record GROUP BY 3, 4"
    )


def direct_top(dim: str, months: list[str]) -> tuple[str, tuple]:
    key = "'all'" if dim == "city" else dim
    marks = ", ".join(["%s"] * len(months))
    return (
        f"SELECT {key} AS k, SUM(hours) AS v FROM bench_record WHERE month IN ({marks}) "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50",
        tuple(months),
    )


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def run(url: str, n: int, repeat: int, label: str) -> list[str]:
    from sqlalchemy import text

    from wenming.deployment import Deployment, DeploymentConfig
    from wenming.reports.counters import Counters

    deployment = Deployment(DeploymentConfig(name="bench", database=url))
    storage = deployment.storage
    storage.create()
    engine = storage.engine
    sqlite = storage.backend == "sqlite"
    out = []
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_record"))
        conn.execute(
            text(
                "CREATE TABLE bench_record (station TEXT, town TEXT, county TEXT, department TEXT, "
                "team TEXT, unit TEXT, month TEXT, quarter TEXT, hours REAL)"
            )
        )
    cols = records(n)
    t = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        chunk = 200_000
        if sqlite:
            for i in range(0, n, chunk):
                cur.executemany(
                    "INSERT INTO bench_record VALUES (?,?,?,?,?,?,?,?,?)",
                    rows_of(cols, i, min(n, i + chunk)),
                )
        else:
            with cur.copy("COPY bench_record FROM STDIN") as copy:
                for i in range(0, n, chunk):
                    for row in rows_of(cols, i, min(n, i + chunk)):
                        copy.write_row(row)
        raw.commit()
    finally:
        raw.close()
    write_s = time.perf_counter() - t

    t = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM wm_stat"))
        for dim in DIMS:
            for period in ("month", "quarter", "year"):
                conn.execute(text(recompute_sql(dim, period)))
    recompute_s = time.perf_counter() - t
    with engine.connect() as conn:
        counters_n = conn.execute(text("SELECT COUNT(*) FROM wm_stat")).scalar()
        if not sqlite:
            conn.execute(text("ANALYZE wm_stat"))
            conn.execute(text("ANALYZE bench_record"))
            conn.commit()
        else:
            conn.execute(text("ANALYZE"))
            conn.commit()

    counters = Counters(deployment, timezone="Asia/Shanghai")
    out.append(f"### {label}: {n:,} service records")
    out.append("")
    out.append(
        f"- writing the records: {write_s:.1f} s; full recompute of every "
        f"dimension × period (21 GROUP BY): **{recompute_s:.1f} s** "
        f"→ {counters_n:,} counters"
    )
    out.append("")
    out.append(
        "| read (top 50) | by | counters (`Counters.top`) ms | GROUP BY over records ms | same |"
    )
    out.append("|---|---|---:|---:|---|")
    cases = [
        ("month 2027-08", {"period": f"{YEAR}-08"}, [f"{YEAR}-08"]),
        ("quarter 2027-Q3", {"period": f"{YEAR}-Q3"}, [f"{YEAR}-07", f"{YEAR}-08", f"{YEAR}-09"]),
        ("year 2027", {"period": str(YEAR)}, [f"{YEAR}-{m:02d}" for m in range(1, 13)]),
        (
            "range Mar–Aug",
            {"start": dt.date(YEAR, 3, 1), "end": dt.date(YEAR, 8, 31)},
            [f"{YEAR}-{m:02d}" for m in range(3, 9)],
        ),
    ]
    worst = 0.0
    for label_, when, months in cases:
        for dim in ("county", "town", "station", "department", "team", "unit"):
            got = counters.top("volunteer_hours", dim, limit=50, **when)
            ms = median_ms(
                lambda d=dim, w=when: counters.top("volunteer_hours", d, limit=50, **w), repeat
            )
            worst = max(worst, ms)
            sql, params = direct_top(dim, months)
            if sqlite:
                sql = sql.replace("%s", "?")
            raw = engine.raw_connection()
            try:
                cur = raw.cursor()
                t = time.perf_counter()
                cur.execute(sql, params)
                direct = cur.fetchall()
                direct_ms = (time.perf_counter() - t) * 1000
            finally:
                raw.close()
            same = [round(v, 6) for _, v, _ in got] == [round(v, 6) for _, v in direct]
            out.append(
                f"| {label_} | {dim} | {ms:.2f} | {direct_ms:.0f} | {'yes' if same else 'NO'} |"
            )
    out.append("")
    out.append(f"Slowest counter read: **{worst:.2f} ms** (goal < 50 ms).")
    out.append("")
    deployment.close()
    return out


def fold_rate(n: int) -> str:
    from wenming.reports.metrics import CORE_METRICS, Fold, compile_metrics, increments

    fold = Fold(lambda k: ("water", "team"), lambda k: "unit1", "Asia/Shanghai")
    fold.start(
        {
            "order": {"place": "320505001002", "end": "2027-08-31", "joint": False},
            "parts": [{"seq": 1, "department": None}],
        },
        {1: "water.corps"},
    )
    at = dt.datetime(2027, 8, 1, 2, tzinfo=dt.UTC)
    events = [
        {
            "order_id": 1,
            "seq": i,
            "part_seq": 1,
            "action": "complete",
            "at": at,
            "data": {
                "resource": "water.corps",
                "volunteers": [{"volunteer": f"v{i % 5000}", "hours": 2.0}],
            },
        }
        for i in range(n)
    ]
    compiled = compile_metrics(CORE_METRICS)
    totals: dict = {}
    members: set = set()
    t = time.perf_counter()
    for e in events:
        increments(compiled, fold.facts(e), totals, members)
    s = time.perf_counter() - t
    return (
        f"The fold: {n:,} complete events → {len(totals):,} counters and "
        f"{len(members):,} distinct members in {s:.2f} s "
        f"(**{n / s:,.0f} events/s**, {s / n * 1e6:.0f} µs an event)."
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--postgres", help="also on this PostgreSQL URL (a scratch database)")
    ap.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = ap.parse_args()
    lines = ["## Leaderboards (bench_reports.py)", ""]
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'reports.db'}"
            lines += run(url, args.records, args.repeat, "SQLite")
    if args.postgres:
        from wenming.testing import _postgres_schema

        for url in _postgres_schema(args.postgres):  # a private schema, dropped afterwards
            lines += run(url, args.records, args.repeat, "PostgreSQL")
    lines.append(fold_rate(min(args.records, 200_000)))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
