"""The practice network: counts, one site with both axes, nearest sites, find by name."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from wenming.api.routers.common import (
    ERROR_RESPONSES,
    CurrentActor,
    Limit,
    Offset,
    ServicesDep,
    page,
)
from wenming.errors import WenmingError
from wenming.orders.errors import NotFound

router = APIRouter(prefix="/network", tags=["network"], responses=ERROR_RESPONSES)


@router.get("/stats", response_model=dict[str, Any])
def stats(actor: CurrentActor, services: ServicesDep) -> dict[str, Any]:
    """Counts by level, compared with the region's published figures."""
    return services.network.stats()


@router.get("/sites", response_model=dict[str, Any])
def sites(
    actor: CurrentActor,
    services: ServicesDep,
    name: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    level: Annotated[str | None, Query(max_length=32)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Sites by code, optionally of one level or department, or whose Chinese or English
    name contains ``name``."""
    found = services.network.sites(level=level, department=department)
    if name:
        needle = name.casefold()
        found = [
            s
            for s in found
            if needle in s.name.casefold() or (s.name_en and needle in s.name_en.casefold())
        ]
    chunk = found[offset : offset + limit + 1]
    return page([s.as_dict() for s in chunk], limit, offset)


@router.get("/sites/{code}", response_model=dict[str, Any])
def site(
    code: Annotated[str, Path(min_length=1, max_length=64)],
    actor: CurrentActor,
    services: ServicesDep,
) -> dict[str, Any]:
    """A site with its ancestors and children on both axes, pairings and navigation links."""
    try:
        return services.network.site(code).as_dict()
    except WenmingError as exc:
        if str(exc).startswith("no site with code"):
            raise NotFound(str(exc)) from None
        raise


@router.get("/near", response_model=list[dict[str, Any]])
def near(
    actor: CurrentActor,
    services: ServicesDep,
    lng: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
    k: Annotated[int | None, Query(ge=1, le=500)] = None,
    radius_km: Annotated[float | None, Query(gt=0, le=500)] = None,
    type: Annotated[str | None, Query(max_length=128)] = None,
    level: Annotated[str | None, Query(max_length=32)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:
    """The ``k`` nearest sites to a WGS-84 point, or all within ``radius_km``."""
    if k is None and radius_km is None:
        k = 10
    hits = services.network.near(
        lng, lat, k=k, radius_km=radius_km, site_type=type, level=level, department=department
    )
    return [h.as_dict() for h in hits]
