"""供单: venues, projects and teams that stations can order and dispatchers assign."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response

from wenming.api.routers.common import (
    ERROR_RESPONSES,
    CurrentActor,
    Limit,
    Offset,
    ServicesDep,
    page,
)
from wenming.api.schemas import Page, PublishIn, ResourceOut, WithdrawIn

router = APIRouter(prefix="/supply", tags=["supply"], responses=ERROR_RESPONSES)
ResourceKey = Annotated[
    str, Path(min_length=3, max_length=128, pattern=r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_.\-]+$")
]


@router.get("", response_model=Page[ResourceOut])
def list_supply(
    actor: CurrentActor,
    services: ServicesDep,
    department: Annotated[str | None, Query(max_length=64)] = None,
    kind: Literal["venue", "project", "team"] | None = None,
    include_withdrawn: bool = False,
    published_only: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Resources that can be ordered or dispatched, by key."""
    found = services.workflow.resources(
        department=department,
        kind=kind,
        include_withdrawn=include_withdrawn,
        include_plugins=not published_only,
    )
    chunk = found[offset : offset + limit + 1]
    return page([r.as_dict() for r in chunk], limit, offset)


@router.get("/{key}", response_model=ResourceOut)
def show(key: ResourceKey, actor: CurrentActor, services: ServicesDep) -> dict[str, Any]:
    """One resource: published, withdrawn or a plugin's seed resource."""
    return services.workflow.resource(key, include_withdrawn=True).as_dict()


@router.post("", response_model=ResourceOut, status_code=201)
def publish(
    body: PublishIn, actor: CurrentActor, services: ServicesDep, response: Response
) -> dict[str, Any]:
    """Publish a venue, project or team (dispatchers, each for its own department)."""
    view = services.workflow.publish(actor, **body.model_dump())
    response.headers["Location"] = f"/supply/{view.key}"
    return view.as_dict()


@router.post("/{key}/withdraw", response_model=ResourceOut)
def withdraw(
    key: ResourceKey,
    actor: CurrentActor,
    services: ServicesDep,
    body: WithdrawIn | None = None,
) -> dict[str, Any]:
    """Withdraw a published resource; dispatches already made stand."""
    return services.workflow.withdraw(actor, key, body.reason if body else "").as_dict()
