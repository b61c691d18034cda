"""The event log is tamper-evident: every rewrite the probe tried is refused by the
database or reported by ``order verify``, and ``order repair`` rebuilds derived rows
from a log that verifies. Both backends; PostgreSQL also with a least-privilege role."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

import wenming_water
from wenming.cli import cli
from wenming.orders import Actor
from wenming.orders.integrity import IntegrityError, verify
from wenming.orders.repair import repair
from wenming.orders.testing import make_workflow
from wenming.storage import SCHEMA_VERSION
from wenming.storage.grants import app_role_statements

OPS = Actor("ops", "city_dispatcher")
STATION = Actor("station", "station_operator", area="320505001002")
LEAD = Actor("lead", "team_leader", team="water.corps")


@pytest.fixture
def url(wenming_database_url):
    return wenming_database_url


@pytest.fixture
def wf(url):
    w = make_workflow(url, [("water", wenming_water)])
    yield w
    w.deployment.close()


def delivered(wf, day=dt.date(2023, 7, 10)):
    """An order through its whole life: submitted, dispatched, accepted, started,
    completed with two volunteers, evaluated."""
    order = wf.submit(STATION, category="science", place="320505001002", start=day, headcount=20)
    wf.dispatch(OPS, order.id, "water.corps")
    wf.accept(LEAD, order.id)
    wf.start(LEAD, order.id)
    wf.complete(LEAD, order.id, {"张敏": 2.5, "李强": 2})
    wf.evaluate(STATION, order.id, 5, "很好")
    return order.id


def sql(wf, *statements):
    with wf.storage.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def lift_triggers(wf):
    """What the tables' owner (or someone with the file) can do: drop the triggers."""
    if wf.storage.backend == "sqlite":
        sql(
            wf,
            "DROP TRIGGER wm_order_event_no_update",
            "DROP TRIGGER wm_order_event_no_delete",
            "DROP TRIGGER wm_order_event_no_replace",
        )
    else:
        sql(
            wf,
            "DROP TRIGGER wm_order_event_append_only ON wm_order_event",
            "DROP TRIGGER wm_order_event_no_truncate ON wm_order_event",
        )


def problems(wf):
    return verify(wf.storage).lines()


def test_an_untouched_log_verifies_with_its_head(wf):
    ids = [delivered(wf), delivered(wf, dt.date(2023, 7, 11))]
    report = verify(wf.storage)
    assert report.ok, report.lines()
    assert report.events == 12 and report.head[0] == 12 and len(report.head[1]) == 64
    assert verify(wf.storage, anchor=f"{report.head[0]}:{report.head[1]}").ok
    assert repair(wf.storage) == []
    assert sorted(report.orders) == [] and ids


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE wm_order_event SET actor = 'someone-else' WHERE seq = 2",
        "DELETE FROM wm_order_event WHERE seq = 6",
    ],
)
def test_the_database_refuses_to_change_the_log(wf, statement):
    delivered(wf)
    with pytest.raises(DBAPIError, match="append-only"):
        sql(wf, statement)
    assert problems(wf) == []


def test_sqlite_refuses_insert_or_replace_on_the_log(wf):
    if wf.storage.backend != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    delivered(wf)
    with pytest.raises(DBAPIError, match="append-only"):
        sql(
            wf,
            "INSERT OR REPLACE INTO wm_order_event (id, order_id, seq, action, to_state, actor, "
            "role, at, reason, data, hash, log_hash) SELECT id, order_id, seq, action, to_state, "
            "'forger', role, at, reason, data, hash, log_hash FROM wm_order_event WHERE seq = 2",
        )
    assert problems(wf) == []


def test_an_insert_or_replace_past_the_triggers_is_detected(wf):
    if wf.storage.backend != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    order_id = delivered(wf)
    lift_triggers(wf)
    sql(
        wf,
        "INSERT OR REPLACE INTO wm_order_event (id, order_id, seq, part_seq, action, from_state, "
        "to_state, part_from, part_to, actor, role, at, reason, data, hash, log_seq, log_hash) "
        "SELECT id, order_id, seq, part_seq, action, from_state, to_state, part_from, part_to, "
        "'forger', role, at, reason, data, hash, log_seq, log_hash FROM wm_order_event "
        "WHERE seq = 2",
    )
    found = problems(wf)
    assert (
        f"order {order_id} event 2 (dispatch) does not match its hash: the event was rewritten"
        in found
    )
    with pytest.raises(IntegrityError, match="the event log is damaged"):
        repair(wf.storage)


def test_truncating_the_log_is_refused_and_detected_past_the_trigger(wf):
    if wf.storage.backend != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    order_id = delivered(wf)
    with pytest.raises(DBAPIError, match="append-only"):
        sql(wf, "TRUNCATE wm_order_event")
    lift_triggers(wf)
    sql(wf, "TRUNCATE wm_order_event")
    found = problems(wf)
    assert any("events were removed from the end (or the log was emptied)" in p for p in found)
    assert any(
        p.startswith(f"order {order_id} has rows in wm_order") and "but no events" in p
        for p in found
    )


def test_deleting_an_orders_last_events_is_detected(wf):
    order_id = delivered(wf)
    lift_triggers(wf)
    sql(wf, f"DELETE FROM wm_order_event WHERE order_id = {order_id} AND seq >= 5")
    found = problems(wf)
    assert any("events were removed from the end" in p for p in found), found


def test_deleting_an_orders_event_in_the_middle_is_detected(wf):
    order_id = delivered(wf)
    delivered(wf, dt.date(2023, 7, 11))
    lift_triggers(wf)
    sql(wf, f"DELETE FROM wm_order_event WHERE order_id = {order_id} AND seq = 3")
    found = problems(wf)
    assert any("the log skips from 2 to 4: 1 event(s) were removed" in p for p in found), found
    assert any(f"order {order_id} event 4 (start) follows event 2" in p for p in found), found


def test_a_vanished_order_is_detected_and_repaired(wf):
    order_id = delivered(wf)
    before = wf.order(order_id).as_dict()
    sql(
        wf,
        f"DELETE FROM wm_order_service WHERE order_id = {order_id}",
        f"DELETE FROM wm_order_evaluation WHERE order_id = {order_id}",
        f"DELETE FROM wm_resource_slot WHERE order_id = {order_id}",
        f"DELETE FROM wm_order_dispatch WHERE order_id = {order_id}",
        f"DELETE FROM wm_order_part WHERE order_id = {order_id}",
        f"DELETE FROM wm_order WHERE id = {order_id}",
    )
    found = problems(wf)
    assert f"order {order_id}: its wm_order row is missing (the log has 6 event(s))" in found
    assert f"order {order_id}: part 1's wm_order_part row is missing" in found
    assert repair(wf.storage) == [order_id]
    assert problems(wf) == []
    after = wf.order(order_id).as_dict()
    for key in ("state", "version", "category", "headcount", "place", "start", "end", "requester"):
        assert after[key] == before[key], key
    assert [d.outcome for d in wf.dispatches(order_id)] == ["completed"]
    assert wf.reputation()["water.corps"] == (5.0, 1)


def test_a_deleted_part_row_alone_is_detected(wf):
    order_id = wf.submit(
        STATION, category="science", place="320505001002", start=dt.date(2023, 7, 10)
    ).id
    sql(wf, f"DELETE FROM wm_order_part WHERE order_id = {order_id}")
    assert f"order {order_id}: part 1's wm_order_part row is missing" in problems(wf)
    repair(wf.storage)
    assert problems(wf) == []
    wf.dispatch(OPS, order_id, "water.corps")  # the rebuilt order works on
    assert problems(wf) == []


def test_a_deleted_order_is_rebuilt_with_its_idempotency_key(wf):
    """The submit event keeps the idempotency key, so a rebuilt order still answers a
    repeated submission with itself rather than a second order."""
    request = {"category": "science", "place": "320505001002", "start": dt.date(2023, 7, 10)}
    order_id = wf.submit(STATION, idempotency_key="form-17", **request).id
    sql(
        wf,
        f"DELETE FROM wm_order_part WHERE order_id = {order_id}",
        f"DELETE FROM wm_order WHERE id = {order_id}",
    )
    assert f"order {order_id}: its wm_order row is missing (the log has 1 event(s))" in problems(wf)
    assert repair(wf.storage) == [order_id]
    assert problems(wf) == []
    assert wf.submit(STATION, idempotency_key="form-17", **request).id == order_id
    assert len(wf.orders()) == 1


def test_editing_a_volunteers_name_is_detected_and_repaired(wf):
    order_id = delivered(wf)
    sql(wf, "UPDATE wm_order_service SET volunteer = '王五' WHERE volunteer = '张敏'")
    (line,) = problems(wf)
    assert line.startswith(f"order {order_id}: wm_order_service holds") and "王五" in line
    assert repair(wf.storage) == [order_id]
    assert problems(wf) == []


def test_changing_the_resource_an_evaluation_credits_is_detected(wf):
    order_id = delivered(wf)
    sql(wf, "UPDATE wm_order_evaluation SET resource_key = 'water.water_journey'")
    (line,) = problems(wf)
    assert line.startswith(f"order {order_id}: wm_order_evaluation holds")
    assert "water.water_journey" in line
    repair(wf.storage)
    assert problems(wf) == [] and "water.water_journey" not in wf.reputation()


@pytest.mark.parametrize(
    ("statement", "expect"),
    [
        (
            "UPDATE wm_order SET headcount = 200",
            "order 1: wm_order headcount is 200, the events say 20",
        ),
        (
            "UPDATE wm_order SET state = 'cancelled'",
            "state is 'cancelled', the events say 'evaluated'",
        ),
        ("UPDATE wm_order_part SET resource_key = 'water.x'", "part 1 resource_key is 'water.x'"),
        ("UPDATE wm_order_dispatch SET outcome = 'open'", "dispatch 1 outcome is 'open'"),
        ("DELETE FROM wm_resource_slot", "wm_resource_slot holds []"),
        ("UPDATE wm_order_service SET hours = 9", "wm_order_service holds"),
    ],
)
def test_every_derived_table_is_checked(wf, statement, expect):
    delivered(wf)
    sql(wf, statement)
    found = problems(wf)
    assert any(expect in line for line in found), found
    repair(wf.storage)
    assert problems(wf) == []


def test_rows_without_events_are_reported_not_invented(wf):
    delivered(wf)
    sql(
        wf,
        "INSERT INTO wm_order_service (order_id, part_id, resource_key, volunteer, hours, at) "
        "VALUES (999, 1, 'water.corps', '幽灵', 8, '2023-07-10 01:00:00')",
    )
    assert problems(wf) == [
        "order 999 has rows in wm_order_service but no events: its log was removed"
    ]


def test_an_anchor_kept_outside_catches_a_log_rebuilt_from_scratch(wf):
    delivered(wf)
    head = verify(wf.storage).head
    anchor = f"{head[0]}:{head[1]}"
    assert verify(wf.storage, anchor=anchor).ok
    assert verify(wf.storage, anchor=f"{head[0]}:{'0' * 64}").chain == [
        f"anchor {head[0]} has another hash now: the log was rewritten up to it"
    ]
    assert verify(wf.storage, anchor=f"{head[0] + 5}:{head[1]}").chain == [
        f"anchor {head[0] + 5} is no longer in the log: the log was cut or replaced"
    ]


def test_cli_verify_and_repair(wf, url, tmp_path, monkeypatch):
    order_id = delivered(wf)
    path = tmp_path / "wenming.toml"
    path.write_text(
        f'name = "t"\ndatabase = "{url}"\n[plugins]\nonly = ["water"]\n', encoding="utf-8"
    )
    runner = CliRunner()
    ok = runner.invoke(cli, ["-d", str(path), "order", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "the log's 6 event(s) verify" in ok.output and "head 6:" in ok.output
    sql(wf, "UPDATE wm_order_service SET volunteer = '王五' WHERE volunteer = '张敏'")
    bad = runner.invoke(cli, ["-d", str(path), "order", "verify"])
    assert bad.exit_code == 1 and f"order {order_id}: wm_order_service holds" in bad.output
    fixed = runner.invoke(cli, ["-d", str(path), "order", "repair"])
    assert (
        fixed.exit_code == 0 and f"rebuilt 1 order(s) from their events: {order_id}" in fixed.output
    )
    assert runner.invoke(cli, ["-d", str(path), "order", "verify"]).exit_code == 0
    grants = runner.invoke(cli, ["-d", str(path), "order", "grants", "wenming_app"])
    assert "GRANT SELECT, INSERT ON wm_order_event TO wenming_app;" in grants.output


def test_a_least_privilege_role_appends_but_cannot_rewrite_the_log(wf, url):
    if wf.storage.backend != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    role = f"wm_app_{uuid.uuid4().hex[:10]}"
    with wf.storage.engine.begin() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        for statement in app_role_statements(role, schema):
            conn.execute(text(statement))
    base = url.split("?")[0].replace("postgres@", f"{role}@", 1)
    app_url = f"{base}?options={quote(f'-csearch_path={schema}')}"
    app = make_workflow(app_url, [("water", wenming_water)], create=False)
    try:
        order_id = delivered(app)  # the whole workflow runs as the role
        engine = create_engine(app_url)
        with engine.connect() as conn:
            owner = conn.execute(
                text("SELECT tableowner FROM pg_tables WHERE tablename = 'wm_order_event'")
            ).scalar()
            assert owner != role
        for statement in (
            "UPDATE wm_order_event SET actor = 'x'",
            "DELETE FROM wm_order_event",
            "TRUNCATE wm_order_event",
            "DROP TRIGGER wm_order_event_append_only ON wm_order_event",
        ):
            with (
                engine.begin() as conn,
                pytest.raises(DBAPIError, match="permission denied|must be owner"),
            ):
                conn.execute(text(statement))
        engine.dispose()
        assert verify(app.storage).ok and order_id
    finally:
        app.deployment.close()
        with wf.storage.engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))


def test_a_version_1_database_is_sealed_and_slotted_by_the_migration(wf):
    order_id = delivered(wf)
    waiting = wf.submit(
        STATION, category="science", place="320505001002", start=dt.date(2023, 7, 12)
    )
    wf.dispatch(OPS, waiting.id, "water.corps")
    lift_triggers(wf)  # back to what version 1 had: no chains, no slots
    index = "ix_wm_order_event_log_seq"
    drop_index = f"DROP INDEX {index}"
    sql(
        wf,
        drop_index,
        "ALTER TABLE wm_order_event DROP COLUMN log_seq",
        "ALTER TABLE wm_order_event DROP COLUMN log_hash",
        "ALTER TABLE wm_order_event DROP COLUMN hash",
        "DROP TABLE wm_log_head",
        "DROP TABLE wm_resource_slot",
        "UPDATE wm_meta SET value = '1' WHERE key = 'schema_version'",
    )
    assert wf.storage.schema_version() == 1
    assert wf.storage.upgrade() == SCHEMA_VERSION  # 1 → 2, then on to the current one
    report = verify(wf.storage)
    assert report.ok, report.lines()
    assert report.head[0] == 8
    with pytest.raises(DBAPIError, match="append-only"):
        sql(wf, "DELETE FROM wm_order_event")
    with wf.storage.engine.connect() as conn:
        slots = conn.execute(
            text("SELECT order_id FROM wm_resource_slot ORDER BY order_id")
        ).scalars()
        assert list(slots) == [order_id, waiting.id]
