"""What the workflow API returns: plain frozen records, JSON-ready via ``as_dict``.

Views are built from rows inside a session and never hold a database connection, so
callers (the CLI, a web UI, tests) can keep them after the session closes.
"""

from __future__ import annotations

import datetime as dt
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
