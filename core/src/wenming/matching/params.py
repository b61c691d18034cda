"""Parameter classes of core's standing rule kinds.

A :class:`~wenming.records.Rule` gives its ``params`` as a mapping; the registry
structures it into one of these classes with cattrs, so an unknown key or a bad value
is reported with the plugin, the rule and the field.
"""

from __future__ import annotations

import attrs
from attrs import field, frozen


def _tuple(value: object) -> tuple:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)  # type: ignore[arg-type]


def _months(_i: object, a: attrs.Attribute, value: tuple[int, ...]) -> None:
    for m in value:
        if not isinstance(m, int) or not 1 <= m <= 12:
            raise ValueError(f"{a.name} must hold months 1–12, got {m!r}")


def _unit(_i: object, a: attrs.Attribute, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{a.name} must be between 0 and 1, got {value!r}")


def _positive(_i: object, a: attrs.Attribute, value: float | None) -> None:
    if value is not None and value <= 0:
        raise ValueError(f"{a.name} must be positive, got {value!r}")


@frozen
class CategoryParams:
    """The demand's service category must be one the resource offers.

    ``partial`` is the score (and, in filter mode, the pass) given to a resource that
    offers a different category: 0 excludes it.
    """

    partial: float = field(default=0.0, validator=_unit)
    #: Score when the category is one the resource also offers, not its first (main) one.
    secondary: float = field(default=0.5, validator=_unit)


@frozen
class TagsParams:
    """Overlap between the demand's tags and the resource's (score: share of the demand's
    tags covered). ``tags`` limits the tags that count; ``min_overlap`` is the filter.
    ``require`` lists tags the resource itself must carry whatever the demand says
    (e.g. ``certified_rescue`` for first-aid training teams)."""

    tags: tuple[str, ...] = field(default=(), converter=_tuple)
    min_overlap: int = field(default=1, validator=attrs.validators.ge(0))
    require: tuple[str, ...] = field(default=(), converter=_tuple)


@frozen
class AudienceParams:
    """The resource serves the demand's key populations. ``audiences`` limits the ones that
    count (a department favouring, say, delivery riders); score 1 on any overlap."""

    audiences: tuple[str, ...] = field(default=(), converter=_tuple)


@frozen
class DistanceParams:
    """Great-circle distance from the resource to the demand's place.

    ``reach_km`` is the hard reach (``None``: the deployment's living-circle default);
    the score decays as ``exp(-d / decay_km)``.
    """

    reach_km: float | None = field(default=None, validator=_positive)
    decay_km: float = field(default=3.0, validator=_positive)


@frozen
class CapacityParams:
    """Headcount must fit the resource's capacity; the score prefers a snug fit.

    ``min_fill`` (0–1) also refuses resources the demand would fill less than that share of.
    """

    min_fill: float = field(default=0.0, validator=_unit)


@frozen
class TimeParams:
    """The demand's time window must fall in the resource's season, and, if ``months``
    is given, in those months (e.g. summer care in July–August)."""

    months: tuple[int, ...] = field(default=(), converter=_tuple, validator=_months)


@frozen
class ReputationParams:
    """Mean evaluation (1–5) shrunk towards ``prior_mean`` by ``prior_weight`` virtual
    ratings, scaled to 0–1; ``minimum`` is the filter threshold on the shrunk mean."""

    prior_mean: float = 4.0
    prior_weight: float = field(default=5.0, validator=attrs.validators.ge(0))
    minimum: float = 1.0


@frozen
class FairnessParams:
    """Spread the work: score ``1 / (1 + open / half_load)`` for a resource with ``open``
    open dispatches; ``max_open`` is the filter."""

    half_load: float = field(default=3.0, validator=_positive)
    max_open: int | None = None


@frozen
class TemplateParams:
    """A demand that names a template: the template's own resources score 1, other
    resources of its department(s) ``department``, everyone else 0."""

    department: float = field(default=0.5, validator=_unit)
