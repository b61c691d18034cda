"""The transitions' statements, run on the database driver's cursor.

A transition is a handful of statements by primary key; through SQLAlchemy's execution
machinery each costs about five times what the driver itself takes, which made it the
largest cost of a transition after the commit (see docs/performance.md). These few
statements are therefore plain SQL with named parameters, run on the connection's
DBAPI cursor inside the SQLAlchemy transaction — same connection, same transaction,
so observers and the rest of the code keep using SQLAlchemy on it. Values are
converted exactly as the tables' column types convert them (JSON, UTC datetimes,
dates, booleans: :mod:`wenming.storage.values`), so rows written here read the same
through SQLAlchemy, and back.
SQLite and PostgreSQL (psycopg) only, the two backends wenming supports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Date, Table

from wenming.orders import pipeline
from wenming.storage.types import UTCDateTime
from wenming.storage.values import PARAM, Convert, converters, driver_sql

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def _kind(type_: Any) -> str | None:
    if isinstance(type_, UTCDateTime):
        return "datetime"
    if isinstance(type_, JSON):
        return "json"
    if isinstance(type_, Date):
        return "date"
    if isinstance(type_, Boolean):
        return "bool"
    return None


def _columns(names: Iterable[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


class Driver:
    """Plain statements on the driver's cursor, with the column types' conversions.

    Parameters named like a column of the statement's tables are converted as that
    column; others (``oid``, ``seen``, ``pid``) pass as they are. Rows come back as
    dicts converted the same way.
    """

    def __init__(self, backend: str, tables: Iterable[Table], dbapi: Any = None) -> None:
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"no driver statements for {backend!r}")
        self.backend = backend
        self.dbapi_error: type[Exception] = getattr(dbapi, "Error", Exception)
        conversions = converters(backend)
        kinds: dict[str, str] = {}
        for table in tables:
            for col in table.c:
                kind = _kind(col.type)
                if kind is None:
                    continue
                if kinds.setdefault(col.name, kind) != kind:
                    raise ValueError(f"column {col.name} has two types among the driver's tables")
        self.inbound: dict[str, Convert] = {}
        self.outbound: dict[str, Convert] = {}
        for name, kind in kinds.items():
            into, out = conversions[kind]
            if into is not None:
                self.inbound[name] = into
            if out is not None:
                self.outbound[name] = out
        self.pg = backend == "postgresql"
        self._sql: dict[str, str] = {}
        self._writes: dict[str, bool] = {}
        self._names: dict[str, list[str]] = {}
        self._conversions: dict[str, tuple[tuple[str, Convert], ...]] = {}
        self._row_conversions: dict[tuple[str, ...], tuple[tuple[str, Convert], ...]] = {}

    def _text(self, sql: str) -> str:
        text = self._sql.get(sql)
        if text is None:
            text = driver_sql(sql, self.backend)
            self._sql[sql] = text
        return text

    def _lock(self, dbapi: Any, sql: str) -> None:
        """SQLite, outside a transaction: the write lock before its first write, as
        SQLAlchemy's statements take it (:func:`wenming.storage.lock_for_write`)."""
        write = self._writes.get(sql)
        if write is None:
            from wenming.storage import is_write

            write = self._writes[sql] = is_write(sql)
        if write:
            from wenming.storage import lock_for_write

            lock_for_write(dbapi)

    def _params(self, sql: str, params: Mapping[str, Any]) -> Mapping[str, Any]:
        """``params`` with the values of ``sql``'s typed columns converted (a copy)."""
        conversions = self._conversions.get(sql)
        if conversions is None:
            named = dict.fromkeys(PARAM.findall(sql))
            conversions = self._conversions[sql] = tuple(
                (n, self.inbound[n]) for n in named if n in self.inbound
            )
        if not conversions:
            return params
        out = dict(params)
        for name, convert in conversions:
            if name in out:
                out[name] = convert(out[name])
        return out

    def _rows(self, cur: Any, sql: str) -> list[dict[str, Any]]:
        rows = cur.fetchall()
        names = self._names.get(sql)
        if names is None:  # psycopg builds the description's objects at every access
            names = self._names[sql] = [d[0] for d in cur.description]
        return [self.row(names, row) for row in rows]

    def row(self, names: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
        """A row as a dict of converted values (``names`` are column names)."""
        key = names if isinstance(names, tuple) else tuple(names)
        conversions = self._row_conversions.get(key)
        if conversions is None:
            out = self.outbound
            conversions = self._row_conversions[key] = tuple((n, out[n]) for n in key if n in out)
        row = dict(zip(key, values, strict=True))
        for name, convert in conversions:
            row[name] = convert(row[name])
        return row

    def _prepared(
        self, sql: str, params: Any, *, raw: bool = False, many: bool = False
    ) -> tuple[str, Any]:
        """The driver's text and values of a statement (``raw``: both as they are)."""
        if raw:
            return sql, params
        args = [self._params(sql, r) for r in params] if many else self._params(sql, params)
        return self._text(sql), args

    def _execute(
        self, conn: Connection, sql: str, params: Any, *, raw: bool = False, many: bool = False
    ) -> Any:
        """Run a statement and return its cursor, its results in (the caller closes
        it). In a pipeline (PostgreSQL, :mod:`wenming.orders.pipeline`) the statement
        goes with everything sent before it, in one round trip."""
        text, args = self._prepared(sql, params, raw=raw, many=many)
        pipe = self._pipe(conn)
        if pipe is not None:
            return self._piped(conn, pipe.ask, sql, text, args, many=many)
        dbapi = conn.connection.dbapi_connection
        cur = dbapi.cursor()  # type: ignore[union-attr]
        try:
            if not self.pg and not dbapi.in_transaction:  # type: ignore[union-attr]
                self._lock(dbapi, sql)
            if many:
                cur.executemany(text, args)
            else:
                cur.execute(text, args)
        except self.dbapi_error as exc:
            cur.close()
            raise self._fail(conn, sql, params, exc) from exc
        return cur

    def tuples(self, conn: Connection, sql: str, params: Mapping[str, Any]) -> list[Any]:
        """Rows as the driver returns them (convert them with :meth:`row`)."""
        cur = self._execute(conn, sql, params)
        try:
            return cur.fetchall()
        finally:
            cur.close()

    def _fail(self, conn: Connection, sql: str, params: Any, exc: Exception) -> Exception:
        return _wrap(conn, sql, params, exc, self.dbapi_error)

    def all(self, conn: Connection, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        cur = self._execute(conn, sql, params)
        try:
            return self._rows(cur, sql)
        finally:
            cur.close()

    def one(self, conn: Connection, sql: str, params: Mapping[str, Any]) -> dict[str, Any] | None:
        rows = self.all(conn, sql, params)
        return rows[0] if rows else None

    def run(self, conn: Connection, sql: str, params: Mapping[str, Any]) -> int:
        """Execute once; return the number of rows changed."""
        cur = self._execute(conn, sql, params)
        try:
            return cur.rowcount
        finally:
            cur.close()

    def many(self, conn: Connection, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        if len(rows) == 1:  # psycopg's executemany costs extra round trips (a pipeline)
            self.run(conn, sql, rows[0])
            return
        self._execute(conn, sql, rows, many=True).close()

    # ------------------------------------------------------------------ pipelined

    def _pipe(self, conn: Connection) -> pipeline.Pipe | None:
        """The connection's open pipeline (PostgreSQL), if any."""
        return conn.info.get(pipeline.KEY) if self.pg else None

    @staticmethod
    def _piped(conn: Connection, call: Any, *args: Any, **kwargs: Any) -> Any:
        """``call`` on the pipeline; an error of a statement sent on it raised as that
        statement's, wrapped like any driver error."""
        try:
            return call(*args, **kwargs)
        except pipeline.Failed as exc:
            raise wrap(conn, exc) from exc.error

    def _send(
        self,
        conn: Connection,
        pipe: pipeline.Pipe,
        sql: str,
        params: Any,
        *,
        raw: bool = False,
        many: bool = False,
        fetch: bool = False,
    ) -> pipeline.Sent:
        """Send a statement on ``pipe`` without waiting (one row of ``many`` as one)."""
        text, args = self._prepared(sql, params, raw=raw, many=many)
        if many and len(args) == 1:
            args, many = args[0], False
        return self._piped(conn, pipe.send, sql, text, args, many=many, fetch=fetch)

    def begin(self, conn: Connection) -> None:
        """PostgreSQL: open a pipeline for this transaction (the first statement
        needs no ``BEGIN``: see :mod:`~wenming.orders.pipeline`); nothing on SQLite."""
        if self.pg:
            pipeline.open_on(conn)

    def commit(self, conn: Connection) -> None:
        """PostgreSQL: what is still unsynced, and the commit, in one round trip, and
        the pipeline left (SQLAlchemy's own commit then finds nothing to do). Where no
        pipeline is open, the transaction's owner commits as usual."""
        if self._pipe(conn) is not None:
            self._piped(conn, pipeline.leave, conn, commit=True)

    def read_alone(self, conn: Connection, sql: str, params: Mapping[str, Any]) -> list[Any]:
        """A read on a connection with no transaction open: on PostgreSQL the
        statement alone, in the pipeline's implicit transaction, one round trip (not
        four: ``BEGIN``, the read, and the ``ROLLBACK`` the pool sends when the
        connection is given back).
        Rows as the driver returns them."""
        if not self.pg or conn.in_transaction() or pipeline.KEY in conn.info:
            return self.tuples(conn, sql, params)
        for attempt in (1, 2):
            self.begin(conn)
            try:
                sent = self.read_later(conn, sql, params)
                self.commit(conn)
            except Exception as exc:
                pipeline.abandon(conn)
                if attempt == 1 and pipeline.deallocated(exc):  # prepared again now
                    continue
                raise
            except BaseException:
                pipeline.abandon(conn)
                raise
            break
        return self.rows(conn, sent)

    def later(
        self,
        conn: Connection,
        sql: str,
        params: Any,
        *,
        raw: bool = False,
        many: bool = False,
    ) -> pipeline.Sent:
        """A write whose outcome is not needed at once: in an open pipeline it is
        sent without waiting, and its row count (:meth:`count`) and any error arrive
        with the next statement that waits for rows, or with the commit. Elsewhere it
        runs now. ``raw``: a statement written for this backend (:meth:`positional`);
        ``many``: ``params`` is a sequence of rows."""
        pipe = self._pipe(conn)
        if pipe is None:
            if many:
                self.many(conn, sql, params)
                return pipeline.Sent(sql, params, rowcount=len(params))
            cur = self._execute(conn, sql, params, raw=raw)
            try:
                return pipeline.Sent(sql, params, rowcount=cur.rowcount)
            finally:
                cur.close()
        return self._send(conn, pipe, sql, params, raw=raw, many=many)

    def read_later(
        self, conn: Connection, sql: str, params: Any, *, raw: bool = False
    ) -> pipeline.Sent:
        """A read whose rows are needed only after the next statement that waits: in
        an open pipeline it is sent now and answered in that statement's round trip
        (:meth:`rows`). Elsewhere it runs now."""
        pipe = self._pipe(conn)
        if pipe is None:
            cur = self._execute(conn, sql, params, raw=raw)
            try:
                return pipeline.Sent(sql, params, rowcount=-1, rows=cur.fetchall())
            finally:
                cur.close()
        return self._send(conn, pipe, sql, params, raw=raw, fetch=True)

    def _synced(self, conn: Connection, sent: pipeline.Sent) -> None:
        if sent.rowcount is None:
            pipe = self._pipe(conn)
            if pipe is not None:
                self._piped(conn, pipe.sync)
        if sent.rowcount is None:
            raise RuntimeError(f"no outcome for {sent.sql!r}: it did not run")

    def count(self, conn: Connection, sent: pipeline.Sent) -> int:
        """The rows a statement sent with :meth:`later` changed (syncing if need be)."""
        self._synced(conn, sent)
        assert sent.rowcount is not None
        return sent.rowcount

    def rows(self, conn: Connection, sent: pipeline.Sent) -> list[Any]:
        """The rows of a read sent with :meth:`read_later`, as the driver returns
        them (syncing if need be)."""
        self._synced(conn, sent)
        return sent.rows or []

    @property
    def mark(self) -> str:
        """The driver's positional parameter marker (``?`` or ``%s``), for statements
        built once per backend and run with :meth:`positional`."""
        return "?" if self.backend == "sqlite" else "%s"

    def positional(
        self, conn: Connection, sql: str, params: Sequence[Any], *, rows: bool = True
    ) -> list[Any]:
        """Run a statement written for this backend (parameters marked with
        :attr:`mark`) with its values as they are; its rows as the driver returns them
        (none when ``rows`` is false: a statement that returns none). For statements of
        many rows at once, whose parameters have no column types to convert."""
        cur = self._execute(conn, sql, params, raw=True)
        try:
            return cur.fetchall() if rows else []
        finally:
            cur.close()

    def insert(self, conn: Connection, table: str, row: Mapping[str, Any]) -> int:
        """Insert one row and return its ``id``."""
        names = list(row)
        sql = (
            f"INSERT INTO {table} ({_columns(names)}) "
            f"VALUES ({', '.join(':' + n for n in names)}) RETURNING id"
        )
        found = self.one(conn, sql, row)
        assert found is not None
        return found["id"]

    def insert_later(
        self,
        conn: Connection,
        table: str,
        row: Mapping[str, Any],
        expressions: Mapping[str, str] | None = None,
    ) -> pipeline.Sent:
        """Insert one row, its ``id`` read back with :meth:`rows` (in an open
        pipeline, with the next statement that waits). ``expressions``: columns given
        as SQL of this backend instead of parameters."""
        names = list(row)
        extra = dict(expressions or {})
        values = [":" + n for n in names] + list(extra.values())
        sql = (
            f"INSERT INTO {table} ({_columns(names + list(extra))}) "
            f"VALUES ({', '.join(values)}) RETURNING id"
        )
        return self.read_later(conn, sql, row)

    def insert_many(self, conn: Connection, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert rows, sent with :meth:`later` (nothing is read back)."""
        if not rows:
            return
        names = list(rows[0])
        sql = (
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})"
        )
        self.later(conn, sql, rows, many=True)  # one row goes as one statement


def _wrap(conn: Connection, sql: str, params: Any, exc: Exception, dbapi_error: type) -> Exception:
    """The driver's error as SQLAlchemy's (``IntegrityError``, ``OperationalError``
    …), as callers that retry on a lost race or a busy database expect. A lost
    connection is invalidated, as SQLAlchemy does for its own statements, and the
    error says so (``connection_invalidated``)."""
    from sqlalchemy.exc import DBAPIError

    lost = False
    try:
        lost = conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, None)
    except Exception:  # deciding must not hide the error itself
        lost = False
    if lost:
        conn.info.pop(pipeline.KEY, None)  # the connection's pipeline is gone with it
        conn.invalidate(exc)
    return DBAPIError.instance(sql, params, exc, dbapi_error, connection_invalidated=lost)


def wrap(conn: Connection, failed: pipeline.Failed) -> Exception:
    """A pipelined statement's error as SQLAlchemy's, naming that statement."""
    sent = failed.sent
    error_class = getattr(conn.dialect.loaded_dbapi, "Error", Exception)
    return _wrap(
        conn,
        sent.sql if sent is not None else "(pipeline)",
        sent.params if sent is not None else None,
        failed.error,
        error_class,
    )
