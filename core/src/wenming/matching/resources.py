"""Resources normalised for compiling: registry records and stored rows as one shape.

A resource's position, slots and reach are decided here, once, when an engine is
built; :mod:`wenming.matching.compile` turns the items into columns.
"""

from __future__ import annotations

import logging
import math
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from wenming.errors import WenmingError
from wenming.matching.kinds import AudienceKind, CategoryKind, TagsKind, TimeKind
from wenming.records import Resource, Template

if TYPE_CHECKING:
    from wenming.storage.tables import ResourceRow


#: Demand × resource elements evaluated at once in batch filtering (memory bound).
BLOCK_ELEMENTS = 1 << 20
#: Rule kinds that can judge a joint template as well as a resource: they read only
#: the category, tag, skill, audience and season columns a template has too.
TEMPLATE_KINDS = (CategoryKind, TagsKind, AudienceKind, TimeKind)


class _Item:
    """One resource, normalised from a registry record or a stored row."""

    __slots__ = (
        "audiences",
        "capacity",
        "categories",
        "department",
        "key",
        "kind",
        "lat",
        "lng",
        "members",
        "months",
        "name",
        "place",
        "reach_km",
        "site_type",
        "skills",
        "slots",
        "synthetic",
        "tags",
        "template",
        "templates",
    )

    def __init__(self, **values: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, values.get(name))


def _from_record(key: str, res: Resource, department: str | None) -> _Item:
    return _Item(
        key=key,
        kind=res.kind,
        department=department,
        name=res.name_zh,
        place=res.place,
        template=res.template,
        site_type=res.site_type,
        categories=res.categories,
        audiences=res.audiences,
        tags=res.tags,
        skills=res.skills,
        capacity=res.capacity,
        members=res.members,
        months=res.months,
        lng=res.lng,
        lat=res.lat,
        reach_km=res.reach_km,
        slots=None,
        synthetic=res.synthetic,
    )


def _from_row(row: ResourceRow) -> _Item:
    extra = row.extra or {}
    slots = extra.get("slots")
    if slots is not None and (not isinstance(slots, int) or isinstance(slots, bool) or slots < 0):
        raise WenmingError(
            f"resource {row.key!r}: extra.slots must be a whole number ≥ 0, got {slots!r}"
        )
    reach = row.reach_km
    if reach is None:
        # rows published before the column existed keep their reach in ``extra``
        reach = extra.get("reach_km")
    if reach is not None and (
        isinstance(reach, bool) or not isinstance(reach, int | float) or not reach > 0
    ):
        raise WenmingError(
            f"resource {row.key!r}: reach_km must be a positive number, got {reach!r}"
        )
    return _Item(
        key=row.key,
        kind=row.kind,
        department=row.department,
        name=row.name,
        place=row.place_code,
        template=row.template,
        site_type=row.site_type,
        categories=tuple(row.categories or ()),
        audiences=tuple(row.audiences or ()),
        tags=tuple(row.tags or ()),
        skills=tuple(row.skills or ()),
        capacity=row.capacity,
        members=row.members,
        months=tuple(row.months or ()),
        lng=row.lng,
        lat=row.lat,
        reach_km=float(reach) if reach is not None else None,
        slots=slots,
        synthetic=bool(row.synthetic),
        # a team built from several templates delivers each of them
        templates=tuple(t for t in extra.get("templates", ()) if isinstance(t, str)),
    )


def _unusable(row: ResourceRow) -> str | None:
    """Why a stored resource row cannot be matched (logged and left out), or ``None``."""
    from wenming.records import check_fields

    try:
        _from_row(row)
        check_fields(
            WenmingError,
            capacity=row.capacity,
            members=row.members,
            reach_km=row.reach_km,
            lng=row.lng,
            lat=row.lat,
        )
    except WenmingError as exc:
        logging.getLogger("wenming.matching").warning("resource %s left out: %s", row.key, exc)
        return str(exc)
    return None


def _template_words(template: Template) -> tuple[str, ...]:
    """The words a joint template is known by: its tags and every skill it (or one of
    its parts) asks for — the template's counterpart of a resource's tags ∪ skills."""
    return (
        *template.tags,
        *template.skills,
        *(s for part in template.parts for s in part.skills),
    )


def _is_row(obj: Any) -> bool:
    """Whether ``obj`` is a stored ``ResourceRow`` (checked without importing SQLModel:
    a row can only exist once its module is loaded)."""
    tables = sys.modules.get("wenming.storage.tables")
    return tables is not None and isinstance(obj, tables.ResourceRow)


def _position(place: str, lng: float | None, lat: float | None) -> tuple[float, float, bool]:
    """``(lng, lat, wide)``: coordinates if given; a city-level place (4 digits or less)
    is city-wide; otherwise the division's position, NaN when it cannot be located."""
    if lng is not None and lat is not None:
        return float(lng), float(lat), False
    if len(place) <= 4:
        return math.nan, math.nan, True
    try:
        from wenming.network import locate

        found = locate(place)
    except (ImportError, WenmingError, ValueError, KeyError):
        return math.nan, math.nan, False
    return float(found[0]), float(found[1]), False


class _Rule:
    """A rule compiled for this engine's resources.

    ``tier`` is ``relevance`` for core's subject rules (their contributions are whole
    points) and ``order`` for every other rule, a department's included.
    """

    __slots__ = (
        "categories",
        "description",
        "filters",
        "id",
        "index",
        "kind",
        "mask",
        "owner",
        "position",
        "scores",
        "tier",
        "view",
        "weight",
    )

    def __init__(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self, name, value)


def contribution(rule: _Rule, score: Any) -> Any:
    """What a rule adds for a 0–1 score: ``weight × score``, rounded to whole points in
    the relevance tier (so relevance moves in steps larger than all order terms)."""
    value = rule.weight * score
    if rule.tier == "relevance":
        return np.floor(value + 0.5)
    return value
