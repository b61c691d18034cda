"""What the pure core works on: an order's :class:`Snapshot`, the :class:`Event` records
of its log, and :func:`evolve` / :func:`replay`, which fold events into a snapshot with
the state table of :mod:`wenming.orders.states`. Pure and light (no storage, no
plugins); :mod:`wenming.orders.decide` decides on these and re-exports them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
from attrs import define, field, frozen

from wenming.orders import states
from wenming.orders.errors import NotFound, WorkflowError


class ReplayError(WorkflowError):
    """An order's event log is inconsistent (a gap, or a transition the machine forbids)."""


@define
class PartSnapshot:
    """A part as far as the events tell. ``id`` and ``dispatch_id`` are storage row IDs
    (``None`` in a pure run); they are not compared by :meth:`Snapshot.as_dict`."""

    seq: int
    department: str | None
    state: str = "pending"
    resource: str | None = None
    excluded: list[str] = field(factory=list)
    resource_kinds: tuple[str, ...] = ()
    dispatch_id: int | None = None
    id: int | None = None


@define
class Snapshot:
    """An order as far as the events tell: the fields that transitions read or change."""

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
    site: str | None = None
    window_end: dt.date | None = None

    def part(self, seq: int) -> PartSnapshot:
        found = self.parts.get(seq)
        if found is None:
            raise NotFound(f"order {self.id} has no part {seq} (parts: {self.listing()})")
        return found

    def listing(self) -> str:
        return ", ".join(
            f"{p.seq} {p.department or 'any department'} {p.state}" for p in self.parts.values()
        )

    def as_dict(self) -> dict[str, Any]:
        """The fields an event replay and the stored state columns must agree on."""
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


@frozen
class Event:
    """One transition as stored in ``wm_order_event`` (``seq`` is the order's version
    after it). A submit event carries ``order_id`` 0 until the journal numbers it."""

    order_id: int
    seq: int
    action: str
    from_state: str | None
    to_state: str
    actor: str
    role: str
    at: dt.datetime
    reason: str = ""
    part_seq: int | None = None
    part_from: str | None = None
    part_to: str | None = None
    data: Mapping[str, Any] = field(factory=dict)

    def evolve(self, **changes: Any) -> Event:
        return attrs.evolve(self, **changes)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Event:
        """An event from a ``wm_order_event`` row (or any mapping with its columns)."""
        return cls(
            order_id=row["order_id"],
            seq=row["seq"],
            action=row["action"],
            from_state=row.get("from_state"),
            to_state=row.get("to_state") or "",
            actor=row["actor"],
            role=row.get("role") or "",
            at=row.get("at"),
            reason=row.get("reason") or "",
            part_seq=row.get("part_seq"),
            part_from=row.get("part_from"),
            part_to=row.get("part_to"),
            data=row.get("data") or {},
        )


# ---------------------------------------------------------------------- evolve


def evolve(snapshot: Snapshot | None, event: Event) -> Snapshot:
    """The order after ``event``; ``snapshot`` is left unchanged. A log the machine
    forbids raises :class:`ReplayError`."""
    if event.action == "submit":
        if snapshot is not None:
            raise ReplayError(f"order {event.order_id}: a second submit event at {event.seq}")
        order = event.data["order"]
        end = order.get("end")
        return Snapshot(
            id=event.order_id,
            state="submitted",
            version=event.seq,
            requester=event.actor,
            category=order["category"],
            place=order["place"],
            headcount=order["headcount"],
            site=order.get("site"),
            window_end=dt.date.fromisoformat(end) if isinstance(end, str) else end,
            parts={
                p["seq"]: PartSnapshot(
                    seq=p["seq"],
                    department=p["department"],
                    resource_kinds=tuple(p.get("resource_kinds") or ()),
                )
                for p in event.data["parts"]
            },
        )
    if snapshot is None:
        raise ReplayError(f"order {event.order_id}: {event.action} before submit")
    snap = attrs.evolve(snapshot, parts=dict(snapshot.parts), version=event.seq)
    try:
        _apply(snap, event)
    except WorkflowError as exc:
        raise ReplayError(f"order {snap.id} event {event.seq} ({event.action}): {exc}") from None
    return snap


def _apply(snap: Snapshot, e: Event) -> None:
    action, data = e.action, e.data or {}
    if action in states.PART_ACTIONS:
        old = snap.parts.get(e.part_seq)  # type: ignore[arg-type]
        if old is None:
            raise ReplayError(f"order {snap.id} has no part {e.part_seq}")
        part = attrs.evolve(old, excluded=list(old.excluded))
        snap.parts[part.seq] = part
        part.state = states.part_move(action, snap.id, snap.state, part.seq, part.state)
        if action == "dispatch":
            part.resource = data["resource"]
            part.dispatch_id = data.get("dispatch")
        elif action == "decline":
            part.excluded.append(data["resource"])
            part.resource = None
            part.dispatch_id = None
        elif action == "complete":
            snap.hours += sum(v["hours"] for v in data.get("volunteers", ()))
        snap.state = states.derive([p.state for p in snap.parts.values()])
        return
    snap.state = states.order_move(action, snap.id, snap.state)
    if action in ("cancel", "expire"):
        for seq, part in snap.parts.items():
            snap.parts[seq] = attrs.evolve(part, state=snap.state)
    elif action == "evaluate":
        snap.rating = data["rating"]


def replay(events: Iterable[Event | Mapping[str, Any]]) -> Snapshot:
    """Fold an order's events (in ``seq`` order, rows or :class:`Event`) into its state."""
    snap: Snapshot | None = None
    for expected, e in enumerate(events, start=1):
        event = e if isinstance(e, Event) else Event.from_row(e)
        if event.seq != expected:
            raise ReplayError(f"order {event.order_id}: event {event.seq} where {expected} was due")
        snap = evolve(snap, event)
    if snap is None:
        raise ReplayError("no events")
    return snap


def jsonable(value: Any) -> Any:
    """Dates as ISO text, tuples as lists: what an event's ``data`` column stores."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
