"""The :class:`Storage` class: a deployment's database through SQLAlchemy (engine,
sessions, schema creation and upgrades).

Importing this module imports SQLAlchemy and SQLModel (≈ 0.3 s); ``from wenming.storage
import Storage`` loads it on first use, so import it inside the functions that need it,
never at the top of a plugin or CLI module. Reads that need neither (the commands
measured for start-up) use :mod:`wenming.storage.light`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, select

# settings are read from the package when used (tests and deployments may change them)
from wenming import storage as _package
from wenming.errors import StorageError


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={_package.BUSY_TIMEOUT_MS}")
    # With WAL, NORMAL syncs at checkpoints, not at every commit: the database cannot
    # be corrupted, but a power cut may lose the last commits before it (an application
    # crash loses nothing). One fsync per commit otherwise bounds every transition.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def before_statements(engine: Engine, hook: Callable[[Any, str, Any], None]) -> None:
    """Run ``hook(cursor, statement, context)`` before every statement SQLAlchemy sends
    on ``engine``'s connections, and only then send it.

    This wraps the engine's own dialect's execute methods rather than listening for
    ``before_cursor_execute``: on an engine with connection event listeners, every
    transaction's begin and commit goes through SQLAlchemy's event dispatch, ≈ 20 µs
    more per transaction whether it runs a SQLAlchemy statement or not (measured; the
    journal's transactions run theirs on the driver's cursor)."""
    dialect = engine.dialect
    execute, many, bare = dialect.do_execute, dialect.do_executemany, dialect.do_execute_no_params

    def do_execute(cursor: Any, statement: str, parameters: Any, context: Any = None) -> None:
        hook(cursor, statement, context)
        execute(cursor, statement, parameters, context)

    def do_executemany(cursor: Any, statement: str, parameters: Any, context: Any = None) -> None:
        hook(cursor, statement, context)
        many(cursor, statement, parameters, context)

    def do_execute_no_params(cursor: Any, statement: str, context: Any = None) -> None:
        hook(cursor, statement, context)
        bare(cursor, statement, context)

    dialect.do_execute = do_execute  # type: ignore[method-assign]
    dialect.do_executemany = do_executemany  # type: ignore[method-assign]
    dialect.do_execute_no_params = do_execute_no_params  # type: ignore[method-assign]


def _lock_before_write(cursor: Any, statement: str, _context: Any) -> None:
    """SQLAlchemy's statements on SQLite: the write lock before the first write."""
    if not cursor.connection.in_transaction and _package.is_write(statement):
        _package.lock_for_write(cursor.connection)


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection on checkout only when it has been idle a while.

    ``pool_pre_ping`` pings on every checkout: one more round trip in every
    transaction. A connection given back less than :data:`wenming.storage.PING_AFTER_IDLE` ago was
    working then; one that has sat longer is pinged, and a dead one is replaced (and
    every connection pooled before it, as ``pool_pre_ping`` does) before anything runs
    on it. A server lost in between surfaces at the first statement as a disconnect
    error, which the journal retries on a fresh connection (its conditional update
    makes a retry safe).
    """
    import time

    from sqlalchemy.exc import InvalidatePoolError

    dialect = engine.dialect

    def mark(_dbapi_connection: Any, record: Any, *_: Any) -> None:
        record.info[_package._LAST_USED] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        used = record.info.get(_package._LAST_USED)
        if used is not None and time.monotonic() - used < _package.PING_AFTER_IDLE:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_connection, None):
                raise InvalidatePoolError(f"connection lost while idle: {exc}") from exc
            raise

    event.listen(engine, "connect", mark)
    event.listen(engine, "checkin", mark)
    event.listen(engine, "checkout", checkout)


def _rollback_keeping_prepared(dbapi_connection: Any) -> None:
    """Roll a psycopg connection back without forgetting its prepared statements.

    psycopg prepares a statement on the server once it has run five times, and its
    ``rollback()`` forgets every prepared statement (and deallocates them on the server:
    one more round trip), in case the rolled-back transaction dropped what they refer
    to. SQLAlchemy rolls back every connection given back to the pool with a transaction
    open — after every read — so no statement stayed prepared for long and the server
    parsed and planned most of them again (measured: a third of its CPU per
    transition). wenming changes its schema only in migrations, whose ``ALTER``/``DROP``
    results make psycopg forget its statements anyway, so here ``ROLLBACK`` is sent
    through libpq directly and the statements stay — psycopg's, and those the journal's
    pipeline prepares itself (:class:`wenming.orders.pipeline.Statements`), which a
    ``DEALLOCATE ALL`` would drop as well. Anything unusual (pipeline mode, a
    failed ``ROLLBACK``, a lost connection) goes through psycopg's own ``rollback()``.
    """
    from psycopg import pq

    pgconn = dbapi_connection.pgconn
    status = pgconn.transaction_status
    if status != pq.TransactionStatus.IDLE:
        result = None
        if pgconn.pipeline_status == pq.PipelineStatus.OFF and status in (
            pq.TransactionStatus.INTRANS,
            pq.TransactionStatus.INERROR,
        ):
            try:
                result = pgconn.exec_(b"ROLLBACK")
            except Exception:  # psycopg's rollback() reports it properly
                result = None
        if result is None or result.status != pq.ExecStatus.COMMAND_OK:
            dbapi_connection.rollback()


class Storage:
    """A database for one deployment: engine, sessions, schema version."""

    #: SQLite files: the thread checkpointing the write-ahead log (see
    #: :mod:`wenming.storage.checkpoint`); ``None`` elsewhere.
    checkpointer: Any = None

    def __init__(self, url: str, *, connect_args: dict[str, Any] | None = None) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise StorageError(f"not a database URL: {url!r}") from None
        self.url = url
        self.backend = parsed.get_backend_name()
        kwargs: dict[str, Any] = {}
        if self.backend == "sqlite":
            memory = parsed.database in (None, "", ":memory:")
            kwargs["connect_args"] = {"check_same_thread": False, **(connect_args or {})}
            if memory:
                kwargs["poolclass"] = StaticPool
        elif self.backend == "postgresql":
            kwargs["connect_args"] = dict(connect_args or {})
        else:
            raise StorageError(
                f"unsupported database {self.backend!r} in {url!r}: use sqlite:/// or postgresql+psycopg://"
            )
        try:
            self.engine: Engine = create_engine(url, **kwargs)
        except ModuleNotFoundError as exc:
            raise StorageError(
                f"the driver for {url!r} is not installed ({exc.name}); "
                "install wenming[postgres] for PostgreSQL"
            ) from None
        if self.backend == "postgresql":
            _ping_when_idle(self.engine)
            self.engine.dialect.do_rollback = _rollback_keeping_prepared  # type: ignore[method-assign]
        if self.backend == "sqlite":
            event.listen(self.engine, "connect", _on_sqlite_connect)
            before_statements(self.engine, _lock_before_write)
            if not memory:
                folder = Path(parsed.database).expanduser().parent
                if not folder.is_dir():
                    raise StorageError(
                        f"cannot open {self!r}: the folder {folder} does not exist; create it "
                        "or change 'database' in the deployment file"
                    )
                from wenming.storage import checkpoint

                event.listen(self.engine, "connect", checkpoint.on_connect)
                try:
                    with self.engine.connect() as conn:
                        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
                except OperationalError as exc:
                    raise StorageError(f"cannot open {self!r}: {exc.orig}") from None
                self.checkpointer = checkpoint.Checkpointer(Path(parsed.database).expanduser())

    def __repr__(self) -> str:
        return f"Storage({self.engine.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for one unit of work: committed on success, rolled back on error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def schema_version(self) -> int | None:
        """The version recorded in the database, or ``None`` for an empty database."""
        from wenming.storage.tables import Meta

        try:
            if not inspect(self.engine).has_table(Meta.__tablename__):
                return None
            with Session(self.engine) as s:
                row = s.exec(select(Meta).where(Meta.key == "schema_version")).first()
        except (OperationalError, ProgrammingError) as exc:
            raise StorageError(f"cannot read {self!r}: {exc.orig}") from None
        return int(row.value) if row else None

    def create(self) -> None:
        """Create the schema in an empty database, or upgrade an older one."""
        _package.load_tables()
        from wenming.storage.tables import Meta

        version = self.schema_version()
        if version is not None and version != _package.SCHEMA_VERSION:
            self.upgrade()
            return
        try:
            SQLModel.metadata.create_all(self.engine)
        except OperationalError as exc:
            raise StorageError(f"cannot create the schema in {self!r}: {exc.orig}") from None
        with self.session() as s:
            if s.get(Meta, "schema_version") is None:
                s.add(Meta(key="schema_version", value=str(_package.SCHEMA_VERSION)))

    def upgrade(self) -> int:
        """Apply migrations up to :data:`wenming.storage.SCHEMA_VERSION`, each in its own transaction."""
        from wenming.storage.tables import Meta

        version = self.schema_version()
        if version is None:
            self.create()
            return _package.SCHEMA_VERSION
        if version > _package.SCHEMA_VERSION:
            raise StorageError(
                f"{self!r} has schema version {version}, newer than this wenming "
                f"({_package.SCHEMA_VERSION}); upgrade wenming"
            )
        while version < _package.SCHEMA_VERSION:
            step = _package._migrations().get(version)
            if step is None:
                raise StorageError(f"no migration from schema version {version}")
            with self.engine.begin() as conn:
                step(conn)
                conn.execute(
                    Meta.__table__.update()
                    .where(Meta.__table__.c.key == "schema_version")
                    .values(value=str(version + 1))
                )
            version += 1
        return version

    def check(self) -> int:
        """Raise :class:`StorageError` unless the database is reachable and current."""
        version = self.schema_version()
        if version is None:
            raise StorageError(f"{self!r} has no wenming schema; run 'wenming init'")
        if version != _package.SCHEMA_VERSION:
            raise StorageError(
                f"{self!r} is at schema version {version}, this wenming needs "
                f"{_package.SCHEMA_VERSION}; run 'wenming init' to upgrade"
            )
        return version

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()
