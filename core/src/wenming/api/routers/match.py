"""The matching engine: rank candidates for a demand with each rule's share, or compose
a joint order — without submitting anything."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from wenming.api.routers.common import ERROR_RESPONSES, CurrentActor, ServicesDep
from wenming.api.schemas import DemandIn

router = APIRouter(prefix="/match", tags=["match"], responses=ERROR_RESPONSES)


def _demand(body: DemandIn) -> Any:
    from wenming.matching.demand import Demand

    data = {k: v for k, v in body.model_dump().items() if v not in (None, [], ())}
    for day in ("start", "end"):
        if day in data:
            data[day] = data[day].isoformat()
    data["id"] = "demand"
    return Demand.from_mapping(data, source="request body")


@router.post("/rank", response_model=dict[str, Any])
def rank(
    body: DemandIn,
    actor: CurrentActor,
    services: ServicesDep,
    k: Annotated[int, Query(ge=0, le=100)] = 10,
    excluded: bool = False,
) -> dict[str, Any]:
    """The ranked candidates for a demand, each with its score and per-rule breakdown."""
    ranking = services.engine().rank(_demand(body), k=k, explain=True, include_excluded=excluded)
    return ranking.as_dict()


@router.post("/joint", response_model=dict[str, Any])
def joint(
    body: DemandIn,
    actor: CurrentActor,
    services: ServicesDep,
    k: Annotated[int, Query(ge=1, le=20)] = 5,
) -> dict[str, Any]:
    """Joint proposals (拼单): one resource per department, with the reasons."""
    engine = services.engine()
    demand = _demand(body)
    found = engine.joint(demand, k=k)
    gaps = engine.joint_gaps(demand) if not found else {}
    return {"proposals": [p.as_dict() for p in found], "gaps": gaps}
