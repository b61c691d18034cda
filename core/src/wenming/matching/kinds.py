"""Vectorised implementations of core's rule kinds, and the protocol every kind follows.

A :class:`~wenming.records.RuleKind` names its implementation as ``module:Class``.
When an :class:`~wenming.matching.Engine` compiles, it builds one instance per rule::

    kind = Class(params, context)       # params: the rule's structured params
                                        # context: KindContext (vocabularies, reach)

and then calls, never per pair, only over arrays:

``passes(res, dem) -> ndarray[bool] | None``
    Filter: which pairs the rule admits (``None``: it admits all). Called when the
    rule's mode is ``filter`` or ``both``.
``score(res, dem) -> ndarray[float]``
    Score in ``[0, 1]`` for each pair; the engine multiplies it by the rule's weight.
    Called when the mode is ``score`` or ``both``, only on pairs that passed.
``reason(res, dem) -> str``
    Why one refused pair was refused; called only to explain an exclusion
    (``res``/``dem`` then hold one item each, their columns are scalars).

``res`` and ``dem`` are :class:`~wenming.matching.arrays.Columns`: their columns
broadcast against each other (one demand × n resources, a block m × n, or P aligned
pairs), bitmask columns with the word axis last. Return arrays of any shape that
broadcasts to the pair shape (a resource-only kind may return a resource-shaped
array). An optional static method ``names(params) -> {vocabulary: names}`` lists
the names (tags, audiences …) the params refer to, so the bitmasks get bits for them
before any mask is built.

Resource columns: ``kind`` (0 venue, 1 project, 2 team), ``department``,
``template``, ``site_type`` (vocabulary codes, −1 none), ``category``, ``audience``,
``tag`` (tags and skills), ``skill`` (bitmasks), ``x``/``y``/``z`` (unit vector, NaN
unknown), ``wide`` (city-wide: no position, serves anywhere), ``capacity``,
``members``, ``months`` (season mask), ``category_main`` (the first category: the
resource's main line of work), ``templates`` (templates the resource delivers),
``department_mask``, ``venue`` (bool), ``visited`` (a venue, or a project held at
its destination: people travel to it), ``county``, ``county_reach`` (the county a
travelling team or project, or a county-wide destination, reaches; −2 none) (the 6-digit county code as a number, −1 unknown),
``travel_dot``/``travel_county`` (a destination venue's travel radius as a dot
product, NaN none; or its whole county), ``reach_km`` (the resource's own service
reach, NaN where it has none) and ``reach_dot`` (the cosine of that reach's central
angle: the smallest unit-vector dot product within it), ``rep_mean``/``rep_count``
(evaluations), ``load`` (open dispatches), ``slots``, and ``key``/``place`` (strings, for reasons).
Demand columns: ``category`` (mask of the accepted category), ``part_skill``
(skills a joint part may offer instead of the category), ``audience``, ``tag``,
``tag_count`` (the demand's tag count, unknown tags included), ``x``/``y``/``z``,
``headcount`` (0 unknown), ``months`` (months the window touches, 0 undated),
``template_mask``/``template_departments`` (the named template and its departments),
``county``, ``travel_dot``/``travel_county`` (how far the requesters travel to a
destination template's venue: a radius as a dot product, NaN none; or their county)
and ``travels`` (either is set),
``id``/``place``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from wenming.matching.arrays import (
    ALL_MONTHS,
    EARTH_RADIUS_KM,
    Columns,
    Vocab,
    km_between,
    month_mask,
    overlaps,
    popcount,
)
from wenming.matching.params import (
    AudienceParams,
    CapacityParams,
    CategoryParams,
    DistanceParams,
    FairnessParams,
    ReputationParams,
    TagsParams,
    TemplateParams,
    TimeParams,
)

if TYPE_CHECKING:
    from wenming.registry import Registry


class KindContext:
    """What a kind may use to compile its params: vocabularies and deployment defaults.

    ``vocab`` maps ``categories``, ``audiences``, ``tags``, ``departments``,
    ``templates`` and ``site_types`` to :class:`~wenming.matching.arrays.Vocab`.
    ``owner`` is the plugin of the rule being compiled: unqualified registry names in
    its params (``"minors"``) resolve in that plugin, then in ``core``.
    """

    #: Vocabularies whose names are namespaced registry IDs.
    NAMESPACED = frozenset({"categories", "audiences", "templates", "site_types"})

    def __init__(
        self, registry: Registry, vocab: Mapping[str, Vocab], reach_km: float, owner: str = "core"
    ) -> None:
        self.registry = registry
        self.vocab = vocab
        self.reach_km = reach_km
        self.owner = owner

    def for_rule(self, rule_id: str) -> KindContext:
        """The same context, resolving names as the plugin of ``rule_id`` would."""
        return KindContext(self.registry, self.vocab, self.reach_km, rule_id.split(".", 1)[0])

    def qualify(self, vocabulary: str, names: Iterable[str]) -> list[str]:
        """Registry IDs for names of a namespaced vocabulary (own plugin, then core);
        tags are read through the registry's vocabulary (a local name or a synonym
        becomes its tag ID); names of other vocabularies are returned as they are."""
        names = list(names)
        if vocabulary == "tags":
            from wenming.matching.vocabulary import vocabulary as words

            known = words(self.registry)
            return [known.canonical(n, self.owner) for n in names]
        if vocabulary not in self.NAMESPACED:
            return names
        known = self.vocab[vocabulary]
        out = []
        for name in names:
            if "." not in name:
                for ns in (self.owner, "core"):
                    if f"{ns}.{name}" in known:
                        name = f"{ns}.{name}"
                        break
            out.append(name)
        return out

    def mask(self, vocabulary: str, names: Iterable[str]) -> np.ndarray:
        """A bitmask over one vocabulary (tags must have been declared via ``names``)."""
        return self.vocab[vocabulary].mask(self.qualify(vocabulary, names))

    def all_bits(self, vocabulary: str) -> np.ndarray:
        """A mask with every bit of a vocabulary set."""
        return self.vocab[vocabulary].mask(self.vocab[vocabulary].index)


class VectorKind(Protocol):
    """The protocol above, for type checkers."""

    def passes(self, res: Columns, dem: Columns) -> np.ndarray | None: ...

    def score(self, res: Columns, dem: Columns) -> np.ndarray: ...

    def reason(self, res: Columns, dem: Columns) -> str: ...


def _any(mask: np.ndarray) -> np.ndarray:
    if mask.shape[-1] == 1:
        return mask[..., 0] != 0
    return (mask != 0).any(axis=-1)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


def _label(vocab: Vocab, mask: np.ndarray) -> str:
    names = [n for n, bit in vocab.index.items() if int(mask[..., bit // 64]) >> (bit % 64) & 1]
    return ", ".join(names) or "none"


class CategoryKind:
    """The resource offers the demand's service category (or, for a joint part, one of
    the part's skills). Its first category is its main line of work and scores 1; a
    category it also offers scores ``secondary``; a different one ``partial`` (with
    ``partial`` > 0 the filter lets it through). A demand without a category is not
    judged."""

    def __init__(self, params: CategoryParams, context: KindContext) -> None:
        self.partial = float(params.partial)
        self.secondary = float(params.secondary)
        self.vocab = context.vocab["categories"]

    @staticmethod
    def _skilled(res: Columns, dem: Columns) -> np.ndarray | bool:
        if not dem.part_skill.any():  # not a joint part: skip a many-word overlap
            return False
        return overlaps(res.skill, dem.part_skill)

    def _offered(self, res: Columns, dem: Columns) -> np.ndarray:
        return overlaps(res.category, dem.category) | self._skilled(res, dem)

    def passes(self, res: Columns, dem: Columns) -> np.ndarray | None:
        if self.partial > 0:
            return None
        return self._offered(res, dem) | ~_any(dem.category)

    def score(self, res: Columns, dem: Columns) -> np.ndarray:
        judged = _any(dem.category)
        main = overlaps(res.category_main, dem.category) | self._skilled(res, dem)
        offered = np.where(main, 1.0, self.secondary)
        return np.where(self._offered(res, dem), offered, np.where(judged, self.partial, 0.0))

    def reason(self, res: Columns, dem: Columns) -> str:
        return (
            f"offers {_label(self.vocab, res.category)}, "
            f"not the demand's {_label(self.vocab, dem.category)}"
        )


class TagsKind:
    """Share of the demand's tags (limited to ``tags`` if given) the resource carries
    among its tags and skills; the filter needs ``min_overlap`` of them (all of them
    when the demand has fewer) and every ``require`` tag. A demand without counted
    tags passes on overlap."""

    def __init__(self, params: TagsParams, context: KindContext) -> None:
        self.limited = bool(params.tags)
        self.limit = context.mask("tags", params.tags) if self.limited else None
        self.min_overlap = params.min_overlap
        self.required = context.mask("tags", params.require) if params.require else None
        self.require_names = params.require
        self.vocab = context.vocab["tags"]

    @staticmethod
    def names(params: TagsParams) -> dict[str, Iterable[str]]:
        return {"tags": (*params.tags, *params.require)}

    def _counts(self, res: Columns, dem: Columns) -> tuple[np.ndarray, np.ndarray]:
        wanted = dem.tag if self.limit is None else dem.tag & self.limit
        common = popcount(res.tag & wanted)
        total = dem.tag_count if self.limit is None else popcount(wanted)
        return common, total

    def _has_required(self, res: Columns) -> np.ndarray | None:
        if self.required is None:
            return None
        return ~_any(self.required & ~res.tag)

    def passes(self, res: Columns, dem: Columns) -> np.ndarray | None:
        common, total = self._counts(res, dem)
        ok = common >= np.minimum(total, self.min_overlap)
        required = self._has_required(res)
        return ok if required is None else ok & required

    def score(self, res: Columns, dem: Columns) -> np.ndarray:
        common, total = self._counts(res, dem)
        return _ratio(common, total)

    def reason(self, res: Columns, dem: Columns) -> str:
        required = self._has_required(res)
        if required is not None and not bool(required):
            missing = _label(self.vocab, self.required & ~res.tag)
            return f"lacks the required tag(s) {missing}"
        common, total = self._counts(res, dem)
        return (
            f"shares {int(common)} of the demand's {int(total)} tag(s), "
            f"needs {min(int(total), self.min_overlap)}"
        )


class AudienceKind:
    """The resource serves one of the demand's key populations (limited to
    ``audiences`` if given): score 1 on overlap. Not judged when the demand names none
    of them; a resource that lists no audiences passes the filter but scores 0."""

    def __init__(self, params: AudienceParams, context: KindContext) -> None:
        self.limit = context.mask("audiences", params.audiences) if params.audiences else None
        self.vocab = context.vocab["audiences"]

    @staticmethod
    def names(params: AudienceParams) -> dict[str, Iterable[str]]:
        return {"audiences": params.audiences}

    def _wanted(self, dem: Columns) -> np.ndarray:
        return dem.audience if self.limit is None else dem.audience & self.limit

    def passes(self, res: Columns, dem: Columns) -> np.ndarray | None:
        wanted = self._wanted(dem)
        return overlaps(res.audience, wanted) | ~_any(wanted) | ~_any(res.audience)

    def score(self, res: Columns, dem: Columns) -> np.ndarray:
        return overlaps(res.audience, self._wanted(dem)).astype(np.float64)

    def reason(self, res: Columns, dem: Columns) -> str:
        return (
            f"serves {_label(self.vocab, res.audience)}, "
            f"not {_label(self.vocab, self._wanted(dem))}"
        )


class DistanceKind:
    """Great-circle distance ``d`` from the resource to the demand: the filter is
    ``d ≤ reach`` — or, by mode of service, the same county for a team or project
    that travels (送服务) and for a destination venue people travel to (到场), or a
    destination's travel radius — and the score ``exp(-d / decay_km)``. The reach of a pair is the
    resource's own service reach (its ``reach_km`` column) when it has one, else the
    rule's ``reach_km``, else the deployment's living circle. City-wide resources
    (placed at city level, no coordinates) pass and score 0; resources with no known
    position fail."""

    def __init__(self, params: DistanceParams, context: KindContext) -> None:
        self.reach_km = float(params.reach_km or context.reach_km)
        self.decay_km = float(params.decay_km)
        self.min_dot = math.cos(min(self.reach_km / EARTH_RADIUS_KM, math.pi))

    def _min_dot(self, res: Columns) -> np.ndarray | float:
        """The smallest dot product of unit vectors within each resource's reach."""
        own = res.reach_dot
        unset = np.isnan(own)
        if unset.all():
            return self.min_dot  # no resource has its own reach: the rule's threshold
        return np.where(unset, self.min_dot, own)

    def passes(self, res: Columns, dem: Columns) -> np.ndarray | None:
        dot = res.x * dem.x + res.y * dem.y + res.z * dem.z
        # ``county_reach``: the county a team or project travels (送服务) or a destination
        # venue draws people from (到场), −2 for the rest; ``travel_dot``: a
        # destination's travel radius (NaN: none)
        ok = (
            res.wide
            | (dot >= self._min_dot(res))
            | (dot >= res.travel_dot)
            | (res.county_reach == dem.county)
        )
        travels = dem.travels  # a numpy scalar for one demand, an array for a block
        if travels.any() if travels.ndim else travels:
            # a demand for a destination template (a wedding, a nature outing) travels
            same = (res.county == dem.county) & (res.county >= 0)
            ok = ok | (res.visited & ((dot >= dem.travel_dot) | (dem.travel_county & same)))
        return ok

    def score(self, res: Columns, dem: Columns) -> np.ndarray:
        km = km_between(res.x, res.y, res.z, dem.x, dem.y, dem.z)
        with np.errstate(invalid="ignore"):
            score = np.exp(-km / self.decay_km)
        return np.where(res.wide | np.isnan(score), 0.0, score)

    def reason(self, res: Columns, dem: Columns) -> str:
        km = float(km_between(res.x, res.y, res.z, dem.x, dem.y, dem.z))
        if math.isnan(km):
            return f"the resource's place {res.place} has no known position"
        own = float(res.reach_km)
        travel = float(res.travel_dot)
        if bool(res.venue) and not math.isnan(float(dem.travel_dot)):
            return f"{km:.1f} km away, beyond the demand's travel radius"
        if bool(res.travel_county):
            return f"{km:.1f} km away in another county, beyond where people travel to this venue"
        if not math.isnan(travel):
            return f"{km:.1f} km away, beyond the travel radius of this destination"
        if math.isnan(own):
            if not bool(res.venue) and int(res.county) >= 0:
                return (
                    f"{km:.1f} km away in another county, beyond the {self.reach_km:g} km "
                    "reach (a team or project travels within its own county)"
                )
            return f"{km:.1f} km away, beyond the {self.reach_km:g} km reach"
        return f"{km:.1f} km away, beyond the resource's own {own:g} km reach"


class CapacityKind:
    """A venue's seats hold the headcount, and the headcount fills at least
    ``min_fill`` of the capacity; the score is the share filled, or capacity/headcount
    when it overflows. Overflow refuses venues only: a team or project that overflows
    scores lower instead. A demand with no headcount is not judged."""

    def __init__(self, params: CapacityParams, context: KindContext) -> None:
        self.min_fill = float(params.min_fill)

    def passes(self, res: Columns, dem: Columns) -> np.ndarray | None:
        h = dem.headcount
        # a room has seats; a team or a project that overflows runs more sessions or
        # sends more volunteers: its score says so, it is not refused
        ok = (h <= res.capacity) | ~res.venue
        if self.min_fill > 0:
            ok = ok & (h >= self.min_fill * res.capacity)
        return ok | (h <= 0)

    def score(self, res: Columns, dem: Columns) -> np.ndarray:
        h = dem.headcount
        fill = _ratio(h, res.capacity)
        return np.where(fill > 1.0, _ratio(1.0, fill), fill)

    def reason(self, res: Columns, dem: Columns) -> str:
        h, cap = int(dem.headcount), int(res.capacity)
        if h > cap:
            return f"headcount {h} exceeds the capacity {cap}"
        return f"headcount {h} fills less than {self.min_fill:.0%} of the capacity {cap}"


class TimeKind:
    """The demand's window touches a month of the resource's season (and of
    ``months``, if given); the score is the share of the window's months in season.
    An undated demand is not judged."""

    def __init__(self, params: TimeParams, context: KindContext) -> None:
        self.allowed = np.uint16(month_mask(params.months) if params.months else ALL_MONTHS)

    def passes(self, res: Columns, dem: Columns) -> np.ndarray | None:
        return ((res.months & self.allowed & dem.months) != 0) | (dem.months == 0)

    def score(self, res: Columns, dem: Columns) -> np.ndarray:
        common = np.bitwise_count(res.months & self.allowed & dem.months)
        return _ratio(common, np.bitwise_count(dem.months))

    def reason(self, res: Columns, dem: Columns) -> str:
        def months(mask: int) -> str:
            return ",".join(str(m) for m in range(1, 13) if mask >> m & 1)

        season = int(res.months) & int(self.allowed)
        return f"the window (months {months(int(dem.months))}) is outside months {months(season)}"


class ReputationKind:
    """Mean evaluation (1–5) shrunk towards ``prior_mean`` by ``prior_weight`` virtual
    ratings; score ``(shrunk − 1) / 4``; the filter needs ``shrunk ≥ minimum``.
    Without evaluations a resource gets the prior (neutral)."""

    def __init__(self, params: ReputationParams, context: KindContext) -> None:
        self.prior_mean = float(params.prior_mean)
        self.prior_weight = float(params.prior_weight)
        self.minimum = float(params.minimum)

    def _shrunk(self, res: Columns) -> np.ndarray:
        n = res.rep_count
        den = n + self.prior_weight
        num = res.rep_mean * n + self.prior_mean * self.prior_weight
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), self.prior_mean)

    def passes(self, res: Columns, dem: Columns) -> np.ndarray | None:
        return self._shrunk(res) >= self.minimum

    def score(self, res: Columns, dem: Columns) -> np.ndarray:
        return np.clip((self._shrunk(res) - 1.0) / 4.0, 0.0, 1.0)

    def reason(self, res: Columns, dem: Columns) -> str:
        return (
            f"rated {float(self._shrunk(res)):.2f} ({int(res.rep_count)} evaluations), "
            f"below {self.minimum:g}"
        )


class FairnessKind:
    """Spread the work: ``1 / (1 + open / half_load)`` for a resource with ``open``
    open dispatches; the filter refuses more than ``max_open``."""

    def __init__(self, params: FairnessParams, context: KindContext) -> None:
        self.half_load = float(params.half_load)
        self.max_open = params.max_open

    def passes(self, res: Columns, dem: Columns) -> np.ndarray | None:
        if self.max_open is None:
            return None
        return res.load <= self.max_open

    def score(self, res: Columns, dem: Columns) -> np.ndarray:
        return 1.0 / (1.0 + res.load / self.half_load)

    def reason(self, res: Columns, dem: Columns) -> str:
        return f"{int(res.load)} open dispatches, more than {self.max_open}"


class TemplateKind:
    """A demand that names a template prefers that template's own resources (score 1),
    then the other resources of its department(s) (``department``). Not judged when
    the demand names no template."""

    def __init__(self, params: TemplateParams, context: KindContext) -> None:
        self.department = float(params.department)
        self.vocab = context.vocab["templates"]

    def passes(self, res: Columns, dem: Columns) -> np.ndarray | None:
        return None

    def score(self, res: Columns, dem: Columns) -> np.ndarray:
        if not dem.template_mask.any():
            return np.zeros(())
        own = overlaps(res.templates, dem.template_mask)
        same = overlaps(res.department_mask, dem.template_departments)
        return np.where(own, 1.0, np.where(same, self.department, 0.0))

    def reason(self, res: Columns, dem: Columns) -> str:
        return "not a resource of the demand's template"


def kind_names(impl: type, params: Any) -> Mapping[str, Iterable[str]]:
    """The names a kind's params refer to, by vocabulary (empty if it declares none)."""
    names = getattr(impl, "names", None)
    return names(params) if names is not None else {}
