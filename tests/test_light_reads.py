"""The light read path: ``network stats`` and ``order show`` on the database driver
alone (no SQLAlchemy, for start-up), showing exactly what the full path shows — for
every kind of reader, on SQLite and PostgreSQL — and falling back to the full path
wherever the light one does not apply."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import wenming_water
from wenming.cli import cli
from wenming.orders import Actor
from wenming.orders.testing import Clock, crew_plugin, make_workflow
from wenming.storage import light

DAY = dt.date(2023, 7, 10)
OPS = Actor("ops", "city_dispatcher")
NEAR = Actor("st-near", "station_operator", area="320505001")
CORPS = Actor("lead-corps", "team_leader", team="water.corps")
RESIDENT = Actor("resident", "requester")

#: Readers on the command line: the local operator, and one of each role's scopes.
READERS: dict[str, list[str]] = {
    "operator": [],
    "city": ["--actor", "ops", "--role", "city_dispatcher"],
    "near station": ["--actor", "s1", "--role", "station_operator", "--actor-area", "320505001"],
    "far station": ["--actor", "s2", "--role", "station_operator", "--actor-area", "320585"],
    "odd area": ["--actor", "s3", "--role", "station_operator", "--actor-area", "3205_5%"],
    "corps": ["--actor", "l1", "--role", "team_leader", "--team", "water.corps"],
    "crew a": ["--actor", "l2", "--role", "team_leader", "--team", "crew.a"],
    "crew b": ["--actor", "l3", "--role", "team_leader", "--team", "crew.b"],
    "water desk": [
        "--actor",
        "d1",
        "--role",
        "department_dispatcher",
        "--actor-department",
        "water",
    ],
    "crew desk": ["--actor", "d2", "--role", "department_dispatcher", "--actor-department", "crew"],
    "resident": ["--actor", "resident", "--role", "requester"],
    "stranger": ["--actor", "nobody", "--role", "requester"],
}

ENV_VARS = (
    "WENMING_ACTOR",
    "WENMING_ROLE",
    "WENMING_AREA",
    "WENMING_TEAM",
    "WENMING_DEPARTMENT",
    "WENMING_TOKEN",
    "WENMING_DEPLOYMENT",
)


@pytest.fixture
def deployment(wenming_database_url, tmp_path, monkeypatch):
    """A deployment file over a database with orders in every state a reader's scope
    tells apart: dispatched after a decline, waiting, joint with one part dispatched,
    ranked (a score, the rules' breakdown), a resident's own, and one delivered and
    evaluated (hours, rating)."""
    monkeypatch.chdir(tmp_path)
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("WENMING_CONFIG_DIR", str(tmp_path / "config"))
    wf = make_workflow(
        wenming_database_url,
        [("water", wenming_water), ("crew", crew_plugin(capacity=60))],
        clock=Clock(),
    )
    common = {"start": DAY, "headcount": 10}
    near = wf.submit(NEAR, category="science", place="320505001002", site="320505001002", **common)
    far = wf.submit(
        Actor("st-far", "station_operator", area="320585"),
        category="science",
        place="320585100203",
        **common,
    )
    joint = wf.submit(NEAR, template="crew.duo", place="320505001002", **common)
    wf.submit(
        RESIDENT,
        category="science",
        place="320581001001",
        departments=["water"],
        tags=["water_saving"],
        description="家门口的节水课\n第二行",
        **common,
    )
    done = wf.submit(RESIDENT, category="science", place="320505001002", **common)
    wf.dispatch(OPS, near.id, "water.corps")
    wf.decline(CORPS, near.id, "busy that day")
    wf.dispatch(OPS, near.id, "water.water_journey")
    wf.dispatch(OPS, joint.id, "crew.a", part=1)
    wf.dispatch(OPS, done.id, "crew.b")
    wf.dispatch(OPS, far.id)  # ranked: a score and the rules' breakdown
    lead_b = Actor("lead-b", "team_leader", team="crew.b")
    wf.accept(lead_b, done.id)
    wf.start(lead_b, done.id)
    wf.complete(lead_b, done.id, {"张三": 2.5, "李四": 2})
    wf.evaluate(RESIDENT, done.id, 5, "好")
    wf.deployment.close()
    runner = CliRunner()
    assert runner.invoke(cli, ["init", ".", "--database", wenming_database_url]).exit_code == 0
    path = tmp_path / "wenming.toml"
    path.write_text(path.read_text().replace("only = []", 'only = ["water"]'), encoding="utf-8")
    return path


def invoke(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def both_paths(monkeypatch, *args: str, env: dict[str, str] | None = None):
    """The command on the light path (the full one refused), then on the full path
    (the light one refused): ``(light, full)`` exit codes and outputs."""
    import wenming.cli.network as net_cli
    import wenming.cli.orders as orders_cli

    def no_full(*_a, **_k):
        raise AssertionError("the full path ran")

    with monkeypatch.context() as m:
        m.setattr(orders_cli, "_workflow", no_full)
        m.setattr(net_cli, "_network", no_full)
        m.setattr("wenming.accounts.service.Accounts.authenticate", no_full)
        light_result = invoke(*args, env=env)
    with monkeypatch.context() as m:
        m.setattr(light, "open_reader", lambda url: None)
        full_result = invoke(*args, env=env)
    return light_result, full_result


def test_order_show_reads_the_same_on_both_paths_for_every_reader(deployment, monkeypatch):
    refused = 0
    for oid in range(1, 7):  # 6: no such order
        for name, reader in READERS.items():
            for extra in ((), ("--json",)):
                light_result, full_result = both_paths(
                    monkeypatch, "order", "show", str(oid), *reader, *extra
                )
                assert light_result == full_result, (oid, name, extra)
                refused += light_result[0] != 0
    assert refused  # some readers are refused some orders: the refusals compare too
    code, out = invoke("order", "show", "1", *READERS["far station"])
    assert code == 1 and "role station_operator (area 320585) may not read order 1" in out
    code, out = invoke("order", "show", "3", *READERS["crew desk"], "--json")
    assert code == 0 and [p["seq"] for p in json.loads(out)["order"]["parts"]] == [1]
    code, out = invoke("order", "show", "2")
    assert "(ranked #1, score " in out and "dispatches:" in out
    code, out = invoke("order", "show", "5", "--json")
    shown = json.loads(out)
    assert [d["outcome"] for d in shown["dispatches"]] == ["completed"]
    assert shown["timeline"][-1]["data"]["rating"] == 5


def test_order_show_with_a_token_reads_the_same_on_both_paths(deployment, monkeypatch):
    from wenming.accounts.service import Accounts
    from wenming.deployment import Deployment

    d = Deployment.from_file(deployment)
    accounts = Accounts(d)
    accounts.add("corps", "team_leader", "a long enough password", team="water.corps")
    accounts.add("gone", "requester", "a long enough password")
    from wenming.reports.units import Units

    Units(d).add("U-A", "苏州市水务局")
    accounts.add("unit-a", "unit_operator", "a long enough password", unit="U-A")
    access = accounts.access_token(accounts.user("corps"))
    api, _ = accounts.create_api_token("corps", "machine")
    stale = accounts.access_token(accounts.user("gone"))
    gone_api, _ = accounts.create_api_token("gone", "machine")
    accounts.revoke("gone")
    d.close()
    tokens = {
        "access": access,
        "api": api,
        "revoked user": stale,
        "revoked user's api token": gone_api,
        "forged": access[:-2] + ("AA" if not access.endswith("AA") else "BB"),
        "unknown api": "wmk_" + "x" * 43,
        "unit operator": accounts.access_token(accounts.user("unit-a")),
    }
    for name, token in tokens.items():
        for oid in ("1", "4"):
            light_result, full_result = both_paths(
                monkeypatch, "order", "show", oid, "--json", env={"WENMING_TOKEN": token}
            )
            assert light_result == full_result, (name, oid)
    code, out = invoke("order", "show", "4", env={"WENMING_TOKEN": api})
    assert code == 1 and "role team_leader (team water.corps) may not read order 4" in out
    code, out = invoke("order", "show", "1", env={"WENMING_TOKEN": stale})
    assert code == 1 and "access token no longer valid" in out


def test_network_stats_reads_the_same_on_both_paths(deployment, monkeypatch):
    assert invoke("network", "load")[0] == 0
    for extra in ((), ("--json",)):
        light_result, full_result = both_paths(monkeypatch, "network", "stats", *extra)
        assert light_result == full_result
        assert light_result[0] == 0
    stats = json.loads(invoke("network", "stats", "--json")[1])
    assert stats["levels"]["station"] == 2248 and stats["installed_departments"] == 1


def test_the_light_path_falls_back_where_it_does_not_apply(tmp_path, monkeypatch):
    """No database file, a database without the schema, an old schema version: the
    full path answers, with the errors it has always given (and no file is created)."""
    monkeypatch.chdir(tmp_path)
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    assert invoke("init", ".", "--database", "sqlite:///data.db")[0] == 0
    db = tmp_path / "data.db"
    db.unlink()
    for command in (("network", "stats"), ("order", "show", "1")):
        code, out = invoke(*command)
        assert code == 1 and "no wenming schema; run 'wenming init'" in out
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE wm_meta (key VARCHAR(64) PRIMARY KEY, value VARCHAR)")
        conn.execute("INSERT INTO wm_meta VALUES ('schema_version', '1')")
    assert light.open_reader(f"sqlite:///{db}") is None
    code, out = invoke("order", "show", "1")
    assert code == 1 and "is at schema version 1, this wenming needs" in out
    missing = tmp_path / "missing.db"
    assert light.open_reader(f"sqlite:///{missing}") is None
    assert not missing.exists()


def test_urls_are_read_as_sqlalchemy_reads_them():
    assert light.parse_url("sqlite:////srv/w/wenming.db") == (
        "sqlite",
        {"path": "/srv/w/wenming.db"},
    )
    assert light.parse_url("sqlite:///rel.db") == ("sqlite", {"path": "rel.db"})
    for url in (
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///x.db?mode=ro",
        "mysql://h/db",
        "postgresql://h/db",
        "postgresql+psycopg2://h/db",
        "not a url",
    ):
        assert light.parse_url(url) is None, url
    assert light.parse_url(
        "postgresql+psycopg://wen%40ming:p%3Ass@db.example:6432/city?options=-csearch_path%3Ds"
    ) == (
        "postgresql",
        {
            "user": "wen@ming",
            "password": "p:ss",
            "host": "db.example",
            "port": 6432,
            "dbname": "city",
            "options": "-csearch_path=s",
        },
    )
    assert light.parse_url("postgresql+psycopg://[::1]:5432/db")[1] == {
        "host": "::1",
        "port": 5432,
        "dbname": "db",
    }
    assert light.parse_url("postgresql+psycopg://h1,h2/db") is None


def test_the_light_connection_converts_every_column_as_its_type_does(wenming_storage):
    """Every table's datetimes, dates, JSON and booleans come back on the driver as
    SQLAlchemy returns them (SQLite keeps only declared types: they must tell)."""
    from sqlmodel import SQLModel

    from wenming.orders.sql import _kind

    reader = light.open_reader(wenming_storage.url)
    assert reader is not None
    with reader:
        for table in SQLModel.metadata.sorted_tables:
            expected = {c.name: _kind(c.type) for c in table.c if _kind(c.type)}
            if reader.backend == "sqlite":
                assert reader.kinds(table.name) == expected, table.name
    wf = make_workflow(wenming_storage.url, [("water", wenming_water)], clock=Clock(), create=False)
    oid = wf.submit(NEAR, category="science", place="320505001002", start=DAY, tags=["a"]).id
    wf.dispatch(OPS, oid, "water.corps")
    from wenming.orders.lightreads import LightReads

    wf.clock.advance(hours=24 * 30)  # the dispatch waits for an answer: overdue
    with light.open_reader(wenming_storage.url) as reader:
        if reader.backend == "postgresql":  # the driver gives times in the session's zone
            reader.connection.execute("SET TIME ZONE 'Asia/Shanghai'")
        config = wf.deployment.config.workflow
        view, dispatches, events = LightReads(reader, config).show(oid, now=wf.clock())
    assert view.as_dict() == wf.order(oid).as_dict()  # times as text: offsets compare too
    assert view.start == DAY and view.created_at.utcoffset() == dt.timedelta(0)
    assert view.tags == ("a",) and view.joint is False and view.overdue == ("accept",)
    assert [d.as_dict() for d in dispatches] == [d.as_dict() for d in wf.dispatches(oid)]
    assert [e.as_dict() for e in events] == [e.as_dict() for e in wf.timeline(oid)]
    assert events[0].data["order"]["tags"] == ["a"]
    wf.deployment.close()


def _modules_after(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> list[str]:
    """Run ``wenming ARGS`` in a fresh interpreter; the heavy modules it imported."""
    code = (
        "import sys\n"
        "from wenming.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "heavy = ['sqlalchemy', 'sqlmodel', 'numpy', 'wenming.orders.service',\n"
        "         'wenming.orders.tables', 'wenming.storage.engine']\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return json.loads(out.stderr.strip().splitlines()[-1].replace("'", '"'))


def test_network_stats_and_order_show_import_no_sqlalchemy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("WENMING_CONFIG_DIR", str(tmp_path / "config"))
    ops = ["--actor", "ops", "--role", "city_dispatcher"]
    for step in (
        ["init", ".", "--name", "light"],
        ["network", "load"],
        [
            "order",
            "submit",
            "--place",
            "320505001002",
            "--start",
            "2023-07-10",
            "--category",
            "science",
            *ops,
        ],
        ["dispatch", "1", "--resource", "water.corps", *ops],
    ):
        assert invoke(*step)[0] == 0, step
    from wenming.accounts.service import Accounts
    from wenming.deployment import Deployment

    d = Deployment.from_file(tmp_path / "wenming.toml")
    accounts = Accounts(d)
    accounts.add("corps", "team_leader", "a long enough password", team="water.corps")
    api, _ = accounts.create_api_token("corps", "machine")
    access = accounts.access_token(accounts.user("corps"))
    d.close()
    for args in (
        ["network", "stats"],
        ["network", "stats", "--json"],
        ["order", "show", "1"],
        ["order", "show", "1", "--json"],
        ["order", "show", "1", "--actor", "l1", "--role", "team_leader", "--team", "water.corps"],
    ):
        assert _modules_after(args, tmp_path) == [], args
    for token in (api, access):
        assert _modules_after(["order", "show", "1"], tmp_path, {"WENMING_TOKEN": token}) == []
