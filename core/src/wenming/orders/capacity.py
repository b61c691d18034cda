"""Daily slots: no resource is booked beyond what it takes on one day, whatever races.

A resource takes :func:`daily_slots` demands a day (a venue two sessions, a project
one, a team one group per 20 members, or the row's ``extra.slots``); a demand's day
is the start of its window, as in the matching engine's batch. Every dispatch claims
one slot of its resource's day in ``wm_resource_slot`` inside the dispatching
transaction; the table's unique key ``(resource_key, day, slot)`` makes the
*database* refuse a second claim on a slot, so sequential batches, concurrent batches
in several processes and a rerun after a crash cannot overbook. A decline,
cancellation or expiry frees the slot; a completed dispatch keeps it (the day was used).

Why a constraint rather than ``SELECT … FOR UPDATE`` and a count: it behaves the same
on SQLite and PostgreSQL, needs no row to lock before the first booking of a day, holds
no lock across the engine's work, and the claim commits or rolls back with the
dispatch, so a crash leaves no half-booking.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from wenming.errors import WenmingError
from wenming.matching.slots import default_slots  # the engine's rule, one place
from wenming.orders.errors import FullyBooked
from wenming.orders.tables import ResourceSlot

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

    from wenming.orders.sql import Driver
    from wenming.registry import Registry

T_SLOT = ResourceSlot.__table__
log = logging.getLogger("wenming.orders")


def daily_slots(session: Session, registry: Registry, key: str) -> int:
    """How many demands ``key`` takes on one day: a published row's ``extra.slots``,
    else the default for its kind and members (a plugin's seed record likewise)."""
    from wenming.storage.tables import ResourceRow

    t = ResourceRow.__table__
    row = session.execute(select(t.c.kind, t.c.members, t.c.extra).where(t.c.key == key)).first()
    return slots_of(registry, key, row._mapping if row is not None else None)


_ROW_SLOTS = "SELECT kind, members, extra FROM wm_resource WHERE key = :key"
_TAKEN = "SELECT slot FROM wm_resource_slot WHERE resource_key = :resource_key AND day = :day"
#: The lowest free slot of a resource's day, claimed in one statement: the slot numbers
#: below ``slots`` (a recursive count, on SQLite and PostgreSQL alike), the first not
#: yet taken. Two claims racing for it: the unique key refuses the second, which
#: finds nothing inserted and tries again (PostgreSQL waits for the first to commit).
_CLAIM = (
    "WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n + 1 < :slots)"
    " INSERT INTO wm_resource_slot (resource_key, day, slot, order_id, dispatch_id)"
    " SELECT CAST(:resource_key AS VARCHAR), :day, s.n, :order_id, :dispatch_id FROM s"
    " WHERE s.n < :slots AND NOT EXISTS (SELECT 1 FROM wm_resource_slot t"
    " WHERE t.resource_key = :resource_key AND t.day = :day AND t.slot = s.n)"
    " ORDER BY s.n LIMIT 1"
    " ON CONFLICT DO NOTHING RETURNING slot"
)
#: PostgreSQL: the claim of the dispatch this session inserted last (its ID is not
#: known yet: the insert was sent in the same round trip).
_CLAIM_LAST = _CLAIM.replace(
    ":dispatch_id", "currval(pg_get_serial_sequence('wm_order_dispatch', 'id'))"
)
_FREE_DISPATCH = "DELETE FROM wm_resource_slot WHERE dispatch_id = :dispatch_id"
_FREE_ORDER = "DELETE FROM wm_resource_slot WHERE order_id = :order_id"


def slots_of(registry: Registry, key: str, row: Mapping[str, Any] | None) -> int:
    """How many demands ``key`` takes on one day, from its published ``row`` (as read
    from ``wm_resource``; ``None``: not published) or its plugin's seed record."""
    if row is not None:
        return _row_slots(row["kind"], row["members"], row["extra"])
    seed = registry.resources.get(key)
    return 1 if seed is None else default_slots(seed.kind, seed.members)


def claim(
    sql: Driver,
    conn: Connection,
    registry: Registry,
    *,
    key: str,
    day: dt.date,
    order_id: int,
    dispatch_id: int | None,
    slots: int | None = None,
) -> int:
    """Claim the lowest free slot of ``key`` on ``day`` for a dispatch, or raise
    :class:`FullyBooked`. ``dispatch_id`` ``None``: the dispatch this connection
    inserted last (PostgreSQL only). ``slots``: the resource's slots a day, when the
    caller has read its row already (else it is read here). A slot another transaction
    holds uncommitted is waited for (PostgreSQL) or serialised by the database lock
    (SQLite). One statement on the driver's cursor (:mod:`wenming.orders.sql`): this
    runs in every dispatch."""
    if slots is None:
        slots = slots_of(registry, key, sql.one(conn, _ROW_SLOTS, {"key": key}))
    args: dict[str, Any] = {"resource_key": key, "day": day, "slots": slots, "order_id": order_id}
    if dispatch_id is None:
        if not sql.pg:
            raise ValueError("claim: a dispatch ID is needed on SQLite")
        statement = _CLAIM_LAST
    else:
        statement = _CLAIM
        args["dispatch_id"] = dispatch_id
    for _ in range(slots):  # each retry follows a claim that won a slot we wanted
        got = sql.one(conn, statement, args)
        if got is not None:
            return got["slot"]
        taken = sql.all(conn, _TAKEN, {"resource_key": key, "day": day})
        if len(taken) >= slots:
            break
    raise fully_booked(key, day, slots)


def _row_slots(kind: str, members: int | None, extra: Any) -> int:
    """A published row's slots a day: its ``extra.slots``, else its kind's default."""
    slots = (extra or {}).get("slots")
    if isinstance(slots, int) and not isinstance(slots, bool) and slots >= 0:
        return slots
    return default_slots(kind, members or 0)


def fully_booked(key: str, day: dt.date, slots: int) -> FullyBooked:
    """The refusal of a dispatch to ``key`` on a day whose ``slots`` are all taken."""
    return FullyBooked(
        f"resource {key} is fully booked on {day.isoformat()} "
        f"({slots} slot(s) a day, all dispatched); choose another resource or day"
    )


def full(session: Session, registry: Registry, day: dt.date, keys: Iterable[str]) -> set[str]:
    """Those of ``keys`` with every slot of ``day`` taken (a dispatch would be refused)."""
    booked = taken(session, [day]).get(day, {})
    return {k for k in keys if k in booked and booked[k] >= daily_slots(session, registry, k)}


def release(
    sql: Driver, conn: Connection, *, dispatch_id: int | None = None, order_id: int | None = None
) -> None:
    """Free the slot of one dispatch, or every slot an order holds."""
    if dispatch_id is not None:
        sql.later(conn, _FREE_DISPATCH, {"dispatch_id": dispatch_id})
    elif order_id is not None:
        sql.later(conn, _FREE_ORDER, {"order_id": order_id})
    else:
        raise ValueError("release needs a dispatch_id or an order_id")


def taken(session: Session, days: Iterable[dt.date]) -> dict[dt.date, dict[str, int]]:
    """Slots already taken, by day and resource."""
    wanted = sorted(set(days))
    out: dict[dt.date, dict[str, int]] = {d: {} for d in wanted}
    if not wanted:
        return out
    rows = session.execute(
        select(T_SLOT.c.day, T_SLOT.c.resource_key, func.count())
        .where(T_SLOT.c.day.in_(wanted))
        .group_by(T_SLOT.c.day, T_SLOT.c.resource_key)
    )
    for day, key, n in rows:
        out[day][key] = int(n)
    return out


def batch(
    engine: Any,
    session: Session,
    demands: Sequence[Any],
    method: str = "optimal",
) -> Any:
    """The engine's batch assignment under the slots still free on each day.

    Each demand has one day, so the min-cost flow falls apart into one independent
    problem per day: solving day by day, with each resource's slots less those already
    taken that day, gives the same optimum as one flow over (resource, day) buckets
    with the remaining capacities."""
    from wenming.matching.results import BatchResult

    by_day: dict[dt.date | None, list[Any]] = {}
    for d in demands:
        by_day.setdefault(d.day, []).append(d)
    booked = taken(session, [day for day in by_day if day is not None])
    slots = engine.columns["slots"]
    position = {k: i for i, k in enumerate(engine.keys)}
    assignments: dict[str, str] = {}
    scores: dict[str, float] = {}
    unassigned: dict[str, str] = {}
    arcs = 0
    for day, group in by_day.items():
        left = {
            key: max(0, int(slots[position[key]]) - n)
            for key, n in booked.get(day, {}).items()
            if key in position
        }
        try:
            part = engine.batch(group, method=method, slots=left)
        except WenmingError:  # one unusable demand must not stop the others
            group = _screen(engine, group, unassigned)
            if not group:
                continue
            part = engine.batch(group, method=method, slots=left)
        assignments.update(part.assignments)
        scores.update(part.scores)
        unassigned.update(part.unassigned)
        arcs += part.arcs
    ordered = {d.id: assignments[d.id] for d in demands if d.id in assignments}
    return BatchResult(
        method=method,
        assignments=ordered,
        scores={d: scores[d] for d in ordered},
        unassigned={d.id: unassigned[d.id] for d in demands if d.id in unassigned},
        total=float(sum(scores[d] for d in ordered)),
        arcs=arcs,
    )


def _screen(engine: Any, demands: Sequence[Any], unassigned: dict[str, str]) -> list[Any]:
    """The demands the engine can rank; each other one is reported in ``unassigned``."""
    usable = []
    for d in demands:
        try:
            engine.rank(d, k=1)
        except WenmingError as exc:
            unassigned[d.id] = f"left out: {exc}"
            log.warning("batch: demand %s left out: %s", d.id, exc)
            continue
        usable.append(d)
    return usable


def overbooked(session: Session, registry: Registry) -> list[tuple[str, dt.date, int, int]]:
    """Resource-days with more live dispatches than slots: ``(key, day, dispatches,
    slots)``. Counts ``wm_order_dispatch`` itself (not the slot table), so it checks
    the promise independently of the mechanism."""
    from wenming.orders.tables import Dispatch, Order

    d, o = Dispatch.__table__, Order.__table__
    rows = session.execute(
        select(d.c.resource_key, o.c.window_start, func.count())
        .join(o, o.c.id == d.c.order_id)
        .where(d.c.outcome.in_(HOLDING))
        .group_by(d.c.resource_key, o.c.window_start)
    )
    out = []
    for key, day, n in rows:
        limit = daily_slots(session, registry, key)
        if n > limit:
            out.append((key, day, int(n), limit))
    return out


#: Dispatch outcomes that hold a slot: open, accepted, in service and completed.
HOLDING: tuple[str, ...] = ("open", "accepted", "in_service", "completed")
