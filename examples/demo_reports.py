"""The demo's last step: a weekend of orders across Suzhou, delivered, then the
leaderboard (排行榜), the statistics officials take to Excel, civilized units and their
points, and the offline dashboard written next to the map.

The orders are filed and answered through the Python API (the same service the CLI
calls) so that a few hundred of them take seconds; every figure is then read back with
the commands an official would type.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

WEEKEND = (dt.date(2027, 5, 22), dt.date(2027, 5, 23))
NEEDS = (
    ("science", "water_saving", "minors"),
    ("health_fitness", "first_aid", "elderly"),
    ("legal", "law_popularisation", "residents"),
    ("culture_arts", "red_film", "residents"),
    ("education_support", "summer_care", "children_of_migrant_workers"),
    ("emergency_rescue", "first_aid", "new_employment"),
)


def file_a_weekend(deployment_file: Path, villages_csv: Path, count: int = 120) -> dict:
    """Submit ``count`` orders for one weekend at real villages, batch-dispatch them, and
    have the teams accept, deliver and the stations evaluate most of them."""
    from wenming.deployment import Deployment
    from wenming.orders import Actor, WorkflowError
    from wenming.orders.service import Workflow

    with villages_csv.open(encoding="utf-8") as fh:
        villages = [row["code"] for row in csv.DictReader(fh)]
    rng = random.Random(20270522)
    wf = Workflow(Deployment.from_file(deployment_file))
    ops = Actor("guidance-center", "city_dispatcher")
    ids = []
    for n in range(count):
        category, tag, audience = rng.choice(NEEDS)
        place = rng.choice(villages)
        station = Actor(f"station-{place}", "station_operator", area=place)
        order = wf.submit(
            station,
            category=category,
            tags=[tag],
            audiences=[audience],
            place=place,
            site=place,
            start=rng.choice(WEEKEND),
            headcount=rng.randint(10, 40),
            idempotency_key=f"weekend-{n}",
        )
        ids.append((order.id, station))
    result = wf.batch_dispatch(ops, [i for i, _ in ids])
    delivered = declined = 0
    for order_id, station in ids:
        order = wf.order(order_id)
        for part in order.parts:
            if part.state != "dispatched":
                continue
            lead = Actor(f"lead-{part.resource}", "team_leader", team=part.resource)
            step: Callable = wf.accept
            try:
                if rng.random() < 0.08:
                    wf.decline(lead, order_id, "volunteers already booked", part=part.seq)
                    declined += 1
                    continue
                step(lead, order_id, part=part.seq)
                if rng.random() < 0.85:
                    wf.start(lead, order_id, part=part.seq)
                    served = {
                        f"志愿者{rng.randint(1, 400):03d}": rng.choice([1.5, 2, 3])
                        for _ in range(rng.randint(2, 5))
                    }
                    wf.complete(lead, order_id, served, part=part.seq)
                    wf.evaluate(station, order_id, rng.choice([4, 5, 5, 5, 3]))
                    delivered += 1
            except WorkflowError:
                continue
    wf.deployment.close()
    return {
        "orders": len(ids),
        "dispatched": len(result.dispatched),
        "delivered": delivered,
        "declined": declined,
    }


def reports_demo(
    run: Callable[..., None], scratch: Path, root: Path, volunteers: list[int]
) -> None:
    """Called by examples/demo.py with its ``run`` (prints and runs one command) and the
    volunteers the people demo imported."""
    print("\n# 排行榜: a weekend of orders across Suzhou, delivered and evaluated")
    figures = file_a_weekend(
        scratch / "wenming.toml", root / "core/src/wenming/data/regions/suzhou/villages.csv"
    )
    print(
        f"{figures['orders']} orders filed for {WEEKEND[0]}–{WEEKEND[1]}: "
        f"{figures['dispatched']} dispatched in one batch, {figures['declined']} declined, "
        f"{figures['delivered']} delivered and evaluated (through the Python API)"
    )
    run("leaderboard", "--metric", "orders_completed", "--by", "county")
    run("leaderboard", "--metric", "orders_accepted", "--by", "department", "--top", "5")
    run("leaderboard", "--metric", "evaluation", "--by", "team", "--top", "5")
    run("leaderboard", "--metric", "resources_published", "--by", "county", "--top", "3")
    xlsx = scratch / "stats.xlsx"
    run("stats", "table", "--by", "county", "--xlsx", str(xlsx.relative_to(root)))
    run("leaderboard", "--metric", "confirmed_hours", "--by", "team", "--top", "3")
    run("stats", "verify")

    print("\n# 志愿者排行: only who opted in, masked, adults only; the publication is recorded")
    for vid in volunteers[:2]:
        run("ranking", "consent", str(vid), "--actor", str(vid), "--role", "volunteer")
    run(
        "ranking",
        "publish",
        "--top",
        "10",
        "--actor",
        "guidance-center",
        "--role",
        "city_dispatcher",
    )
    run("ranking", "published")

    print("\n# 文明单位动态积分: 1,143 units (synthetic), a claim with evidence, review")
    run("units", "synthesize")
    evidence = scratch / "pairing-agreement.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% demo: a pairing agreement with a station\n")
    unit = ["--actor", "unit00001-office", "--role", "unit_operator", "--unit", "unit00001"]
    reviewer = ["--actor", "civilization-office", "--role", "points_reviewer"]
    run(
        "points",
        "submit",
        "unit00001",
        "pairing",
        "--evidence",
        str(evidence.relative_to(root)),
        *unit,
    )
    run("points", "review", "1", "--approve", "--reason", "协议齐全", *reviewer)
    run("points", "standings", "--top", "3")
    dashboard = scratch / "dashboard.html"
    run("stats", "dashboard", str(dashboard.relative_to(root)))
    print(f"Open the dashboard (next to the map) in a browser: {dashboard.resolve().as_uri()}")
