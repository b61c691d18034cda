"""Rebuilding an order from its events, and checking the stored state against it.

The event log (``wm_order_event``) is the record; the ``state``/``version`` columns of
``wm_order`` and ``wm_order_part`` are a cache of it, kept in the same transaction.
:func:`replay` folds events into a :class:`Snapshot` with the same state machine the
service uses (a log that breaks it is reported, not silently accepted);
:func:`verify` compares every stored order with its replay.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from attrs import define, field

from wenming.orders import states
from wenming.orders.errors import WorkflowError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from wenming.storage import Storage


class ReplayError(WorkflowError):
    """An order's event log is inconsistent (a gap, or a transition the machine forbids)."""


@define
class PartSnapshot:
    """A part as far as the events tell."""

    seq: int
    department: str | None
    state: str = "pending"
    resource: str | None = None
    excluded: list[str] = field(factory=list)


@define
class Snapshot:
    """An order as far as the events tell: the fields that transitions change."""

    id: int
    state: str
    version: int
    requester: str
    category: str
    place: str
    headcount: int
    parts: dict[int, PartSnapshot] = field(factory=dict)
    rating: int | None = None
    hours: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "version": self.version,
            "requester": self.requester,
            "category": self.category,
            "place": self.place,
            "headcount": self.headcount,
            "parts": {
                seq: {
                    "department": p.department,
                    "state": p.state,
                    "resource": p.resource,
                    "excluded": list(p.excluded),
                }
                for seq, p in sorted(self.parts.items())
            },
            "rating": self.rating,
            "hours": round(self.hours, 6),
        }


def replay(events: Iterable[Mapping[str, Any]]) -> Snapshot:
    """Fold an order's events (in ``seq`` order) into its current state."""
    snap: Snapshot | None = None
    for expected, e in enumerate(events, start=1):
        if e["seq"] != expected:
            raise ReplayError(f"order {e['order_id']}: event {e['seq']} where {expected} was due")
        action, data = e["action"], e["data"] or {}
        if action == "submit":
            if snap is not None:
                raise ReplayError(f"order {e['order_id']}: a second submit event at {e['seq']}")
            order = data["order"]
            snap = Snapshot(
                id=e["order_id"],
                state="submitted",
                version=1,
                requester=e["actor"],
                category=order["category"],
                place=order["place"],
                headcount=order["headcount"],
                parts={
                    p["seq"]: PartSnapshot(seq=p["seq"], department=p["department"])
                    for p in data["parts"]
                },
            )
            continue
        if snap is None:
            raise ReplayError(f"order {e['order_id']}: {action} before submit")
        try:
            _apply(snap, e, action, data)
        except WorkflowError as exc:
            raise ReplayError(f"order {snap.id} event {e['seq']} ({action}): {exc}") from None
        snap.version = e["seq"]
    if snap is None:
        raise ReplayError("no events")
    return snap


def _apply(snap: Snapshot, e: Mapping[str, Any], action: str, data: Mapping[str, Any]) -> None:
    if action in states.PART_ACTIONS:
        part = snap.parts.get(e["part_seq"])
        if part is None:
            raise ReplayError(f"order {snap.id} has no part {e['part_seq']}")
        part.state = states.part_move(action, snap.id, snap.state, part.seq, part.state)
        if action == "dispatch":
            part.resource = data["resource"]
        elif action == "decline":
            part.excluded.append(data["resource"])
            part.resource = None
        elif action == "complete":
            snap.hours += sum(v["hours"] for v in data.get("volunteers", ()))
        snap.state = states.derive([p.state for p in snap.parts.values()])
        return
    snap.state = states.order_move(action, snap.id, snap.state)
    if action in ("cancel", "expire"):
        for part in snap.parts.values():
            part.state = snap.state
    elif action == "evaluate":
        snap.rating = data["rating"]


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
