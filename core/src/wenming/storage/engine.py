"""The :class:`Storage` class: a deployment's database through SQLAlchemy (engine,
sessions, schema creation and upgrades).

Importing this module imports SQLAlchemy and SQLModel (≈ 0.3 s); ``from wenming.storage
import Storage`` loads it on first use, so import it inside the functions that need it,
never at the top of a plugin or CLI module. Reads that need neither (the commands
measured for start-up) use :mod:`wenming.storage.light`.
"""

from __future__ import annotations

from collections.abc import Iterator
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


class Storage:
    """A database for one deployment: engine, sessions, schema version."""

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
            kwargs["pool_pre_ping"] = True
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
        if self.backend == "sqlite":
            event.listen(self.engine, "connect", _on_sqlite_connect)
            if not memory:
                folder = Path(parsed.database).expanduser().parent
                if not folder.is_dir():
                    raise StorageError(
                        f"cannot open {self!r}: the folder {folder} does not exist; create it "
                        "or change 'database' in the deployment file"
                    )
                try:
                    with self.engine.connect() as conn:
                        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
                except OperationalError as exc:
                    raise StorageError(f"cannot open {self!r}: {exc.orig}") from None

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
        self.engine.dispose()
