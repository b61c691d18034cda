"""Names for the keys a leaderboard ranks: counties, towns, stations, departments, teams
and units, in Chinese as officials read them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select

from wenming.reports.tables import Unit
from wenming.storage.tables import ResourceRow, Site

if TYPE_CHECKING:
    from wenming.deployment import Deployment


def names(deployment: Deployment, by: str, keys: Iterable[str]) -> dict[str, str]:
    """``{key: name}`` for keys of one dimension (the key itself where none is known)."""
    keys = list(keys)
    found: dict[str, str] = {}
    registry = deployment.registry
    if by == "city":
        found = {k: "全市" for k in keys}
    elif by == "department":
        found = {k: registry.departments[k].name_zh for k in keys if k in registry.departments}
    elif keys:
        with deployment.storage.session() as s:
            if by in ("county", "town", "station"):
                rows = s.execute(select(Site.code, Site.name).where(Site.code.in_(keys)))
            elif by == "team":
                rows = s.execute(
                    select(ResourceRow.key, ResourceRow.name).where(ResourceRow.key.in_(keys))
                )
            else:
                rows = s.execute(select(Unit.code, Unit.name).where(Unit.code.in_(keys)))
            found = dict(rows.all())
        if by in ("county", "town", "station"):
            from wenming.synthetic import short_name

            found = {k: short_name(v) for k, v in found.items()}
        if by == "team":
            for k in keys:
                if k not in found and k in registry.resources:
                    found[k] = registry.resources[k].name_zh
    return {k: found.get(k, k) for k in keys}
