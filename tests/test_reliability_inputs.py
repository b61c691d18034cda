"""Bad input is refused where it enters, with one line naming the field, on SQLite and
PostgreSQL alike: no traceback, nothing stored. Each row of the tables below is a case
the probe found (issue 11, parts 3 and 4)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from wenming.cli import cli
from wenming.secrets import SECRET_FILE, create_secret_file
from wenming.storage import Storage

STATION = ["--actor", "st-1", "--role", "station_operator", "--area", "320505001"]
OPS = ["--actor", "ops", "--role", "city_dispatcher"]
LEAD = ["--actor", "lead", "--role", "team_leader", "--team", "water.corps"]
SUBMIT = ["order", "submit", "--place", "320505001002", "--category", "science"]
PUBLISH = ["supply", "publish", "open_day", "--kind", "venue", "--name-zh", "开放日"]
LONG = "x" * 129


@pytest.fixture
def deployment(wenming_database_url, tmp_path, monkeypatch):
    """A deployment file on the backend under test, its schema created, its secret
    beside it."""
    monkeypatch.chdir(tmp_path)
    for var in ("WENMING_ACTOR", "WENMING_ROLE", "WENMING_AREA", "WENMING_TEAM"):
        monkeypatch.delenv(var, raising=False)
    storage = Storage(wenming_database_url)
    storage.create()
    storage.dispose()
    create_secret_file(tmp_path / SECRET_FILE)  # as 'wenming init' does: --actor needs it
    path = tmp_path / "wenming.toml"
    path.write_text(
        f'name = "t"\ndatabase = "{wenming_database_url}"\n[plugins]\nonly = ["water"]\n',
        encoding="utf-8",
    )
    return path


def wm(path, *args):
    """Run the CLI like a user: any exception escaping it would be a traceback."""
    result = CliRunner().invoke(cli, ["-d", str(path), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"traceback for {args}: {result.exception!r}\n{result.output}")
    assert "Traceback" not in result.output
    return result


def one_line_error(result, field):
    assert result.exit_code != 0, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ") and field in lines[0], lines[0]


def count(path, table):
    from wenming.deployment import Deployment

    d = Deployment.from_file(path)
    try:
        with d.storage.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(text(table))).scalar()
    finally:
        d.close()


BAD_ORDERS = [
    (["--start", "1999-01-01"], "start must be between 2000-01-01 and 2099-12-31"),
    (["--start", "9999-12-31"], "start must be between"),
    (["--start", "2000-01-01", "--end", "2099-12-31"], "end: the window"),
    (["--start", "2027-08-01", "--headcount", "1000000000"], "headcount must be a whole number"),
    (["--start", "2027-08-01", "--headcount", str(2**64 + 1)], "headcount must be"),
    (["--start", "2027-08-01", "--place", "320505999999"], "place '320505999999': no division"),
    (["--start", "2027-08-01", "--site", "320505999999"], "site: 320505999999 is no division"),
    (["--start", "2027-08-01", "--lng", "500", "--lat", "100"], "lng must be a number from -180"),
    (["--start", "2027-08-01", "--lng", "120.5", "--lat", "100"], "lat must be a number from -90"),
    (["--start", "2027-08-01", "--lng", "inf", "--lat", "31"], "lng must be"),
    (["--start", "2027-08-01", "--lng", "nan", "--lat", "31"], "lng must be"),
    (["--start", "2027-08-01", "--lng", "nan"], "lng must be"),
    (["--start", "2027-08-01", "--key", LONG], "idempotency_key must be at most 128"),
    (["--start", "2027-08-01", "--description", "a\x00b"], "description must not contain NUL"),
    (["--start", "2027-08-01", "--tag", "a\x00b"], "tags: tag must not contain NUL"),
]


@pytest.mark.parametrize(("args", "field"), BAD_ORDERS, ids=[f for _, f in BAD_ORDERS])
def test_bad_orders_are_refused_naming_the_field(deployment, args, field):
    one_line_error(wm(deployment, *SUBMIT, *args, *STATION), field)
    assert count(deployment, "wm_order") == 0


def test_an_over_long_actor_is_refused_on_both_backends(deployment):
    actor = ["--actor", LONG, "--role", "requester"]
    one_line_error(wm(deployment, *SUBMIT, "--start", "2027-08-01", *actor), "at most 128")
    assert count(deployment, "wm_order") == 0


BAD_SUPPLY = [
    (["--place", "320505", "--reach-km", "nan"], "reach_km must be a number above 0"),
    (["--place", "320505", "--reach-km", "-5"], "reach_km must be"),
    (["--place", "320505", "--members", "-100"], "members must be a whole number from 0"),
    (["--place", "320505", "--capacity", str(2**70)], "capacity must be"),
    (["--place", "320505999999"], "place '320505999999': no division"),
    (["--place", "320505", "--serves", "320505999999"], "serves: 320505999999 is no division"),
]


@pytest.mark.parametrize(("args", "field"), BAD_SUPPLY, ids=[f for _, f in BAD_SUPPLY])
def test_bad_supply_is_refused_naming_the_field(deployment, args, field):
    one_line_error(wm(deployment, *PUBLISH, *args, "--owner", "water", *OPS), field)
    assert count(deployment, "wm_resource") == 0


def test_reads_with_impossible_numbers_are_one_line(deployment):
    one_line_error(wm(deployment, "order", "show", str(10**20)), "no order")
    one_line_error(wm(deployment, "order", "show", "--", "-1"), "no order")
    one_line_error(wm(deployment, "order", "list", "--limit", "-1"), "limit must be")
    one_line_error(
        wm(deployment, "dispatch", str(2**63), "--resource", "water.corps", *OPS), "no order"
    )


def test_over_long_volunteer_names_are_refused(deployment):
    made = wm(deployment, *SUBMIT, "--start", "2027-08-01", "--json", *STATION)
    oid = str(json.loads(made.output)["id"])
    assert wm(deployment, "dispatch", oid, "--resource", "water.corps", *OPS).exit_code == 0
    assert wm(deployment, "accept", oid, *LEAD).exit_code == 0
    assert wm(deployment, "order", "start", oid, *LEAD).exit_code == 0
    one_line_error(wm(deployment, "complete", oid, "--volunteer", f"{LONG}=2", *LEAD), "volunteer")
    one_line_error(wm(deployment, "complete", oid, "--volunteer", "张三=nan", *LEAD), "hours")
    assert count(deployment, "wm_order_service") == 0


BAD_DEPLOYMENTS = [
    ("[workflow]\ndispatch_hours = nan\n", "dispatch_hours must be a number above 0"),
    ("[workflow]\ndispatch_hours = inf\n", "dispatch_hours must be"),
    ("[workflow]\nexpire_after_days = 1000000000\n", "expire_after_days must be a whole number"),
    ("[matching]\nspeed_kmh = 0.0\n", "speed_kmh must be a number above 0"),
    ("[matching]\nreach_minutes = -15.0\n", "reach_minutes must be"),
    ('[matching.weights]\n"core.distance" = nan\n', "matching.weights.core.distance must be"),
]


@pytest.mark.parametrize(("extra", "field"), BAD_DEPLOYMENTS, ids=[f for _, f in BAD_DEPLOYMENTS])
def test_bad_deployment_files_are_unhealthy_and_refused(deployment, extra, field):
    deployment.write_text(deployment.read_text(encoding="utf-8") + extra, encoding="utf-8")
    checked = wm(deployment, "check")
    assert checked.exit_code == 1 and field in checked.output and "unhealthy" in checked.output
    one_line_error(wm(deployment, "order", "list"), field)
    one_line_error(wm(deployment, "order", "expire", "--actor", "cron", "--role", "system"), field)


def test_a_typo_in_the_plugin_selection_is_unhealthy(deployment):
    deployment.write_text(
        deployment.read_text(encoding="utf-8").replace('only = ["water"]', 'only = ["watre"]'),
        encoding="utf-8",
    )
    checked = wm(deployment, "check")
    assert checked.exit_code == 1, checked.output
    assert "plugins.only names 'watre', which is not installed" in checked.output


def test_a_database_in_a_missing_folder_is_one_line(tmp_path):
    create_secret_file(tmp_path / SECRET_FILE)
    path = tmp_path / "wenming.toml"
    path.write_text('name = "t"\ndatabase = "sqlite:///no/such/folder/w.db"\n', encoding="utf-8")
    one_line_error(wm(path, "order", "list"), "the folder")
    assert "does not exist" in wm(path, "check").output


def test_a_locked_sqlite_database_waits_then_fails_in_one_line(deployment, monkeypatch):
    from wenming import storage

    text_ = deployment.read_text(encoding="utf-8")
    if "sqlite" not in text_:
        pytest.skip("SQLite's database lock")
    monkeypatch.setattr(storage, "BUSY_TIMEOUT_MS", 300)
    db = text_.split('database = "sqlite:///', 1)[1].split('"', 1)[0]
    holder = sqlite3.connect(db)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        result = wm(deployment, *SUBMIT, "--start", "2027-08-01", *STATION)
        one_line_error(result, "the database is locked by another writer")
    finally:
        holder.rollback()
        holder.close()
    assert count(deployment, "wm_order") == 0


def test_importer_bad_files_are_one_line_naming_row_and_field(deployment, tmp_path):
    cases = {
        "code_list.json": (json.dumps([{"code": ["a"], "name": "x", "level": "station"}]), "code"),
        "name_object.json": (json.dumps([{"code": "1", "name": {"a": 1}}]), "name"),
        "nul.json": (json.dumps([{"code": "1", "name": "a\x00b"}]), "NUL"),
        "geometry.geojson": (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [{"type": "Feature", "properties": {"code": "1"}, "geometry": [1]}],
                }
            ),
            "geometry",
        ),
        "nested.json": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        "digits.json": (
            json.dumps(
                [{"code": "1", "name": "n", "level": "guidance_center", "lng": 10**400, "lat": 31}]
            ),
            "lng",
        ),
        "huge.csv": ("code,name\n1," + "x" * 6_000_000 + "\n", "unreadable CSV"),
    }
    for name, (content, field) in cases.items():
        file = tmp_path / name
        file.write_text(content, encoding="utf-8")
        result = wm(deployment, "network", "load", str(file))
        one_line_error(result, field)
    assert count(deployment, "wm_site") == 0


def test_the_python_api_applies_the_same_ranges(wenming_database_url):
    import datetime as dt

    import wenming_water
    from wenming.orders import Actor, InvalidInput, NotFound
    from wenming.orders.testing import make_workflow

    wf = make_workflow(wenming_database_url, [("water", wenming_water)])
    ops = Actor("ops", "city_dispatcher")
    station = Actor("st", "station_operator", area="320505001")
    try:
        publish = {"name": "hall", "kind": "venue", "name_zh": "馆", "place": "320505"}
        for bad, field in [
            ({"lng": 500.0, "lat": 100.0}, "lng must be"),
            ({"lng": float("nan"), "lat": 31.0}, "lng must be"),
            ({"reach_km": float("nan")}, "reach_km must be"),
            ({"members": -100}, "members must be"),
            ({"months": [13]}, "months must be"),
            ({"name_zh": "馆\x00"}, "name_zh must not contain NUL"),
        ]:
            with pytest.raises(InvalidInput, match=field):
                wf.publish(ops, department="water", **{**publish, **bad})
        with pytest.raises(InvalidInput, match="headcount must be"):
            wf.submit(
                station,
                place="320505001002",
                start=dt.date(2027, 8, 1),
                category="science",
                headcount=10**9,
            )
        with pytest.raises(NotFound, match="no order"):
            wf.order(2**80)
        with pytest.raises(InvalidInput, match="limit must be"):
            wf.orders(limit=-1)
        with pytest.raises(ValueError, match="actor must be at most 128"):
            Actor("x" * 129, "city_dispatcher")
        order = wf.submit(
            station, place="320505001002", start=dt.date(2027, 8, 1), category="science"
        )
        with pytest.raises(InvalidInput, match="reason must not contain NUL"):
            wf.cancel(station, order.id, "不要了\x00")
        with pytest.raises(InvalidInput, match="reason must be at most 2000 characters"):
            wf.cancel(station, order.id, "长" * 2001)
        assert wf.order(order.id).state == "submitted"
        assert len(wf.orders()) == 1 and wf.resources(include_plugins=False) == []
    finally:
        wf.deployment.close()


def test_one_unusable_stored_row_stops_no_one(wenming_database_url):
    """A resource row stored before the checks existed (or edited by hand) is left out
    and reported; an order placed at a code that is no division is skipped by the batch,
    which serves the rest."""
    import datetime as dt

    import wenming_water
    from wenming.orders import Actor
    from wenming.orders.testing import make_workflow

    wf = make_workflow(wenming_database_url, [("water", wenming_water)])
    ops = Actor("ops", "city_dispatcher")
    station = Actor("st", "station_operator", area="320505001")
    try:
        wf.publish(
            ops,
            department="water",
            name="hall",
            kind="venue",
            name_zh="馆",
            place="320505",
            categories=["science"],
        )
        bad_reach = "'NaN'" if wf.storage.backend == "postgresql" else "-5"
        with wf.storage.engine.begin() as conn:
            conn.execute(
                text(f"UPDATE wm_resource SET reach_km = {bad_reach} WHERE key = 'water.hall'")
            )
        good = wf.submit(
            station, place="320505001002", start=dt.date(2027, 8, 1), category="science"
        )
        stray = wf.submit(
            station, place="320505001002", start=dt.date(2027, 8, 2), category="science"
        )
        with wf.storage.engine.begin() as conn:
            conn.execute(
                text(f"UPDATE wm_order SET place_code = '320505999999' WHERE id = {stray.id}")
            )
        engine = wf.engine()
        assert "water.hall" in engine.skipped and "reach_km" in engine.skipped["water.hall"]
        assert wf.candidates(good.id, k=3), "matching still serves"
        result = wf.batch_dispatch(ops)
        assert f"{good.id}.1" in result.dispatched
        assert "cannot locate place '320505999999'" in result.unassigned[f"{stray.id}.1"]
    finally:
        wf.deployment.close()


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--headcount", str(10**23)], "headcount must be"),
        (["--lng", "nan", "--lat", "31"], "lng must be"),
        (["--lng", "500", "--lat", "100"], "lng must be"),
        (["--date", "9999-12-31"], "start must be between"),
    ],
)
def test_the_matching_command_applies_the_same_ranges(tmp_path, args, field):
    path = tmp_path / "wenming.toml"
    path.write_text(
        'name = "t"\ndatabase = "sqlite://"\n[plugins]\nonly = ["water"]\n', encoding="utf-8"
    )
    one_line_error(wm(path, "match", "--category", "science", "--place", "320505", *args), field)
