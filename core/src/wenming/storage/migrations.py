"""Schema migrations: ``STEPS[v]`` upgrades a database from version ``v`` to ``v + 1``.

Each step runs in one transaction (:meth:`wenming.storage.Storage.upgrade`), as the
tables' owner: ``wenming init`` on an existing database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, inspect, select


def _v1_to_v2(conn: Connection) -> None:
    """Seal the event log into hash chains, add the chain head and the daily-slot table
    (claimed for every live dispatch already made), and the triggers against
    ``INSERT OR REPLACE`` (SQLite) and ``TRUNCATE`` (PostgreSQL)."""
    from sqlmodel import SQLModel

    from wenming.orders import integrity
    from wenming.orders.tables import (
        APPEND_ONLY_POSTGRESQL,
        APPEND_ONLY_SQLITE,
        Dispatch,
        LogHead,
        Order,
        OrderEvent,
        ResourceSlot,
    )

    dialect = conn.dialect.name
    columns = {c["name"] for c in inspect(conn).get_columns(OrderEvent.__tablename__)}
    for name, sql_type in (
        ("hash", "VARCHAR(64)"),
        ("log_seq", "INTEGER"),
        ("log_hash", "VARCHAR(64)"),
    ):
        if name not in columns:
            default = " DEFAULT '' NOT NULL" if sql_type.startswith("VARCHAR") else ""
            conn.exec_driver_sql(
                f"ALTER TABLE wm_order_event ADD COLUMN {name} {sql_type}{default}"
            )
    conn.exec_driver_sql(
        "CREATE UNIQUE INDEX IF NOT EXISTS ix_wm_order_event_log_seq ON wm_order_event (log_seq)"
    )
    SQLModel.metadata.create_all(conn, tables=[LogHead.__table__, ResourceSlot.__table__])
    # sealing rewrites the log once: lift the append-only triggers for this transaction
    if dialect == "sqlite":
        for name in ("no_update", "no_delete", "no_replace"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS wm_order_event_{name}")
    else:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS wm_order_event_append_only ON wm_order_event")
    integrity.seal_existing(conn)
    for sql in APPEND_ONLY_SQLITE if dialect == "sqlite" else APPEND_ONLY_POSTGRESQL:
        conn.exec_driver_sql(sql)
    d, o, slot = Dispatch.__table__, Order.__table__, ResourceSlot.__table__
    used: dict[tuple[str, Any], int] = {}
    rows = conn.execute(
        select(d.c.id, d.c.order_id, d.c.resource_key, o.c.window_start)
        .join(o, o.c.id == d.c.order_id)
        .where(d.c.outcome.in_(integrity.HOLDING))
        .order_by(d.c.id)
    )
    for did, order_id, key, day in rows.all():
        number = used.get((key, day), 0)
        used[(key, day)] = number + 1
        conn.execute(
            slot.insert().values(
                resource_key=key, day=day, slot=number, order_id=order_id, dispatch_id=did
            )
        )


def _v2_to_v3(conn: Connection) -> None:
    """Give users a civilized unit (``wm_user.unit``), the scope a ``unit_operator``
    acts in; existing users have none (no role used it before)."""
    from wenming.accounts.tables import User

    found = inspect(conn)
    if not found.has_table(User.__tablename__):
        return  # a database from before accounts: 'wenming init' creates the table whole
    columns = {c["name"] for c in found.get_columns(User.__tablename__)}
    if "unit" not in columns:
        conn.exec_driver_sql("ALTER TABLE wm_user ADD COLUMN unit VARCHAR(64)")


def _v3_to_v4(conn: Connection) -> None:
    """Indexes no transition should have to move: the counters' leaderboard index
    without ``value`` (each counter update moved it), and no index on ``order_id``
    alone where the table's ``(order_id, seq)`` constraint already has one."""
    for index in ("ix_wm_stat_top", "ix_wm_order_event_order_id", "ix_wm_order_part_order"):
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index}")
    if inspect(conn).has_table("wm_stat"):  # else 'wenming init' creates it with its index
        conn.exec_driver_sql(
            "CREATE INDEX IF NOT EXISTS ix_wm_stat_period ON wm_stat (metric, dim, period, key)"
        )


STEPS: dict[int, Callable[[Connection], None]] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}
