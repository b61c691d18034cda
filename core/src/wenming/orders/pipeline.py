"""PostgreSQL: a transaction's statements sent in a pipeline, a round trip per answer.

Without a pipeline every statement waits for the server before the next is sent: an
accept on PostgreSQL made nine round trips (``BEGIN``, the order's read, the
conditional version bump, the dispatch's outcome, the part with the chain head, the
event, the counters' read and upsert, ``COMMIT``); an order's six transitions, 55.
The waiting was a large part of their time. In libpq's pipeline mode statements are
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
is committed. psycopg never sees these statements, so it sends no ``BEGIN`` of its own
and its autocommit setting is never touched.

The statements go through libpq's own calls (``psycopg.pq``), not psycopg's cursors: a
cursor, a query conversion and a result object per statement were about a third of the
client's time in a transition. A statement nobody waits for is written to the socket at
once, so the server runs it while the client goes on; one waited for goes with the
Flush that asks for its answer. Each statement is prepared
once per connection, by text and parameter types (:class:`Statements`); parameters
are dumped and rows loaded by psycopg's adapters (its ``Transformer``), as its cursors
would, so values read and written here are the same as through SQLAlchemy. A
statement counts as prepared only once the server has answered its ``Parse`` (after an
error the server skips the rest of the pipeline); one deallocated behind wenming's
back (``DEALLOCATE ALL``) fails with SQLSTATE 26000, the connection forgets its
statements, and the journal retries the transition (:func:`deallocated`).

An error of a statement sent earlier surfaces at the next sync as the error of that
statement (its SQL in the exception), wrapped like any driver error so that the
journal's retries (lost race, busy, lost connection) see what they expect, and the
whole transaction rolls back. SQLite has no round trips to save: there every
statement runs at once.
"""

from __future__ import annotations

import contextlib
import re
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

#: The open pipeline's key in the pooled connection's ``info``.
KEY = "wenming.pipeline"

_installed: weakref.WeakSet[Engine] = weakref.WeakSet()
#: libpq's result statuses (psycopg.pq.ExecStatus)
_COMMAND_OK, _TUPLES_OK, _FATAL_ERROR, _PIPELINE_SYNC, _PIPELINE_ABORTED = 1, 2, 7, 10, 11
#: libpq's transaction status of a connection with no transaction open (pq.TransactionStatus)
_IDLE = 0
#: libpq's text format (pq.Format.TEXT): rows come back as psycopg's cursors get them
_TEXT = 0
#: The connection's statements prepared by wenming (see :class:`Statements`).
_STATEMENTS = "_wenming_statements"

_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%s|%%")
_converted: dict[tuple[str, str], tuple[bytes, tuple[str, ...] | None]] = {}


def convert(text: str, encoding: str) -> tuple[bytes, tuple[str, ...] | None]:
    """A statement in psycopg's style (``%(name)s`` or ``%s``, ``%%``) in the
    server's (``$1`` …) and the parameters' names in order (``None``: positional)."""
    key = (text, encoding)
    found = _converted.get(key)
    if found is not None:
        return found
    names: list[str] = []
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        whole, name = match.group(0), match.group(1)
        if whole == "%%":
            return "%"
        if name is None:
            count += 1
            return f"${count}"
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    query = _PLACEHOLDER.sub(number, text)
    if names and count:
        raise ValueError(f"a statement with named and positional parameters: {text!r}")
    found = _converted[key] = (query.encode(encoding), tuple(names) if names else None)
    return found


class Statements:
    """The statements wenming has prepared on one connection, by text and parameter
    types (as psycopg keys its own). Names are never reused: a statement deallocated
    behind wenming's back (``DEALLOCATE ALL``) is prepared again under a new name
    after its error (:meth:`forget`). A ``Parse`` counts once its answer has come:
    the server skips it when a statement before it in the pipeline failed."""

    __slots__ = ("auto", "names", "next", "pending", "transformer")

    def __init__(self, dbapi: Any) -> None:
        from psycopg.adapt import PyFormat, Transformer

        self.auto = PyFormat.AUTO
        self.names: dict[tuple[bytes, tuple[int, ...]], bytes] = {}
        self.pending: dict[tuple[bytes, tuple[int, ...]], bytes] = {}
        self.next = 0
        self.transformer = Transformer(dbapi)

    def forget(self) -> None:
        self.names.clear()
        self.pending.clear()


def statements_of(dbapi: Any) -> Statements:
    """The connection's :class:`Statements` (kept on the driver's connection object, so
    a connection replaced after a disconnect starts with none)."""
    found = getattr(dbapi, _STATEMENTS, None)
    if found is None:
        found = Statements(dbapi)
        setattr(dbapi, _STATEMENTS, found)
    return found


class Sent:
    """A statement sent in the pipeline; its row count once the pipeline has synced
    (a statement run at once, without a pipeline, has it from the start). It reads
    like the driver's cursor where the caller needs one (:meth:`fetchall`,
    :attr:`description`, :attr:`rowcount`)."""

    __slots__ = ("fetch", "names", "params", "rowcount", "rows", "sql")

    def __init__(
        self,
        sql: str,
        params: Any,
        *,
        fetch: bool = False,
        rowcount: int | None = None,
        rows: list[Any] | None = None,
    ) -> None:
        self.sql = sql
        self.params = params
        self.fetch = fetch  # its rows are kept when the pipeline syncs
        self.rowcount = rowcount
        self.rows = rows
        self.names: list[str] = []

    def fetchall(self) -> list[Any]:
        return self.rows or []

    @property
    def description(self) -> list[tuple[str]]:
        return [(n,) for n in self.names]

    def close(self) -> None:
        """Nothing to close (a cursor's method, for callers that treat it as one)."""


class _Prepare:
    """A ``Parse`` in the pipeline, awaiting its answer."""

    __slots__ = ("key", "name")

    def __init__(self, key: tuple[bytes, tuple[int, ...]], name: bytes) -> None:
        self.key = key
        self.name = name


_CONTROL = object()  # BEGIN or COMMIT: a result nobody reads
_SYNC = object()


class Pipe:
    """A libpq pipeline on one psycopg connection, and what was sent on it unread.

    Statements are sent with libpq's own calls, prepared once per connection
    (:class:`Statements`), their parameters dumped and their rows loaded by psycopg's
    adapters — as its cursors do, without a cursor or a query conversion per statement,
    and with the transaction left to this pipeline: psycopg sends
    no ``BEGIN`` for statements it does not see."""

    __slots__ = ("dbapi", "encoding", "error", "implicit", "pgconn", "queue", "statements")

    def __init__(self, dbapi: Any) -> None:
        self.dbapi = dbapi
        self.pgconn = dbapi.pgconn
        self.statements = statements_of(dbapi)
        self.encoding = dbapi.info.encoding
        # no transaction open yet: the pipeline's implicit one, without BEGIN/COMMIT
        self.implicit = self.pgconn.transaction_status == _IDLE
        #: the answers still to read, in order: a Sent, a _Prepare, _CONTROL or _SYNC
        self.queue: list[Any] = []
        #: the first statement that failed and its error, once read
        self.error: tuple[Sent | None, Exception] | None = None
        self.pgconn.enter_pipeline_mode()

    def send(
        self,
        sql: str,
        text: str,
        params: Any,
        *,
        many: bool = False,
        fetch: bool = False,
        keep: bool = False,
    ) -> Sent:
        """Queue a statement without waiting for it (``fetch`` or ``keep``: a read
        whose rows are kept when the pipeline syncs; ``many``: one run per row)."""
        sent = Sent(sql, params, fetch=fetch or keep)
        try:
            for row in params if many else (params,):
                self._queue(sent, text, row)
            if not keep:  # on its way now: the server runs it while the client goes on
                self.pgconn.flush()
        except Exception as exc:  # a value psycopg cannot adapt, a broken connection
            raise Failed(sent, exc) from exc
        return sent

    def _queue(self, sent: Sent, text: str, row: Any) -> None:
        query, names = convert(text, self.encoding)
        if row is None:
            values: Any = ()
        elif names is not None:
            values = [row[n] for n in names]
        else:
            values = row
        statements = self.statements
        tx = statements.transformer
        dumped = tx.dump_sequence(values, [statements.auto] * len(values)) if values else None
        types = tx.types if values else ()
        key = (query, types)
        name = statements.names.get(key) or statements.pending.get(key)
        pgconn = self.pgconn
        if name is None:
            statements.next += 1
            name = statements.pending[key] = b"wm_%d" % statements.next
            pgconn.send_prepare(name, query, param_types=types)
            self.queue.append(_Prepare(key, name))
        pgconn.send_query_prepared(
            name, dumped, param_formats=tx.formats if values else None, result_format=_TEXT
        )
        self.queue.append(sent)

    def _control(self, statement: bytes) -> None:
        """``BEGIN`` or ``COMMIT``: not prepared."""
        self.pgconn.send_query_params(statement, None)
        self.queue.append(_CONTROL)

    def ask(self, sql: str, text: str, params: Any, *, many: bool = False) -> Sent:
        """Send a statement and wait for it: the :class:`Sent`, with its rows."""
        sent = self.send(sql, text, params, many=many, keep=True)
        self.sync()
        return sent

    def sync(self) -> None:
        """Wait for everything sent; raise the first error (see :class:`Failed`).

        A Flush, not a Sync: the server answers everything sent so far and the
        transaction goes on (a Sync would commit an implicit one)."""
        if not self.queue:
            return
        self.pgconn.send_flush_request()
        self._read()
        self._raise()

    def _read(self) -> None:
        """Send what is queued and read every answer expected, errors included (the
        server answers the statements after a failed one as aborted)."""
        from psycopg import errors
        from psycopg.generators import fetch_many, send

        dbapi, pgconn, queue = self.dbapi, self.pgconn, self.queue
        try:
            dbapi.wait(send(pgconn))
            while queue:
                item = queue[0]
                results = dbapi.wait(fetch_many(pgconn))
                del queue[0]
                for result in results:
                    status = result.status
                    if status == _FATAL_ERROR:
                        if self.error is None:
                            error = errors.error_from_result(result, encoding=self.encoding)
                            self.error = (item if isinstance(item, Sent) else None, error)
                        self._skipped(item)
                    elif status == _PIPELINE_ABORTED:
                        self._skipped(item)
                    elif status in (_COMMAND_OK, _TUPLES_OK):
                        self._done(item, result)
                    elif status != _PIPELINE_SYNC:
                        raise errors.InterfaceError(f"unexpected result status {status}")
        except Exception as exc:  # the connection itself failed
            if self.error is None:
                culprit = next((i for i in queue if isinstance(i, Sent)), None)
                self.error = (culprit, exc)
            queue.clear()
            self.statements.forget()
            raise self._failure() from exc

    def _done(self, item: Any, result: Any) -> None:
        if isinstance(item, Sent):
            count = result.command_tuples
            item.rowcount = (item.rowcount or 0) + (count if count is not None else -1)
            if item.fetch:
                tx = self.statements.transformer
                tx.set_pgresult(result)
                rows = tx.load_rows(0, result.ntuples, tuple)
                item.rows = rows if item.rows is None else item.rows + rows
                if not item.names:
                    item.names = [
                        (result.fname(i) or b"").decode(self.encoding)
                        for i in range(result.nfields)
                    ]
        elif isinstance(item, _Prepare):
            statements = self.statements
            statements.pending.pop(item.key, None)
            statements.names[item.key] = item.name

    def _skipped(self, item: Any) -> None:
        if isinstance(item, _Prepare):  # never parsed: prepared again when next used
            self.statements.pending.pop(item.key, None)
        elif isinstance(item, Sent):
            item.rowcount = None

    def _failure(self) -> Failed:
        assert self.error is not None
        culprit, error = self.error
        if getattr(error, "sqlstate", None) == "26000":  # deallocated behind our back
            self.statements.forget()
        return Failed(culprit, error)

    def _raise(self) -> None:
        if self.error is not None:
            raise self._failure() from self.error[1]

    def close(self, *, commit: bool = False) -> None:
        """Leave the pipeline (one round trip). With ``commit`` the transaction
        commits in that round trip; without, it stays open for SQLAlchemy to finish."""
        try:
            if self.error is None:
                if self.implicit and not commit:
                    self._control(b"BEGIN")  # the implicit transaction made explicit
                elif commit and not self.implicit:
                    self._control(b"COMMIT")
            self.pgconn.pipeline_sync()
            self.queue.append(_SYNC)
            self._read()
        finally:
            self._exit()
        self._raise()

    def abandon(self) -> None:
        """Leave the pipeline after an error or a refusal; the transaction is being
        rolled back. An implicit one is made explicit first — the Sync would commit
        it — and the rollback that follows ends it."""
        with contextlib.suppress(Exception):  # the rollback that follows reports it
            if self.implicit and self.error is None:
                self._control(b"BEGIN")
            self.pgconn.pipeline_sync()
            self.queue.append(_SYNC)
            self._read()
        self._exit()

    def _exit(self) -> None:
        self.queue.clear()
        with contextlib.suppress(Exception):  # a broken connection: it is invalidated
            self.pgconn.exit_pipeline_mode()


class Failed(Exception):
    """A statement sent in the pipeline failed: ``sent`` is which (when known), and
    ``error`` the driver's error."""

    def __init__(self, sent: Sent | None, error: Exception) -> None:
        super().__init__(str(error))
        self.sent = sent
        self.error = error


def deallocated(exc: BaseException) -> bool:
    """Whether a driver error says a prepared statement was missing (SQLSTATE 26000:
    deallocated behind wenming's back; the connection prepares its statements again)."""
    return getattr(getattr(exc, "orig", exc), "sqlstate", None) == "26000"


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
    leave_info(conn.info, commit=commit)


def abandon(conn: Connection) -> None:
    abandon_info(conn.info)


def install(engine: Engine) -> None:
    """Leave the pipeline before SQLAlchemy's own statements, commits and rollbacks
    on ``engine``'s connections (once per engine), in its dialect's methods: no
    connection event listeners (see :func:`wenming.storage.engine.before_statements`)."""
    if engine in _installed:
        return
    _installed.add(engine)
    from wenming.storage.engine import before_statements

    before_statements(engine, _before_statement)
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_connection: Any) -> None:
        """SQLAlchemy commits: the pipeline's transaction commits with the Sync (the
        driver's own commit then finds none open). An error is the driver's, which
        SQLAlchemy wraps (and invalidates the connection if it was lost)."""
        info = _info(dbapi_connection)
        if info is not None and KEY in info:
            try:
                leave_info(info, commit=True)
            except Failed as exc:
                raise exc.error from None
        commit(dbapi_connection)

    def do_rollback(dbapi_connection: Any) -> None:
        info = _info(dbapi_connection)
        if info is not None and KEY in info:
            abandon_info(info)
        rollback(dbapi_connection)

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]


def _info(dbapi_connection: Any) -> dict[str, Any] | None:
    """The pooled connection's ``info`` (SQLAlchemy passes its pool's proxy)."""
    info = getattr(dbapi_connection, "info", None)
    return info if isinstance(info, dict) else None


def leave_info(info: dict[str, Any], *, commit: bool) -> None:
    pipe = info.pop(KEY, None)
    if pipe is not None:
        pipe.close(commit=commit)


def abandon_info(info: dict[str, Any]) -> None:
    pipe = info.pop(KEY, None)
    if pipe is not None:
        pipe.abandon()


def _before_statement(_cursor: Any, _statement: str, context: Any) -> None:
    conn = getattr(context, "root_connection", None)
    if conn is not None and not conn.invalidated and KEY in conn.info:
        from wenming.orders.sql import Driver

        Driver._piped(conn, leave, conn, commit=False)
