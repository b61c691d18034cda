"""The cost of tamper evidence and daily slots: transitions per second with the hash
chains and slot claims on every write, and how long ``order verify`` and ``order
repair`` take over a log.

``--orders`` orders are taken through the whole workflow (submit, hand dispatch,
accept, start, complete, evaluate: six sealed events each, one slot claim) through the
Python API; then every order is verified (both chains, every derived table), the
derived rows of a tenth of the orders are deleted and repaired, and verified again.
Baseline for the transitions: the "Order workflow" rows of docs/performance.md, taken
with ``benchmarks/bench_workflow.py`` before the chains and slots existed. Run::

    python benchmarks/bench_reliability.py [--orders 1000]

PostgreSQL is used when ``WENMING_BENCH_POSTGRES_URL`` or ``WENMING_TEST_POSTGRES_URL``
names a server (a private schema is created and dropped).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_workflow import Database, postgres_url


def run(backend: str, orders: int) -> dict[str, object]:
    from sqlalchemy import text

    import wenming_water
    from wenming.orders import Actor
    from wenming.orders.integrity import verify
    from wenming.orders.repair import repair
    from wenming.orders.testing import make_workflow

    db = Database(backend)
    wf = make_workflow(db.url, [("water", wenming_water)])
    ops = Actor("ops", "city_dispatcher")
    station = Actor("station", "station_operator", area="320505001002")
    lead = Actor("lead", "team_leader", team="water.corps")
    try:
        first = dt.date(2024, 1, 1)
        started = time.perf_counter()
        ids = []
        for i in range(orders):
            day = first + dt.timedelta(days=i)  # water.corps takes one demand a day
            oid = wf.submit(
                station, category="science", place="320505001002", start=day, headcount=20
            ).id
            wf.dispatch(ops, oid, "water.corps")
            wf.accept(lead, oid)
            wf.start(lead, oid)
            wf.complete(lead, oid, {"张敏": 2.5, "李强": 2})
            wf.evaluate(station, oid, 5)
            ids.append(oid)
        workflow_s = time.perf_counter() - started
        started = time.perf_counter()
        report = verify(wf.storage)
        verify_s = time.perf_counter() - started
        assert report.ok, report.lines()[:3]
        damaged = ids[::10]
        with wf.storage.engine.begin() as conn:
            for table in ("wm_order_service", "wm_order_evaluation", "wm_resource_slot"):
                conn.execute(
                    text(f"DELETE FROM {table} WHERE order_id IN ({','.join(map(str, damaged))})")
                )
        started = time.perf_counter()
        fixed = repair(wf.storage)
        repair_s = time.perf_counter() - started
        assert sorted(fixed) == damaged and verify(wf.storage).ok
        transitions = orders * 6
        return {
            "backend": backend,
            "orders": orders,
            "workflow_s": workflow_s,
            "transitions_per_s": transitions / workflow_s,
            "verify_s": verify_s,
            "events_verified_per_s": report.events / verify_s,
            "repaired": len(fixed),
            "repair_s": repair_s,
        }
    finally:
        wf.deployment.close()
        db.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    args = parser.parse_args(argv)
    backends = ["sqlite"] + (["postgresql"] if postgres_url() else [])
    rows = [run(b, args.orders) for b in backends]
    print(
        "| backend | orders | transitions/s | verify (s) | events verified/s | repaired | repair (s) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['backend']} | {r['orders']} | {r['transitions_per_s']:.0f} | "
            f"{r['verify_s']:.2f} | {r['events_verified_per_s']:.0f} | {r['repaired']} | "
            f"{r['repair_s']:.2f} |"
        )


if __name__ == "__main__":
    main()
