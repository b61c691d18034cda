"""The journal's statements in a pipeline (PostgreSQL) and run at once (SQLite): a
write sent without waiting is seen by every later statement of its transaction —
SQLAlchemy's included — its failure rolls the whole transition back and names the
statement, and a transition waits for the server only where it needs an answer."""

from __future__ import annotations

import collections
import datetime as dt
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

import wenming_water
from wenming.orders import Actor, IllegalTransition, pipeline
from wenming.orders.tables import Order, OrderEvent
from wenming.orders.testing import Clock, make_workflow

DAY = dt.date(2023, 7, 10)
OPS = Actor("ops", "city_dispatcher")
STATION = Actor("st-1", "station_operator", area="320505001")
LEAD = Actor("lead", "team_leader", team="water.corps")


@pytest.fixture
def wf(wenming_database_url):
    wf = make_workflow(wenming_database_url, [("water", wenming_water)], clock=Clock())
    yield wf
    wf.deployment.close()


def submitted(wf) -> int:
    return wf.submit(STATION, category="science", place="320505001002", start=DAY, headcount=8).id


def events_of(wf, order_id: int) -> int:
    with wf.storage.engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(OrderEvent).where(OrderEvent.order_id == order_id)
        ).scalar_one()


def test_sqlalchemy_in_the_transaction_sees_the_writes_sent_before_it(wf):
    order_id = submitted(wf)
    seen = []

    def observer(conn, events):
        # sent without waiting (on PostgreSQL), then read back through SQLAlchemy
        wf.journal.sql.later(
            conn,
            "UPDATE wm_order SET description = :d WHERE id = :oid",
            {"d": f"seen at {events[0].action}", "oid": order_id},
        )
        seen.append(
            conn.execute(select(Order.description).where(Order.id == order_id)).scalar_one()
        )

    wf.journal.on_append(observer)
    wf.dispatch(OPS, order_id, "water.corps")
    wf.accept(LEAD, order_id)
    assert seen == ["seen at dispatch", "seen at accept"]
    assert wf.order(order_id).description == "seen at accept"


@pytest.mark.parametrize(
    ("pause", "then"),
    [(0.0, False), (0.05, False), (0.05, True)],
    ids=["at-the-commit", "while-sending-commit", "while-sending-the-next"],
)
def test_a_failing_write_sent_ahead_rolls_back_and_names_its_statement(wf, pause, then):
    """The error comes back with the commit, or — when the server has answered by
    then — while ``COMMIT`` or the next statement is being sent; either way it is the
    failed statement's, nothing is written, and the connection goes back to the pool
    fit for the next transition."""
    order_id = submitted(wf)
    wf.dispatch(OPS, order_id, "water.corps")
    before = events_of(wf, order_id)
    fail = [True]

    def observer(conn, events):
        if fail[0]:  # the chain head's key is taken: refused at the commit at the latest
            wf.journal.sql.later(
                conn, "INSERT INTO wm_log_head (id, seq, hash) VALUES (1, 0, '')", {}
            )
            time.sleep(pause)  # the server's answer is in before the next send
            if then:
                wf.journal.sql.later(
                    conn, "UPDATE wm_order SET description = '' WHERE id = :oid", {"oid": order_id}
                )

    wf.journal.on_append(observer)
    with pytest.raises(IntegrityError) as caught:
        wf.accept(LEAD, order_id)
    # the statement that failed, not the one whose round trip brought the news
    assert caught.value.statement.startswith("INSERT INTO wm_log_head")
    order = wf.order(order_id)
    assert (order.state, order.parts[0].state) == ("dispatched", "dispatched")
    assert events_of(wf, order_id) == before
    fail[0] = False  # the pooled connection is fit for the next transition
    assert wf.accept(LEAD, order_id).parts[0].state == "accepted"
    assert events_of(wf, order_id) == before + 1


@pytest.mark.parametrize("sqlalchemy_first", [False, True], ids=["pipeline-only", "sqlalchemy-too"])
def test_a_transition_given_up_commits_nothing_it_sent(wf, sqlalchemy_first):
    """A transition given up in Python after its writes went out — here an observer
    that raises — leaves no trace: on PostgreSQL the pipeline's implicit transaction,
    which its final Sync would commit, is rolled back instead; also after SQLAlchemy
    made it an ordinary transaction in the middle."""
    order_id = submitted(wf)
    wf.dispatch(OPS, order_id, "water.corps")
    before = events_of(wf, order_id)

    def observer(conn, events):
        wf.journal.sql.later(
            conn, "UPDATE wm_order SET description = 'half' WHERE id = :oid", {"oid": order_id}
        )
        if sqlalchemy_first:
            conn.execute(select(Order.id).where(Order.id == order_id)).scalar_one()
        raise RuntimeError("given up")

    wf.journal.on_append(observer)
    with pytest.raises(RuntimeError, match="given up"):
        wf.accept(LEAD, order_id)
    order = wf.order(order_id)
    assert (order.state, order.parts[0].state) == ("dispatched", "dispatched")
    assert order.description != "half"
    assert events_of(wf, order_id) == before


def test_a_transition_waits_for_the_server_only_where_it_needs_an_answer(wf, monkeypatch):
    """On PostgreSQL: an answer (accept) reads the order, then learns the chain head,
    then commits — three round trips; a dispatch four (its resource is read with the
    order, its slot claimed with its row); a read of one order one."""
    if wf.storage.backend != "postgresql":
        pytest.skip("round trips are PostgreSQL's; SQLite runs in the process")
    waits: collections.Counter[str] = collections.Counter()
    current = ["-"]
    sync, close = pipeline.Pipe.sync, pipeline.Pipe.close

    def counting_sync(self):
        waits[current[0]] += 1
        return sync(self)

    def counting_close(self, **kw):
        waits[current[0]] += 1
        return close(self, **kw)

    monkeypatch.setattr(pipeline.Pipe, "sync", counting_sync)
    monkeypatch.setattr(pipeline.Pipe, "close", counting_close)

    def step(name, fn, *args):
        current[0] = name
        try:
            return fn(*args)
        finally:
            current[0] = "-"

    for _ in range(2):  # the second time with statements prepared
        waits.clear()
        order_id = step("submit", submitted, wf)
        step("dispatch", wf.dispatch, OPS, order_id, "water.corps")
        step("accept", wf.accept, LEAD, order_id)
        step("order", wf.order, order_id)
    assert dict(waits) == {"submit": 3, "dispatch": 4, "accept": 3, "order": 1}


def test_no_pipeline_outlives_its_transaction(wf):
    """Every connection goes back to the pool out of pipeline mode, with no
    transaction open and out of autocommit, after transitions, reads, a failed
    transition and one where SQLAlchemy ran in the middle alike: the next SQLAlchemy
    transaction on it rolls back as a whole."""
    order_id = submitted(wf)
    wf.dispatch(OPS, order_id, "water.corps")
    with pytest.raises(IllegalTransition, match="needs it to be completed"):
        wf.evaluate(STATION, order_id, 5)  # refused after the order was read
    wf.order(order_id)
    wf.journal.on_append(
        lambda conn, events: conn.execute(select(Order.id).where(Order.id == order_id)).all()
    )
    wf.accept(LEAD, order_id)
    with wf.storage.engine.connect() as conn:
        assert pipeline.KEY not in conn.info
        dbapi = conn.connection.dbapi_connection
        if wf.storage.backend == "postgresql":
            from psycopg import pq

            assert dbapi.pgconn.pipeline_status == pq.PipelineStatus.OFF
            assert dbapi.pgconn.transaction_status == pq.TransactionStatus.IDLE
            assert dbapi.autocommit is False
        conn.execute(Order.__table__.update().values(description="undone"))
        conn.rollback()
    assert wf.order(order_id).description != "undone"


def _prepared(wf) -> dict:
    """wenming's prepared statements on the pooled connection (one, in these tests),
    those whose ``Parse`` is still unanswered too."""
    with wf.storage.engine.connect() as conn:
        statements = pipeline.statements_of(conn.connection.dbapi_connection)
        return {**statements.pending, **statements.names}


def test_a_transition_given_up_keeps_the_prepared_statements(wf):
    """Each statement is parsed once per connection: a transition given up (rolled
    back) leaves what was prepared prepared, and every transition after it runs."""
    if wf.storage.backend != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")
    ids = [submitted(wf) for _ in range(3)]
    for order_id in ids:
        wf.dispatch(OPS, order_id, "water.corps")
    before = _prepared(wf)
    assert before, "nothing was prepared: the test proves nothing"

    def observer(conn, events):
        raise RuntimeError("given up")

    wf.journal.on_append(observer)
    with pytest.raises(RuntimeError, match="given up"):
        wf.accept(LEAD, ids[0])
    wf.journal._on_append.remove(observer)
    assert before.items() <= _prepared(wf).items()
    for order_id in ids:  # and every transition after it runs
        wf.accept(LEAD, order_id)
        wf.start(LEAD, order_id)


def test_a_statement_prepared_after_a_failure_in_its_pipeline_still_runs(wf):
    """When a statement before it in the pipeline fails, the server skips a
    statement's ``Parse``: it counts as prepared only once the server has answered
    it, and is prepared again when next used, not reported missing."""
    if wf.storage.backend != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")
    probe = "UPDATE wm_order SET description = description WHERE id = :oid"
    fail = [True]

    def observer(conn, events):
        if fail[0]:  # refused by the server; the probe's Parse sent after it is skipped
            wf.journal.sql.later(
                conn, "INSERT INTO wm_log_head (id, seq, hash) VALUES (1, 0, '')", {}
            )
        wf.journal.sql.later(conn, probe, {"oid": events[0].order_id})

    wf.journal.on_append(observer)
    fail[0] = False
    order_id = submitted(wf)
    wf.dispatch(OPS, order_id, "water.corps")
    names = {key[0] for key in _prepared(wf)}
    probed = [q for q in names if q.startswith(b"UPDATE wm_order SET description")]
    assert probed, "the probe was never prepared: the test proves nothing"
    with wf.storage.engine.connect() as conn:  # the probe is new to the connection again
        statements = pipeline.statements_of(conn.connection.dbapi_connection)
        for key in [k for k in statements.names if k[0] in probed]:
            del statements.names[key]
    fail[0] = True
    with pytest.raises(IntegrityError):
        wf.accept(LEAD, order_id)
    assert not any(k[0] in probed for k in _prepared(wf)), "a skipped Parse counted"
    fail[0] = False
    assert wf.accept(LEAD, order_id).parts[0].state == "accepted"
    assert any(k[0] in probed for k in _prepared(wf))
    assert not wf.journal.retries["prepared"]  # prepared again, never found missing


def test_statements_deallocated_behind_its_back_are_prepared_again(wf):
    """``DEALLOCATE ALL`` (psycopg sends one after a schema change) drops wenming's
    statements too: the transition that meets a missing one is retried, with the
    statements prepared again, and succeeds; a read too."""
    if wf.storage.backend != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")
    order_id = submitted(wf)
    wf.order(order_id)
    assert _prepared(wf)
    with wf.storage.engine.connect() as conn:
        conn.exec_driver_sql("DEALLOCATE ALL")
        conn.commit()
    assert wf.order(order_id).state == "submitted"
    with wf.storage.engine.connect() as conn:
        conn.exec_driver_sql("DEALLOCATE ALL")
        conn.commit()
    retried = wf.journal.retries["prepared"]
    assert wf.dispatch(OPS, order_id, "water.corps").state == "dispatched"
    assert wf.journal.retries["prepared"] == retried + 1
