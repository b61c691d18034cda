"""Orders: 点单 submit, list, show, timeline, candidates; 派单 dispatch (by hand, ranked,
batch); 接单 accept, decline; start, complete; 评单 evaluate; cancel."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Response

from wenming.api import reads
from wenming.api.routers.common import (
    ERROR_RESPONSES,
    CurrentActor,
    Limit,
    Offset,
    ServicesDep,
    if_match,
    order_response,
    page,
)
from wenming.api.schemas import (
    BatchIn,
    BatchOut,
    CancelIn,
    CompleteIn,
    DeclineIn,
    DispatchIn,
    DispatchOut,
    EvaluateIn,
    EventOut,
    OrderOut,
    Page,
    PartIn,
    SubmitIn,
)
from wenming.orders import roles

router = APIRouter(prefix="/orders", tags=["orders"], responses=ERROR_RESPONSES)

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=64,
        description="The order's ETag you acted on; a newer version makes this a 409.",
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=128,
        description="Submitting again with the same key returns the first order.",
    ),
]
OrderId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The order's ID.")]


def submit_order(
    services: Any, actor: Any, body: SubmitIn, key: str | None, response: Response
) -> dict[str, Any]:
    values = body.model_dump()
    view = services.workflow.submit(actor, idempotency_key=key, **values)
    response.status_code = 201
    response.headers["Location"] = f"/orders/{view.id}"
    return order_response(actor, view, response)


@router.post("", response_model=OrderOut, status_code=201)
def submit(
    body: SubmitIn,
    actor: CurrentActor,
    services: ServicesDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """点单: submit a demand (with ``resource``: order straight from supply)."""
    return submit_order(services, actor, body, idempotency_key, response)


@router.get("", response_model=Page[OrderOut])
def list_orders(
    actor: CurrentActor,
    services: ServicesDep,
    state: Annotated[str | None, Query(max_length=16)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    area: Annotated[str | None, Query(pattern=r"^[0-9]{2,12}$")] = None,
    requester: Annotated[str | None, Query(max_length=128)] = None,
    resource: Annotated[str | None, Query(max_length=128)] = None,
    overdue: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Orders the caller may read, newest first, one page."""
    found = reads.orders(
        services.workflow,
        actor,
        limit=limit + 1,
        offset=offset,
        state=state,
        department=department,
        area=area,
        requester=requester,
        resource=resource,
        overdue=overdue,
    )
    return page([reads.order_dict(actor, o) for o in found], limit, offset)


@router.post("/batch-dispatch", response_model=BatchOut)
def batch_dispatch(body: BatchIn, actor: CurrentActor, services: ServicesDep) -> dict[str, Any]:
    """派单 in batch: every waiting part (or those of ``order_ids``) at once."""
    if actor.role not in ("city_dispatcher", "department_dispatcher"):
        roles.may_dispatch(actor, None)  # the workflow's refusal for other roles
    result = services.workflow.batch_dispatch(actor, body.order_ids, method=body.method)
    return result.as_dict()


@router.get("/{order_id}", response_model=OrderOut)
def show(
    order_id: OrderId, actor: CurrentActor, services: ServicesDep, response: Response
) -> dict[str, Any]:
    """One order with its parts; the ``ETag`` header is its version."""
    return order_response(actor, reads.order(services.workflow, actor, order_id), response)


@router.get("/{order_id}/timeline", response_model=list[EventOut])
def timeline(order_id: OrderId, actor: CurrentActor, services: ServicesDep) -> list[dict[str, Any]]:
    """Every event of the order: who, when, what and why."""
    events = reads.timeline(services.workflow, actor, order_id)
    view = reads.order(services.workflow, actor, order_id)
    return reads.event_dicts(actor, view, events)


@router.get("/{order_id}/dispatches", response_model=list[DispatchOut])
def dispatches(
    order_id: OrderId, actor: CurrentActor, services: ServicesDep
) -> list[dict[str, Any]]:
    """Every dispatch of the order, with the engine's explanation."""
    return [d.as_dict() for d in reads.dispatches(services.workflow, actor, order_id)]


@router.get("/{order_id}/candidates", response_model=list[dict[str, Any]])
def candidates(
    order_id: OrderId,
    actor: CurrentActor,
    services: ServicesDep,
    part: Annotated[int | None, Query(ge=1, le=100)] = None,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[dict[str, Any]]:
    """The engine's ranked candidates for a part, each with its per-rule breakdown."""
    found = reads.candidates(
        services.workflow, actor, order_id, part=part, k=k, engine=services.engine()
    )
    return [c.as_dict() for c in found]


@router.post("/{order_id}/dispatch", response_model=OrderOut)
def dispatch(
    order_id: OrderId,
    body: DispatchIn,
    actor: CurrentActor,
    services: ServicesDep,
    response: Response,
    if_match_header: IfMatch = None,
) -> dict[str, Any]:
    """派单: by hand (``resource``) or the ``rank``-th ranked candidate."""
    with if_match(services, actor, order_id, if_match_header):
        view = services.workflow.dispatch(
            actor, order_id, body.resource, part=body.part, rank=body.rank, reason=body.reason
        )
    return order_response(actor, view, response)


@router.post("/{order_id}/accept", response_model=OrderOut)
def accept(
    order_id: OrderId,
    actor: CurrentActor,
    services: ServicesDep,
    response: Response,
    body: PartIn | None = None,
    if_match_header: IfMatch = None,
) -> dict[str, Any]:
    """接单: the dispatched team accepts its part."""
    with if_match(services, actor, order_id, if_match_header):
        view = services.workflow.accept(actor, order_id, part=body.part if body else None)
    return order_response(actor, view, response)


@router.post("/{order_id}/decline", response_model=OrderOut)
def decline(
    order_id: OrderId,
    body: DeclineIn,
    actor: CurrentActor,
    services: ServicesDep,
    response: Response,
    if_match_header: IfMatch = None,
) -> dict[str, Any]:
    """The dispatched team declines with a reason; the part goes back to dispatch."""
    with if_match(services, actor, order_id, if_match_header):
        view = services.workflow.decline(actor, order_id, body.reason, part=body.part)
    return order_response(actor, view, response)


@router.post("/{order_id}/start", response_model=OrderOut)
def start(
    order_id: OrderId,
    actor: CurrentActor,
    services: ServicesDep,
    response: Response,
    body: PartIn | None = None,
    if_match_header: IfMatch = None,
) -> dict[str, Any]:
    """The team starts the service of its accepted part."""
    with if_match(services, actor, order_id, if_match_header):
        view = services.workflow.start(actor, order_id, part=body.part if body else None)
    return order_response(actor, view, response)


@router.post("/{order_id}/complete", response_model=OrderOut)
def complete(
    order_id: OrderId,
    body: CompleteIn,
    actor: CurrentActor,
    services: ServicesDep,
    response: Response,
    if_match_header: IfMatch = None,
) -> dict[str, Any]:
    """The team records its part delivered, with each volunteer's hours."""
    with if_match(services, actor, order_id, if_match_header):
        served = [(v.volunteer, v.hours) for v in body.volunteers]
        view = services.workflow.complete(actor, order_id, served, part=body.part, note=body.note)
    return order_response(actor, view, response)


@router.post("/{order_id}/evaluate", response_model=OrderOut)
def evaluate(
    order_id: OrderId,
    body: EvaluateIn,
    actor: CurrentActor,
    services: ServicesDep,
    response: Response,
    if_match_header: IfMatch = None,
) -> dict[str, Any]:
    """评单: the requester rates the delivered service 1–5."""
    with if_match(services, actor, order_id, if_match_header):
        view = services.workflow.evaluate(actor, order_id, body.rating, body.comment)
    return order_response(actor, view, response)


@router.post("/{order_id}/cancel", response_model=OrderOut)
def cancel(
    order_id: OrderId,
    body: CancelIn,
    actor: CurrentActor,
    services: ServicesDep,
    response: Response,
    if_match_header: IfMatch = None,
) -> dict[str, Any]:
    """Withdraw an order before its service starts."""
    with if_match(services, actor, order_id, if_match_header):
        view = services.workflow.cancel(actor, order_id, body.reason)
    return order_response(actor, view, response)
