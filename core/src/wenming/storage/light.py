"""Light reads: the deployment's database through its DB-API driver alone.

Importing SQLAlchemy and SQLModel costs ≈ 0.3 s of CPU, more than everything else a
command does before it answers. Commands that only read and are run by hand many
times a day (``wenming network stats``, ``wenming order show``) therefore open the
database with the driver itself — :mod:`sqlite3`, or psycopg for a
``postgresql+psycopg://`` URL — and run plain SQL, with the values converted as the
tables' column types convert them (:mod:`wenming.storage.values`)::

    reader = open_reader(deployment.database_url)
    if reader is None:
        ...  # the full path: Storage (SQLAlchemy) reports what is wrong
    with reader:
        rows = reader.rows("SELECT * FROM wm_order WHERE id = :oid", {"oid": 1}, table="wm_order")

:func:`open_reader` returns ``None`` whenever the light path does not apply — an
in-memory or missing SQLite file, a URL of another driver, an unreachable server, a
database without a current schema — so the caller falls back to :class:`Storage`,
which reports each of these as it always has. Writes always go through ``Storage``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from wenming.storage.values import converters, driver_sql

#: SQLite's declared column types (as the tables create them) → kinds of value.
_SQLITE_KINDS = {"DATETIME": "datetime", "DATE": "date", "JSON": "json", "BOOLEAN": "bool"}
#: PostgreSQL's ``timestamp`` and ``timestamptz`` type OIDs: psycopg converts every
#: other kind of value (dates, booleans, JSON) as the column types do.
_PG_DATETIME_OIDS = (1114, 1184)


def parse_url(url: str) -> tuple[str, dict[str, Any]] | None:
    """``(backend, connection arguments)`` of a URL the light path can open, read as
    SQLAlchemy reads it (``database`` → a SQLite file; user, password, host, port,
    database and query options → psycopg's arguments), or ``None``."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return None
    if scheme in ("sqlite", "sqlite+pysqlite"):
        path = rest[1:] if rest.startswith("/") else ""
        if not path or path == ":memory:" or any(c in path for c in "?%#"):
            return None  # in memory, or a form SQLAlchemy reads differently
        return "sqlite", {"path": path}
    if scheme != "postgresql+psycopg":
        return None
    netloc, _, tail = rest.partition("/")
    database, _, query = tail.partition("?")
    args: dict[str, Any] = {}
    if "@" in netloc:
        userinfo, _, netloc = netloc.rpartition("@")
        user, has_password, password = userinfo.partition(":")
        if user:
            args["user"] = unquote(user)
        if has_password:
            args["password"] = unquote(password)
    if "," in netloc:
        return None  # several hosts: leave them to SQLAlchemy
    host, port = netloc, ""
    if netloc.startswith("["):
        host, _, after = netloc[1:].partition("]")
        port = after[1:] if after.startswith(":") else ""
    elif ":" in netloc:
        host, _, port = netloc.rpartition(":")
    if host:
        args["host"] = unquote(host)
    if port:
        if not port.isdigit():
            return None
        args["port"] = int(port)
    if database:
        args["dbname"] = unquote(database)
    for key, value in parse_qsl(query):
        if key in args:
            return None  # a repeated option: SQLAlchemy passes a tuple
        args[key] = value
    return "postgresql", args


class Reader:
    """One read connection on the driver: plain SQL with ``:name`` parameters (plain
    text and numbers), rows back as dicts of converted values."""

    def __init__(self, connection: Any, backend: str, error: type[Exception]) -> None:
        self.connection = connection
        self.backend = backend
        #: The driver's base error: a caller that catches it falls back to the full path.
        self.Error = error
        self._out = {k: out for k, (_, out) in converters(backend).items() if out is not None}
        self._kinds: dict[str, dict[str, str]] = {}
        self._sql: dict[str, str] = {}

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    def _execute(self, sql: str, params: Mapping[str, Any] | None) -> Any:
        text = self._sql.get(sql)
        if text is None:
            text = self._sql[sql] = driver_sql(sql, self.backend)
        cur = self.connection.cursor()
        cur.execute(text, dict(params or {}))
        return cur

    def tuples(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple]:
        """Rows as the driver returns them (counts, codes: values needing no conversion)."""
        cur = self._execute(sql, params)
        try:
            return [tuple(row) for row in cur.fetchall()]
        finally:
            cur.close()

    def rows(
        self, sql: str, params: Mapping[str, Any] | None = None, *, table: str | None = None
    ) -> list[dict[str, Any]]:
        """Rows as dicts, each value converted as its column's type converts it: the
        columns of ``table`` on SQLite (which keeps only declared types), every
        datetime column on PostgreSQL."""
        cur = self._execute(sql, params)
        try:
            found = cur.fetchall()
            names = [d[0] for d in cur.description]
            if self.backend == "sqlite":
                kinds = self.kinds(table) if table else {}
                convert = [self._out.get(kinds.get(n, "")) for n in names]
            else:
                pg = self._out["datetime"]
                convert = [pg if d[1] in _PG_DATETIME_OIDS else None for d in cur.description]
        finally:
            cur.close()
        return [
            {n: (f(v) if f is not None else v) for n, f, v in zip(names, convert, row, strict=True)}
            for row in found
        ]

    def one(
        self, sql: str, params: Mapping[str, Any] | None = None, *, table: str | None = None
    ) -> dict[str, Any] | None:
        found = self.rows(sql, params, table=table)
        return found[0] if found else None

    def kinds(self, table: str) -> dict[str, str]:
        """``column → kind`` of a SQLite table, from the types its schema declares."""
        known = self._kinds.get(table)
        if known is None:
            cur = self.connection.execute(f'PRAGMA table_info("{table}")')
            try:
                known = {
                    name: _SQLITE_KINDS[decl.upper()]
                    for _, name, decl, *_ in cur.fetchall()
                    if decl.upper() in _SQLITE_KINDS
                }
            finally:
                cur.close()
            self._kinds[table] = known
        return known


def _connect(backend: str, args: dict[str, Any]) -> Reader | None:
    from wenming import storage

    if backend == "sqlite":
        import sqlite3

        try:  # mode=rw: never create a missing file (the full path says what is wrong)
            connection = sqlite3.connect(
                f"file:{quote(args['path'])}?mode=rw",
                uri=True,
                timeout=storage.BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error:
            return None
        return Reader(connection, backend, sqlite3.Error)
    try:
        import psycopg
    except ImportError:
        return None
    try:
        connection = psycopg.connect(**args, autocommit=True)
    except psycopg.Error:
        return None
    return Reader(connection, backend, psycopg.Error)


def open_reader(url: str) -> Reader | None:
    """A light read connection to the database at ``url`` with the current schema, or
    ``None`` where the full path (:class:`wenming.storage.Storage`) must answer."""
    from wenming import storage

    parsed = parse_url(url)
    if parsed is None:
        return None
    reader = _connect(*parsed)
    if reader is None:
        return None
    try:
        row = reader.tuples("SELECT value FROM wm_meta WHERE key = :key", {"key": "schema_version"})
    except reader.Error:
        row = []
    try:
        current = bool(row) and int(row[0][0]) == storage.SCHEMA_VERSION
    except ValueError:
        current = False
    if not current:
        reader.close()
        return None
    return reader
