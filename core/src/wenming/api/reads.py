"""What each role reads, and masking of personal data in what it reads.

Reads are scoped like writes: every read passes the signed-in actor as the workflow's
``viewer`` (:mod:`wenming.orders.reads`), which filters lists in SQL and refuses a
single read of an order outside the role's scope, naming the role and the rule.

Personal data: the requester's ID is shown to the city dispatcher, the system, the
requester and the station operator of the order's area, masked for everyone else; the
names of the volunteers who served are shown to the city dispatcher, the system and the
leader of the team that served, masked for everyone else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wenming.orders.roles import Actor, within

if TYPE_CHECKING:
    from wenming.orders.service import Workflow
    from wenming.orders.views import OrderView

ALL_SEEING = ("city_dispatcher", "system")


def order(workflow: Workflow, actor: Actor, order_id: int) -> OrderView:
    """One order, if ``actor`` may read it (else the role's refusal)."""
    return workflow.order(order_id, viewer=actor)


def orders(
    workflow: Workflow, actor: Actor, *, limit: int, offset: int, **filters: Any
) -> list[OrderView]:
    """Orders ``actor`` may read, newest first, one page."""
    return workflow.orders(viewer=actor, limit=limit, offset=offset, **filters)


def timeline(workflow: Workflow, actor: Actor, order_id: int) -> list[Any]:
    return workflow.timeline(order_id, viewer=actor)


def dispatches(workflow: Workflow, actor: Actor, order_id: int) -> list[Any]:
    return workflow.dispatches(order_id, viewer=actor)


def candidates(
    workflow: Workflow, actor: Actor, order_id: int, *, part: int | None, k: int, engine: Any
) -> list[Any]:
    return workflow.candidates(order_id, part=part, k=k, actor=actor, engine=engine, viewer=actor)


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
