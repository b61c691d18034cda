"""PostgreSQL: a transaction's statements sent in a pipeline, a round trip per answer.

Without a pipeline every statement waits for the server before the next is sent: an
accept on PostgreSQL made nine round trips (``BEGIN``, the order's read, the
conditional version bump, the dispatch's outcome, the part with the chain head, the
event, the counters' read and upsert, ``COMMIT``); an order's six transitions, 55.
The waiting was a large part of their time. In psycopg's pipeline mode statements are
sent without waiting; the client waits only where it needs an answer:

* a write whose outcome is not needed at once goes out with
  :meth:`~wenming.orders.sql.Driver.later` (the version bump's row count is read
  with the next answer);
* a read whose rows are needed only after the next answer goes out with
  :meth:`~wenming.orders.sql.Driver.read_later` (the counters' read of the order,
  sent before the chain head's; a dispatch's resource, sent with the order's read);
* a statement whose rows are needed now (the order, the chain head) is sent and the
  pipeline synced: one round trip carries everything sent before it too;
* the transaction needs neither ``BEGIN`` nor ``COMMIT``: a pipeline opened outside a
  transaction runs in PostgreSQL's implicit transaction of the extended protocol,
  which lasts until the pipeline's Sync. Answers in between are asked for with a
  Flush, which does not end it; the Sync at the end commits it, and an error rolls it
  back (the server skips everything up to the Sync). Each of those two statements cost
  the client and the server about as much as a write.

An answer (accept, start, complete, evaluate) then takes three round trips — the
order, the chain head, the commit — a submit three and a dispatch four: 19 for an
order's six transitions. A read of one order takes one
(:meth:`~wenming.orders.sql.Driver.read_alone`). The pipeline lives only
inside one transaction (:meth:`wenming.orders.journal.Journal.transaction`): before
any statement SQLAlchemy runs on the connection, and before its commit or rollback,
the pipeline is synced and left (:func:`install` registers the engine events), so
code that runs SQLAlchemy statements in a transaction (an observer, a plugin) sees
every write sent before it, in order, exactly as without a pipeline.

Where the transaction must outlive the pipeline — SQLAlchemy runs a statement in the
middle of it — ``BEGIN`` is sent last: the server then makes the implicit transaction,
with what was sent before, an ordinary one, which SQLAlchemy commits or rolls back. A
transaction given up without an error on the server (a lost race, a refusal, an
exception in Python) sends ``BEGIN`` before the Sync too, and the rollback that follows
(:func:`wenming.storage.engine._rollback_keeping_prepared`) ends it, so nothing it sent
is committed. The psycopg connection is in autocommit mode only while such a
pipeline is open, and is always put back.

An error of a statement sent earlier surfaces at the next sync as the error of that
statement (its SQL in the exception), wrapped like any driver error so that the
journal's retries (lost race, busy, lost connection) see what they expect, and the
whole transaction rolls back. SQLite has no round trips to save: there every
statement runs at once.
"""

from __future__ import annotations

import contextlib
import weakref
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

#: The open pipeline's key in the pooled connection's ``info``.
KEY = "wenming.pipeline"

_installed: weakref.WeakSet[Engine] = weakref.WeakSet()
#: libpq's result statuses of a statement that ran (psycopg.pq.ExecStatus)
_DONE = (1, 2)  # COMMAND_OK, TUPLES_OK
#: libpq's transaction status of a connection with no transaction open (pq.TransactionStatus)
_IDLE = 0


class Sent:
    """A statement sent in the pipeline; its row count once the pipeline has synced
    (a statement run at once, without a pipeline, has it from the start)."""

    __slots__ = ("cursor", "fetch", "keep", "params", "rowcount", "rows", "sql")

    def __init__(
        self,
        cursor: Any,
        sql: str,
        params: Any,
        *,
        keep: bool = False,
        fetch: bool = False,
        rowcount: int | None = None,
        rows: list[Any] | None = None,
    ) -> None:
        self.cursor = cursor
        self.sql = sql
        self.params = params
        self.keep = keep  # an answer's cursor: its caller reads the rows and closes it
        self.fetch = fetch  # a read sent ahead: its rows are kept at the sync
        self.rowcount = rowcount
        self.rows = rows


class Pipe:
    """An open psycopg pipeline on one connection, and what was sent on it unsynced."""

    __slots__ = ("context", "dbapi", "implicit", "pipeline", "sent")

    def __init__(self, dbapi: Any) -> None:
        self.dbapi = dbapi
        # no transaction open yet: the pipeline's implicit one, without BEGIN/COMMIT
        self.implicit = dbapi.pgconn.transaction_status == _IDLE
        if self.implicit:
            dbapi.autocommit = True  # psycopg sends no BEGIN
        try:
            self.context = dbapi.pipeline()
            self.pipeline = self.context.__enter__()
        except BaseException:
            self._manual()
            raise
        self.sent: list[Sent] = []

    def send(
        self,
        sql: str,
        text: str,
        params: Any,
        *,
        many: bool = False,
        keep: bool = False,
        fetch: bool = False,
        prepare: bool | None = None,
    ) -> Sent:
        """Send a statement without waiting for it (``fetch``: a read whose rows are
        kept when the pipeline syncs; ``prepare``: psycopg's, ``False`` never)."""
        cur = self.dbapi.cursor()
        sent = Sent(cur, sql, params, keep=keep, fetch=fetch)
        self.sent.append(sent)
        try:  # sending may bring an earlier statement's error back
            if many:
                cur.executemany(text, params)
            else:
                cur.execute(text, params, prepare=prepare)
        except Exception as exc:
            raise self._failed(exc) from exc
        return sent

    def _control(self, statement: str) -> None:
        """``BEGIN`` or ``COMMIT``, never prepared: sent after a failure, its ``Parse``
        would be skipped while psycopg counts it as prepared."""
        self.send(statement, statement, None, prepare=False)

    def _failed(self, exc: Exception) -> Failed:
        """The error of the statement that failed; the connection's prepared
        statements are suspect from here (:func:`wenming.storage.engine.forget_prepared`)."""
        from wenming.storage.engine import suspect_prepared

        suspect_prepared(self.dbapi)
        return Failed(self._culprit(), exc)

    def ask(self, sql: str, text: str, params: Any, *, many: bool = False) -> Any:
        """Send a statement and sync: its cursor, with its rows (the caller closes it)."""
        cur = self.send(sql, text, params, many=many, keep=True).cursor
        try:
            self.sync()
        except Failed:
            cur.close()
            raise
        return cur

    def sync(self) -> None:
        """Wait for everything sent; raise the first error (see :class:`Failed`).

        A Flush, not a Sync: the server answers everything sent so far and the
        transaction goes on (a Sync would commit an implicit one). This is how psycopg
        itself fetches a pipelined cursor's rows before a sync."""
        try:
            with self.dbapi.lock:
                self.dbapi.wait(self.pipeline._fetch_gen(flush=True))
        except Exception as exc:
            failed = self._failed(exc)
            self._settle()
            raise failed from exc
        self._settle()

    def _settle(self) -> None:
        """Note the row counts of what was sent; close the cursors nobody reads."""
        for s in self.sent:
            result = s.cursor.pgresult
            if result is not None and result.status in _DONE:
                s.rowcount = s.cursor.rowcount
                if s.fetch:
                    s.rows = s.cursor.fetchall()
            if not s.keep:
                s.cursor.close()
        self.sent.clear()

    def _culprit(self) -> Sent | None:
        """The statement that failed: psycopg raises the first error, and gives no
        result to the statement that failed nor to those after it (aborted), so it is
        the first sent that has none."""
        for s in self.sent:
            if s.cursor.pgresult is None:
                return s
        return None

    def close(self, *, commit: bool = False) -> None:
        """Leave the pipeline (one round trip if anything is unsynced). With ``commit``
        the transaction commits in that round trip; without, it stays open for
        SQLAlchemy to finish."""
        try:
            if self.implicit and not commit:
                self._control("BEGIN")  # the implicit transaction made explicit
            elif commit and not self.implicit:
                self._control("COMMIT")
            self.context.__exit__(None, None, None)  # the Sync
        except Failed:  # an earlier statement's error came back while sending
            self.abandon()
            raise
        except Exception as exc:  # at the sync; psycopg has left pipeline mode
            self._manual()
            failed = self._failed(exc)
            self._settle()
            raise failed from exc
        self._manual()
        self._settle()

    def abandon(self) -> None:
        """Leave the pipeline after an error or a refusal; the transaction is being
        rolled back. An implicit one is made explicit first — the Sync would commit
        it — and the rollback that follows ends it. Not a ``ROLLBACK`` here: psycopg
        forgets every prepared statement when one goes through it, and sends
        ``DEALLOCATE ALL`` later, after statements it has prepared since."""
        with contextlib.suppress(Exception):  # the rollback that follows reports it
            if self.implicit:  # skipped by the server if a statement failed already
                self.dbapi.execute("BEGIN", prepare=False)
        with contextlib.suppress(Exception):
            self.context.__exit__(None, None, None)
        self._manual()
        for s in self.sent:
            if not s.keep:
                s.cursor.close()
        self.sent.clear()

    def _manual(self) -> None:
        """psycopg's manual transactions again (``BEGIN`` before the first statement).

        psycopg refuses to switch while a transaction is open — the implicit one made
        explicit for SQLAlchemy — though the switch then only decides what it does
        when the next one starts; its flag is set directly there."""
        if not self.implicit:
            return
        dbapi = self.dbapi
        try:
            dbapi.autocommit = False
        except Exception:
            dbapi._autocommit = False
        if dbapi.autocommit:  # never leave a pooled connection committing each statement
            raise RuntimeError("the connection could not be taken out of autocommit")


class Failed(Exception):
    """A statement sent in the pipeline failed: ``sent`` is which (when known), and
    ``error`` the driver's error."""

    def __init__(self, sent: Sent | None, error: Exception) -> None:
        super().__init__(str(error))
        self.sent = sent
        self.error = error


def current(conn: Connection) -> Pipe | None:
    """The connection's open pipeline, if any."""
    return conn.info.get(KEY)


def open_on(conn: Connection) -> Pipe:
    """The connection's pipeline, opened if it is not (no round trip)."""
    pipe: Pipe | None = conn.info.get(KEY)
    if pipe is None:
        install(conn.engine)
        pipe = conn.info[KEY] = Pipe(conn.connection.dbapi_connection)
    return pipe


def leave(conn: Connection, *, commit: bool = False) -> None:
    """Sync and leave the connection's pipeline, if one is open."""
    pipe = conn.info.pop(KEY, None)
    if pipe is not None:
        pipe.close(commit=commit)


def abandon(conn: Connection) -> None:
    pipe = conn.info.pop(KEY, None)
    if pipe is not None:
        pipe.abandon()


def install(engine: Engine) -> None:
    """Leave the pipeline before SQLAlchemy's own statements, commits and rollbacks
    on ``engine``'s connections (once per engine)."""
    if engine in _installed:
        return
    _installed.add(engine)
    event.listen(engine, "before_cursor_execute", _before_statement)
    event.listen(engine, "commit", _before_end)
    event.listen(engine, "rollback", _before_rollback)


def _leave_for_sqlalchemy(conn: Connection, *, commit: bool) -> None:
    if not conn.invalidated and KEY in conn.info:
        from wenming.orders.sql import Driver

        Driver._piped(conn, leave, conn, commit=commit)


def _before_statement(conn: Connection, *_: Any) -> None:
    _leave_for_sqlalchemy(conn, commit=False)


def _before_end(conn: Connection) -> None:
    """SQLAlchemy commits: the pipeline's transaction commits with the Sync (psycopg's
    own commit then finds none open)."""
    _leave_for_sqlalchemy(conn, commit=True)


def _before_rollback(conn: Connection) -> None:
    if not conn.invalidated and KEY in conn.info:
        abandon(conn)
