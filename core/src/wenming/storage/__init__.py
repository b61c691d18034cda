"""Storage: the SQLModel tables a deployment records, behind one small class.

Embedded SQLite is the default (a file, or in memory for tests); PostgreSQL is the
production target, chosen by URL. The schema carries a version in ``wm_meta`` so later
releases can migrate existing databases: bump :data:`SCHEMA_VERSION` and add the step
to :data:`MIGRATIONS`.

Importing this package is light: :class:`Storage` (SQLAlchemy and SQLModel, ≈ 0.3 s)
lives in :mod:`wenming.storage.engine` and loads on first use, so import it inside the
functions that need it, never at the top of a plugin or CLI module. Commands that only
read use :mod:`wenming.storage.light` (the DB-API driver alone) where they can.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from wenming.storage.engine import Storage

__all__ = [
    "BUSY_TIMEOUT_MS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "TABLE_MODULES",
    "Storage",
    "database_error",
    "load_tables",
]

#: The schema version this code writes and expects (2: hash-chained event log, daily slots;
#: 3: a user's civilized unit, the scope of ``unit_operator``; 4: indexes no transition
#: has to move for nothing — the counters' by period, none twice on an order's events).
SCHEMA_VERSION = 4

#: ``MIGRATIONS[v]`` upgrades a database from version ``v`` to ``v + 1``
#: (the steps live in :mod:`wenming.storage.migrations`).
MIGRATIONS: dict[int, Callable[[Connection], None]] = {}


def _migrations() -> dict[int, Callable[[Connection], None]]:
    from wenming.storage.migrations import STEPS

    return {**STEPS, **MIGRATIONS}


#: Modules whose SQLModel tables belong to the schema; imported before create_all.
TABLE_MODULES: list[str] = [
    "wenming.storage.tables",
    "wenming.orders.tables",
    "wenming.reports.tables",
    "wenming.people.tables",
    "wenming.accounts.tables",
]


def load_tables() -> None:
    for module in TABLE_MODULES:
        importlib.import_module(module)


#: How long a SQLite writer waits for another writer's lock before giving up (ms).
BUSY_TIMEOUT_MS = 10_000


#: While waiting for SQLite's write lock: seconds between attempts, drawn at random
#: so that writers of several processes and threads do not fall into step.
LOCK_POLL = (0.0002, 0.002)
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


def is_write(statement: str) -> bool:
    """Whether a statement writes (the ones pysqlite would open a transaction for)."""
    return statement.lstrip()[:6].upper() in _WRITES


def lock_for_write(dbapi_connection: Any) -> None:
    """Take SQLite's write lock for the transaction about to write (``BEGIN
    IMMEDIATE``), unless the connection is in a transaction already.

    pysqlite would begin a deferred transaction itself before the first write, and a
    lock held by another connection would then be waited for by SQLite's busy handler,
    whose sleeps grow to 100 ms between attempts after the first third of a second:
    under steady contention a waiting writer keeps missing the moments the lock is
    free (seconds at the tail, two server processes measured). Here the lock is asked
    for every few hundred microseconds instead, up to :data:`BUSY_TIMEOUT_MS`; not had
    by then, the driver's "database is locked" error is raised, as before. Reads
    before a transaction's first write stay outside it, as with pysqlite's own
    transactions (the journal's conditional update checks what they saw).
    """
    if dbapi_connection.in_transaction:
        return
    import random
    import sqlite3
    import time

    deadline = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                cur.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                now = time.monotonic()
                if deadline is None:
                    deadline = now + BUSY_TIMEOUT_MS / 1000
                if now >= deadline or not ("locked" in str(exc) or "busy" in str(exc)):
                    raise
            time.sleep(random.uniform(*LOCK_POLL))
    finally:
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()


#: A pooled PostgreSQL connection idle this long (seconds) is pinged before it is used.
PING_AFTER_IDLE = 1.0
_LAST_USED = "wenming_last_used"


def database_error(exc: BaseException) -> str | None:
    """One line for a database error the user can act on (a lock held too long, a value
    the database refuses), or ``None`` for anything else (a bug: keep its traceback)."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if not isinstance(exc, DBAPIError):
        return None
    detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    if "locked" in detail or "busy" in detail:
        return (
            f"the database is locked by another writer (waited {BUSY_TIMEOUT_MS // 1000} s); "
            "nothing was written, try again"
        )
    if isinstance(exc, OperationalError):
        return f"the database cannot be used: {detail}"
    return f"the database refused the request: {detail}; nothing was written"


def __getattr__(name: str) -> Any:
    if name == "Storage":
        from wenming.storage.engine import Storage

        return Storage
    raise AttributeError(f"module 'wenming.storage' has no attribute {name!r}")
