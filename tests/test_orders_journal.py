"""The journal's in-transaction observers (``on_append``): they see the events being
appended, write in the same transaction, and a failing one rolls the transition back.
On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, update

import wenming_water
from wenming import hookimpl
from wenming.orders import Actor
from wenming.orders.events import verify
from wenming.orders.tables import Dispatch, OrderEvent
from wenming.orders.testing import Clock, make_workflow

DAY = dt.date(2023, 7, 10)
OPS = Actor("ops", "city_dispatcher")
STATION = Actor("st-1", "station_operator", area="320505001")
LEAD = Actor("lead", "team_leader", team="water.corps")

COUNTERS = Table(
    "test_counter",
    MetaData(),
    Column("action", String(16), primary_key=True),
    Column("n", Integer, nullable=False),
)


@pytest.fixture
def wf(wenming_database_url):
    wf = make_workflow(wenming_database_url, [("water", wenming_water)], clock=Clock())
    COUNTERS.create(wf.storage.engine)
    yield wf
    wf.deployment.close()


def count_actions(conn, events):
    """A counter kept in the same transaction as the events that move it."""
    for e in events:
        done = conn.execute(
            update(COUNTERS).where(COUNTERS.c.action == e.action).values(n=COUNTERS.c.n + 1)
        )
        if done.rowcount == 0:
            conn.execute(COUNTERS.insert().values(action=e.action, n=1))


def order_through(wf):
    order = wf.submit(STATION, category="science", place="320505001002", start=DAY)
    wf.dispatch(OPS, order.id, "water.corps")
    wf.decline(LEAD, order.id, "busy")
    wf.dispatch(OPS, order.id, "water.water_journey")
    lead = Actor("lead2", "team_leader", team="water.water_journey")
    wf.accept(lead, order.id)
    wf.start(lead, order.id)
    wf.complete(lead, order.id, {"张三": 2.0})
    wf.evaluate(STATION, order.id, 5)
    return order.id


def test_counters_kept_in_the_transaction_equal_a_rebuild_from_the_log(wf):
    wf.journal.on_append(count_actions)
    order_through(wf)
    order_through(wf)
    with wf.storage.engine.connect() as conn:
        kept = dict(conn.execute(select(COUNTERS.c.action, COUNTERS.c.n)).all())
        rebuilt = dict(
            conn.execute(select(OrderEvent.action, func.count()).group_by(OrderEvent.action)).all()
        )
    assert kept == rebuilt
    assert kept["dispatch"] == 4 and kept["submit"] == 2


def test_observers_see_numbered_events_with_their_stored_data(wf):
    seen = []
    wf.journal.on_append(lambda conn, events: seen.extend(events))
    order = wf.submit(STATION, category="science", place="320505001002", start=DAY)
    wf.dispatch(OPS, order.id, "water.corps")
    assert [(e.order_id, e.seq, e.action) for e in seen] == [
        (order.id, 1, "submit"),
        (order.id, 2, "dispatch"),
    ]
    with wf.storage.engine.connect() as conn:
        dispatch_id = conn.execute(select(Dispatch.id)).scalar_one()
    assert seen[1].data["dispatch"] == dispatch_id


def test_a_failing_observer_rolls_the_transition_back(wf):
    order = wf.submit(STATION, category="science", place="320505001002", start=DAY)

    @wf.journal.on_append
    def refuse(conn, events):
        count_actions(conn, events)
        raise RuntimeError("counter table is full")

    with pytest.raises(RuntimeError, match="counter table is full"):
        wf.dispatch(OPS, order.id, "water.corps")
    with pytest.raises(RuntimeError):
        wf.submit(STATION, category="science", place="320505001002", start=DAY)
    after = wf.order(order.id)
    assert (after.state, after.version) == ("submitted", 1)
    assert len(wf.orders()) == 1 and wf.dispatches(order.id) == []
    with wf.storage.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(COUNTERS)).scalar() == 0
    assert verify(wf.storage) == []


class Watcher:
    seen: ClassVar[list[str]] = []

    @hookimpl
    def after_transition(transition):
        Watcher.seen.append(transition.action)


def test_hooks_are_looked_up_once_and_skipped_when_nobody_listens(wenming_database_url):
    wf = make_workflow(wenming_database_url, [("water", wenming_water)], clock=Clock())
    try:
        assert not wf.journal.hooked
        wf.submit(STATION, category="science", place="320505001002", start=DAY)
        wf.pm.register(Watcher, name="watcher")
        Watcher.seen.clear()
        order = wf.submit(STATION, category="science", place="320505001002", start=DAY)
        assert Watcher.seen == []  # the plugins were fixed when the workflow started
        wf.journal.refresh_hooks()
        assert wf.journal.hooked
        wf.dispatch(OPS, order.id, "water.corps")
        assert Watcher.seen == ["dispatch"]
    finally:
        wf.deployment.close()


def test_rows_the_driver_writes_read_the_same_through_sqlalchemy(wf):
    """The transitions' statements run on the driver's cursor; their conversions must
    match the tables' column types both ways (JSON, UTC datetimes, dates, booleans)."""
    from wenming.orders.tables import Order, OrderPart

    order = wf.submit(
        STATION, category="science", place="320505001002", start=DAY, tags=["水", "节约"]
    )
    wf.dispatch(OPS, order.id, "water.corps")
    wf.decline(LEAD, order.id, "busy")
    sql = wf.journal.sql
    with wf.storage.engine.connect() as conn:
        for table in (Order.__table__, OrderPart.__table__, OrderEvent.__table__):
            key = table.c.id if table is Order.__table__ else table.c.order_id
            through_sa = [
                dict(r)
                for r in conn.execute(
                    select(table).where(key == order.id).order_by(table.c.id)
                ).mappings()
            ]
            through_driver = sql.all(
                conn,
                f"SELECT * FROM {table.name} WHERE {key.name} = :oid ORDER BY id",
                {"oid": order.id},
            )
            assert through_driver == through_sa
            assert through_sa
    row = through_sa[-1]
    assert row["at"].tzinfo is not None and row["data"]["resource"] == "water.corps"
    published = wf.publish(
        OPS,
        name="pool",
        kind="venue",
        name_zh="泳池",
        place="320505001",
        department="water",
        months=[7, 8],
        serves=["320505"],
    )
    with wf.storage.engine.connect() as conn:
        assert wf.supply.lookup(conn, "water.pool") == published
