"""拼单: joint templates, joint orders, the engine's proposals, and joint dispatch."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from wenming.api import reads
from wenming.api.routers.common import (
    ERROR_RESPONSES,
    CurrentActor,
    ServicesDep,
    if_match,
    order_response,
)
from wenming.api.routers.orders import IdempotencyKey, IfMatch, OrderId, submit_order
from wenming.api.schemas import JointDispatchIn, OrderOut, SubmitIn
from wenming.orders.errors import IllegalTransition, InvalidInput

router = APIRouter(prefix="/joint", tags=["joint"], responses=ERROR_RESPONSES)


@router.get("/templates", response_model=list[dict[str, Any]])
def templates(actor: CurrentActor, services: ServicesDep) -> list[dict[str, Any]]:
    """The deployment's joint templates and their partner departments."""
    registry = services.deployment.registry
    return [
        {
            "id": tid,
            "name_zh": t.name_zh,
            "name_en": t.name_en,
            "category": t.category,
            "parts": [
                {
                    "department": p.department,
                    "contribution": p.contribution_zh,
                    "kinds": list(p.resource_kinds),
                }
                for p in t.parts
            ],
        }
        for tid, t in registry.joint_templates.items()
    ]


@router.post("/orders", response_model=OrderOut, status_code=201)
def submit(
    body: SubmitIn,
    actor: CurrentActor,
    services: ServicesDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Submit a joint order from a joint ``template`` or two or more ``departments``."""
    if body.template is None and len(body.departments) < 2:
        raise InvalidInput("a joint order needs a template or at least two departments")
    if body.resource is not None:
        raise InvalidInput("a joint order is dispatched part by part, not ordered directly")
    if body.template is not None:
        joint_ids = services.deployment.registry.joint_templates
        short = {tid.split(".", 1)[1] for tid in joint_ids}
        if body.template not in joint_ids and body.template not in short:
            raise InvalidInput(f"template {body.template} is not a joint template; POST /orders")
    return submit_order(services, actor, body, idempotency_key, response)


@router.get("/orders/{order_id}/proposals", response_model=list[dict[str, Any]])
def proposals(
    order_id: OrderId,
    actor: CurrentActor,
    services: ServicesDep,
    k: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[dict[str, Any]]:
    """The engine's best combinations of one resource per waiting part's department."""
    view = reads.order(services.workflow, actor, order_id)
    waiting = [p.department for p in view.parts if p.state in ("pending", "declined")]
    if not view.joint or not waiting:
        raise IllegalTransition(f"order {order_id} has no joint part waiting for dispatch")
    engine = services.engine()
    found = engine.joint(services.workflow.demand(view), departments=waiting, k=k)
    return [p.as_dict() for p in found]


@router.post("/orders/{order_id}/dispatch", response_model=OrderOut)
def dispatch(
    order_id: OrderId,
    actor: CurrentActor,
    services: ServicesDep,
    response: Response,
    body: JointDispatchIn | None = None,
    if_match_header: IfMatch = None,
) -> dict[str, Any]:
    """Dispatch every waiting part at once from the engine's ``proposal``-th combination."""
    body = body or JointDispatchIn()
    with if_match(services, actor, order_id, if_match_header):
        view = services.workflow.dispatch_joint(
            actor, order_id, proposal=body.proposal, reason=body.reason
        )
    return order_response(actor, view, response)
