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
#: 3: a user's civilized unit, the scope of ``unit_operator``).
SCHEMA_VERSION = 3

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
