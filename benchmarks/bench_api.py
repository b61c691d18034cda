"""The HTTP API under load: 50 concurrent clients for 60 s against a real ``wenming
serve`` on 127.0.0.1, on SQLite and PostgreSQL, mixing reads with workflow transitions.

Each client runs orders through the whole workflow over HTTP — submit (a station) →
dispatch by hand (the city dispatcher) → accept → start → complete (the team's leader)
→ evaluate (the station) — with two reads between transitions (a page of orders, one
order, its timeline, the supply list, who am I). One order in ten is first dispatched
to a resource too small for it (must be refused), and one in ten is accepted twice at
once with the same ``If-Match`` (exactly one must win). Goals: p99 < 100 ms for reads
and < 250 ms for transitions, no 5xx, no lost update (each order's successful writes
have versions 1, 2, … n and the order ends at version n), no capacity overrun, and
``wenming order verify`` clean afterwards.

Clients behave like people at a front end: after each answer a client pauses for a
random time (exponential, mean ``--think`` seconds, 0.5 by default: a quick dispatcher
clicking twice a second) before its next request, so 50 clients offer at most
50 / think requests a second. With ``--think 0`` every client sends its next request
the moment the last one is answered: the server is saturated, and the latency is
mostly queueing (Little's law: clients / throughput). Both are reported in
docs/performance.md.

Before the timed run, four clients take orders through for 3 s (``--warmup``) so that
the server's first requests (imports, the matching engine, prepared statements) are
not timed; their answers still count for the 5xx, lost-update and capacity checks.
Tokens are issued directly (no argon2 sign-in per client). The load generator runs in
this process (asyncio, httpx2), the server in its own; both share the machine, so the
latencies include the client's own overhead. Run::

    python benchmarks/bench_api.py [--clients 50] [--seconds 60] [--think 0.5] [--backend sqlite]
    python benchmarks/bench_api.py --think 0          # saturated: the server's capacity

PostgreSQL is used too when ``WENMING_BENCH_POSTGRES_URL`` or
``WENMING_TEST_POSTGRES_URL`` names a server (a private schema is created and dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_workflow import Database, postgres_url

TEAMS = ["water.corps", "water.water_classroom"]  # capacity 60 each
SMALL = "water.water_journey"  # capacity 40
AREA = "320505"
PLACE = "320505001002"
#: Each order gets a day of its own, so no dispatch meets a fully booked resource-day
#: (a team serves one order a day): the runs measure the workflow, not refusals.
FIRST_DAY = dt.date(2030, 1, 1)
DAYS = itertools.count()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(folder: Path, url: str) -> tuple[Path, dict[str, str]]:
    """A deployment file, its secret and schema, and a bearer token per role."""
    from wenming.accounts.service import Accounts
    from wenming.deployment import Deployment, render_config
    from wenming.secrets import SECRET_FILE, create_secret_file

    path = folder / "wenming.toml"
    text = render_config("bench", url).replace("only = []", 'only = ["water"]')
    path.write_text(text, encoding="utf-8")
    create_secret_file(folder / SECRET_FILE)
    deployment = Deployment.from_file(path)
    deployment.storage.create()
    accounts = Accounts(deployment)
    users = {
        "station": ("station_operator", {"area": AREA}),
        "ops": ("city_dispatcher", {}),
        **{key: ("team_leader", {"team": key}) for key in [*TEAMS, SMALL]},
    }
    tokens = {}
    for name, (role, scope) in users.items():
        user = accounts.add(name.replace(".", "-"), role, "bench password 123", **scope)
        tokens[name] = accounts.access_token(user, minutes=240)
    deployment.close()
    return path, tokens


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[int, int] = defaultdict(int)
        self.versions: dict[int, list[int]] = defaultdict(list)
        self.races = 0
        self.race_double_wins = 0
        self.overcapacity_refused = 0
        self.overcapacity_accepted = 0
        self.unexpected: list[str] = []
        self.done: list[float] = []  # when each answer came (throughput over time)


async def client(
    api, tokens, stats: Stats, deadline: float, rng: random.Random, think: float = 0.0
) -> None:
    def auth(who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[who]}"}

    async def pause() -> None:
        if think > 0:  # a person reads the answer before the next click
            await asyncio.sleep(rng.expovariate(1 / think))

    async def call(kind, method, url, who, *, race=False, **kw):
        if not race:
            await pause()
        started = time.perf_counter()
        r = await api.request(method, url, headers={**auth(who), **kw.pop("headers", {})}, **kw)
        stats.latency[kind].append(time.perf_counter() - started)
        stats.done.append(time.monotonic())
        stats.status[r.status_code] += 1
        return r

    async def write(method, url, who, expect=200, **kw):
        r = await call("transition", method, url, who, **kw)
        if r.status_code != expect:
            stats.unexpected.append(f"{method} {url} as {who}: {r.status_code} {r.text[:160]}")
            return None
        body = r.json()
        stats.versions[body["id"]].append(body["version"])
        return body

    async def reads(oid: int) -> None:
        for _ in range(2):
            url = rng.choice(
                [
                    "/orders?limit=20",
                    f"/orders/{oid}",
                    f"/orders/{oid}/timeline",
                    "/supply?limit=20",
                    "/auth/me",
                ]
            )
            r = await call("read", "GET", url, rng.choice(["station", "ops"]))
            if r.status_code != 200:
                stats.unexpected.append(f"GET {url}: {r.status_code} {r.text[:160]}")

    while time.monotonic() < deadline:
        order = {
            "place": PLACE,
            "site": PLACE,
            "start": (FIRST_DAY + dt.timedelta(days=next(DAYS))).isoformat(),
            "category": "science",
            "headcount": 50,
            "tags": ["water_saving"],
        }
        made = await write("POST", "/orders", "station", expect=201, json=order)
        if made is None:
            continue
        oid = made["id"]
        await reads(oid)
        if rng.random() < 0.1:  # too small for 50 people: must be refused
            r = await call(
                "transition", "POST", f"/orders/{oid}/dispatch", "ops", json={"resource": SMALL}
            )
            if r.status_code == 422:
                stats.overcapacity_refused += 1
            else:
                stats.overcapacity_accepted += 1
        team = rng.choice(TEAMS)
        if await write("POST", f"/orders/{oid}/dispatch", "ops", json={"resource": team}) is None:
            continue
        await reads(oid)
        if rng.random() < 0.1:  # two accepts at once on the same version: one wins
            stats.races += 1
            await pause()  # then both at once
            both = await asyncio.gather(
                *(
                    call(
                        "transition",
                        "POST",
                        f"/orders/{oid}/accept",
                        team,
                        headers={"If-Match": '"2"'},
                        race=True,
                    )
                    for _ in range(2)
                )
            )
            wins = [r for r in both if r.status_code == 200]
            if len(wins) != 1 or any(r.status_code not in (200, 409) for r in both):
                stats.race_double_wins += 1
            for r in wins:
                stats.versions[oid].append(r.json()["version"])
            if not wins:
                continue
        elif await write("POST", f"/orders/{oid}/accept", team) is None:
            continue
        await reads(oid)
        if await write("POST", f"/orders/{oid}/start", team) is None:
            continue
        served = {"volunteers": [{"volunteer": f"志愿者{oid}", "hours": 2}]}
        if await write("POST", f"/orders/{oid}/complete", team, json=served) is None:
            continue
        await reads(oid)
        await write("POST", f"/orders/{oid}/evaluate", "station", json={"rating": 5})


async def load(
    base: str, tokens, clients: int, seconds: float, think: float = 0.0, warmup: float = 3.0
) -> Stats:
    import httpx2

    stats = Stats()
    limits = httpx2.Limits(max_connections=clients + 10, max_keepalive_connections=clients + 10)
    async with httpx2.AsyncClient(base_url=base, timeout=60, limits=limits) as api:
        # warm-up, not timed: the server's first requests import modules, build the
        # matching engine and prepare statements; a few clients take orders through
        # first (their statuses, versions and surprises still count)
        warm = Stats()
        deadline = time.monotonic() + warmup
        await asyncio.gather(
            *(client(api, tokens, warm, deadline, random.Random(-1 - i)) for i in range(4))
        )
        for code, n in warm.status.items():
            stats.status[code] += n
        stats.versions.update(warm.versions)
        stats.unexpected.extend(warm.unexpected)
        deadline = time.monotonic() + seconds
        await asyncio.gather(
            *(client(api, tokens, stats, deadline, random.Random(i), think) for i in range(clients))
        )
        # no lost update: each order's successful writes are versions 1..n, and it is at n
        lost = []
        for oid, seen in stats.versions.items():
            r = await api.get(
                f"/orders/{oid}", headers={"Authorization": f"Bearer {tokens['ops']}"}
            )
            final = r.json()["version"]
            if sorted(seen) != list(range(1, final + 1)):
                lost.append(f"order {oid}: writes {sorted(seen)}, final version {final}")
        stats.lost = lost
    return stats


def _by_tenth(done: list[float]) -> list[float]:
    """Requests answered per second in each tenth of the timed run (does the server
    keep its pace as the database grows?)."""
    if len(done) < 10:
        return []
    first, last = min(done), max(done)
    width = (last - first) / 10 or 1.0
    counts = [0] * 10
    for t in done:
        counts[min(9, int((t - first) / width))] += 1
    return [round(c / width, 1) for c in counts]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def capacity_overruns(path: Path) -> int:
    from sqlalchemy import select

    from wenming.deployment import Deployment
    from wenming.orders.service import Workflow
    from wenming.orders.tables import Dispatch, Order

    deployment = Deployment.from_file(path)
    capacity = {r.key: r.capacity for r in Workflow(deployment).resources()}
    d, o = Dispatch.__table__, Order.__table__
    with deployment.storage.session() as s:
        rows = s.execute(
            select(d.c.resource_key, o.c.headcount).join(o, o.c.id == d.c.order_id)
        ).all()
    deployment.close()
    return sum(1 for key, headcount in rows if headcount > capacity[key])


def run(
    backend: str,
    clients: int,
    seconds: float,
    workers: int = 1,
    think: float = 0.0,
    warmup: float = 3.0,
) -> dict:
    db = Database(backend)
    folder = Path(db.tmp.name)
    server = None
    try:
        path, tokens = prepare(folder, db.url)
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("WENMING_")}
        server_log = open(folder / "server.log", "w", encoding="utf-8")  # noqa: SIM115
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "wenming",
                "-d",
                str(path),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=server_log,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        _wait(base, server)
        started = time.perf_counter()
        stats = asyncio.run(load(base, tokens, clients, seconds, think, warmup))
        elapsed = time.perf_counter() - started - warmup  # the timed part
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        verify = subprocess.run(
            [sys.executable, "-m", "wenming", "-d", str(path), "order", "verify", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        reads, writes = stats.latency["read"], stats.latency["transition"]
        return {
            "backend": backend,
            "workers": workers,
            "clients": clients,
            "think_s": think,
            "seconds": round(elapsed, 1),
            "requests": len(reads) + len(writes),
            "requests_per_s": round((len(reads) + len(writes)) / elapsed, 1),
            "reads": len(reads),
            "read_p50_ms": round(pct(reads, 0.5), 1),
            "read_p99_ms": round(pct(reads, 0.99), 1),
            "transitions": len(writes),
            "transition_p50_ms": round(pct(writes, 0.5), 1),
            "transition_p99_ms": round(pct(writes, 0.99), 1),
            "requests_per_s_by_tenth": _by_tenth(stats.done),
            "orders": len(stats.versions),
            "status": dict(sorted(stats.status.items())),
            "5xx": sum(n for code, n in stats.status.items() if code >= 500),
            "lost_updates": len(stats.lost),
            "races": stats.races,
            "race_failures": stats.race_double_wins,
            "overcapacity_refused": stats.overcapacity_refused,
            "overcapacity_accepted": stats.overcapacity_accepted,
            "capacity_overruns": capacity_overruns(path),
            "verify_clean": verify.returncode == 0 and json.loads(verify.stdout)["ok"],
            "unexpected": stats.unexpected[:5],
            "server_errors": [
                line
                for line in (folder / "server.log").read_text(encoding="utf-8").splitlines()
                if "Error" in line or "incident" in line
            ][:10],
        }
    finally:
        if server is not None and server.poll() is None:
            server.kill()
            server.wait(timeout=10)
        db.close()


def _wait(base: str, server: subprocess.Popen) -> None:
    import httpx2

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("wenming serve exited before answering")
        try:
            if httpx2.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("wenming serve did not start within 120 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--workers", type=int, default=1, help="wenming serve --workers")
    parser.add_argument(
        "--think",
        type=float,
        default=0.5,
        help="mean pause of a client before each request, in seconds (0: back to back)",
    )
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of untimed load first")
    parser.add_argument("--json", action="store_true")
    args, _ = parser.parse_known_args()
    backends = args.backend or (["sqlite", "postgresql"] if postgres_url() else ["sqlite"])
    results = [
        run(b, args.clients, args.seconds, args.workers, args.think, args.warmup) for b in backends
    ]
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return
    pause = f", mean think time {args.think:g} s" if args.think else ", back to back"
    print(f"HTTP API: {args.clients} clients for {args.seconds:g} s on 127.0.0.1{pause}")
    for r in results:
        print(
            f"{r['backend']:<10} {r['workers']} worker(s) {r['requests_per_s']:7.1f} req/s  "
            f"reads p50 {r['read_p50_ms']} / p99 {r['read_p99_ms']} ms (goal < 100)  "
            f"transitions p50 {r['transition_p50_ms']} / p99 {r['transition_p99_ms']} ms "
            f"(goal < 250)"
        )
        print(
            f"{'':<10} {r['orders']} orders, 5xx {r['5xx']}, lost updates {r['lost_updates']}, "
            f"races {r['races']} (double wins {r['race_failures']}), over-capacity refused "
            f"{r['overcapacity_refused']} / accepted {r['overcapacity_accepted']}, capacity "
            f"overruns {r['capacity_overruns']}, order verify "
            f"{'clean' if r['verify_clean'] else 'NOT clean'}"
        )
        for line in r["unexpected"] + r["server_errors"]:
            print(f"{'':<10} unexpected: {line}")


if __name__ == "__main__":
    main()
