"""The demo deployment: composes a deployment from every installed plugin in a scratch
folder and shows, command by command, what wenming does with it.

Run it with ``python3 -m nox -s demo`` (see the README). Each step prints the command
it runs, so everything shown can be repeated by hand.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from demo_api import api_demo
from demo_console import console_demo
from demo_intake import intake_demo
from demo_people import people_demo
from demo_relevance import relevance_demo
from demo_reports import reports_demo

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / ".demo"


def run(*args: str, check: bool = True) -> None:
    cmd = ["wenming", "-d", str((SCRATCH / "wenming.toml").relative_to(ROOT)), *args]
    print(f"\n$ {shlex.join(cmd)}", flush=True)
    result = subprocess.run([sys.executable, "-m", "wenming", *cmd[1:]], cwd=ROOT)
    if check and result.returncode != 0:
        raise SystemExit(f"demo step failed with exit code {result.returncode}: {shlex.join(cmd)}")


def main() -> None:
    if SCRATCH.exists():
        shutil.rmtree(SCRATCH)
    print(f"Composing a deployment of every installed plugin in {SCRATCH.relative_to(ROOT)}/")
    print(f"\n$ wenming init {SCRATCH.relative_to(ROOT)} --name Suzhou")
    subprocess.run(
        [sys.executable, "-m", "wenming", "init", SCRATCH.name, "--name", "Suzhou"],
        cwd=ROOT,
        check=True,
    )
    run("plugins")
    run("check")
    network_demo()
    relevance_demo(run)
    matching_demo()
    orders_demo()
    intake_demo(run, capture)  # wishes in the requesters' own words
    api_demo(SCRATCH / "wenming.toml", ROOT)
    console_demo(SCRATCH / "wenming.toml", ROOT)  # the web console
    __import__("demo_reliability").reliability_demo(run, SCRATCH)
    volunteers = people_demo(run, capture, SCRATCH, ROOT)
    reports_demo(run, SCRATCH, ROOT, volunteers)  # ends with the leaderboard and dashboard


def capture(*args: str):
    """Run a command with --json, print it like ``run`` does, return the parsed output."""
    import json

    cmd = ["wenming", "-d", str((SCRATCH / "wenming.toml").relative_to(ROOT)), *args, "--json"]
    print(f"\n$ {shlex.join(cmd)}", flush=True)
    result = subprocess.run(
        [sys.executable, "-m", "wenming", *cmd[1:]], cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"demo step failed: {shlex.join(cmd)}\n{result.stderr}")
    data = json.loads(result.stdout)
    if isinstance(data, dict) and "state" in data:
        print(f"order {data['id']} is {data['state']}")
    elif isinstance(data, dict) and "key" in data:
        print(f"{data['key']} is {data['status']}")
    elif isinstance(data, list):
        print(f"({len(data)} item(s))")
    return data


def orders_demo() -> None:
    """Take orders through the workflow: a decline and ranked re-dispatch, an order from
    published supply, a joint order; then show a timeline and the outbox."""
    import os

    os.environ["WENMING_OUTBOX"] = str(SCRATCH / "outbox.jsonl")
    ops = ["--actor", "guidance-center", "--role", "city_dispatcher"]
    water = [
        "--actor",
        "water-subcenter",
        "--role",
        "department_dispatcher",
        "--department",
        "water",
    ]
    station = ["--actor", "huqiu-station", "--role", "station_operator", "--area", "320505001"]
    when = ["--place", "320505001002", "--site", "320505001002", "--start", "2023-07-10"]

    def lead(key: str) -> list[str]:
        return ["--actor", f"lead-{key}", "--role", "team_leader", "--team", key]

    def deliver(order_id: str, parts: list[dict]) -> None:
        for part in parts:
            team, seq = lead(part["resource"]), ["--part", str(part["seq"])]
            capture("accept", order_id, *seq, *team)
        for part in parts:
            team, seq = lead(part["resource"]), ["--part", str(part["seq"])]
            capture("order", "start", order_id, *seq, *team)
            capture(
                "complete",
                order_id,
                *seq,
                "--volunteer",
                "张敏=2.5",
                "--volunteer",
                "李强=2",
                *team,
            )

    print("\n# 点单 → 派单 → 接单 (a decline, then the engine's choice) → 评单")
    first = capture(
        "order",
        "submit",
        *when,
        "--category",
        "science",
        "--headcount",
        "30",
        "--tag",
        "water_saving",
        "--audience",
        "minors",
        "--key",
        "demo-1",
        *station,
    )
    oid = str(first["id"])
    capture("dispatch", oid, "--resource", "water.corps", "--reason", "the hub corps", *water)
    capture("decline", oid, "--reason", "all volunteers at the flood drill", *lead("water.corps"))
    run("order", "candidates", oid, "-k", "3", *ops)
    order = capture("dispatch", oid, "--rank", "1", *ops)
    deliver(oid, order["parts"])
    capture("evaluate", oid, "--rating", "5", "--comment", "孩子们很喜欢", *station)

    print("\n# 供单: a sub-center publishes a venue and a station orders it directly")
    capture(
        "supply",
        "publish",
        "pump_station_open_day",
        "--kind",
        "venue",
        "--name-zh",
        "胥江泵站开放日",
        "--place",
        "320505001",
        "--owner",
        "water",
        "--category",
        "science",
        "--capacity",
        "40",
        "--serves",
        "320505",
        *water,
    )
    direct = capture(
        "order",
        "submit",
        *when,
        "--category",
        "science",
        "--headcount",
        "25",
        "--resource",
        "water.pump_station_open_day",
        *station,
    )
    deliver(str(direct["id"]), direct["parts"])
    capture("evaluate", str(direct["id"]), "--rating", "4", *station)

    print("\n# 拼单: a Gusu station asks, in its own words, for an outdoor wedding in a garden")
    gusu = ["--actor", "gusu-station", "--role", "station_operator", "--area", "320508018"]
    words = ["--category", "culture_arts", "--tag", "wedding", "--tag", "garden"]
    words += ["--audience", "residents", "--place", "320508018025"]
    proposals = capture("match", "--joint", *words, "--date", "2023-10-10", "--k", "1")
    template = proposals["proposals"][0]["template"]
    print(f"the engine's best joint project for those words: {template}")
    joint = capture(
        "joint",
        "submit",
        "--template",
        template,
        "--place",
        "320508018025",
        "--site",
        "320508018025",
        "--start",
        "2023-10-10",
        "--headcount",
        "20",
        *gusu,
    )
    jid = str(joint["id"])
    capture("joint", "proposals", jid, "-k", "3")
    joint = capture("joint", "dispatch", jid, *ops)
    deliver(jid, joint["parts"])
    capture("evaluate", jid, "--rating", "5", "--comment", "园林里的婚礼，很有江南味道", *gusu)
    run("order", "show", jid)
    run("order", "show", oid)
    run("order", "list")
    run("order", "verify")
    run("outbox")


def matching_demo() -> None:
    """The engine: one demand ranked with each rule's share of the score, joint projects
    proposed from a station's own words, and many demands assigned at once."""
    print("\n# 派单 support: ranked candidates for one demand, with reasons")
    run(
        "match",
        "--category",
        "science",
        "--tag",
        "water_saving",
        "--audience",
        "minors",
        "--headcount",
        "30",
        "--place",
        "320505001002",
        "--date",
        "2023-07-10",
        "--k",
        "5",
        "--explain",
    )
    print("\n# 拼单 from a station's words (no department, no template named)")
    run(
        "match",
        "--joint",
        "--category",
        "culture_arts",
        "--tag",
        "wedding",
        "--tag",
        "garden",
        "--audience",
        "residents",
        "--place",
        "320508018025",
        "--date",
        "2023-10-10",
        "--k",
        "3",
    )
    print("\n# batch dispatch: 1,500 demands for one weekend, all over Suzhou, at once")
    path = write_demands(SCRATCH / "demands.csv", 1500)
    for method in ("optimal", "greedy"):
        run_summary("match", "--batch", str(path.relative_to(ROOT)), "--method", method)


def write_demands(path: Path, count: int) -> Path:
    """A deterministic CSV of demands placed in real villages, for the batch dispatch."""
    import csv
    import random

    villages_csv = ROOT / "core/src/wenming/data/regions/suzhou/villages.csv"
    with villages_csv.open(encoding="utf-8") as f:
        villages = [row["code"] for row in csv.DictReader(f)]
    needs = [
        ("science", "water_saving", "minors"),
        ("health_fitness", "first_aid", "elderly"),
        ("legal", "law_popularisation", "residents"),
        ("culture_arts", "red_film", "residents"),
        ("education_support", "summer_care", "children_of_migrant_workers"),
        ("hygiene_environment", "clean_streets", "residents"),
        ("help_in_difficulty", "shopping_help", "elderly"),
        ("emergency_rescue", "first_aid", "new_employment"),
    ]
    rng = random.Random(20230330)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "category", "tags", "audiences", "headcount", "place", "start"])
        for n in range(count):
            category, tag, audience = rng.choice(needs)
            day = rng.choice(["2023-05-20", "2023-05-21"])  # one busy weekend
            row = [f"d{n:04d}", category, tag, audience, rng.randint(10, 40)]
            out.writerow([*row, rng.choice(villages), day])
    return path


def run_summary(*args: str) -> None:
    """Run a command that prints one line per item; show the first lines and the summary."""
    cmd = ["wenming", "-d", str((SCRATCH / "wenming.toml").relative_to(ROOT)), *args]
    print(f"\n$ {shlex.join(cmd)}", flush=True)
    result = subprocess.run(
        [sys.executable, "-m", "wenming", *cmd[1:]], cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"demo step failed: {shlex.join(cmd)}\n{result.stderr}")
    lines = result.stdout.splitlines()
    import re

    tail = (
        lines[-2:] if len(lines) > 6 and re.match(r"^\d+ unassigned: ", lines[-2]) else lines[-1:]
    )
    print("\n".join([*lines[:4], f"… ({len(lines) - 4 - len(tail)} more lines)", *tail]))


def network_demo() -> None:
    """The practice network: load Suzhou's divisions, add the seed-scale synthetic points
    and resources (so matching and orders act on 1,200 points and 1,549 resources),
    compare with the seed's figures, a near query, coverage, and the offline map."""
    run("network", "load")
    run("network", "synthesize")
    run("network", "stats")
    run("network", "show", "320585100203")  # 太仓市城厢镇电站村, the seed's model station
    run("network", "pair", "3205.veterans", "320585100203", "--note", "双拥国防园")
    run("network", "near", "120.6195,31.3114", "--type", "station", "--k", "5")
    run("network", "coverage")
    run("network", "map", str((SCRATCH / "map.html").relative_to(ROOT)))


if __name__ == "__main__":
    main()
