"""The reports' commands on a real deployment: leaderboard, stats, units, points."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from wenming.cli import cli

OPS = ["--actor", "ops", "--role", "city_dispatcher"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True):
        result = runner.invoke(cli, ["-d", str(folder / "wenming.toml"), *args])
        if ok:
            assert result.exit_code == 0, result.output
        return result

    invoke("init", str(folder))
    invoke("network", "load")
    invoke("network", "synthesize")
    for place in ("320505001002", "320505001002", "320585100203"):
        invoke(
            "order",
            "submit",
            "--category",
            "science",
            "--place",
            place,
            "--start",
            "2027-08-01",
            "--tag",
            "water_saving",
            *OPS,
        )
    invoke("dispatch", "--batch", *OPS)
    invoke.folder = folder
    return invoke


def test_leaderboard_ranks_what_was_dispatched(run):
    data = json.loads(
        run("leaderboard", "--metric", "orders_received", "--by", "county", "--json").output
    )
    assert [(r["key"], r["name"], r["value"]) for r in data["rows"]] == [
        ("320505", "虎丘区", 2.0),
        ("320585", "太仓市", 1.0),
    ]
    orders = json.loads(run("order", "list", "--json", *OPS).output)
    towns: dict[str, int] = {}
    for order in orders:
        dispatched = sum(1 for p in order["parts"] if p["resource"])
        if dispatched:
            towns[order["place"][:9]] = towns.get(order["place"][:9], 0) + dispatched
    assert towns, "the batch dispatched something"
    data = json.loads(
        run("leaderboard", "--metric", "orders_dispatched", "--by", "town", "--json").output
    )
    assert {r["key"]: r["value"] for r in data["rows"]} == towns
    text = run("leaderboard", "--metric", "orders_dispatched", "--by", "town").output
    assert "横塘街道" in text or "城厢镇" in text
    bad = run("leaderboard", "--metric", "orders_recieved", ok=False)
    assert bad.exit_code == 1 and "did you mean orders_received" in bad.output


def test_exports_open_in_excel(run):
    folder = run.folder
    run(
        "stats",
        "table",
        "--by",
        "county",
        "--csv",
        str(folder / "t.csv"),
        "--xlsx",
        str(folder / "t.xlsx"),
    )
    raw = (folder / "t.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads UTF-8"
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:3] == ["代码", "名称", "收到点单"] and {r[1] for r in rows[1:]} == {
        "虎丘区",
        "太仓市",
    }
    from openpyxl import load_workbook

    ws = load_workbook(folder / "t.xlsx").active
    assert [c.value for c in ws[1]][:3] == ["代码", "名称", "收到点单"]
    assert ws.column_dimensions["C"].width >= 10, "wide enough for 收到点单"
    assert ws.freeze_panes == "A2"


def test_stats_verify_rebuild_and_metrics(run):
    assert "counters equal the event log" in run("stats", "verify").output
    rebuilt = json.loads(run("stats", "rebuild", "--json").output)
    assert rebuilt["counters"] > 0
    names = {m["name"] for m in json.loads(run("stats", "metrics", "--json").output)}
    assert {"orders_completed", "completion_rate", "volunteer_hours"} <= names


def test_units_points_and_the_dashboard(run):
    folder = run.folder
    made = json.loads(run("units", "synthesize", "--count", "50", "--json").output)
    assert made == {"units": 50, "links": 100, "seed": 2023, "synthetic": True}
    again = run("units", "synthesize", ok=False)
    assert again.exit_code == 1 and "once" in again.output
    evidence = folder / "agreement.pdf"
    evidence.write_bytes(b"%PDF-1.4 pairing agreement")
    op = ["--actor", "u-op", "--role", "unit_operator", "--unit", "unit00001"]
    claim = json.loads(
        run(
            "points", "submit", "unit00001", "pairing", "--evidence", str(evidence), *op, "--json"
        ).output
    )
    out = run(
        "points",
        "review",
        str(claim["id"]),
        "--approve",
        "--actor",
        "wmb",
        "--role",
        "points_reviewer",
    ).output
    assert "10 points granted" in out
    shown = json.loads(run("units", "show", "unit00001", "--json").output)
    assert shown["balance"] == 10.0 and shown["synthetic"]
    assert "文明单位0001" in run("points", "standings").output
    out = run("stats", "dashboard", str(folder / "dash.html")).output
    assert "dash.html" in out and (folder / "dash.html").stat().st_size > 5000


def test_a_published_ranking_is_recorded_in_local_time(run):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a duplicated option would warn here
        published = run("ranking", "publish", "--served-with", "water.corps", *OPS)
    assert "published by ops and recorded" in published.output
    shown = run("ranking", "published").output
    assert "+08:00" in shown and "UTC" not in shown and "ops (city_dispatcher)" in shown
