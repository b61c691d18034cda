"""The order workflow's state machine as a pure function: snapshot + command → events.

:func:`decide` takes an order's :class:`Snapshot` (``None`` for a new order), a command
(who acts, what they ask) and the time, and returns the :class:`Event` records to
append — or raises a refusal: :class:`~wenming.orders.errors.PermissionDenied` names
the role and the rule, :class:`~wenming.orders.errors.IllegalTransition` the state the
order is in, :class:`~wenming.orders.errors.InvalidInput` the structural rule a
dispatch breaks. :func:`evolve` folds an event into a snapshot; :func:`replay` folds
a whole log. Nothing here touches storage or plugins: the services around it
(:mod:`~wenming.orders.journal` and the modules that use it) read the snapshot, look up
the facts a command needs (a resource's department and capacity), ask the plugins'
vetoes, and write what :func:`decide` returned.

A plugin author tests a rule against the machine without a database::

    import datetime as dt
    from wenming.orders import Actor
    from wenming.orders.decide import Answer, Dispatch, Offer, Submit, decide, replay

    at = dt.datetime(2023, 7, 1, 1, 0, tzinfo=dt.UTC)
    station = Actor("station", "station_operator", area="320505")
    ops = Actor("ops", "city_dispatcher")
    events = decide(None, Submit(station, {"category": "core.science",
                    "place": "320505001002", "headcount": 12, "end": "2023-07-10"}), at)
    events = [e.evolve(order_id=7) for e in events]          # the journal numbers it
    snap = replay(events)
    team = Offer("water.corps", "team", "water", capacity=40)
    events += decide(snap, Dispatch(ops, team), at)
    snap = replay(events)
    assert (snap.state, snap.parts[1].resource) == ("dispatched", "water.corps")
    events += decide(snap, Answer(Actor("lead", "team_leader", team="water.corps"),
                                  "accept"), at)
    assert replay(events).state == "accepted"
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from attrs import frozen

from wenming.orders import roles, states
from wenming.orders.errors import IllegalTransition, InvalidInput
from wenming.orders.roles import Actor
from wenming.orders.snapshot import (
    Event,
    PartSnapshot,
    ReplayError,
    Snapshot,
    evolve,
    jsonable,
    replay,
)

__all__ = [
    "Answer",
    "Cancel",
    "Command",
    "Dispatch",
    "Evaluate",
    "Event",
    "Expire",
    "Offer",
    "PartSnapshot",
    "ReplayError",
    "Snapshot",
    "Submit",
    "decide",
    "decide_all",
    "evolve",
    "jsonable",
    "replay",
]


# ---------------------------------------------------------------------- commands


@frozen
class Offer:
    """The facts about a resource a dispatch is decided on (the services look them up)."""

    key: str
    kind: str
    department: str | None
    capacity: int


@frozen
class Submit:
    """点单: ``order`` is the normalised request (``category``, ``place``, ``headcount``,
    ``site``, ``end`` …); ``parts`` one mapping per part (``seq``, ``department``,
    ``contribution``, ``resource_kinds``), one undepartmented part when empty."""

    actor: Actor
    order: Mapping[str, Any]
    parts: Sequence[Mapping[str, Any]] = ()


@frozen
class Dispatch:
    """派单: assign a part (``None``: the one waiting part) to ``resource``. ``direct`` is
    a requester ordering straight from a published resource (供单)."""

    actor: Actor
    resource: Offer
    part: int | None = None
    method: str = "hand"
    score: float | None = None
    rank: int | None = None
    reason: str = ""
    direct: bool = False


@frozen
class Answer:
    """接单 and after: ``action`` is accept, decline, start or complete; ``volunteers``
    (name, hours) pairs for a completion; ``reason`` a decline's reason or a note."""

    actor: Actor
    action: str
    part: int | None = None
    reason: str = ""
    volunteers: tuple[tuple[str, float], ...] = ()


@frozen
class Evaluate:
    """评单: the requester's rating 1–5."""

    actor: Actor
    rating: int
    comment: str = ""


@frozen
class Cancel:
    actor: Actor
    reason: str


@frozen
class Expire:
    """Expire an order not accepted by its window's end plus ``grace_days``."""

    actor: Actor
    reason: str = ""
    grace_days: int = 0


Command = Submit | Dispatch | Answer | Evaluate | Cancel | Expire


# ---------------------------------------------------------------------- decide


def decide(snapshot: Snapshot | None, command: Command, at: dt.datetime) -> list[Event]:
    """The events ``command`` appends to the order in ``snapshot`` at time ``at``, or a
    refusal (raised) naming the role and rule or the state that forbids it."""
    if isinstance(command, Submit):
        if snapshot is not None:
            raise IllegalTransition(f"order {snapshot.id} is submitted already")
        return [_submit(command, at)]
    if snapshot is None:
        raise IllegalTransition(f"{type(command).__name__.lower()} needs a submitted order")
    if isinstance(command, Dispatch):
        return [_dispatch(snapshot, command, at)]
    if isinstance(command, Answer):
        return [_answer(snapshot, command, at)]
    if isinstance(command, Evaluate):
        roles.may_evaluate(command.actor, snapshot.requester)
        data = {"rating": command.rating, "comment": command.comment}
        return [_order_event(snapshot, "evaluate", command.actor, at, command.comment, data)]
    if isinstance(command, Cancel):
        o = snapshot
        roles.may_cancel(command.actor, o.requester, o.site, o.place)
        return [_order_event(o, "cancel", command.actor, at, command.reason, {})]
    if isinstance(command, Expire):
        roles.may_expire(command.actor)
        if snapshot.window_end is None:
            raise IllegalTransition(f"order {snapshot.id} has no time window to expire by")
        last = snapshot.window_end + dt.timedelta(days=command.grace_days)
        if at.date() <= last:
            raise IllegalTransition(
                f"order {snapshot.id} can be expired only after {last.isoformat()} "
                f"(its window ends {snapshot.window_end.isoformat()})"
            )
        text = command.reason or f"not accepted by {last.isoformat()}"
        return [_order_event(snapshot, "expire", command.actor, at, text, {})]
    raise TypeError(f"not a workflow command: {command!r}")


def decide_all(
    snapshot: Snapshot | None, commands: Iterable[Command], at: dt.datetime
) -> tuple[list[Event], Snapshot | None]:
    """Decide several commands in a row (one transaction): each sees the state the
    previous ones left. Returns the events and the state after them."""
    events: list[Event] = []
    for command in commands:
        more = decide(snapshot, command, at)
        for e in more:
            snapshot = evolve(snapshot, e)
        events += more
    return events, snapshot


def open_part(snap: Snapshot, seq: int | None, actor: Actor) -> PartSnapshot:
    """The part a dispatch is for: the named one, the only one, or the only waiting one
    (of the dispatcher's department)."""
    if seq is not None:
        return snap.part(seq)
    if len(snap.parts) == 1:
        return next(iter(snap.parts.values()))
    waiting = [p for p in snap.parts.values() if p.state in ("pending", "declined")]
    if actor.role == "department_dispatcher":
        waiting = [p for p in waiting if p.department == actor.department]
    if len(waiting) == 1:
        return waiting[0]
    raise InvalidInput(
        f"order {snap.id} is a joint order: name the part to dispatch (parts: {snap.listing()})"
    )


def team_part(snap: Snapshot, actor: Actor, seq: int | None, action: str) -> PartSnapshot:
    """The part a team answers for: the named one, else the team's part ready for it."""
    if seq is not None:
        return snap.part(seq)
    if actor.role == "team_leader":
        mine = [p for p in snap.parts.values() if p.resource == actor.team]
        due = states.PART_ACTIONS[action][0]
        ready = [p for p in mine if p.state in due]
        if ready:
            return ready[0]
        if mine:
            return mine[0]
    if len(snap.parts) == 1:
        return next(iter(snap.parts.values()))
    raise actor.deny(
        action,
        f"a team leader may {action} only its own team's dispatches; no part of order "
        f"{snap.id} is dispatched to {actor.team or actor.id}",
    )


def _submit(command: Submit, at: dt.datetime) -> Event:
    parts = [dict(p) for p in command.parts] or [
        {"seq": 1, "department": None, "contribution": "", "resource_kinds": []}
    ]
    return Event(
        order_id=0,
        seq=1,
        action="submit",
        from_state=None,
        to_state="submitted",
        actor=command.actor.id,
        role=command.actor.role,
        at=at,
        data={"order": jsonable(dict(command.order)), "parts": parts},
    )


def _dispatch(snap: Snapshot, command: Dispatch, at: dt.datetime) -> Event:
    actor, res = command.actor, command.resource
    part = open_part(snap, command.part, actor)
    roles.may_dispatch(actor, res.department, direct=command.direct)
    to = states.part_move("dispatch", snap.id, snap.state, part.seq, part.state)
    fits(snap.id, part, res)
    if not command.direct:  # a direct order was checked against its supply already
        holds(snap, res)
    data = {
        "resource": res.key,
        "kind": res.kind,
        "resource_department": res.department,
        "method": command.method,
        "score": command.score,
        "rank": command.rank,
    }
    return _part_event(snap, part, "dispatch", to, actor, at, command.reason, data)


def _answer(snap: Snapshot, command: Answer, at: dt.datetime) -> Event:
    actor, action = command.actor, command.action
    if action not in ("accept", "decline", "start", "complete"):
        raise InvalidInput(f"{action!r} is not an answer (accept, decline, start, complete)")
    part = team_part(snap, actor, command.part, action)
    if part.resource is None:  # nobody to answer for: the state says why
        states.part_move(action, snap.id, snap.state, part.seq, part.state)
    roles.may_answer(actor, action, part.resource)
    to = states.part_move(action, snap.id, snap.state, part.seq, part.state)
    data: dict[str, Any] = {"resource": part.resource}
    if action == "complete":
        data["volunteers"] = [{"volunteer": v, "hours": float(h)} for v, h in command.volunteers]
    return _part_event(snap, part, action, to, actor, at, command.reason, data)


def _part_event(
    snap: Snapshot,
    part: PartSnapshot,
    action: str,
    to: str,
    actor: Actor,
    at: dt.datetime,
    reason: str,
    data: dict[str, Any],
) -> Event:
    after = states.derive([to if p.seq == part.seq else p.state for p in snap.parts.values()])
    return Event(
        order_id=snap.id,
        seq=snap.version + 1,
        action=action,
        from_state=snap.state,
        to_state=after,
        actor=actor.id,
        role=actor.role,
        at=at,
        reason=reason,
        part_seq=part.seq,
        part_from=part.state,
        part_to=to,
        data={
            "part": part.seq,
            "department": part.department,
            "part_from": part.state,
            "part_to": to,
            "requester": snap.requester,
            **data,
        },
    )


def _order_event(
    snap: Snapshot, action: str, actor: Actor, at: dt.datetime, reason: str, data: dict[str, Any]
) -> Event:
    to = states.order_move(action, snap.id, snap.state)
    return Event(
        order_id=snap.id,
        seq=snap.version + 1,
        action=action,
        from_state=snap.state,
        to_state=to,
        actor=actor.id,
        role=actor.role,
        at=at,
        reason=reason,
        data={"requester": snap.requester, **data},
    )


def fits(order_id: int, part: PartSnapshot, res: Offer) -> None:
    """Structural rules of a dispatch that no role can override."""
    if part.department is not None and res.department != part.department:
        raise InvalidInput(
            f"order {order_id} part {part.seq} is for department {part.department}; "
            f"resource {res.key} belongs to {res.department or 'no department'}"
        )
    kinds = part.resource_kinds
    if kinds and res.kind not in kinds:
        raise InvalidInput(
            f"order {order_id} part {part.seq} needs a {' or '.join(kinds)}; "
            f"{res.key} is a {res.kind}"
        )
    if res.key in part.excluded:
        raise IllegalTransition(
            f"resource {res.key} declined order {order_id} part {part.seq} already; "
            "it is excluded from re-dispatch"
        )


def holds(snap: Snapshot, res: Offer) -> None:
    """A resource is never sent to more people than it takes (by hand or by the engine)."""
    if snap.headcount > res.capacity:
        raise InvalidInput(
            f"resource {res.key} takes {res.capacity} people; order {snap.id} asks for "
            f"{snap.headcount}"
        )
