"""Batch dispatch (派单 in batch): the engine's optimal and greedy assignments of every
waiting part side by side, then the workflow's batch dispatch with the chosen method."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from wenming.api import reads
from wenming.console import session, web
from wenming.console.pages import context_names
from wenming.errors import WenmingError

router = APIRouter(prefix="/console", include_in_schema=False)
METHODS = ("optimal", "greedy")


def preview(services: Any, actor: Any) -> dict[str, Any]:
    """What each method would assign now, without dispatching anything.

    The parts are those the workflow's batch dispatch hands to the engine's batch
    assignment (waiting parts bound to no department); the others (joint parts) are
    listed apart: the workflow gives each its best ranked candidate instead.
    """
    workflow = services.workflow
    waiting: list[Any] = []
    for state in ("submitted", "declined"):
        waiting += reads.orders(workflow, actor, limit=1000, offset=0, state=state)
    demands, labels, bound = [], {}, []
    for order in sorted(waiting, key=lambda o: o.id):
        for part in order.parts:
            if part.state not in ("pending", "declined"):
                continue
            if part.department is not None or actor.role == "department_dispatcher":
                bound.append((order, part))
                continue
            demand = workflow.demand(order, part)
            demands.append(demand)
            labels[demand.id] = (order, part)
    results = {}
    if demands:
        engine = services.engine()
        for method in METHODS:
            results[method] = engine.batch(demands, method=method)
    return {"labels": labels, "results": results, "bound": bound}


def _names(services: Any) -> dict[str, str]:
    return {r.key: r.name for r in services.workflow.resources()}


@router.get("/batch", response_class=HTMLResponse)
def batch_page(request: Request) -> Response:
    user = web.require(request)
    services = web.services(request)
    try:
        if user.role not in web.DISPATCHERS:
            from wenming.orders import roles

            roles.may_dispatch(user.actor(), None)  # the workflow's refusal, by role
        shown = preview(services, user.actor())
    except WenmingError as exc:
        return web.render(
            request, "message.html", user=user, status=web.status_of(exc), error=str(exc)
        )
    return web.render(
        request,
        "batch.html",
        user=user,
        methods=METHODS,
        names=_names(services),
        outcome=None,
        **shown,
        **context_names(request),
    )


@router.post("/batch", response_class=HTMLResponse)
def batch_dispatch(
    request: Request,
    csrf: Annotated[str, Form(max_length=128)] = "",
    method: Annotated[str, Form(max_length=16)] = "optimal",
) -> Response:
    """The workflow's batch dispatch with the method the dispatcher chose."""
    user = web.require(request)
    services = web.services(request)
    if not session.csrf_ok(request, csrf):
        error = web.i18n.translate("csrf_failed", web.lang(request))
        return web.render(request, "message.html", user=user, status=403, error=error)
    try:
        if user.role not in web.DISPATCHERS:
            from wenming.orders import roles

            roles.may_dispatch(user.actor(), None)
        outcome = services.workflow.batch_dispatch(user.actor(), None, method=method)
    except WenmingError as exc:
        return web.render(
            request, "message.html", user=user, status=web.status_of(exc), error=str(exc)
        )
    return web.render(
        request,
        "batch.html",
        user=user,
        methods=METHODS,
        names=_names(services),
        outcome=outcome,
        labels={},
        results={},
        bound=[],
        **context_names(request),
    )
