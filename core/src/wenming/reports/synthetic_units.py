"""Seed-scale civilized units (1,143), synthetic and marked so, for demos and benchmarks.

The seed says every one of Suzhou's 1,143 city-level civilized units built a practice
point. Without the real list, :func:`synthesize_units` makes that many units, each
running one of the deployment's industry practice points and, where there are enough,
sharing one venue, project or team — all marked ``synthetic``. Deterministic for a seed.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select

from wenming.errors import WenmingError
from wenming.reports.tables import Unit, UnitLink
from wenming.storage.tables import ResourceRow, Site

if TYPE_CHECKING:
    from wenming.deployment import Deployment

SEED_UNITS = 1143
_KINDS = ("机关", "国有企业", "学校", "医院", "事业单位", "社会组织")


def synthesize_units(deployment: Deployment, count: int = SEED_UNITS, seed: int = 2023) -> dict:
    """Write ``count`` synthetic units with their links in one transaction."""
    if not 1 <= count <= 100_000:
        raise WenmingError(f"units: count must be 1–100000, got {count}")
    storage = deployment.storage
    rng = random.Random(seed)
    with storage.session() as s:
        if s.execute(select(func.count()).select_from(Unit).where(Unit.synthetic)).scalar():
            raise WenmingError("synthetic units exist already; they are written once")
        points = s.execute(
            select(Site.code, Site.department, Site.parent_code)
            .where(Site.level == "practice_point")
            .order_by(Site.code)
        ).all()
        if not points:
            raise WenmingError(
                "no practice points to link units to: run 'wenming network load' and "
                "'wenming network synthesize' first"
            )
        resources = list(
            s.execute(
                select(ResourceRow.key)
                .where(ResourceRow.status == "published")
                .order_by(ResourceRow.key)
            ).scalars()
        )
        rng.shuffle(resources)
        units, links = [], []
        for i in range(count):
            code, department, parent = points[i % len(points)]
            unit = f"unit{i + 1:05d}"
            kind = _KINDS[rng.randrange(len(_KINDS))]
            units.append(
                {
                    "code": unit,
                    "name": f"文明单位{i + 1:04d}（{kind}·示例）",
                    "level": "city",
                    "place_code": parent,
                    "department": department,
                    "synthetic": True,
                }
            )
            if i < len(points):
                links.append({"unit_code": unit, "kind": "site", "ref": code})
            if i < len(resources):
                links.append({"unit_code": unit, "kind": "resource", "ref": resources[i]})
        s.execute(insert(Unit.__table__), units)
        if links:
            s.execute(insert(UnitLink.__table__), links)
    from wenming.reports.counters import counters_of

    counters_of(deployment).rebuild()
    return {"units": len(units), "links": len(links), "seed": seed, "synthetic": True}
