"""Orders through the whole workflow per second, on SQLite and PostgreSQL.

Reference load: Suzhou ran 17,000+ livelihood volunteer projects in 2022. Each backend
gets a fresh database; the ``history`` rows are a year of finished orders (submitted,
dispatched, accepted, in service, completed, evaluated — with their events, dispatches,
evaluations and volunteer hours) bulk-loaded first, then ``--orders`` new orders are
taken through the Python API one transition at a time:

- ``hand``:  submit → dispatch (by hand) → accept → start → complete → evaluate
- ``batch``: submit all → one batch dispatch (the matching engine, min-cost flow) →
  accept → start → complete → evaluate

Baselines: the same run on an empty database (``history 0``), and the same run on
earlier commits' code (``--baseline``, by default 194238b, before the workflow was
split into a pure core and services; several commits, comma-separated, give one row
each): each tree is checked out into a temporary git worktree and this script runs
there in a subprocess with that tree's ``wenming`` on ``PYTHONPATH``, right before the
same configuration runs on this tree's code, so all share the machine's load. Run::

    python benchmarks/bench_workflow.py [--orders 300] [--history 17000] [--baseline REV]
        [--modes hand,batch] [--backends sqlite,postgresql] [--warmup 10]
        [--writers 1] [--synchronous-commit off]

``--warmup`` orders go through first, untimed, so that one-time costs (the first
dispatch imports the matching engine, statements get prepared) stay out of the rate.
With one writer the table also gives the CPU time a transition took in the client
process and, for a PostgreSQL server on this machine, in the server process that served
it (from ``/proc``): steadier than wall time on a shared machine, and it tells the two
sides apart.
``--writers N`` starts N processes at once on one database, each taking ``--orders``
orders by hand over its own days; the table then gives the transitions' latencies and
how often a writer found the database busy and retried.

PostgreSQL is used when ``WENMING_BENCH_POSTGRES_URL`` or ``WENMING_TEST_POSTGRES_URL``
names a server (a private schema is created and dropped).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

TRANSITIONS_PER_ORDER = 6
PLACES = ["320505001002", "320505001003", "320581001001", "320585100203"]


def postgres_url() -> str | None:
    return os.environ.get("WENMING_BENCH_POSTGRES_URL") or os.environ.get(
        "WENMING_TEST_POSTGRES_URL"
    )


class Database:
    """A fresh database for one run: a temporary SQLite file or a PostgreSQL schema."""

    def __init__(self, backend: str, synchronous_commit: str | None = None) -> None:
        self.backend = backend
        self.tmp = tempfile.TemporaryDirectory()
        if backend == "sqlite":
            self.url = f"sqlite:///{Path(self.tmp.name) / 'bench.db'}"
            return
        from sqlalchemy import create_engine, text

        base = postgres_url()
        assert base is not None
        self.schema = f"wm_bench_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(base)
        with self.admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        sep = "&" if "?" in base else "?"
        options = f"-csearch_path={self.schema}"
        if synchronous_commit:  # a session setting, to measure what the commit's flush costs
            options += f" -csynchronous_commit={synchronous_commit}"
        self.url = f"{base}{sep}options={quote(options)}"

    def close(self) -> None:
        if self.backend == "postgresql":
            from sqlalchemy import text

            with self.admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
            self.admin.dispose()
        self.tmp.cleanup()


def load_history(wf, count: int, year: int = 2022) -> float:
    """Bulk-load ``count`` finished orders with their whole event history; return seconds."""
    from sqlalchemy import insert

    from wenming.orders.tables import (
        Dispatch,
        Evaluation,
        Order,
        OrderEvent,
        OrderPart,
        ServiceHours,
    )

    if count == 0:
        return 0.0
    started = time.perf_counter()
    resources = ["water.corps", "water.water_journey", "water.water_classroom"]
    base = dt.datetime(year, 1, 1, 1, tzinfo=dt.UTC)
    chunk = 2000
    with wf.storage.session() as s:
        for lo in range(0, count, chunk):
            n = min(chunk, count - lo)
            at = [base + dt.timedelta(minutes=30 * (lo + i)) for i in range(n)]
            orders = [
                {
                    "requester": f"station-{(lo + i) % 2123}",
                    "requester_role": "station_operator",
                    "site_code": PLACES[(lo + i) % len(PLACES)],
                    "channel": "platform",
                    "category": "core.science",
                    "tags": ["water_saving"],
                    "audiences": ["core.minors"],
                    "headcount": 10 + (lo + i) % 40,
                    "place_code": PLACES[(lo + i) % len(PLACES)],
                    "window_start": at[i].date(),
                    "window_end": at[i].date(),
                    "description": "",
                    "joint": False,
                    "state": "evaluated",
                    "version": 6,
                    "created_at": at[i],
                    "updated_at": at[i],
                    "state_since": at[i],
                    "request_hash": "",
                }
                for i in range(n)
            ]
            ids = [
                r[0]
                for r in s.execute(
                    insert(Order).returning(Order.id, sort_by_parameter_order=True), orders
                )
            ]
            parts = [
                {
                    "order_id": oid,
                    "seq": 1,
                    "department": None,
                    "contribution": "",
                    "resource_kinds": [],
                    "state": "completed",
                    "resource_key": resources[oid % 3],
                    "excluded": [],
                    "state_since": at[i],
                }
                for i, oid in enumerate(ids)
            ]
            part_ids = [
                r[0]
                for r in s.execute(
                    insert(OrderPart).returning(OrderPart.id, sort_by_parameter_order=True), parts
                )
            ]
            s.execute(
                insert(Dispatch),
                [
                    {
                        "order_id": oid,
                        "part_id": pid,
                        "resource_key": resources[oid % 3],
                        "resource_kind": "team",
                        "department": "water",
                        "dispatcher": "ops",
                        "dispatcher_role": "city_dispatcher",
                        "method": "hand",
                        "explanation": {},
                        "at": at[i],
                        "outcome": "completed",
                        "outcome_at": at[i],
                        "reason": "",
                    }
                    for i, (oid, pid) in enumerate(zip(ids, part_ids, strict=True))
                ],
            )
            s.execute(
                insert(OrderEvent),
                [
                    event
                    for i, (oid, order) in enumerate(zip(ids, orders, strict=True))
                    for event in history_events(oid, order, resources[oid % 3], at[i])
                ],
            )
            s.execute(
                insert(Evaluation),
                [
                    {
                        "order_id": oid,
                        "part_id": pid,
                        "resource_key": resources[oid % 3],
                        "department": "water",
                        "rating": 3 + oid % 3,
                        "comment": "",
                        "rater": "bench",
                        "at": at[i],
                    }
                    for i, (oid, pid) in enumerate(zip(ids, part_ids, strict=True))
                ],
            )
            s.execute(
                insert(ServiceHours),
                [
                    {
                        "order_id": oid,
                        "part_id": pid,
                        "resource_key": resources[oid % 3],
                        "department": "water",
                        "volunteer": f"v{(oid * 7 + j) % 5000}",
                        "hours": 2.0,
                        "at": at[i],
                    }
                    for i, (oid, pid) in enumerate(zip(ids, part_ids, strict=True))
                    for j in range(2)
                ],
            )
    return time.perf_counter() - started


def history_events(oid: int, order: dict, resource: str, at: dt.datetime) -> list[dict]:
    """The six events of a finished order, as the workflow would have written them."""
    submit = {
        "order": {
            "category": order["category"],
            "place": order["place_code"],
            "headcount": order["headcount"],
        },
        "parts": [{"seq": 1, "department": None, "contribution": "", "resource_kinds": []}],
    }
    volunteers = [{"volunteer": f"v{(oid * 7 + j) % 5000}", "hours": 2.0} for j in range(2)]
    steps = [
        ("submit", None, "submitted", None, None, submit),
        ("dispatch", "submitted", "dispatched", "pending", "dispatched", {"resource": resource}),
        ("accept", "dispatched", "accepted", "dispatched", "accepted", {"resource": resource}),
        ("start", "accepted", "in_service", "accepted", "in_service", {"resource": resource}),
        (
            "complete",
            "in_service",
            "completed",
            "in_service",
            "completed",
            {"volunteers": volunteers},
        ),
        ("evaluate", "completed", "evaluated", None, None, {"rating": 3 + oid % 3}),
    ]
    return [
        {
            "order_id": oid,
            "seq": k,
            "part_seq": 1 if part_from is not None else None,
            "action": action,
            "from_state": before,
            "to_state": after,
            "part_from": part_from,
            "part_to": part_to,
            "actor": order["requester"] if action in ("submit", "evaluate") else "bench",
            "role": "station_operator",
            "at": at,
            "reason": "",
            "data": data,
        }
        for k, (action, before, after, part_from, part_to, data) in enumerate(steps, 1)
    ]


def run_orders(
    wf,
    count: int,
    mode: str,
    *,
    day: dt.date = dt.date(2023, 7, 10),
    latencies: list[float] | None = None,
) -> float:
    """Take ``count`` new orders through every state, their windows from ``day`` on;
    return seconds. Each transition's own time is added to ``latencies`` (not the batch
    dispatch's)."""
    from wenming.orders import Actor

    def timed(fn, *args, **kwargs):
        if latencies is None:
            return fn(*args, **kwargs)
        begun = time.perf_counter()
        out = fn(*args, **kwargs)
        latencies.append(time.perf_counter() - begun)
        return out

    ops = Actor("ops", "city_dispatcher")
    station = Actor("station", "station_operator", area="3205")
    started = time.perf_counter()
    ids = []
    for i in range(count):
        order = timed(
            wf.submit,
            station,
            category="science",
            place=PLACES[i % len(PLACES)],
            site=PLACES[i % len(PLACES)],
            start=day + dt.timedelta(days=i % 60),
            headcount=10 + i % 30,
            tags=["water_saving"],
            audiences=["minors"],
        )
        ids.append(order.id)
        if mode == "hand":
            timed(wf.dispatch, ops, order.id, "water.corps")
    if mode == "batch":
        result = wf.batch_dispatch(ops, ids)
        for demand_id in result.unassigned:  # fully booked: the dispatcher steps in by hand
            timed(wf.dispatch, ops, int(demand_id.split(".")[0]), "water.corps")
    for order_id in ids:
        team = Actor("lead", "team_leader", team=wf.order(order_id).parts[0].resource)
        timed(wf.accept, team, order_id)
        timed(wf.start, team, order_id)
        timed(wf.complete, team, order_id, {"张三": 2.0, "李四": 1.5})
        timed(wf.evaluate, station, order_id, 5)
    elapsed = time.perf_counter() - started
    return elapsed


#: Warm-up orders' windows: apart from the measured orders' days (and their slots).
WARMUP_DAY = dt.date(2023, 1, 2)


def _writer(url: str, number: int, warmup: int, orders: int, ready, results) -> None:
    """One of several processes taking orders through the workflow on one database."""
    import wenming_water
    from wenming.orders.testing import make_workflow

    wf = make_workflow(url, [("water", wenming_water)])
    run_orders(wf, warmup, "hand", day=WARMUP_DAY + dt.timedelta(days=61 * number))
    ready.wait()
    latencies: list[float] = []
    begun = time.perf_counter()
    run_orders(
        wf,
        orders,
        "hand",
        day=dt.date(2023, 7, 10) + dt.timedelta(days=61 * number),
        latencies=latencies,
    )
    retries = getattr(
        getattr(wf, "journal", None), "retries", None
    )  # counted since the writers' commit
    results.put(
        {
            "begun": begun,
            "ended": time.perf_counter(),
            "latencies": latencies,
            "busy": None if retries is None else retries.get("busy", 0),
        }
    )
    wf.deployment.close()


def _percentiles(latencies: list[float]) -> dict:
    ordered = sorted(latencies)
    if not ordered:
        return {}
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50_ms": at(0.5) * 1e3, "p99_ms": at(0.99) * 1e3, "max_ms": ordered[-1] * 1e3}


def measure(
    backend: str,
    history: int,
    mode: str,
    orders: int,
    synchronous_commit: str | None = None,
    warmup: int = 0,
    writers: int = 1,
) -> dict:
    """One run on this process's ``wenming``: a fresh database, history, ``warmup``
    orders not timed (imports, caches, prepared statements), then the orders — by
    ``writers`` processes at once when more than one (by hand, each its own days)."""
    import wenming_water
    from wenming.orders.events import verify
    from wenming.orders.testing import make_workflow

    db = Database(backend, synchronous_commit)
    cpu: dict[str, float] = {}
    try:
        wf = make_workflow(db.url, [("water", wenming_water)])
        loaded = load_history(wf, history)
        if writers > 1:
            wf.storage.dispose()  # the writers open their own connections
            ctx = multiprocessing.get_context("fork")
            ready, results = ctx.Barrier(writers), ctx.Queue()
            procs = [
                ctx.Process(target=_writer, args=(db.url, w, warmup, orders, ready, results))
                for w in range(writers)
            ]
            for proc in procs:
                proc.start()
            done = [results.get(timeout=3600) for _ in procs]
            for proc in procs:
                proc.join()
            seconds = max(d["ended"] for d in done) - min(d["begun"] for d in done)
            latencies = [x for d in done for x in d["latencies"]]
            counted = [d["busy"] for d in done if d["busy"] is not None]
            busy = sum(counted) if counted else None
            checked = [o.id for o in wf.orders(limit=orders * writers)]
        else:
            if warmup:
                run_orders(wf, warmup, mode, day=WARMUP_DAY)
            latencies = []
            server = _server_cpu(wf)
            client = time.process_time()
            seconds = run_orders(wf, orders, mode, latencies=latencies)
            cpu["client"] = (time.process_time() - client) / (orders * TRANSITIONS_PER_ORDER)
            if server is not None:
                spent = _server_cpu(wf, server[0])
                if spent is not None:
                    cpu["server"] = (spent[1] - server[1]) / (orders * TRANSITIONS_PER_ORDER)
            retries = getattr(getattr(wf, "journal", None), "retries", None)
            busy = None if retries is None else retries.get("busy", 0)
            checked = [o.id for o in wf.orders(limit=orders)]  # the new orders
        checked += list(range(1, min(history, 200) + 1))  # the oldest of the loaded year
        problems = verify(wf.storage, checked)
        if problems:
            raise SystemExit(f"event replay disagrees: {problems[:2]}")
        wf.deployment.close()
    finally:
        db.close()
    return {
        "seconds": seconds,
        "loaded": loaded,
        "busy": busy,
        **{f"{k}_cpu_us": v * 1e6 for k, v in cpu.items()},
        **_percentiles(latencies),
    }


def _server_cpu(wf, pid: int | None = None) -> tuple[int, float] | None:
    """PostgreSQL on this machine: the server process of the workflow's pooled
    connection and its CPU seconds so far (Linux ``/proc``); ``None`` elsewhere.
    CPU time is steadier than wall time on a shared machine, and tells the client's
    share from the server's."""
    if wf.storage.backend != "postgresql":
        return None
    if pid is None:
        from sqlalchemy import text

        with wf.storage.engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # another machine's server, or not Linux
        return None
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def checkout(rev: str):
    """A temporary git worktree of ``rev``; yields its ``core/src`` folder."""
    repo = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "-C", str(repo), "worktree", "add", "-q", "--detach", str(tree), rev],
            check=True,
        )
        try:
            yield tree / "core" / "src"
        finally:
            subprocess.run(
                ["git", "-C", str(repo), "worktree", "remove", "--force", str(tree)], check=False
            )


def measure_elsewhere(src: Path, backend: str, history: int, mode: str, orders: int, **kw) -> dict:
    """The same run in a subprocess whose ``wenming`` (and water plugin) are imported from
    ``src`` (and that tree's ``plugins/water/src``)."""
    water = src.parents[1] / "plugins" / "water" / "src"
    paths = [str(src), str(water), os.environ.get("PYTHONPATH", "")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths))
    args = [sys.executable, __file__, "--one", f"{backend},{history},{mode}"]
    args += ["--warmup", str(kw.get("warmup", 0)), "--writers", str(kw.get("writers", 1))]
    if kw.get("synchronous_commit"):
        args += ["--synchronous-commit", kw["synchronous_commit"]]
    done = subprocess.run(
        [*args, "--orders", str(orders)], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"the baseline run failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--history", type=int, default=17_000)
    parser.add_argument("--modes", default="hand,batch")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--baseline",
        default="194238b",
        help="Commit(s) to measure beside this tree, comma-separated ('' for none).",
    )
    parser.add_argument(
        "--synchronous-commit",
        choices=["on", "off"],
        help="PostgreSQL only: the sessions' synchronous_commit (to measure what waiting "
        "for the commit's WAL flush costs; the server's own setting otherwise).",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=10,
        help="Orders taken through first, not timed (imports, caches, prepared statements).",
    )
    parser.add_argument(
        "--writers",
        type=int,
        default=1,
        help="Processes taking --orders orders each at once on one database (by hand).",
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)  # backend,history,mode: JSON out
    args = parser.parse_args(argv)
    options = {
        "synchronous_commit": args.synchronous_commit,
        "warmup": args.warmup,
        "writers": args.writers,
    }

    if args.one:
        backend, history, mode = args.one.split(",")
        print(json.dumps(measure(backend, int(history), mode, args.orders, **options)))
        return 0

    import wenming

    backends = [
        b
        for b in args.backends.split(",")
        if b == "sqlite" or (b == "postgresql" and postgres_url())
    ]
    rows = []
    with contextlib.ExitStack() as stack:
        baselines = [
            (rev, stack.enter_context(checkout(rev)))
            for rev in args.baseline.split(",")
            if rev.strip()
        ]
        here = Path(wenming.__file__).resolve().parents[1]
        print(f"# this tree: wenming from {here.parent.name}", file=sys.stderr)
        load_before = os.getloadavg()
        writers = args.writers
        modes = ["hand"] if writers > 1 else args.modes.split(",")
        for backend in backends:
            for history in sorted({0, args.history}):
                for mode in modes:
                    runs = [
                        (
                            rev,
                            measure_elsewhere(src, backend, history, mode, args.orders, **options),
                        )
                        for rev, src in baselines
                    ]
                    runs.append(
                        ("this tree", measure(backend, history, mode, args.orders, **options))
                    )
                    for code, result in runs:
                        rate = args.orders * writers / result["seconds"]
                        latency = " / ".join(
                            f"{result[k]:.1f}" if k in result else "–"
                            for k in ("p50_ms", "p99_ms", "max_ms")
                        )
                        rows.append(
                            (
                                backend,
                                code,
                                f"{history:,}",
                                mode if writers == 1 else f"hand, {writers} writers",
                                args.orders * writers,
                                f"{result['seconds']:.2f}",
                                f"{rate:.1f}",
                                f"{rate * TRANSITIONS_PER_ORDER:.0f}",
                                f"{17_000 / rate / 60:.1f} min",
                                latency,
                                "–" if result.get("busy") is None else result["busy"],
                                " / ".join(
                                    f"{result[k]:.0f}" if k in result else "–"
                                    for k in ("client_cpu_us", "server_cpu_us")
                                ),
                                f"{result['loaded']:.1f}",
                            )
                        )
                        print(
                            f"# {backend} {code} history={history} {mode}: "
                            f"{rate * TRANSITIONS_PER_ORDER:.0f} transitions/s",
                            file=sys.stderr,
                        )
    print(
        "| backend | code | history orders | dispatch | orders | seconds | orders/s "
        "| transitions/s | 17,000 orders take | a transition p50 / p99 / max (ms) "
        "| busy retries | CPU per transition, client / server (µs) | history load (s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    load_after = os.getloadavg()
    sync = args.synchronous_commit
    print(
        f"\nLoad average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in load_before)} before, "
        f"{', '.join(f'{x:.2f}' for x in load_after)} after; {args.warmup} warm-up orders"
        + (f"; PostgreSQL sessions with synchronous_commit={sync}" if sync else "")
    )
    if "postgresql" in args.backends and not postgres_url():
        print("\n(PostgreSQL skipped: set WENMING_BENCH_POSTGRES_URL or WENMING_TEST_POSTGRES_URL)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
