"""Who may do what: the actors of the workflow and the rules each role obeys.

Roles are enforced by the Python API (:class:`wenming.orders.service.Workflow`), not
only by the command line. Every refusal is a :class:`PermissionDenied` naming the role,
its scope and the rule it broke.

=====================  =====================================================================
role                   may
=====================  =====================================================================
city_dispatcher        everything a dispatcher does, for every department (市指导中心)
department_dispatcher  publish, withdraw and dispatch its own department's resources only
station_operator       submit and cancel orders for sites inside its own area (NBS prefix)
team_leader            accept, decline, start and complete its own team's dispatches only
requester              submit orders, cancel and evaluate its own orders only
system                 expire overdue orders (scheduled jobs)
unit_operator          submit points claims and appeals for its own civilized unit only
points_reviewer        approve or reject civilized units' points claims and appeals (文明办)
=====================  =====================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from attrs import field, frozen

from wenming.orders.errors import PermissionDenied

ROLES: tuple[str, ...] = (
    "city_dispatcher",
    "department_dispatcher",
    "station_operator",
    "team_leader",
    "requester",
    "system",
    # the people side's roles (rules in wenming.people.privacy); no workflow action
    "volunteer",
    "guide",
    "data_protection_officer",
    # civilized units' points (rules in wenming.reports.units)
    "unit_operator",
    "points_reviewer",
)

#: The scope attribute each role needs.
_SCOPE: dict[str, str | None] = {
    "city_dispatcher": None,
    "department_dispatcher": "department",
    "station_operator": "area",
    "team_leader": "team",
    "requester": None,
    "system": None,
    "volunteer": None,
    "guide": "area",
    "data_protection_officer": None,
    # civilized units' points (rules in wenming.reports.units)
    "unit_operator": "unit",
    "points_reviewer": None,
}


def _role(_inst: Any, _attribute: attrs.Attribute, value: str) -> None:
    if value not in ROLES:
        raise ValueError(f"unknown role {value!r}; roles: {', '.join(ROLES)}")


def _nonempty(_inst: Any, attribute: attrs.Attribute, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"actor {attribute.name} must be a non-empty string, got {value!r}")
    from wenming.records import check_text

    check_text("actor", value)  # the valid length, no NUL bytes (records.TEXT_MAX)


@frozen
class Actor:
    """Someone acting on the workflow, with the scope their role is limited to.

    ``department`` scopes a department dispatcher (``"water"``), ``area`` a station
    operator (an NBS division code: a village code for a station, a town code for an
    institute), ``team`` a team leader (the key of the resource they answer for — a
    team, or the operator of a venue or project).
    """

    id: str = field(validator=_nonempty)
    role: str = field(validator=_role)
    department: str | None = None
    area: str | None = None
    team: str | None = None
    unit: str | None = None

    def __attrs_post_init__(self) -> None:
        needed = _SCOPE[self.role]
        if needed is not None and not getattr(self, needed):
            raise ValueError(f"role {self.role} needs a {needed} (actor {self.id!r})")

    @property
    def scope(self) -> str:
        """The role's scope as text, for messages (``"department water"``)."""
        needed = _SCOPE[self.role]
        return f"{needed} {getattr(self, needed)}" if needed else ""

    def deny(self, action: str, rule: str) -> PermissionDenied:
        return PermissionDenied(self.role, self.scope, action, rule)


def within(code: str | None, area: str) -> bool:
    """Whether an NBS division code lies inside ``area`` (codes are prefix-hierarchical)."""
    return code is not None and code.startswith(area)


def may_publish(actor: Actor, department: str | None) -> None:
    """Publishing or withdrawing a resource: dispatchers, each for its own department."""
    if actor.role == "city_dispatcher":
        return
    if actor.role == "department_dispatcher":
        if department != actor.department:
            raise actor.deny(
                "publish",
                f"a department dispatcher publishes only its own department's resources; "
                f"this resource belongs to {department or 'no department'}",
            )
        return
    raise actor.deny("publish", "only dispatchers publish or withdraw resources")


def may_submit(actor: Actor, site_code: str | None, place_code: str) -> None:
    """Submitting an order: stations for their own area, requesters, the city center."""
    if actor.role in ("city_dispatcher", "requester"):
        return
    if actor.role == "station_operator":
        for what, code in (("site", site_code), ("place", place_code)):
            if code is not None and not within(code, actor.area or ""):
                raise actor.deny(
                    "submit",
                    f"a station operator submits orders only for its own area; "
                    f"{what} {code} is outside {actor.area}",
                )
        return
    raise actor.deny("submit", "orders are submitted by stations, requesters or the city center")


def may_dispatch(actor: Actor, resource_department: str | None, *, direct: bool = False) -> None:
    """Dispatching a part to a resource: the city center any, a sub-center its own.

    ``direct`` is the requester ordering straight from a published resource (供单).
    """
    if direct and actor.role in ("station_operator", "requester", "city_dispatcher"):
        return
    if actor.role == "city_dispatcher":
        return
    if actor.role == "department_dispatcher":
        if resource_department != actor.department:
            raise actor.deny(
                "dispatch",
                "a department dispatcher dispatches only its own department's resources; "
                f"the resource belongs to {resource_department or 'no department'}",
            )
        return
    raise actor.deny("dispatch", "only the city center and sub-centers dispatch")


def may_answer(actor: Actor, action: str, resource_key: str | None) -> None:
    """Accept, decline, start, complete: only the leader of the team dispatched."""
    if actor.role != "team_leader":
        raise actor.deny(action, f"only the leader of the dispatched team may {action}")
    if resource_key != actor.team:
        raise actor.deny(
            action,
            f"a team leader may {action} only its own team's dispatches; "
            f"this part is dispatched to {resource_key or 'nobody'}",
        )


def may_evaluate(actor: Actor, requester: str) -> None:
    """Evaluating: only the order's own requester."""
    if actor.role not in ("requester", "station_operator"):
        raise actor.deny("evaluate", "only the requester evaluates an order")
    if actor.id != requester:
        raise actor.deny(
            "evaluate",
            f"a requester evaluates only its own orders; this order was requested by {requester}",
        )


def may_cancel(actor: Actor, requester: str, site_code: str | None, place_code: str) -> None:
    """Cancelling: the requester, a station operator of the area, the city center."""
    if actor.role == "city_dispatcher":
        return
    if actor.role == "requester":
        if actor.id != requester:
            raise actor.deny(
                "cancel",
                f"a requester cancels only its own orders; this order was requested by {requester}",
            )
        return
    if actor.role == "station_operator":
        code = site_code or place_code
        if not within(code, actor.area or ""):
            raise actor.deny(
                "cancel",
                f"a station operator cancels only orders of its own area; {code} is outside "
                f"{actor.area}",
            )
        return
    raise actor.deny(
        "cancel", "orders are cancelled by their requester, station or the city center"
    )


def may_expire(actor: Actor) -> None:
    """Expiring overdue orders: the city center or a scheduled job."""
    if actor.role not in ("city_dispatcher", "system"):
        raise actor.deny("expire", "only the city center or the system expires orders")


def read_rule(viewer: Actor, row: Mapping[str, Any]) -> str:
    """Why ``viewer`` may not read the order in ``row`` (its ``wm_order`` row): the rule a
    refused single-order read names. Which orders each role reads is a condition of the
    reads' queries (:mod:`wenming.orders.reads`, :mod:`wenming.orders.lightreads`)."""
    oid = row["id"]
    if viewer.role == "station_operator":
        where = row["site_code"] or row["place_code"]
        return (
            f"a station operator reads only orders of its own area; order {oid} is at "
            f"{where}, outside {viewer.area}"
        )
    if viewer.role == "team_leader":
        return (
            f"a team leader reads only orders dispatched to its team; order {oid} was never "
            f"dispatched to {viewer.team}"
        )
    if viewer.role == "department_dispatcher":
        return (
            f"a department dispatcher reads only orders with a part for its department; "
            f"order {oid} has none for {viewer.department}"
        )
    return f"a requester reads only its own orders; order {oid} was requested by another"
