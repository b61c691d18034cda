"""The journal's statements, as plain SQL for the driver (:mod:`wenming.orders.sql`).

Every statement a transition runs on the hot path, in one place: reading an order with
its parts, the conditional version bump, the part update, the chain head and its move,
and PostgreSQL's combined forms (a part's update with the head's read, an event's
insert with the head's move: data-modifying ``WITH``, one statement each).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from wenming.orders.tables import Order, OrderEvent, OrderPart

T_ORDER = Order.__table__
T_PART = OrderPart.__table__
T_EVENT = OrderEvent.__table__


def tables() -> list[Any]:
    """Every table a transition writes, for the driver's conversions."""
    from wenming.orders.tables import Dispatch, Evaluation, LogHead, ResourceSlot, ServiceHours
    from wenming.storage.tables import ResourceRow

    return [
        T_ORDER,
        T_PART,
        T_EVENT,
        Dispatch.__table__,
        Evaluation.__table__,
        ServiceHours.__table__,
        ResourceRow.__table__,
        ResourceSlot.__table__,
        LogHead.__table__,
    ]


ORDER_COLUMNS = [c.name for c in T_ORDER.c]
PART_COLUMNS = [c.name for c in T_PART.c]


@functools.cache
def order_sql(order_condition: str | None = None, part_condition: str | None = None) -> str:
    """An order and its parts in one statement: the order's columns, then the part's
    (none when no part is visible), under a reader's scope conditions
    (:mod:`wenming.orders.lightreads`: on ``wm_order`` and on ``p.``)."""
    on = " AND " + part_condition if part_condition else ""
    where = f" AND ({order_condition})" if order_condition else ""
    return (
        "SELECT "
        + ", ".join([f"wm_order.{n}" for n in ORDER_COLUMNS] + [f"p.{n}" for n in PART_COLUMNS])
        + f" FROM wm_order LEFT JOIN wm_order_part p ON p.order_id = wm_order.id{on}"
        + f" WHERE wm_order.id = :oid{where} ORDER BY p.seq"
    )


LOAD = order_sql()
BUMP = (
    "UPDATE wm_order SET version = :version, state = :state, updated_at = :updated_at"
    " WHERE id = :oid AND version = :seen"
)
BUMP_MOVED = (
    "UPDATE wm_order SET version = :version, state = :state, updated_at = :updated_at,"
    " state_since = :updated_at WHERE id = :oid AND version = :seen"
)
#: The columns of a part that a transition may change (see :func:`part_update`).
PART_COLUMNS_CHANGED = ("state", "resource_key", "dispatch_id", "excluded", "state_since")


@functools.cache
def part_update(columns: tuple[str, ...]) -> str:
    """A part's update setting ``columns``. On SQLite only those that changed are set
    (:func:`part_updates`): SQLite rewrites the index entry of every indexed column a
    statement sets, changed or not (a start moved the parts' ``resource_key`` index for
    nothing: one more page in the log)."""
    return f"UPDATE wm_order_part SET {', '.join(f'{c} = :{c}' for c in columns)} WHERE id = :pid"


#: A part's update, every column a transition may change.
PART = part_update(PART_COLUMNS_CHANGED)


def part_updates(
    changes: Sequence[Mapping[str, Any]], before: Mapping[int, Mapping[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    """SQLite: each changed part's :func:`part_update` and its parameters (``changes``:
    :data:`PART`'s parameters; ``before``: the part rows as loaded, by id)."""
    out = []
    for change in changes:
        old = before.get(change["pid"], {})
        columns = tuple(c for c in PART_COLUMNS_CHANGED if c not in old or change[c] != old[c])
        if columns:
            out.append(
                (part_update(columns), {"pid": change["pid"], **{c: change[c] for c in columns}})
            )
    return out


PREVIOUS_HASH = "SELECT hash FROM wm_order_event WHERE order_id = :oid AND seq = :seq"
#: The chain head, and the hash of the event before the first appended one (its
#: order's ``seq - 1``; none for a submit) in the same round trip.
HEAD_SQLITE = (
    "SELECT h.seq, h.hash, (SELECT e.hash FROM wm_order_event e"
    " WHERE e.order_id = :oid AND e.seq = :seq) FROM wm_log_head h WHERE h.id = 1"
)
HEAD_POSTGRESQL = HEAD_SQLITE + " FOR UPDATE OF h"
HEAD_MOVE = "UPDATE wm_log_head SET seq = :seq, hash = :hash WHERE id = 1"
#: PostgreSQL: one part's update and the head's read in one statement.
PART_AND_HEAD = f"WITH p AS ({PART}) {HEAD_POSTGRESQL}"


@functools.cache
def event_and_head(columns: tuple[str, ...]) -> str:
    """PostgreSQL: one event's insert and the head moved to it, in one statement."""
    return (
        f"WITH e AS (INSERT INTO wm_order_event ({', '.join(columns)})"
        f" VALUES ({', '.join(':' + c for c in columns)}))"
        " UPDATE wm_log_head SET seq = :log_seq, hash = :log_hash WHERE id = 1"
    )
