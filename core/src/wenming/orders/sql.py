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

from wenming.storage.types import UTCDateTime
from wenming.storage.values import Convert, converters, driver_sql

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
        self._sql: dict[str, str] = {}
        self._writes: dict[str, bool] = {}
        self._names: dict[str, list[str]] = {}

    def _text(self, sql: str) -> str:
        text = self._sql.get(sql)
        if text is None:
            text = driver_sql(sql, self.backend)
            self._sql[sql] = text
        return text

    def _lock(self, conn: Connection, sql: str) -> None:
        """SQLite: the write lock before a transaction's first write, as SQLAlchemy's
        statements take it (:func:`wenming.storage.lock_for_write`)."""
        if self.backend != "sqlite":
            return
        dbapi = conn.connection.dbapi_connection
        if dbapi.in_transaction:  # type: ignore[union-attr]
            return
        write = self._writes.get(sql)
        if write is None:
            from wenming.storage import is_write

            write = self._writes[sql] = is_write(sql)
        if write:
            from wenming.storage import lock_for_write

            lock_for_write(dbapi)

    def _params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        inbound = self.inbound
        return {k: (inbound[k](v) if k in inbound else v) for k, v in params.items()}

    def _cursor(self, conn: Connection) -> Any:
        return conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]

    def _rows(self, cur: Any, sql: str) -> list[dict[str, Any]]:
        rows = cur.fetchall()
        names = self._names.get(sql)
        if names is None:  # psycopg builds the description's objects at every access
            names = self._names[sql] = [d[0] for d in cur.description]
        return [self.row(names, row) for row in rows]

    def row(self, names: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
        """A row as a dict of converted values (``names`` are column names)."""
        out = self.outbound
        return {n: (out[n](v) if n in out else v) for n, v in zip(names, values, strict=True)}

    def tuples(self, conn: Connection, sql: str, params: Mapping[str, Any]) -> list[Any]:
        """Rows as the driver returns them (convert them with :meth:`row`)."""
        cur = self._cursor(conn)
        try:
            self._lock(conn, sql)
            cur.execute(self._text(sql), self._params(params))
            return cur.fetchall()
        except self.dbapi_error as exc:
            raise self._fail(conn, sql, params, exc) from exc
        finally:
            cur.close()

    def _fail(self, conn: Connection, sql: str, params: Any, exc: Exception) -> Exception:
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
            conn.invalidate(exc)
        return DBAPIError.instance(sql, params, exc, self.dbapi_error, connection_invalidated=lost)

    def all(self, conn: Connection, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        cur = self._cursor(conn)
        try:
            self._lock(conn, sql)
            cur.execute(self._text(sql), self._params(params))
            return self._rows(cur, sql)
        except self.dbapi_error as exc:
            raise self._fail(conn, sql, params, exc) from exc
        finally:
            cur.close()

    def one(self, conn: Connection, sql: str, params: Mapping[str, Any]) -> dict[str, Any] | None:
        rows = self.all(conn, sql, params)
        return rows[0] if rows else None

    def run(self, conn: Connection, sql: str, params: Mapping[str, Any]) -> int:
        """Execute once; return the number of rows changed."""
        cur = self._cursor(conn)
        try:
            self._lock(conn, sql)
            cur.execute(self._text(sql), self._params(params))
            return cur.rowcount
        except self.dbapi_error as exc:
            raise self._fail(conn, sql, params, exc) from exc
        finally:
            cur.close()

    def many(self, conn: Connection, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        if len(rows) == 1:  # psycopg's executemany costs extra round trips (a pipeline)
            self.run(conn, sql, rows[0])
            return
        cur = self._cursor(conn)
        try:
            self._lock(conn, sql)
            cur.executemany(self._text(sql), [self._params(r) for r in rows])
        except self.dbapi_error as exc:
            raise self._fail(conn, sql, rows, exc) from exc
        finally:
            cur.close()

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
        cur = self._cursor(conn)
        try:
            self._lock(conn, sql)
            cur.execute(sql, params)
            return cur.fetchall() if rows else []
        except self.dbapi_error as exc:
            raise self._fail(conn, sql, params, exc) from exc
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

    def insert_many(self, conn: Connection, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        names = list(rows[0])
        sql = (
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})"
        )
        self.many(conn, sql, rows)
