"""The workflow commands over a real deployment file and SQLite database."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from wenming.cli import cli

OPS = ["--actor", "ops", "--role", "city_dispatcher"]
STATION = ["--actor", "st-1", "--role", "station_operator", "--area", "320505001"]


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for var in (
        "WENMING_ACTOR",
        "WENMING_ROLE",
        "WENMING_AREA",
        "WENMING_TEAM",
        "WENMING_DEPARTMENT",
    ):
        monkeypatch.delenv(var, raising=False)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    invoke("init", ".", "--name", "Suzhou")
    text = (tmp_path / "wenming.toml").read_text(encoding="utf-8")
    text = text.replace("only = []", 'only = ["water", "health", "housing"]')
    (tmp_path / "wenming.toml").write_text(text, encoding="utf-8")
    return invoke


def js(result):
    return json.loads(result.output)


def submit(run, *extra):
    args = ["order", "submit", "--place", "320505001002", "--site", "320505001002"]
    args += ["--start", "2023-07-10", "--category", "science", "--headcount", "30", *extra]
    return js(run(*args, *STATION, "--json"))


def test_an_order_through_the_command_line(run):
    order = submit(run, "--tag", "water_saving", "--audience", "minors", "--key", "mail-1")
    assert order["state"] == "submitted" and order["category"] == "core.science"
    assert (
        submit(run, "--tag", "water_saving", "--audience", "minors", "--key", "mail-1")["id"]
        == order["id"]
    )
    oid = str(order["id"])
    lead = ["--actor", "lead", "--role", "team_leader", "--team", "water.corps"]
    assert (
        js(run("dispatch", oid, "--resource", "water.corps", *OPS, "--json"))["state"]
        == "dispatched"
    )
    assert js(run("accept", oid, *lead, "--json"))["state"] == "accepted"
    assert js(run("order", "start", oid, *lead, "--json"))["state"] == "in_service"
    done = run("complete", oid, "--volunteer", "张三=2.5", "--volunteer", "李四=2", *lead)
    assert "order 1 is now completed" in done.output
    assert (
        js(run("evaluate", oid, "--rating", "5", "--comment", "好", *STATION, "--json"))["state"]
        == "evaluated"
    )

    shown = run("order", "show", oid).output
    assert "order 1  evaluated" in shown
    for fragment in (
        "submit",
        "dispatch part 1",
        "submitted → dispatched",
        "by ops (city_dispatcher) to water.corps (hand)",
        "complete part 1",
        ": 2 volunteer(s), 4.5 h",
        "evaluate",
        ": 5/5",
    ):
        assert fragment in shown, fragment
    full = js(run("order", "show", oid, "--json"))
    assert [e["action"] for e in full["timeline"]] == [
        "submit",
        "dispatch",
        "accept",
        "start",
        "complete",
        "evaluate",
    ]
    assert full["dispatches"][0]["outcome"] == "completed"
    assert "every order matches its events" in run("order", "verify").output


def test_refusals_are_one_line_and_nonzero(run):
    oid = str(submit(run)["id"])
    run("dispatch", oid, "--resource", "water.corps", *OPS)
    wrong = run(
        "accept", oid, "--actor", "x", "--role", "team_leader", "--team", "water.other", code=1
    )
    assert wrong.output.count("\n") == 1
    assert "role team_leader (team water.other) may not accept" in wrong.output
    nobody = run("accept", oid, code=1)
    assert "say who acts: --actor ID --role ROLE" in nobody.output
    unscoped = run("accept", oid, "--actor", "x", "--role", "team_leader", code=1)
    assert "role team_leader needs a team" in unscoped.output
    illegal = run("evaluate", oid, "--rating", "3", *STATION, code=1)
    assert "is dispatched: evaluate needs it to be completed" in illegal.output
    bad = run(
        "complete",
        oid,
        "--volunteer",
        "张三",
        "--actor",
        "l",
        "--role",
        "team_leader",
        "--team",
        "water.corps",
        code=1,
    )
    assert "write NAME=HOURS" in bad.output


def test_decline_then_ranked_dispatch_and_listing(run, monkeypatch):
    oid = str(submit(run, "--audience", "minors")["id"])
    run("dispatch", oid, "--resource", "water.corps", *OPS)
    lead = ["--actor", "lead", "--role", "team_leader", "--team", "water.corps"]
    assert (
        js(run("decline", oid, "--reason", "flood drill", *lead, "--json"))["state"] == "declined"
    )
    ranked = js(run("order", "candidates", oid, *OPS, "--json", "-k", "3"))
    assert "water.corps" not in [c["key"] for c in ranked]
    monkeypatch.setenv("WENMING_ACTOR", "ops")
    monkeypatch.setenv("WENMING_ROLE", "city_dispatcher")
    order = js(run("dispatch", oid, "--rank", "1", "--json"))
    assert order["parts"][0]["resource"] == ranked[0]["key"]
    listing = run("order", "list", "--state", "dispatched").output
    assert listing.split()[0] == oid and ranked[0]["key"] in listing
    assert js(run("order", "list", "--state", "submitted", "--json")) == []
    assert "nothing overdue" in run("order", "overdue").output
    shown = run("order", "show", oid).output
    assert "declined by water.corps" in shown and '"flood drill"' in shown
    assert "(ranked #1, score" in shown


def test_batch_and_joint_orders(run):
    ids = [str(submit(run)["id"]) for _ in range(2)]
    result = js(run("dispatch", "--batch", *OPS, "--json"))
    assert sorted(result["dispatched"]) == [f"{i}.1" for i in ids]
    joint = js(
        run(
            "joint",
            "submit",
            "--with",
            "health",
            "--with",
            "housing",
            "--place",
            "320505001002",
            "--start",
            "2023-07-12",
            "--category",
            "emergency_rescue",
            "--headcount",
            "20",
            *STATION,
            "--json",
        )
    )
    assert joint["joint"] and [p["department"] for p in joint["parts"]] == ["health", "housing"]
    jid = str(joint["id"])
    assert run("joint", "proposals", jid, "-k", "2").output.startswith("  1.")
    order = js(run("joint", "dispatch", jid, *OPS, "--json"))
    assert [p["state"] for p in order["parts"]] == ["dispatched", "dispatched"]
    assert order["parts"][0]["resource"].startswith("health.")
    assert order["parts"][1]["resource"].startswith("housing.")
    lone = run(
        "joint",
        "submit",
        "--with",
        "health",
        "--place",
        "320505001002",
        "--start",
        "2023-07-12",
        *STATION,
        code=1,
    )
    assert "at least two --with departments" in lone.output
    templates = run("joint", "templates").output.splitlines()
    assert any("health (" in line and "housing (" in line for line in templates), templates


def test_supply_publish_list_withdraw_and_order_directly(run):
    desk = ["--actor", "wd", "--role", "department_dispatcher", "--department", "water"]
    published = js(
        run(
            "supply",
            "publish",
            "pump_room",
            "--kind",
            "venue",
            "--name-zh",
            "泵站开放日",
            "--place",
            "320505001",
            "--owner",
            "water",
            "--category",
            "science",
            "--capacity",
            "40",
            "--serves",
            "320505001",
            *desk,
            "--json",
        )
    )
    assert published["key"] == "water.pump_room" and published["serves"] == ["320505001"]
    refused = run(
        "supply",
        "publish",
        "ward",
        "--kind",
        "venue",
        "--name-zh",
        "病房",
        "--place",
        "320505001",
        "--owner",
        "health",
        *desk,
        code=1,
    )
    assert "department dispatcher publishes only its own department's resources" in refused.output
    keys = [r["key"] for r in js(run("supply", "list", "--published-only", "--json"))]
    assert keys == ["water.pump_room"]
    order = submit(run, "--resource", "water.pump_room")
    assert (order["state"], order["parts"][0]["resource"]) == ("dispatched", "water.pump_room")
    run("supply", "withdraw", "water.pump_room", "--reason", "repairs", *desk)
    assert js(run("supply", "list", "--published-only", "--json")) == []
    withdrawn = js(run("supply", "list", "--published-only", "--all", "--json"))
    assert withdrawn[0]["status"] == "withdrawn"


def test_expire_and_cancel(run):
    oid = str(submit(run)["id"])
    expired = js(run("order", "expire", "--actor", "cron", "--role", "system", "--json"))
    assert expired == {"expired": [int(oid)]}, "its window closed in 2023"
    other = str(submit(run)["id"])
    cancelled = js(run("order", "cancel", other, "--reason", "rain", *STATION, "--json"))
    assert cancelled["state"] == "cancelled"


def test_help_lists_the_workflow_commands(run):
    listed = run("--help").output
    for name in (
        "supply",
        "order",
        "dispatch",
        "accept",
        "decline",
        "complete",
        "evaluate",
        "joint",
    ):
        assert f"  {name} " in listed, name
