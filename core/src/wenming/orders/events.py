"""Rebuilding an order from its events, and checking the stored state against it.

The event log (``wm_order_event``) is the record; the ``state``/``version`` columns of
``wm_order`` and ``wm_order_part`` are a cache of it, kept in the same transaction.
:func:`replay` folds events into a :class:`Snapshot` with the pure state machine of
:mod:`wenming.orders.snapshot` — the one the services decide with (a log that breaks it
is reported, not silently accepted); :func:`verify` compares every stored order with
its replay.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from wenming.orders.snapshot import PartSnapshot, ReplayError, Snapshot, replay

__all__ = [
    "PartSnapshot",
    "ReplayError",
    "Snapshot",
    "events_of",
    "rebuild",
    "replay",
    "stored",
    "verify",
]

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from wenming.storage import Storage


def stored(session: Session, order_id: int) -> Snapshot:
    """The order as the state columns hold it, in the same shape as :func:`replay`."""
    from sqlalchemy import func, select

    from wenming.orders.tables import Evaluation, Order, OrderPart, ServiceHours

    o = session.get(Order, order_id)
    if o is None:
        raise ReplayError(f"no order {order_id}")
    parts = session.execute(select(OrderPart).where(OrderPart.order_id == order_id)).scalars()
    rating = session.execute(
        select(func.max(Evaluation.rating)).where(Evaluation.order_id == order_id)
    ).scalar()
    hours = session.execute(
        select(func.coalesce(func.sum(ServiceHours.hours), 0.0)).where(
            ServiceHours.order_id == order_id
        )
    ).scalar()
    return Snapshot(
        id=o.id,
        state=o.state,
        version=o.version,
        requester=o.requester,
        category=o.category,
        place=o.place_code,
        headcount=o.headcount,
        parts={
            p.seq: PartSnapshot(
                seq=p.seq,
                department=p.department,
                state=p.state,
                resource=p.resource_key,
                excluded=list(p.excluded),
            )
            for p in parts
        },
        rating=rating,
        hours=float(hours or 0.0),
    )


def events_of(session: Session, order_id: int) -> list[dict[str, Any]]:
    """An order's events as mappings, in ``seq`` order."""
    from sqlalchemy import select

    from wenming.orders.tables import OrderEvent

    table = OrderEvent.__table__
    rows = session.execute(
        select(table).where(table.c.order_id == order_id).order_by(table.c.seq)
    ).mappings()
    return [dict(r) for r in rows]


def rebuild(session: Session, order_id: int) -> Snapshot:
    """Replay one order's events."""
    return replay(events_of(session, order_id))


def verify(storage: Storage, order_ids: Iterable[int] | None = None) -> list[str]:
    """Compare stored and replayed state; return one line per order that differs."""
    from sqlalchemy import select

    from wenming.orders.tables import Order

    problems: list[str] = []
    with storage.session() as s:
        ids = (
            list(order_ids)
            if order_ids is not None
            else list(s.execute(select(Order.id).order_by(Order.id)).scalars())
        )
        for order_id in ids:
            try:
                rebuilt = rebuild(s, order_id).as_dict()
            except ReplayError as exc:
                problems.append(str(exc))
                continue
            actual = stored(s, order_id).as_dict()
            if rebuilt != actual:
                diff = {
                    k: {"stored": actual[k], "events": rebuilt[k]}
                    for k in actual
                    if actual[k] != rebuilt[k]
                }
                problems.append(f"order {order_id}: stored state differs from its events: {diff}")
    return problems
