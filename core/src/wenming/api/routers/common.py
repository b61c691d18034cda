"""What every router shares: the services, the signed-in actor, paging, ETags."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Query, Request, Response

from wenming.api import reads
from wenming.api.auth import CurrentActor
from wenming.api.problems import ERROR_RESPONSES, ApiProblem
from wenming.errors import ConfigError, StorageError, WenmingError
from wenming.orders.errors import ConflictError, WorkflowError

if TYPE_CHECKING:
    from wenming.api.app import Services
    from wenming.orders.roles import Actor
    from wenming.orders.views import OrderView

__all__ = ["ERROR_RESPONSES", "CurrentActor", "Limit", "Offset", "ServicesDep"]


async def get_services(request: Request) -> Services:
    """The app's services (async: no thread hop for a lookup)."""
    return request.app.state.wenming


ServicesDep = Annotated["Services", Depends(get_services)]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")]


def page(items: list[Any], limit: int, offset: int) -> dict[str, Any]:
    """A page from ``limit + 1`` items fetched from ``offset`` (the extra one says there
    is more)."""
    more = len(items) > limit
    return {
        "items": items[:limit],
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if more else None,
    }


@contextmanager
def invalid(field: str, status: int = 422) -> Iterator[None]:
    """A library's refusal of a value (a plain :class:`WenmingError`, the message the
    CLI prints) as a ``status`` problem naming ``field``; the workflow's own refusals
    (permission, not found, conflicts) and storage errors keep their mapping."""
    try:
        yield
    except (WorkflowError, StorageError, ConfigError):
        raise
    except WenmingError as exc:
        raise ApiProblem(status, str(exc), field=field) from None


def etag(view: OrderView) -> str:
    return f'"{view.version}"'


def order_response(actor: Actor, view: OrderView, response: Response) -> dict[str, Any]:
    response.headers["ETag"] = etag(view)
    return reads.order_dict(actor, view)


def parse_if_match(value: str | None) -> int | None:
    """The order version an ``If-Match`` header names (``"5"``, ``W/"5"``, ``5``; ``*``
    matches any)."""
    if value is None or value.strip() == "*":
        return None
    text = value.strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    if not text.isdigit() or len(text) > 12:
        raise ApiProblem(400, f'If-Match must be an order\'s ETag such as "3", got {value!r}')
    return int(text)


def check_version(services: Services, actor: Actor, order_id: int, if_match: str | None) -> None:
    """Refuse a write made against an older version of the order than the current one
    (409), naming the first change the caller had not seen."""
    expected = parse_if_match(if_match)
    if expected is None:
        return
    view = reads.order(services.workflow, actor, order_id)
    if view.version == expected:
        return
    first = None
    if view.version > expected:
        events = reads.event_dicts(actor, view, services.workflow.timeline(order_id))
        later = [e for e in events if e["seq"] > expected]
        if later:
            first = later[0]
    who = (
        f"{first['action']} by {first['actor']} ({first['role']}) came first"
        if first
        else "version unknown"
    )
    raise ApiProblem(
        409,
        f"order {order_id} changed since version {expected} ({who}); it is at version "
        f"{view.version} now: read it again; nothing was written",
        current_version=view.version,
        headers={"ETag": etag(view)},
    )


#: The order version the current request's ``If-Match`` names: (order ID, version).
_EXPECTED: contextvars.ContextVar[tuple[int, int, Actor] | None] = contextvars.ContextVar(
    "wenming_if_match", default=None
)


@contextmanager
def if_match(services: Services, actor: Actor, order_id: int, header: str | None) -> Iterator[None]:
    """Run a write only against the version ``If-Match`` names: refused at once when
    the order has moved on already, and — should another write slip in between this
    check and the write — refused inside the write's own transaction by
    :func:`version_guard`, so nothing is written either way."""
    check_version(services, actor, order_id, header)
    expected = parse_if_match(header)
    token = _EXPECTED.set((order_id, expected, actor) if expected is not None else None)
    try:
        yield
    finally:
        _EXPECTED.reset(token)


def version_guard(conn: Any, events: Any) -> None:
    """The journal's in-transaction observer: the write's first event must follow the
    version ``If-Match`` named, or the transaction is rolled back with a conflict."""
    want = _EXPECTED.get()
    if want is None:
        return
    order_id, version, actor = want
    first = next((e for e in events if e.order_id == order_id), None)
    if first is None or first.seq == version + 1:
        return
    from sqlalchemy import select

    from wenming.orders.tables import OrderEvent

    t = OrderEvent.__table__
    came = conn.execute(
        select(t.c.action, t.c.actor, t.c.role).where(
            t.c.order_id == order_id, t.c.seq == version + 1
        )
    ).first()
    who = "another writer"
    if came is not None:
        name = came.actor
        if came.role == "requester" and actor.id != name and actor.role not in reads.ALL_SEEING:
            name = reads.mask(name)
        who = f"{came.action} by {name} ({came.role})"
    raise ConflictError(
        f"order {order_id} changed since version {version} ({who} came first); "
        "read it again; nothing was written"
    )
