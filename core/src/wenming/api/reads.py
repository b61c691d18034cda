"""What each role may read, and masking of personal data in what it reads.

Reads are scoped like writes (:mod:`wenming.orders.roles`): the city dispatcher and the
system see every order; a station operator the orders of its area (and its own); a
requester its own; a team leader the orders ever dispatched to its team; a department
dispatcher the orders with a part for its department, dispatched to its resources, or
waiting for dispatch without a department (it may dispatch its resources to them).
Reading an order outside one's scope is refused like a write, naming the role and rule.

The workflow's reads take ``viewer=`` (filtered in SQL) when the installed
:class:`~wenming.orders.service.Workflow` offers it; otherwise this module applies the
same scopes as a thin layer over the unfiltered reads. Either way the API passes the
signed-in actor and never returns an order outside its scope.

Personal data: the requester's ID is shown to the city dispatcher, the system, the
requester and the station operator of the order's area, masked for everyone else; the
names of the volunteers who served are shown to the city dispatcher, the system and the
leader of the team that served, masked for everyone else.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select

from wenming.orders.errors import NotFound, PermissionDenied
from wenming.orders.roles import Actor, within
from wenming.orders.tables import Dispatch, Order, OrderPart

if TYPE_CHECKING:
    from wenming.orders.service import Workflow
    from wenming.orders.views import OrderView

T_ORDER = Order.__table__
T_PART = OrderPart.__table__
T_DISPATCH = Dispatch.__table__
ALL_SEEING = ("city_dispatcher", "system")


def has_viewer(workflow: Workflow) -> bool:
    """Whether the workflow's own reads filter by a viewer (``viewer=`` keyword)."""
    return "viewer" in inspect.signature(workflow.orders).parameters


def _clause(actor: Actor) -> Any:
    """The SQL condition on ``wm_order`` for the orders ``actor`` may read (None: all)."""
    if actor.role in ALL_SEEING:
        return None
    if actor.role == "station_operator":
        area = actor.area or ""
        return or_(
            T_ORDER.c.site_code.startswith(area),
            T_ORDER.c.place_code.startswith(area),
            T_ORDER.c.requester == actor.id,
        )
    if actor.role == "team_leader":
        return T_ORDER.c.id.in_(
            select(T_DISPATCH.c.order_id).where(T_DISPATCH.c.resource_key == actor.team)
        )
    if actor.role == "department_dispatcher":
        dept = actor.department
        return or_(
            T_ORDER.c.id.in_(
                select(T_PART.c.order_id).where(
                    or_(
                        T_PART.c.department == dept,
                        and_(
                            T_PART.c.department.is_(None),
                            T_PART.c.state.in_(("pending", "declined")),
                        ),
                    )
                )
            ),
            T_ORDER.c.id.in_(select(T_DISPATCH.c.order_id).where(T_DISPATCH.c.department == dept)),
        )
    return T_ORDER.c.requester == actor.id  # requester


def _rule(actor: Actor, order: OrderView) -> str:
    if actor.role == "station_operator":
        return (
            f"a station operator reads only orders of its own area; order {order.id} is for "
            f"{order.site or order.place}, outside {actor.area}"
        )
    if actor.role == "team_leader":
        return (
            f"a team leader reads only orders dispatched to its team; order {order.id} was "
            f"never dispatched to {actor.team}"
        )
    if actor.role == "department_dispatcher":
        return (
            "a department dispatcher reads only orders with a part for its department, "
            f"dispatched to its resources or waiting for dispatch; order {order.id} has none"
        )
    return f"a requester reads only its own orders; order {order.id} was requested by someone else"


def order(workflow: Workflow, actor: Actor, order_id: int) -> OrderView:
    """One order, if ``actor`` may read it (else the role's refusal)."""
    if has_viewer(workflow):
        return workflow.order(order_id, viewer=actor)
    view = workflow.order(order_id)
    clause = _clause(actor)
    if clause is not None:
        with workflow.storage.session() as s:
            seen = s.execute(select(T_ORDER.c.id).where(T_ORDER.c.id == order_id, clause)).first()
        if seen is None:
            raise actor.deny(f"read order {order_id}", _rule(actor, view))
    return view


def orders(
    workflow: Workflow, actor: Actor, *, limit: int, offset: int, **filters: Any
) -> list[OrderView]:
    """Orders ``actor`` may read, newest first, one page."""
    if has_viewer(workflow):
        return workflow.orders(viewer=actor, limit=limit, offset=offset, **filters)
    clause = _clause(actor)
    if clause is None:
        return workflow.orders(limit=limit, offset=offset, **filters)
    # the workflow filters first (its own rules for state, area, …); the scope narrows
    stmt = select(T_ORDER.c.id).where(clause)
    if filters.get("state") is not None:
        stmt = stmt.where(T_ORDER.c.state == filters["state"])
    if filters.get("requester") is not None:
        stmt = stmt.where(T_ORDER.c.requester == filters["requester"])
    if filters.get("area") is not None:
        area = filters["area"]
        stmt = stmt.where(
            or_(T_ORDER.c.site_code.startswith(area), T_ORDER.c.place_code.startswith(area))
        )
    if filters.get("department") is not None:
        stmt = stmt.where(
            T_ORDER.c.id.in_(
                select(T_PART.c.order_id).where(T_PART.c.department == filters["department"])
            )
        )
    if filters.get("resource") is not None:
        stmt = stmt.where(
            T_ORDER.c.id.in_(
                select(T_PART.c.order_id).where(T_PART.c.resource_key == filters["resource"])
            )
        )
    overdue = bool(filters.get("overdue"))
    if filters.get("state") is not None and filters["state"] not in _states():
        workflow.orders(state=filters["state"], limit=1)  # the workflow's own refusal
    with workflow.storage.session() as s:
        if overdue:
            stmt = stmt.where(workflow._overdue_clause(workflow.clock()))
        ids = list(
            s.execute(stmt.order_by(T_ORDER.c.id.desc()).limit(limit).offset(offset)).scalars()
        )
    found = []
    for i in ids:
        try:
            found.append(workflow.order(i))
        except NotFound:  # pragma: no cover - deleted between the two reads
            continue
    return found


def _states() -> tuple[str, ...]:
    from wenming.orders import states

    return states.ORDER_STATES


def timeline(workflow: Workflow, actor: Actor, order_id: int) -> list[Any]:
    if has_viewer(workflow):
        return workflow.timeline(order_id, viewer=actor)
    order(workflow, actor, order_id)
    return workflow.timeline(order_id)


def dispatches(workflow: Workflow, actor: Actor, order_id: int) -> list[Any]:
    if has_viewer(workflow):
        return workflow.dispatches(order_id, viewer=actor)
    order(workflow, actor, order_id)
    return workflow.dispatches(order_id)


def candidates(
    workflow: Workflow, actor: Actor, order_id: int, *, part: int | None, k: int, engine: Any
) -> list[Any]:
    if has_viewer(workflow):
        return workflow.candidates(
            order_id, part=part, k=k, actor=actor, engine=engine, viewer=actor
        )
    order(workflow, actor, order_id)
    return workflow.candidates(order_id, part=part, k=k, actor=actor, engine=engine)


# ---------------------------------------------------------------------- masking


def mask(text: str | None) -> str | None:
    """``张三丰`` → ``张*丰``, ``resident-17`` → ``r*********7``: enough to tell
    entries apart, not to identify a person."""
    if not text:
        return text
    if len(text) <= 1:
        return "*"
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1]


def sees_requester(actor: Actor, view: OrderView) -> bool:
    if actor.role in ALL_SEEING or actor.id == view.requester:
        return True
    return actor.role == "station_operator" and (
        within(view.site, actor.area or "") or within(view.place, actor.area or "")
    )


def sees_volunteers(actor: Actor, resource: str | None) -> bool:
    if actor.role in ALL_SEEING:
        return True
    return actor.role == "team_leader" and resource is not None and resource == actor.team


def order_dict(actor: Actor, view: OrderView) -> dict[str, Any]:
    data = view.as_dict()
    if not sees_requester(actor, view):
        data["requester"] = mask(data["requester"])
    return data


def event_dicts(actor: Actor, view: OrderView, events: list[Any]) -> list[dict[str, Any]]:
    hide_requester = not sees_requester(actor, view)
    out = []
    for e in events:
        d = e.as_dict()
        data = dict(d.get("data") or {})
        if hide_requester:
            if d.get("actor") == view.requester:
                d["actor"] = mask(d["actor"])
            if "requester" in data:
                data["requester"] = mask(data["requester"])
        if "volunteers" in data and not sees_volunteers(actor, data.get("resource")):
            data["volunteers"] = [
                {**v, "volunteer": mask(v.get("volunteer"))} if isinstance(v, dict) else v
                for v in data["volunteers"]
            ]
        d["data"] = data
        out.append(d)
    return out


def refuse_unless(actor: Actor, roles: tuple[str, ...], action: str, rule: str) -> None:
    """A role check for API-level actions that have no rule in the workflow."""
    if actor.role not in roles:
        raise PermissionDenied(actor.role, actor.scope, action, rule)
