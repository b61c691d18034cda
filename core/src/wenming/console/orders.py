"""The order pages: file a demand (点单), follow it, dispatch it (派单, ranked, joint,
batch), answer it (接单 / 拒单, start, complete) and evaluate it (评单).

Every write calls the workflow (:class:`~wenming.orders.service.Workflow`) as the
signed-in user's actor, exactly as the API's routes do; a refusal is shown with the
service's own one-line message and the API's status code for it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response

from wenming.api import reads
from wenming.console import session, web
from wenming.console.crew import crew
from wenming.console.pages import context_names
from wenming.errors import WenmingError
from wenming.orders.errors import InvalidInput

router = APIRouter(prefix="/console", include_in_schema=False)

OrderId = Annotated[int, Path(ge=1, le=2_147_483_647)]
Text = Annotated[str, Form(max_length=2000)]
Csrf = Annotated[str, Form(max_length=128)]
OPEN = ("submitted", "declined")
WAITING_PARTS = ("pending", "declined")
PAGE = 100


# ---------------------------------------------------------------------- lists


def _list(request: Request, title: str, states: tuple[str, ...] = (), **filters: Any) -> Response:
    user = web.require(request)
    actor = user.actor()
    workflow = web.services(request).workflow
    wanted = request.query_params.get("state") or None
    found: list[Any] = []
    try:
        for state in (wanted,) if wanted else states or (None,):
            found += reads.orders(workflow, actor, limit=PAGE, offset=0, state=state, **filters)
    except WenmingError as exc:
        return web.render(
            request, "message.html", user=user, status=web.status_of(exc), error=str(exc)
        )
    found.sort(key=lambda o: (not o.overdue, -o.id))
    return web.render(
        request,
        "orders.html",
        user=user,
        title=title,
        orders=[reads.order_dict(actor, o) for o in found],
        state=wanted or "",
        states=states,
        **context_names(request),
    )


@router.get("/orders", response_class=HTMLResponse)
def my_orders(request: Request) -> Response:
    """A station's (or anyone's) orders they may read, overdue first."""
    return _list(request, "nav.orders")


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request) -> Response:
    """The dispatcher's queue: orders waiting for (re-)dispatch, overdue first."""
    return _list(request, "nav.queue", OPEN)


@router.get("/tasks", response_class=HTMLResponse)
def tasks(request: Request) -> Response:
    """The team leader's dispatches."""
    user = web.require(request)
    return (
        _list(request, "nav.tasks", resource=user.team)
        if user.team
        else _list(request, "nav.tasks")
    )


# ---------------------------------------------------------------------- filing (点单)


def form_page(request: Request, user: Any, status: int = 200, **values: Any) -> Response:
    registry = web.services(request).deployment.registry
    today = dt.date.today() + dt.timedelta(days=7)
    defaults = {
        "template": "",
        "category": "",
        "audiences": [],
        "headcount": "30",
        "place": user.area or "",
        "site": user.area or "",
        "start": today.isoformat(),
        "end": "",
        "channel": "platform",
        "description": "",
        "tags": "",
        "departments": [],
        "wish": "",
        "idem": secrets.token_urlsafe(12),
    }
    defaults.update({k: v for k, v in values.items() if k in defaults})
    zh = web.lang(request) == "zh"
    plain = {k: t for k, t in registry.templates.items() if not t.is_joint}
    joint = registry.joint_templates
    return web.render(
        request,
        "new.html",
        user=user,
        status=status,
        form=defaults,
        error=values.get("error"),
        understanding=values.get("understanding"),
        plain_templates=[(k, t.name_zh if zh else t.name_en) for k, t in sorted(plain.items())],
        joint_templates=[(k, t.name_zh if zh else t.name_en) for k, t in sorted(joint.items())],
        **context_names(request),
    )


@router.get("/orders/new", response_class=HTMLResponse)
def new_order(request: Request) -> Response:
    return form_page(request, web.require(request))


def _date(value: str, field: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{field} must be a date such as 2023-07-10, got {value!r}") from None


def _int(value: str, field: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidInput(f"{field} must be a whole number, got {value!r}") from None


@router.post("/orders", response_class=HTMLResponse)
def submit(
    request: Request,
    csrf: Csrf = "",
    template: Annotated[str, Form(max_length=128)] = "",
    category: Annotated[str, Form(max_length=128)] = "",
    audiences: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies it)
    headcount: Annotated[str, Form(max_length=8)] = "1",
    place: Annotated[str, Form(max_length=16)] = "",
    site: Annotated[str, Form(max_length=16)] = "",
    start: Annotated[str, Form(max_length=16)] = "",
    end: Annotated[str, Form(max_length=16)] = "",
    channel: Annotated[str, Form(max_length=16)] = "platform",
    description: Text = "",
    tags: Annotated[str, Form(max_length=500)] = "",
    departments: Annotated[list[str], Form()] = [],  # noqa: B006
    idem: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """点单: the workflow's submit, as the signed-in user."""
    user = web.require(request)
    values = {
        "template": template,
        "category": category,
        "audiences": audiences[:20],
        "headcount": headcount,
        "place": place,
        "site": site,
        "start": start,
        "end": end,
        "channel": channel,
        "description": description,
        "tags": tags,
        "departments": departments[:15],
        "idem": idem,
    }
    if not session.csrf_ok(request, csrf):
        return form_page(request, user, 403, error=_t(request, "csrf_failed"), **values)
    try:
        when = _date(start, "start")
        if when is None:
            raise InvalidInput("start: give the date the service is wanted")
        view = web.services(request).workflow.submit(
            user.actor(),
            place=place.strip(),
            site=site.strip() or None,
            start=when,
            end=_date(end, "end"),
            category=category or None,
            template=template or None,
            departments=departments[:15],
            headcount=_int(headcount, "headcount"),
            audiences=audiences[:20],
            tags=[t.strip() for t in tags.replace("，", ",").split(",") if t.strip()],
            channel=channel,
            description=description.strip(),
            idempotency_key=f"console:{user.username}:{idem}" if idem else None,
        )
    except WenmingError as exc:
        return form_page(request, user, web.status_of(exc), error=str(exc), **values)
    return web.see_other(f"/console/orders/{view.id}?done=submit")


def _t(request: Request, key: str) -> str:
    return web.i18n.translate(key, web.lang(request))


# ---------------------------------------------------------------------- one order


def _order_page(
    request: Request, user: Any, order_id: int, *, error: str | None = None, status: int = 200
) -> Response:
    from wenming.api.routers import joint

    services = web.services(request)
    actor = user.actor()
    workflow = services.workflow
    try:
        view = reads.order(workflow, actor, order_id)
    except WenmingError as exc:
        return web.render(
            request, "message.html", user=user, status=web.status_of(exc), error=str(exc)
        )
    events = reads.event_dicts(actor, view, reads.timeline(workflow, actor, order_id))
    candidates: dict[int, Any] = {}
    proposals: list[dict[str, Any]] | str | None = None
    waiting = [p for p in view.parts if p.state in WAITING_PARTS]
    if user.role in web.DISPATCHERS and view.state in OPEN and waiting:
        engine = services.engine()
        for p in waiting:
            try:
                found = reads.candidates(workflow, actor, order_id, part=p.seq, k=5, engine=engine)
                candidates[p.seq] = [c.as_dict() for c in found]
            except WenmingError as exc:
                candidates[p.seq] = str(exc)
        if view.joint:
            try:
                proposals = joint.proposals(order_id=order_id, actor=actor, services=services, k=3)
            except WenmingError as exc:
                proposals = str(exc)
    return web.render(
        request,
        "order.html",
        user=user,
        status=status,
        order=reads.order_dict(actor, view),
        events=events,
        candidates=candidates,
        proposals=proposals,
        error=error,
        done=request.query_params.get("done"),
        mine=[p.seq for p in view.parts if user.team and p.resource == user.team],
        crew=crew(services, actor, view),
        rule_names=_rule_names(request),
        **context_names(request),
    )


def _rule_names(request: Request) -> dict[str, str]:
    registry = web.services(request).deployment.registry
    return {rid: getattr(rule, "name", rid) for rid, rule in registry.rules.items()}


@router.get("/orders/{order_id}", response_class=HTMLResponse)
def show(request: Request, order_id: OrderId) -> Response:
    return _order_page(request, web.require(request), order_id)


def act(request: Request, order_id: int, csrf: str, action: str, call: Callable) -> Response:
    """Run one workflow transition as the signed-in user: back to the order on success,
    the order page with the refusal (and the API's status for it) otherwise."""
    user = web.require(request)
    if not session.csrf_ok(request, csrf):
        return _order_page(request, user, order_id, error=_t(request, "csrf_failed"), status=403)
    try:
        call(web.services(request).workflow, user.actor())
    except WenmingError as exc:
        return _order_page(request, user, order_id, error=str(exc), status=web.status_of(exc))
    return web.see_other(f"/console/orders/{order_id}?done={action}")


def _part(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


@router.post("/orders/{order_id}/dispatch")
def dispatch(
    request: Request,
    order_id: OrderId,
    csrf: Csrf = "",
    part: Annotated[str, Form(max_length=4)] = "",
    rank: Annotated[int, Form(ge=1, le=100)] = 1,
    reason: Text = "",
) -> Response:
    """派单: the ``rank``-th ranked candidate (its explanation is stored)."""
    return act(
        request,
        order_id,
        csrf,
        "dispatch",
        lambda wf, actor: wf.dispatch(
            actor, order_id, part=_part(part), rank=rank, reason=reason.strip()
        ),
    )


@router.post("/orders/{order_id}/joint-dispatch")
def joint_dispatch(
    request: Request,
    order_id: OrderId,
    csrf: Csrf = "",
    proposal: Annotated[int, Form(ge=1, le=50)] = 1,
    reason: Text = "",
) -> Response:
    """拼单: every waiting part at once from the ``proposal``-th combination."""
    return act(
        request,
        order_id,
        csrf,
        "dispatch",
        lambda wf, actor: wf.dispatch_joint(
            actor, order_id, proposal=proposal, reason=reason.strip()
        ),
    )


@router.post("/orders/{order_id}/accept")
def accept(
    request: Request, order_id: OrderId, csrf: Csrf = "", part: Annotated[str, Form()] = ""
) -> Response:
    return act(
        request,
        order_id,
        csrf,
        "accept",
        lambda wf, actor: wf.accept(actor, order_id, part=_part(part)),
    )


@router.post("/orders/{order_id}/decline")
def decline(
    request: Request,
    order_id: OrderId,
    csrf: Csrf = "",
    part: Annotated[str, Form()] = "",
    reason: Text = "",
) -> Response:
    return act(
        request,
        order_id,
        csrf,
        "decline",
        lambda wf, actor: wf.decline(actor, order_id, reason.strip(), part=_part(part)),
    )


@router.post("/orders/{order_id}/start")
def start(
    request: Request, order_id: OrderId, csrf: Csrf = "", part: Annotated[str, Form()] = ""
) -> Response:
    return act(
        request,
        order_id,
        csrf,
        "start",
        lambda wf, actor: wf.start(actor, order_id, part=_part(part)),
    )


def _served(names: list[str], hours: list[str]) -> list[tuple[str, float]]:
    served = []
    for i, name in enumerate(names[:200]):
        if not name.strip():
            continue
        text = hours[i].strip() if i < len(hours) else ""
        try:
            value = float(text)
        except ValueError:
            raise InvalidInput(
                f"hours of volunteer {name.strip()} must be a number such as 2.5, got {text!r}"
            ) from None
        served.append((name.strip(), value))
    return served


@router.post("/orders/{order_id}/complete")
def complete(
    request: Request,
    order_id: OrderId,
    csrf: Csrf = "",
    part: Annotated[str, Form()] = "",
    volunteer: Annotated[list[str], Form()] = [],  # noqa: B006
    hours: Annotated[list[str], Form()] = [],  # noqa: B006
    note: Text = "",
) -> Response:
    return act(
        request,
        order_id,
        csrf,
        "complete",
        lambda wf, actor: wf.complete(
            actor, order_id, _served(volunteer, hours), part=_part(part), note=note.strip()
        ),
    )


@router.post("/orders/{order_id}/evaluate")
def evaluate(
    request: Request,
    order_id: OrderId,
    csrf: Csrf = "",
    rating: Annotated[str, Form(max_length=2)] = "",
    comment: Text = "",
) -> Response:
    return act(
        request,
        order_id,
        csrf,
        "evaluate",
        lambda wf, actor: wf.evaluate(actor, order_id, _int(rating, "rating"), comment.strip()),
    )


@router.post("/orders/{order_id}/cancel")
def cancel(request: Request, order_id: OrderId, csrf: Csrf = "", reason: Text = "") -> Response:
    return act(
        request,
        order_id,
        csrf,
        "cancel",
        lambda wf, actor: wf.cancel(actor, order_id, reason.strip()),
    )
