"""Signing volunteers in and out of an order part (the people service,
:mod:`wenming.people`): the team leader's list of their team's volunteers on the order's
page, with a sign-in or sign-out button each and the hours each sign-out earned."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from wenming.console import web

router = APIRouter(prefix="/console", include_in_schema=False)
SIGNING = ("accepted", "in_service")


def people(services: Any) -> Any:
    """The app's people service (one per app, on the workflow the pages use)."""
    found = getattr(services, "_console_people", None)
    if found is None:
        from wenming.people.service import People

        workflow = services.workflow
        found = People(
            services.deployment, clock=getattr(workflow, "clock", None), workflow=workflow
        )
        services._console_people = found
    return found


def crew(services: Any, actor: Any, order: Any) -> dict[int, list[dict[str, Any]]]:
    """For each part of ``order`` the team leader ``actor`` answers for and volunteers
    may sign in to: the team's volunteers (masked) with their record on that part."""
    parts = [p for p in order.parts if p.resource == actor.team and p.state in SIGNING]
    if actor.role != "team_leader" or not parts:
        return {}
    service = people(services)
    members = service.volunteers(actor, team=actor.team, limit=200)
    records = service.service_records(order_id=order.id)
    out: dict[int, list[dict[str, Any]]] = {}
    for p in parts:
        mine = {r.volunteer_id: r for r in records if r.part == p.seq}
        out[p.seq] = [{"volunteer": v, "record": mine.get(v.id)} for v in members]
    return out


def _sign(request: Request, order_id: int, csrf: str, action: str, volunteer: int, part: int):
    from wenming.console.orders import act

    def call(_workflow: Any, actor: Any) -> None:
        service = people(web.services(request))
        method = service.sign_in if action == "signin" else service.sign_out
        method(actor, volunteer, order_id, part=part)

    return act(request, order_id, csrf, action, call)


@router.post("/orders/{order_id}/sign-in")
def sign_in(
    request: Request,
    order_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    csrf: Annotated[str, Form(max_length=128)] = "",
    volunteer: Annotated[int, Form(ge=1)] = 1,
    part: Annotated[int, Form(ge=1, le=100)] = 1,
) -> Response:
    """签到: the team leader signs a volunteer in to the part (now)."""
    return _sign(request, order_id, csrf, "signin", volunteer, part)


@router.post("/orders/{order_id}/sign-out")
def sign_out(
    request: Request,
    order_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    csrf: Annotated[str, Form(max_length=128)] = "",
    volunteer: Annotated[int, Form(ge=1)] = 1,
    part: Annotated[int, Form(ge=1, le=100)] = 1,
) -> Response:
    """签退: the hours follow from the minutes by the deployment's rounding rule."""
    return _sign(request, order_id, csrf, "signout", volunteer, part)
