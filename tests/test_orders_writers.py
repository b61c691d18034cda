"""Writers of several connections at once: transitions in two threads (each with its
own deployment and pool on one SQLite file or PostgreSQL schema) all go through with
no busy error, and on SQLite a write lock held elsewhere is waited for in short polls
(not SQLite's busy handler, whose sleeps grow to 100 ms) or, past the busy timeout,
refused with the usual "database is locked"."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time

import pytest
from sqlalchemy.exc import OperationalError

import wenming.storage
import wenming_water
from wenming.orders import Actor
from wenming.orders.events import verify
from wenming.orders.testing import make_workflow
from wenming.reports.counters import counters_of
from wenming.storage import database_error

DAY = dt.date(2023, 7, 10)
OPS = Actor("ops", "city_dispatcher")
STATION = Actor("station", "station_operator", area="320505001002")
LEADS = {
    "water.corps": Actor("lead", "team_leader", team="water.corps"),
    "water.water_classroom": Actor("lead-2", "team_leader", team="water.water_classroom"),
}


def whole_order(wf, team: str, day: dt.date) -> int:
    order = wf.submit(STATION, category="science", place="320505001002", start=day, headcount=10)
    wf.dispatch(OPS, order.id, team)
    lead = LEADS[team]
    wf.accept(lead, order.id)
    wf.start(lead, order.id)
    wf.complete(lead, order.id, {"张三": 2.0, "李四": 1.5})
    wf.evaluate(STATION, order.id, 4)
    return order.id


def test_two_writers_in_threads_never_hit_a_busy_database(wenming_database_url):
    url = wenming_database_url
    first = make_workflow(url, [("water", wenming_water)])
    second = make_workflow(url, [("water", wenming_water)])
    errors: list[BaseException] = []
    done: list[int] = []
    start = threading.Barrier(2, timeout=30)

    def writer(wf, team: str) -> None:
        try:
            start.wait()
            for i in range(12):
                done.append(whole_order(wf, team, dt.date(2023, 7, 10) + dt.timedelta(days=i)))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=writer, args=(first, "water.corps")),
        threading.Thread(target=writer, args=(second, "water.water_classroom")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert errors == []
        assert len(done) == 24
        assert first.journal.retries["busy"] == second.journal.retries["busy"] == 0
        assert verify(first.storage, done) == []
        assert counters_of(first.deployment).compare() == []
    finally:
        first.deployment.close()
        second.deployment.close()


def _hold_write_lock(url: str) -> sqlite3.Connection:
    other = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


@pytest.mark.parametrize("wenming_database_url", ["sqlite"], indirect=True)
def test_a_write_lock_held_elsewhere_is_waited_for_in_short_polls(
    wenming_database_url, monkeypatch
):
    wf = make_workflow(wenming_database_url, [("water", wenming_water)])
    order = wf.submit(STATION, category="science", place="320505001002", start=dt.date(2023, 7, 10))
    other = _hold_write_lock(wenming_database_url)
    sleeps: list[float] = []
    polled = threading.Event()
    original = time.sleep

    def counted(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) >= 5:
            polled.set()
        original(seconds)

    monkeypatch.setattr(time, "sleep", counted)
    result: list[object] = []
    t = threading.Thread(target=lambda: result.append(wf.dispatch(OPS, order.id, "water.corps")))
    t.start()
    assert polled.wait(timeout=30), "the dispatch never waited for the lock"
    other.execute("COMMIT")
    t.join(timeout=30)
    other.close()
    try:
        assert len(result) == 1 and result[0].state == "dispatched"
        assert wf.journal.retries["busy"] == 0
        assert all(s <= wenming.storage.LOCK_POLL[1] for s in sleeps)
    finally:
        wf.deployment.close()


@pytest.mark.parametrize("wenming_database_url", ["sqlite"], indirect=True)
def test_a_write_lock_held_past_the_busy_timeout_is_the_usual_locked_error(
    wenming_database_url, monkeypatch
):
    wf = make_workflow(wenming_database_url, [("water", wenming_water)])
    monkeypatch.setattr(wenming.storage, "BUSY_TIMEOUT_MS", 50)
    other = _hold_write_lock(wenming_database_url)
    try:
        with pytest.raises(OperationalError, match="locked") as caught:
            wf.submit(STATION, category="science", place="320505001002", start=dt.date(2023, 7, 10))
        assert "locked by another writer" in (database_error(caught.value) or "")
    finally:
        other.execute("ROLLBACK")
        other.close()
    try:
        assert wf.orders() == []
        # the connection is usable again, with its busy timeout back
        assert wf.submit(
            STATION, category="science", place="320505001002", start=dt.date(2023, 7, 10)
        )
        with wf.storage.engine.connect() as conn:
            timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
        assert timeout == wenming.storage.BUSY_TIMEOUT_MS
    finally:
        wf.deployment.close()


def _drop_pooled_connection(wf) -> None:
    """Leave exactly one connection in the pool, just used, and have the server end it."""
    from sqlalchemy import create_engine

    engine = wf.storage.engine
    engine.dispose()
    with engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    admin = create_engine(str(engine.url.render_as_string(hide_password=False)))
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
    finally:
        admin.dispose()


@pytest.mark.parametrize("wenming_database_url", ["postgresql"], indirect=True)
def test_a_connection_the_server_dropped_is_retried_on_a_fresh_one(wenming_database_url):
    wf = make_workflow(wenming_database_url, [("water", wenming_water)])
    try:
        order = wf.submit(STATION, category="science", place="320505001002", start=DAY)
        _drop_pooled_connection(wf)  # used a moment ago: not pinged at checkout
        assert wf.dispatch(OPS, order.id, "water.corps").state == "dispatched"
        assert wf.journal.retries["disconnect"] == 1
        assert verify(wf.storage, [order.id]) == []
    finally:
        wf.deployment.close()


@pytest.mark.parametrize("wenming_database_url", ["postgresql"], indirect=True)
def test_an_idle_pooled_connection_is_pinged_and_replaced_before_use(
    wenming_database_url, monkeypatch
):
    wf = make_workflow(wenming_database_url, [("water", wenming_water)])
    try:
        order = wf.submit(STATION, category="science", place="320505001002", start=DAY)
        _drop_pooled_connection(wf)
        monkeypatch.setattr(wenming.storage, "PING_AFTER_IDLE", 0.0)  # as if idle for long
        assert wf.dispatch(OPS, order.id, "water.corps").state == "dispatched"
        assert wf.journal.retries["disconnect"] == 0
    finally:
        wf.deployment.close()
