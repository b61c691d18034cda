"""What the workflow API returns: plain frozen records, JSON-ready via ``as_dict``.

Views are built from rows inside a session and never hold a database connection, so
callers (the CLI, a web UI, tests) can keep them after the session closes. The
``*_view`` functions build them from rows (mappings of column values), whichever
connection read the rows: SQLAlchemy's (:mod:`~wenming.orders.reads`) or the driver's
alone (:mod:`~wenming.orders.lightreads`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import attrs
from attrs import frozen


def _jsonable(value: Any) -> Any:
    """Dates and datetimes as ISO text, tuples as lists, views as dicts, recursively."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is float or kind is bool:
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, _AsDict):
        return value.as_dict()
    if isinstance(value, tuple | list | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if attrs.has(kind):
        return _jsonable(attrs.asdict(value, recurse=True))
    return value


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in attrs.fields(cls))


class _AsDict:
    def as_dict(self) -> dict[str, Any]:
        # field by field (an API page of orders is hundreds of values: the generic
        # attrs.asdict copy and a second pass over it were most of its cost)
        return {name: _jsonable(getattr(self, name)) for name in _field_names(type(self))}


@frozen
class PartView(_AsDict):
    """One part of an order: its department, state and current resource."""

    id: int
    seq: int
    department: str | None
    contribution: str
    resource_kinds: tuple[str, ...]
    state: str
    resource: str | None
    dispatch_id: int | None
    excluded: tuple[str, ...]
    state_since: dt.datetime


@frozen
class OrderView(_AsDict):
    """An order with its parts and overdue flags (``dispatch`` / ``accept``)."""

    id: int
    state: str
    version: int
    requester: str
    requester_role: str
    site: str | None
    channel: str
    category: str
    tags: tuple[str, ...]
    audiences: tuple[str, ...]
    headcount: int
    place: str
    lng: float | None
    lat: float | None
    start: dt.date
    end: dt.date
    description: str
    template: str | None
    joint: bool
    created_at: dt.datetime
    state_since: dt.datetime
    parts: tuple[PartView, ...]
    overdue: tuple[str, ...] = ()

    def part(self, seq: int) -> PartView:
        for p in self.parts:
            if p.seq == seq:
                return p
        raise KeyError(seq)


@frozen
class EventView(_AsDict):
    """One line of an order's timeline."""

    seq: int
    at: dt.datetime
    action: str
    part: int | None
    from_state: str | None
    to_state: str
    part_from: str | None
    part_to: str | None
    actor: str
    role: str
    reason: str
    data: dict[str, Any]


@frozen
class DispatchView(_AsDict):
    """A dispatch with the engine's explanation (for ranked and batch dispatches)."""

    id: int
    order_id: int
    part: int
    resource: str
    kind: str
    department: str | None
    dispatcher: str
    method: str
    rank: int | None
    score: float | None
    explanation: dict[str, Any]
    at: dt.datetime
    outcome: str
    reason: str


@frozen
class ResourceView(_AsDict):
    """A resource that can be dispatched: published (``wm_resource``) or a plugin's seed."""

    key: str
    kind: str
    department: str | None
    name: str
    place: str
    capacity: int
    categories: tuple[str, ...]
    audiences: tuple[str, ...]
    months: tuple[int, ...]
    status: str
    source: str
    serves: tuple[str, ...] = ()
    reach_km: float | None = None


@frozen
class BatchResult(_AsDict):
    """Outcome of a batch dispatch: what was dispatched, and why the rest was not."""

    dispatched: dict[str, str]
    unassigned: dict[str, str]
    method: str


def order_view(
    row: Mapping[str, Any], parts: Sequence[Mapping[str, Any]], now: dt.datetime, config: Any
) -> OrderView:
    """An order's view from its ``wm_order`` row and ``wm_order_part`` rows, with the
    overdue flags at ``now`` under the deployment's ``[workflow]`` limits (``config``)."""
    flags = []
    dispatch_limit = dt.timedelta(hours=config.dispatch_hours)
    accept_limit = dt.timedelta(hours=config.accept_hours)
    if row["state"] in ("submitted", "declined") and now - row["state_since"] > dispatch_limit:
        flags.append("dispatch")
    if any(p["state"] == "dispatched" and now - p["state_since"] > accept_limit for p in parts):
        flags.append("accept")
    return OrderView(
        id=row["id"],
        state=row["state"],
        version=row["version"],
        requester=row["requester"],
        requester_role=row["requester_role"],
        site=row["site_code"],
        channel=row["channel"],
        category=row["category"],
        tags=tuple(row["tags"]),
        audiences=tuple(row["audiences"]),
        headcount=row["headcount"],
        place=row["place_code"],
        lng=row["lng"],
        lat=row["lat"],
        start=row["window_start"],
        end=row["window_end"],
        description=row["description"],
        template=row["template"],
        joint=row["joint"],
        created_at=row["created_at"],
        state_since=row["state_since"],
        parts=tuple(
            PartView(
                id=p["id"],
                seq=p["seq"],
                department=p["department"],
                contribution=p["contribution"],
                resource_kinds=tuple(p["resource_kinds"]),
                state=p["state"],
                resource=p["resource_key"],
                dispatch_id=p["dispatch_id"],
                excluded=tuple(p["excluded"]),
                state_since=p["state_since"],
            )
            for p in parts
        ),
        overdue=tuple(flags),
    )


def event_view(row: Mapping[str, Any]) -> EventView:
    """One timeline line from its ``wm_order_event`` row."""
    return EventView(
        seq=row["seq"],
        at=row["at"],
        action=row["action"],
        part=row["part_seq"],
        from_state=row["from_state"],
        to_state=row["to_state"],
        part_from=row["part_from"],
        part_to=row["part_to"],
        actor=row["actor"],
        role=row["role"],
        reason=row["reason"],
        data=dict(row["data"] or {}),
    )


def dispatch_view(row: Mapping[str, Any], part: int) -> DispatchView:
    """A dispatch from its ``wm_dispatch`` row; ``part`` is its part's ``seq``."""
    return DispatchView(
        id=row["id"],
        order_id=row["order_id"],
        part=part,
        resource=row["resource_key"],
        kind=row["resource_kind"],
        department=row["department"],
        dispatcher=row["dispatcher"],
        method=row["method"],
        rank=row["rank"],
        score=row["score"],
        explanation=dict(row["explanation"] or {}),
        at=row["at"],
        outcome=row["outcome"],
        reason=row["reason"],
    )
