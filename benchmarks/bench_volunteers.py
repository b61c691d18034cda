"""The people side at the seed's scale: 2.91 million volunteers.

``python benchmarks/bench_volunteers.py [--count 2914600] [--reads 200]`` prints a
markdown table. Side by side in one run, into a database holding the loaded Suzhou
network:

1. **Writing the rows.** The same prepared ``wm_volunteer`` rows (hashed, encrypted,
   masked) written (a) by raw ``sqlite3.executemany`` on a bare connection, one
   transaction — the baseline — and (b) by the import's writer
   (``wenming.people.importer.bulk_insert`` through a SQLAlchemy connection, chunks of
   20,000, one transaction), each into a fresh database with the same schema and
   indexes. The target: (b) at ≥ 60 % of (a)'s rate.
2. **End to end**: ``synthesize`` of the whole population — generating the rows,
   keyed hashes and AES-GCM encryption in batches, team memberships, the writes and
   the star counts in one transaction.
3. **A file**: ``import_file`` of a generated ``--file-rows`` CSV, the whole path a
   ``wenming volunteers import`` takes.
4. **Reads** on the database of (2): the star distribution by level, county and department
   (maintained counts; target < 200 ms) against a ``GROUP BY`` over the volunteers
   (the scan it replaces), and one volunteer's whole record in its five classes
   (target < 10 ms), median over ``--reads`` random volunteers.

PostgreSQL runs (2) and (3) too when ``WENMING_BENCH_POSTGRES_URL`` or
``WENMING_TEST_POSTGRES_URL`` names a server (private schema, dropped after); there the
writer uses ``COPY``.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def database(backend: str, folder: Path, name: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'{name}.db'}"
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


def people_over(url: str):
    """A People service over a fresh schema with the Suzhou network loaded."""
    from wenming.deployment import Deployment, DeploymentConfig
    from wenming.network.service import Network
    from wenming.people.service import People

    deployment = Deployment(DeploymentConfig(name="bench", database=url))
    deployment.storage.create()
    Network.from_deployment(deployment).load_region()
    return People(deployment)


def prepared_rows(people, count: int) -> list[tuple]:
    """The synthetic population's volunteer rows, as the writer receives them (SQLite)."""
    from wenming.people import importer, synthetic

    captured: list[tuple] = []
    real_bulk = importer.bulk_insert

    def capture(conn, table, columns, rows):
        if table == "wm_volunteer":  # nothing is written, so give the IDs here
            first = len(captured) + 1
            captured.extend((first + i, *row[1:]) for i, row in enumerate(rows))

    importer.bulk_insert = capture
    try:
        synthetic.synthesize(people, count)
    finally:
        importer.bulk_insert = real_bulk
    return captured


def write_raw(path: Path, schema_from: str, rows: list[tuple]) -> float:
    from wenming.people.importer import VOLUNTEER_COLUMNS

    src = sqlite3.connect(schema_from)
    ddl = [
        sql
        for (sql,) in src.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'wm_volunteer' AND sql IS NOT NULL"
        )
    ]
    src.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    for sql in ddl:
        conn.execute(sql)
    conn.commit()
    cols = ", ".join(VOLUNTEER_COLUMNS)
    marks = ", ".join("?" * len(VOLUNTEER_COLUMNS))
    t = time.perf_counter()
    conn.executemany(f"INSERT INTO wm_volunteer ({cols}) VALUES ({marks})", rows)
    conn.commit()
    took = time.perf_counter() - t
    conn.close()
    return took


def write_ours(url: str, rows: list[tuple]) -> float:
    from wenming.people.importer import VOLUNTEER_COLUMNS, bulk_insert
    from wenming.storage import Storage

    storage = Storage(url)
    storage.create()
    t = time.perf_counter()
    with storage.engine.begin() as conn:
        bulk_insert(conn, "wm_volunteer", VOLUNTEER_COLUMNS, rows)
    took = time.perf_counter() - t
    storage.dispose()
    return took


def reads(people, count: int, n: int) -> dict[str, float]:
    from sqlalchemy import func, select

    from wenming.orders import Actor
    from wenming.people.tables import Volunteer

    v = Volunteer.__table__
    people.stars()  # the ladder check, once
    dist = []
    for _ in range(15):
        t = time.perf_counter()
        people.stars()
        dist.append(time.perf_counter() - t)
    t = time.perf_counter()
    with people.storage.engine.connect() as conn:
        conn.execute(
            select(v.c.star_level, v.c.county_code, v.c.department, func.count()).group_by(
                v.c.star_level, v.c.county_code, v.c.department
            )
        ).all()
    scan = time.perf_counter() - t
    ops = Actor("bench", "city_dispatcher")
    rng = random.Random(1)
    rec = []
    for _ in range(n):
        vid = rng.randrange(1, count + 1)
        t = time.perf_counter()
        people.record(ops, vid)
        rec.append(time.perf_counter() - t)
    return {
        "stars_ms": statistics.median(dist) * 1000,
        "scan_ms": scan * 1000,
        "record_ms": statistics.median(rec) * 1000,
        "record_p95_ms": sorted(rec)[int(len(rec) * 0.95)] * 1000,
    }


def file_import(folder: Path, rows: int) -> str:
    """``import_file`` of a CSV of ``rows`` volunteers: read, check every row, look up
    duplicates in the registry, hash, encrypt and write, all or nothing (SQLite)."""
    import csv
    import datetime as dt

    from sqlalchemy import select

    from wenming.orders import Actor
    from wenming.people import ids
    from wenming.storage.tables import Site

    with database("sqlite", folder, "file") as url:
        people = people_over(url)
        site = Site.__table__
        with people.storage.engine.connect() as conn:
            stations = sorted(
                conn.execute(select(site.c.code).where(site.c.level == "station")).scalars()
            )
        path = folder / "volunteers.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["name", "id_number", "phone", "station", "teams"])
            for i in range(rows):
                born = dt.date(1960, 1, 1) + dt.timedelta(days=(i * 7919) % 15000)
                code = stations[i % len(stations)]
                team = "water.corps" if i % 3 == 0 else ""
                w.writerow(
                    ["张三", ids.make(code[:6], born, i // 15000), f"1990{i:07d}", code, team]
                )
        report = people.import_file(Actor("bench", "city_dispatcher"), path)
        people.deployment.close()
    return (
        f"| SQLite: `import_file` of a {rows:,}-row CSV (read, check, de-duplicate, hash, "
        f"encrypt, write) | — | {report.seconds:.1f} s ({rows / report.seconds:,.0f} rows/s) | — |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2_914_600)
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2, help="Alternating write runs (best).")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--file-rows", type=int, default=100_000, help="CSV import size.")
    parser.add_argument("--only-file", action="store_true", help="Only the CSV import.")
    args = parser.parse_args()
    n = args.count
    out: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        out.append(file_import(folder, args.file_rows))
        print(out[-1], flush=True)
        if args.only_file:
            return
        with database("sqlite", folder, "gen") as url:
            t = time.perf_counter()
            people = people_over(url)
            rows = prepared_rows(people, n)
            gen = time.perf_counter() - t
            schema_db = url.removeprefix("sqlite:///")
            raws, ourses = [], []
            for k in range(args.repeat):  # alternate (and swap the order), fresh files
                for which in ("raw", "ours") if k % 2 == 0 else ("ours", "raw"):
                    if which == "raw":
                        raws.append(write_raw(folder / f"raw{k}.db", schema_db, rows))
                    else:
                        with database("sqlite", folder, f"ours{k}") as ours_url:
                            ourses.append(write_ours(ours_url, rows))
                    (folder / f"{which}{k}.db").unlink()
                print(f"write {k + 1}: raw {raws[-1]:.1f} s, ours {ourses[-1]:.1f} s", flush=True)
            raw, ours = min(raws), min(ourses)
            people.deployment.close()
        del rows
        print(f"prepared {n:,} rows (generate, hash, encrypt) in {gen:.1f} s", flush=True)
        out.append(
            f"| SQLite: write {n:,} prepared rows, one transaction | raw `sqlite3.executemany` "
            f"{raw:.1f} s ({n / raw:,.0f} rows/s) | import writer {ours:.1f} s "
            f"({n / ours:,.0f} rows/s) | **{raw / ours * 100:.0f} %** of raw |"
        )
        print(out[-1], flush=True)
        backends = ["sqlite"]
        if not args.no_postgres and (
            os.environ.get("WENMING_BENCH_POSTGRES_URL")
            or os.environ.get("WENMING_TEST_POSTGRES_URL")
        ):
            backends.append("postgresql")
        for backend in backends:
            with database(backend, folder, "e2e") as url:
                people = people_over(url)
                from wenming.people.synthetic import synthesize

                report = synthesize(people, n)
                out.append(
                    f"| {backend}: `synthesize` {n:,} volunteers end to end | — | "
                    f"{report.seconds:.1f} s ({n / report.seconds:,.0f} rows/s, "
                    f"{report.memberships:,} memberships) | — |"
                )
                print(out[-1], flush=True)
                r = reads(people, n, args.reads)
                out.append(
                    f"| {backend}: star distribution by level, county, department | GROUP BY scan "
                    f"{r['scan_ms']:.0f} ms | maintained counts **{r['stars_ms']:.2f} ms** | "
                    "target < 200 ms |"
                )
                out.append(
                    f"| {backend}: one volunteer's whole record (five classes) | — | "
                    f"**{r['record_ms']:.2f} ms** median, {r['record_p95_ms']:.2f} ms p95 | "
                    "target < 10 ms |"
                )
                print("\n".join(out[-2:]), flush=True)
                people.deployment.close()
    print("\n| what | baseline | wenming | vs target |\n|---|---|---|---|")
    print("\n".join(out))


if __name__ == "__main__":
    main()
