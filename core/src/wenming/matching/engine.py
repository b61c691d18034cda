"""The matching engine: the registry's rules compiled into vectorised scoring.

:class:`Engine` is built once per deployment (or per set of resources). It
normalises resources into columns sorted by key, imports each rule kind's
implementation and compiles every rule of the registry into a kind instance, a
resource scope (index array) and a demand scope (category codes). After that, no
plugin code and no per-pair Python call runs while scoring: each rule is evaluated
over whole arrays.

Evaluation is two-phase. Filters (rules in mode ``filter`` or ``both``) run first
over every resource (one demand) or over blocks of demands × resources (batch);
scores (modes ``score`` and ``both``) then run only on the pairs that passed. A
pair's score is the sum, in rule-ID order, of weight × the rule's 0–1 score over
the rules that judge it. Rankings are sorted by score, highest first, then by
resource key; exclusions name the first failing rule in rule-ID order.
"""

from __future__ import annotations

import copy
import importlib
import math
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from attrs import evolve

from wenming.deployment import MatchingConfig
from wenming.errors import WenmingError
from wenming.matching.arrays import (
    EARTH_RADIUS_KM,
    KINDS,
    Columns,
    Vocab,
    fill,
    month_mask,
    unit_vectors,
    window_mask,
)
from wenming.matching.demand import Demand
from wenming.matching.kinds import (
    AudienceKind,
    CategoryKind,
    KindContext,
    TagsKind,
    TimeKind,
    kind_names,
)
from wenming.matching.results import (
    BatchResult,
    Candidate,
    Exclusion,
    JointProposal,
    Ranking,
    TemplateFit,
)
from wenming.records import Resource, Template

if TYPE_CHECKING:
    from wenming.deployment import Deployment
    from wenming.registry import Registry
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
    )


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


def default_slots(kind: str, members: int) -> int:
    """How many demands a resource takes on one day when nothing else is said.

    A venue hosts two sessions a day (morning, afternoon); a project runs once a
    day; a team sends one group per 20 members (at least one, at most ten).
    """
    if kind == "venue":
        return 2
    if kind == "team":
        return max(1, min(10, int(members or 0) // 20))
    return 1


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
    """A rule compiled for this engine's resources."""

    __slots__ = (
        "categories",
        "description",
        "filters",
        "id",
        "index",
        "kind",
        "mask",
        "position",
        "scores",
        "view",
        "weight",
    )

    def __init__(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self, name, value)


class Engine:
    """Ranks, batch-assigns and composes joint orders over a fixed set of resources.

    ``resources`` may hold registry records (``Resource`` objects of
    ``registry.resources``, or ``(key, Resource)`` pairs, or a mapping key →
    ``Resource``) and stored ``ResourceRow`` rows (keyed by ``.key``). ``config``
    gives rule re-weighting and the default reach; ``reputation`` maps resource key
    → ``(mean rating, count)``, ``load`` key → open dispatches, ``slots`` key →
    demands per day (see :func:`default_slots`). Missing keys get neutral values.
    """

    def __init__(
        self,
        registry: Registry,
        resources: Iterable[Any] | Mapping[str, Resource],
        *,
        config: MatchingConfig | None = None,
        reputation: Mapping[str, tuple[float, int]] | None = None,
        load: Mapping[str, int | float] | None = None,
        slots: Mapping[str, int] | None = None,
    ) -> None:
        self.registry = registry
        self.config = config or MatchingConfig()
        for rule_id in self.config.weights:
            if rule_id not in registry.rules:
                raise WenmingError(f"matching.weights: no rule {rule_id!r} is registered")
        items = self._normalise(registry, resources)
        self.keys: list[str] = [it.key for it in items]
        self._position = {k: i for i, k in enumerate(self.keys)}
        self._items = items
        self.vocab = self._vocabularies(registry, items)
        self.context = KindContext(registry, self.vocab, self.config.reach_km)
        impls = self._implementations(registry)
        for rule_id, (impl, params) in impls.items():
            context = self.context.for_rule(rule_id)
            for vocabulary, names in kind_names(impl, params).items():
                if vocabulary not in self.vocab:
                    raise WenmingError(
                        f"rule {rule_id!r}: its kind names an unknown vocabulary {vocabulary!r} "
                        f"(known: {', '.join(self.vocab)})"
                    )
                self.vocab[vocabulary].add(context.qualify(vocabulary, names))
        self.columns = self._columns(items, reputation, load, slots)
        self._all = Columns(self.columns)
        self._rules = self._compile(registry, impls)
        self._compile_template_fit(registry, impls)

    # ------------------------------------------------------------------ building

    @classmethod
    def from_deployment(
        cls,
        deployment: Deployment,
        *,
        reputation: Mapping[str, tuple[float, int]] | None = None,
        load: Mapping[str, int | float] | None = None,
        slots: Mapping[str, int] | None = None,
    ) -> Engine:
        """An engine over the registry's resources and the deployment's published
        ``wm_resource`` rows (a row replaces the registry record with the same key).
        A database without a schema contributes no rows."""
        resources: dict[str, Any] = dict(deployment.registry.resources)
        if deployment.storage.schema_version() is not None:
            from sqlmodel import select

            from wenming.storage.tables import ResourceRow

            with deployment.storage.session() as session:
                rows = session.exec(select(ResourceRow).where(ResourceRow.status == "published"))
                for row in rows:
                    resources[row.key] = row
        return cls(
            deployment.registry,
            list(resources.items()),
            config=deployment.config.matching,
            reputation=reputation,
            load=load,
            slots=slots,
        )

    @staticmethod
    def _normalise(registry: Registry, resources: Any) -> list[_Item]:
        if isinstance(resources, Mapping):
            resources = list(resources.items())
        by_identity = {id(r): k for k, r in registry.resources.items()}
        items: dict[str, _Item] = {}
        for entry in resources:
            if isinstance(entry, tuple) and len(entry) == 2:
                key, obj = entry
            else:
                key, obj = None, entry
            if isinstance(obj, Resource):
                if key is None:
                    key = by_identity.get(id(obj))
                    if key is None:
                        raise WenmingError(
                            f"resource {obj.name!r} is not in the registry; "
                            "pass it as a (key, Resource) pair"
                        )
                item = _from_record(key, obj, registry.department_of(key))
            elif _is_row(obj):
                item = _from_row(obj)
                if key is not None and key != item.key:
                    raise WenmingError(f"resource row {item.key!r} given under key {key!r}")
            else:
                raise WenmingError(
                    f"not a resource: {type(obj).__name__} (expected Resource or ResourceRow)"
                )
            if item.kind not in KINDS:
                raise WenmingError(f"resource {item.key!r}: unknown kind {item.kind!r}")
            if item.key in items:
                raise WenmingError(f"resource {item.key!r} is given twice")
            items[item.key] = item
        return [items[k] for k in sorted(items)]

    @staticmethod
    def _vocabularies(registry: Registry, items: list[_Item]) -> dict[str, Vocab]:
        vocab = {
            "categories": Vocab(registry.categories),
            "audiences": Vocab(registry.audiences),
            "tags": Vocab(),
            "departments": Vocab(registry.departments),
            "templates": Vocab(registry.templates),
            "site_types": Vocab(registry.site_types),
        }
        for it in items:
            vocab["categories"].add(it.categories)
            vocab["audiences"].add(it.audiences)
            vocab["tags"].add(it.tags)
            vocab["tags"].add(it.skills)
            if it.department:
                vocab["departments"].add((it.department,))
            if it.template:
                vocab["templates"].add((it.template,))
            if it.site_type:
                vocab["site_types"].add((it.site_type,))
        return vocab

    @staticmethod
    def _implementations(registry: Registry) -> dict[str, tuple[type, Any]]:
        """Import each rule's kind implementation once (cached per kind)."""
        classes: dict[str, type] = {}
        out: dict[str, tuple[type, Any]] = {}
        for rule_id, rule in registry.rules.items():
            kind = registry.rule_kinds[rule.kind]
            if rule.kind not in classes:
                module_name, _, attr = kind.impl.partition(":")
                try:
                    module = importlib.import_module(module_name)
                    classes[rule.kind] = getattr(module, attr)
                except (ImportError, AttributeError) as exc:
                    raise WenmingError(
                        f"rule kind {rule.kind!r} (plugin {registry.owner(rule.kind)!r}): "
                        f"cannot import its implementation {kind.impl!r}: {exc}"
                    ) from None
            out[rule_id] = (classes[rule.kind], rule.params)
        return out

    def _columns(
        self,
        items: list[_Item],
        reputation: Mapping[str, tuple[float, int]] | None,
        load: Mapping[str, int | float] | None,
        slots: Mapping[str, int] | None,
    ) -> dict[str, np.ndarray]:
        v = self.vocab
        keys = self.keys
        positions = [_position(it.place, it.lng, it.lat) for it in items]
        lng = np.array([p[0] for p in positions], dtype=np.float64)
        lat = np.array([p[1] for p in positions], dtype=np.float64)
        x, y, z = unit_vectors(lng, lat)
        reach_km = np.array(
            [it.reach_km if it.reach_km is not None else math.nan for it in items],
            dtype=np.float64,
        )
        given_slots = fill(keys, slots, None)
        slot_values = [
            int(
                s
                if s is not None
                else (it.slots if it.slots is not None else default_slots(it.kind, it.members))
            )
            for it, s in zip(items, given_slots, strict=True)
        ]
        return {
            "key": np.array(keys, dtype=object),
            "place": np.array([it.place for it in items], dtype=object),
            "kind": np.array([KINDS.index(it.kind) for it in items], dtype=np.int8),
            "department": v["departments"].codes([it.department for it in items]),
            "template": v["templates"].codes([it.template for it in items]),
            "site_type": v["site_types"].codes([it.site_type for it in items]),
            "category": v["categories"].masks([it.categories for it in items]),
            "audience": v["audiences"].masks([it.audiences for it in items]),
            "tag": v["tags"].masks([(*it.tags, *it.skills) for it in items]),
            "skill": v["tags"].masks([it.skills for it in items]),
            "x": x,
            "y": y,
            "z": z,
            "wide": np.array([p[2] for p in positions], dtype=bool),
            "reach_km": reach_km,
            "reach_dot": np.cos(np.minimum(reach_km / EARTH_RADIUS_KM, math.pi)),
            "capacity": np.array([it.capacity for it in items], dtype=np.float64),
            "members": np.array([it.members or 0 for it in items], dtype=np.float64),
            "months": np.array([month_mask(it.months) for it in items], dtype=np.uint16),
            **self._inputs(reputation, load),
            "slots": np.array(slot_values, dtype=np.int64),
        }

    def _compile_template_fit(self, registry: Registry, impls: dict[str, tuple[type, Any]]) -> None:
        """Compile what judging joint templates needs: the templates as columns, and a
        second instance of each rule that can judge them (see :meth:`fitting_templates`).

        Those instances get their own tag vocabulary — the engine's plus the templates'
        words — so the templates' words never widen the resources' tag masks (one more
        ``uint64`` word per resource would slow every ranking down).
        """
        tags = Vocab(self.vocab["tags"].index)
        for template in registry.joint_templates.values():
            tags.add(_template_words(template))
        vocab = {**self.vocab, "tags": tags}
        context = KindContext(registry, vocab, self.config.reach_km)
        self._fit_vocab = vocab
        self._fit_rules = [
            (rule, type(rule.kind)(impls[rule.id][1], context.for_rule(rule.id)))
            for rule in self._rules
            if rule.mask is None and isinstance(rule.kind, TEMPLATE_KINDS)
        ]
        ids = sorted(registry.joint_templates)
        templates = [registry.templates[t] for t in ids]
        self._templates = {
            "key": np.array(ids, dtype=object),
            "category": vocab["categories"].masks([(t.category,) for t in templates]),
            "audience": vocab["audiences"].masks([t.audiences for t in templates]),
            "tag": tags.masks([_template_words(t) for t in templates]),
            "skill": tags.masks(
                [(*t.skills, *(s for p in t.parts for s in p.skills)) for t in templates]
            ),
            "months": np.array([month_mask(t.months) for t in templates], dtype=np.uint16),
        }

    def _inputs(
        self,
        reputation: Mapping[str, tuple[float, int]] | tuple[Any, Any] | None,
        load: Mapping[str, int | float] | Any | None,
    ) -> dict[str, np.ndarray]:
        """Reputation and load columns from mappings by key or arrays aligned with
        :attr:`keys` (reputation as ``(means, counts)``); neutral where absent."""
        n = len(self.keys)
        out: dict[str, np.ndarray] = {}
        if reputation is not None:
            if isinstance(reputation, Mapping):
                for key, value in reputation.items():
                    if not (isinstance(value, tuple | list) and len(value) == 2):
                        raise WenmingError(f"reputation[{key!r}] must be (mean rating, count)")
                pairs = fill(self.keys, reputation, (0.0, 0))
                means = np.array([float(v[0]) for v in pairs], dtype=np.float64)
                counts = np.array([float(v[1]) for v in pairs], dtype=np.float64)
            else:
                means, counts = (np.asarray(a, dtype=np.float64) for a in reputation)
            if means.shape != (n,) or counts.shape != (n,):
                raise WenmingError(f"reputation arrays must have one entry per resource ({n})")
            out["rep_mean"], out["rep_count"] = means, counts
        elif "rep_mean" not in getattr(self, "columns", {}):
            out["rep_mean"], out["rep_count"] = np.zeros(n), np.zeros(n)
        if load is not None:
            if isinstance(load, Mapping):
                values = np.array(fill(self.keys, load, 0), dtype=np.float64)
            else:
                values = np.asarray(load, dtype=np.float64)
            if values.shape != (n,):
                raise WenmingError(f"load must have one entry per resource ({n})")
            out["load"] = values
        elif "load" not in getattr(self, "columns", {}):
            out["load"] = np.zeros(n)
        return out

    def with_inputs(
        self,
        *,
        reputation: Mapping[str, tuple[float, int]] | tuple[Any, Any] | None = None,
        load: Mapping[str, int | float] | Any | None = None,
    ) -> Engine:
        """A copy with new reputation and/or load, sharing everything compiled.

        Cheap (no recompilation), so a dispatcher can refresh evaluations and open
        dispatches before each round. Mappings are by resource key; arrays are
        aligned with :attr:`keys`. What is not given is kept.
        """
        new = copy.copy(self)
        new.columns = {**self.columns, **self._inputs(reputation, load)}
        new._all = Columns(new.columns)
        new._rules = []
        for rule in self._rules:
            clone = copy.copy(rule)
            clone.view = Columns(new.columns, rule.index) if rule.mask is not None else new._all
            new._rules.append(clone)
        return new

    def _compile(self, registry: Registry, impls: dict[str, tuple[type, Any]]) -> list[_Rule]:
        cols = self.columns
        n = len(self.keys)
        compiled: list[_Rule] = []
        for position, (rule_id, rule) in enumerate(registry.rules.items()):
            impl, params = impls[rule_id]
            try:
                kind = impl(params, self.context.for_rule(rule_id))
            except Exception as exc:
                raise WenmingError(
                    f"rule {rule_id!r}: its kind {rule.kind!r} refused the params: {exc}"
                ) from exc
            scope = rule.scope
            mask = np.ones(n, dtype=bool)
            if scope.departments:
                codes = [self.vocab["departments"].index[d] for d in scope.departments]
                mask &= np.isin(cols["department"], codes)
            if scope.templates:
                codes = [self.vocab["templates"].index[t] for t in scope.templates]
                mask &= np.isin(cols["template"], codes)
            if scope.resource_kinds:
                mask &= np.isin(cols["kind"], [KINDS.index(k) for k in scope.resource_kinds])
            scoped = not mask.all()
            index = np.flatnonzero(mask) if scoped else None
            categories = None
            if scope.categories:
                categories = np.array(
                    [self.vocab["categories"].index[c] for c in scope.categories], dtype=np.int32
                )
            compiled.append(
                _Rule(
                    id=rule_id,
                    position=position,
                    kind=kind,
                    weight=float(self.config.weights.get(rule_id, rule.weight)),
                    filters=rule.mode in ("filter", "both"),
                    scores=rule.mode in ("score", "both"),
                    mask=mask if scoped else None,
                    index=index,
                    view=Columns(cols, index) if scoped else self._all,
                    categories=categories,
                    description=rule.description,
                )
            )
        return compiled

    # ------------------------------------------------------------------ demands

    def _resolve_id(
        self,
        table: Mapping[str, Any],
        vocab: Vocab | None,
        value: str,
        own: str | None,
        what: str,
        demand_id: str,
    ) -> str:
        if "." in value and (value in table or (vocab is not None and value in vocab)):
            return value
        known = set(table) | (set(vocab.index) if vocab is not None else set())
        if "." in value:
            if value in known:
                return value
        else:
            for ns in (own, "core"):
                if ns and f"{ns}.{value}" in known:
                    return f"{ns}.{value}"
            matches = sorted(k for k in known if k.split(".", 1)[-1] == value)
            if len(matches) == 1:
                return matches[0]
            if matches:
                raise WenmingError(
                    f"demand {demand_id!r}: {what} {value!r} is ambiguous "
                    f"({', '.join(matches)}); qualify it"
                )
        raise WenmingError(f"demand {demand_id!r}: unknown {what} {value!r}")

    def resolve(self, demand: Demand) -> Demand:
        """The demand with fully qualified IDs and its template's defaults filled in
        (category, audiences, tags, and the partner departments of a joint template)."""
        reg = self.registry
        template_id = None
        template = None
        if demand.template:
            template_id = self._resolve_id(
                reg.templates, None, demand.template, None, "template", demand.id
            )
            template = reg.templates[template_id]
        own = template_id.split(".", 1)[0] if template_id else None
        category = demand.category or (template.category if template else None)
        if category is not None:
            category = self._resolve_id(
                reg.categories, self.vocab["categories"], category, own, "category", demand.id
            )
        audiences = demand.audiences or (template.audiences if template else ())
        audiences = tuple(
            self._resolve_id(reg.audiences, self.vocab["audiences"], a, own, "audience", demand.id)
            for a in audiences
        )
        tags = demand.tags or (template.tags if template else ())
        departments = demand.departments or (
            tuple(p.department for p in template.parts) if template else ()
        )
        for dept in departments:
            if dept not in reg.departments and dept not in self.vocab["departments"]:
                raise WenmingError(f"demand {demand.id!r}: unknown department {dept!r}")
        return evolve(
            demand,
            category=category,
            audiences=audiences,
            tags=tags,
            template=template_id,
            departments=tuple(departments),
        )

    def _demand_columns(
        self, demands: Sequence[Demand], part_skills: Sequence[Iterable[str]] | None = None
    ) -> dict[str, np.ndarray]:
        v = self.vocab
        m = len(demands)
        lng = np.empty(m)
        lat = np.empty(m)
        for i, d in enumerate(demands):
            if d.lng is not None and d.lat is not None:
                lng[i], lat[i] = d.lng, d.lat
                continue
            try:
                from wenming.network import locate
            except ImportError:
                raise WenmingError(
                    f"demand {d.id!r}: give lng/lat (no region data to locate place {d.place!r})"
                ) from None
            try:
                lng[i], lat[i], _approx = locate(d.place)
            except WenmingError as exc:
                raise WenmingError(
                    f"demand {d.id!r}: cannot locate place {d.place!r}: {exc}"
                ) from None
        x, y, z = unit_vectors(lng, lat)
        return {
            "id": np.array([d.id for d in demands], dtype=object),
            "place": np.array([d.place for d in demands], dtype=object),
            "category": v["categories"].masks(
                [(d.category,) if d.category else () for d in demands]
            ),
            "category_id": v["categories"].codes([d.category for d in demands]),
            "part_skill": v["tags"].masks(part_skills or [()] * m),
            "audience": v["audiences"].masks([d.audiences for d in demands]),
            "tag": v["tags"].masks([d.tags for d in demands]),
            "tag_count": np.array([len(set(d.tags)) for d in demands], dtype=np.float64),
            "x": x,
            "y": y,
            "z": z,
            "headcount": np.array([d.headcount for d in demands], dtype=np.float64),
            "months": np.array([window_mask(d.start, d.end) for d in demands], dtype=np.uint16),
        }

    @staticmethod
    def _judges(rule: _Rule, category_ids: np.ndarray) -> np.ndarray | None:
        """Which demands a rule judges (``None``: all)."""
        if rule.categories is None:
            return None
        return np.isin(category_ids, rule.categories)

    # ------------------------------------------------------------------ one demand

    def _evaluate(
        self,
        dem: dict[str, np.ndarray],
        j: int,
        subset: np.ndarray | None = None,
        *,
        record: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, list[_Rule], np.ndarray | None, np.ndarray]:
        """Filter and score demand ``j`` against all resources (or ``subset``).

        Returns the passing resource indices, their contribution matrix (scoring
        rule × passing resource), the scoring rules, the first failing rule position
        per judged resource (``record``) and the judged indices.
        """
        dview = Columns(dem, j)
        category = int(dem["category_id"][j])
        judged = np.arange(len(self.keys)) if subset is None else subset
        ok = np.ones(len(judged), dtype=bool)
        first = np.full(len(judged), -1, dtype=np.int32) if record else None
        rules = [r for r in self._rules if r.categories is None or category in r.categories]
        for rule in rules:
            if not rule.filters:
                continue
            where, view = self._restrict(rule, subset, judged)
            if where is not None and len(where) == 0:
                continue
            passed = rule.kind.passes(view, dview)
            if passed is None:
                continue
            passed = np.broadcast_to(passed, (view.size,))
            if where is None:
                if first is not None:
                    first[(first < 0) & ~passed] = rule.position
                ok &= passed
            else:
                if first is not None:
                    failed = where[~passed]
                    first[failed[first[failed] < 0]] = rule.position
                ok[where] &= passed
        survivors = judged[ok]
        scoring = [r for r in rules if r.scores]
        contrib = np.zeros((len(scoring), len(survivors)))
        for row, rule in enumerate(scoring):
            if rule.mask is None:
                where, view = None, Columns(self.columns, survivors)
            else:
                where = np.flatnonzero(rule.mask[survivors])
                if len(where) == 0:
                    continue
                view = Columns(self.columns, survivors[where])
            if view.size == 0:
                continue
            score = np.broadcast_to(rule.kind.score(view, dview), (view.size,))
            if where is None:
                contrib[row] = rule.weight * score
            else:
                contrib[row, where] = rule.weight * score
        return survivors, contrib, scoring, first, judged

    def _restrict(
        self, rule: _Rule, subset: np.ndarray | None, judged: np.ndarray
    ) -> tuple[np.ndarray | None, Columns]:
        """Positions within ``judged`` that ``rule`` applies to, and their columns."""
        if subset is None:
            return (rule.index, rule.view) if rule.mask is not None else (None, self._all)
        if rule.mask is None:
            return None, Columns(self.columns, judged)
        where = np.flatnonzero(rule.mask[judged])
        return where, Columns(self.columns, judged[where])

    def _candidates(
        self,
        survivors: np.ndarray,
        contrib: np.ndarray,
        scoring: list[_Rule],
        k: int | None,
        explain: bool,
    ) -> list[Candidate]:
        """Top ``k`` candidates by score, ties by key (resources are sorted by key)."""
        total = contrib.sum(axis=0) if len(scoring) else np.zeros(len(survivors))
        order = np.lexsort((survivors, -total))
        if k is not None:
            order = order[: k + 8]  # a margin for re-sorting on exact Python sums
        judged_by = [(r.id, r.mask) for r in scoring]
        out: list[tuple[float, int, Candidate]] = []
        for pos in order:
            i = int(survivors[pos])
            breakdown = {
                rid: float(contrib[row, pos])
                for row, (rid, mask) in enumerate(judged_by)
                if mask is None or mask[i]
            }
            score = sum(breakdown.values())
            item = self._items[i]
            out.append(
                (
                    -score,
                    i,
                    Candidate(
                        key=item.key,
                        kind=item.kind,
                        department=item.department,
                        score=score,
                        breakdown=breakdown if explain else {},
                        name=item.name or "",
                        synthetic=bool(item.synthetic),
                    ),
                )
            )
        out.sort(key=lambda t: (t[0], t[1]))
        result = [c for _, _, c in out]
        return result[:k] if k is not None else result

    def rank(
        self,
        demand: Demand,
        k: int = 10,
        *,
        explain: bool = True,
        include_excluded: bool = False,
    ) -> Ranking:
        """The top ``k`` candidates for one demand, each with its per-rule breakdown
        (``explain``), and, with ``include_excluded``, every refused resource with the
        first rule that refused it and why."""
        if k < 0:
            raise WenmingError(f"k must be ≥ 0, got {k}")
        resolved = self.resolve(demand)
        dem = self._demand_columns([resolved])
        survivors, contrib, scoring, first, _ = self._evaluate(dem, 0, record=include_excluded)
        candidates = self._candidates(survivors, contrib, scoring, k, explain)
        excluded = self._exclusions(dem, 0, first, None) if include_excluded else []
        return Ranking(
            demand=resolved,
            candidates=candidates,
            excluded=excluded,
            considered=len(self.keys),
            passed=len(survivors),
        )

    def _exclusions(
        self,
        dem: dict[str, np.ndarray],
        j: int,
        first: np.ndarray | None,
        judged: np.ndarray | None,
    ) -> list[Exclusion]:
        if first is None:
            return []
        dview = Columns(dem, j)
        out = []
        for pos in np.flatnonzero(first >= 0):
            i = int(judged[pos]) if judged is not None else int(pos)
            rule = self._rules[int(first[pos])]
            try:
                reason = rule.kind.reason(Columns(self.columns, i), dview)
            except Exception as exc:  # a reason must never hide the ranking
                reason = f"refused ({type(exc).__name__} while explaining: {exc})"
            out.append(Exclusion(key=self.keys[i], rule_id=rule.id, reason=reason))
        return out

    # ------------------------------------------------------------------ many demands

    def _pairs(self, dem: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every (demand, resource) pair passing all filters, with its total score."""
        m = len(dem["id"])
        n = len(self.keys)
        if n == 0 or m == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        block = max(1, BLOCK_ELEMENTS // n)
        filters = [r for r in self._rules if r.filters]
        judges = {r.id: self._judges(r, dem["category_id"]) for r in self._rules}
        rows_out: list[np.ndarray] = []
        cols_out: list[np.ndarray] = []
        row_views = {
            r.id: (
                Columns(self.columns, r.index, "row")
                if r.mask is not None
                else Columns(self.columns, None, "row")
            )
            for r in filters
        }
        for lo in range(0, m, block):
            hi = min(m, lo + block)
            dview = Columns(dem, slice(lo, hi), "col")
            ok = np.ones((hi - lo, n), dtype=bool)
            for rule in filters:
                scope = judges[rule.id]
                scope = scope[lo:hi] if scope is not None else None
                if scope is not None and not scope.any():
                    continue
                view = row_views[rule.id]
                passed = rule.kind.passes(view, dview)
                if passed is None:
                    continue
                passed = np.broadcast_to(passed, (hi - lo, view.size))
                if scope is not None:
                    passed = passed | ~scope[:, None]
                if rule.index is None:
                    ok &= passed
                else:
                    ok[:, rule.index] &= passed
            r, c = np.nonzero(ok)
            rows_out.append(r + lo)
            cols_out.append(c)
        di = np.concatenate(rows_out).astype(np.int64)
        ri = np.concatenate(cols_out).astype(np.int64)
        total = np.zeros(len(di))
        for rule in self._rules:
            if not rule.scores:
                continue
            sel = None
            scope = judges[rule.id]
            if scope is not None:
                sel = scope[di]
            if rule.mask is not None:
                sel = rule.mask[ri] if sel is None else sel & rule.mask[ri]
            if sel is None:
                rv, dv, size = Columns(self.columns, ri), Columns(dem, di), len(di)
            else:
                idx = np.flatnonzero(sel)
                if len(idx) == 0:
                    continue
                rv, dv, size = Columns(self.columns, ri[idx]), Columns(dem, di[idx]), len(idx)
            score = np.broadcast_to(rule.kind.score(rv, dv), (size,))
            if sel is None:
                total += rule.weight * score
            else:
                total[idx] += rule.weight * score
        return di, ri, total

    def _refusal_counts(self, dem: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
        """For the given demand rows: how many resources each rule refused first."""
        n = len(self.keys)
        counts = np.zeros((len(rows), len(self._rules)), dtype=np.int64)
        if n == 0:
            return counts
        block = max(1, BLOCK_ELEMENTS // n)
        sub = {name: col[rows] for name, col in dem.items()}
        for lo in range(0, len(rows), block):
            hi = min(len(rows), lo + block)
            dview = Columns(sub, slice(lo, hi), "col")
            ok = np.ones((hi - lo, n), dtype=bool)
            first = np.full((hi - lo, n), -1, dtype=np.int64)
            for rule in self._rules:
                if not rule.filters:
                    continue
                scope = self._judges(rule, sub["category_id"][lo:hi])
                view = Columns(self.columns, rule.index, "row")
                passed = rule.kind.passes(view, dview)
                if passed is None:
                    continue
                passed = np.broadcast_to(passed, (hi - lo, view.size))
                if scope is not None:
                    passed = passed | ~scope[:, None]
                full = np.ones((hi - lo, n), dtype=bool)
                if rule.index is None:
                    full = passed
                else:
                    full[:, rule.index] = passed
                newly = ok & ~full
                first[newly] = rule.position
                ok &= full
            for r in range(hi - lo):
                f = first[r]
                counts[lo + r] = np.bincount(f[f >= 0], minlength=len(self._rules))
        return counts

    def batch(
        self,
        demands: Sequence[Demand],
        method: str = "optimal",
        *,
        slots: Mapping[str, int] | None = None,
    ) -> BatchResult:
        """Assign many demands at once, each to at most one resource, maximising the
        total score under each resource's slots per day (see :mod:`wenming.matching.batch`).

        ``method="optimal"`` solves it exactly as a min-cost flow; ``"greedy"`` (best
        pair first) is kept as a baseline only. ``slots`` overrides the engine's.
        """
        from wenming.matching.batch import assign

        if method not in ("optimal", "greedy"):
            raise WenmingError(f"method must be 'optimal' or 'greedy', got {method!r}")
        resolved = [self.resolve(d) for d in demands]
        seen: set[str] = set()
        for d in resolved:
            if d.id in seen:
                raise WenmingError(f"demand id {d.id!r} appears twice in the batch")
            seen.add(d.id)
        dem = self._demand_columns(resolved)
        di, ri, total = self._pairs(dem)
        capacity = self.columns["slots"]
        if slots:
            capacity = capacity.copy()
            for key, value in slots.items():
                if key in self._position:
                    capacity[self._position[key]] = int(value)
        days = [d.day.toordinal() if d.day else 0 for d in resolved]
        chosen = assign(di, ri, total, np.asarray(days, dtype=np.int64), capacity, method)
        assignments: dict[str, str] = {}
        scores: dict[str, float] = {}
        for p in chosen:
            d = resolved[int(di[p])].id
            assignments[d] = self.keys[int(ri[p])]
            scores[d] = float(total[p])
        unassigned = self._unassigned_reasons(resolved, dem, di, assignments)
        ordered = {d.id: assignments[d.id] for d in resolved if d.id in assignments}
        return BatchResult(
            method=method,
            assignments=ordered,
            scores={d: scores[d] for d in ordered},
            unassigned=unassigned,
            total=float(sum(scores[d] for d in ordered)),
            arcs=len(di),
        )

    def _unassigned_reasons(
        self,
        resolved: Sequence[Demand],
        dem: dict[str, np.ndarray],
        di: np.ndarray,
        assignments: Mapping[str, str],
    ) -> dict[str, str]:
        feasible = (
            np.bincount(di, minlength=len(resolved))
            if len(di)
            else np.zeros(len(resolved), dtype=np.int64)
        )
        none = np.array([j for j, d in enumerate(resolved) if feasible[j] == 0], dtype=np.int64)
        counts = self._refusal_counts(dem, none) if len(none) else None
        out: dict[str, str] = {}
        row_of = {int(j): r for r, j in enumerate(none)}
        for j, d in enumerate(resolved):
            if d.id in assignments:
                continue
            if feasible[j] == 0:
                if not self.keys:
                    out[d.id] = "no resources to match"
                    continue
                c = counts[row_of[j]]
                top = [
                    f"{self._rules[p].id} refused {int(c[p])}"
                    for p in np.argsort(-c, kind="stable")
                    if c[p] > 0
                ][:3]
                out[d.id] = "no resource passes the rules (" + ", ".join(top) + ")"
            else:
                when = f" on {d.day.isoformat()}" if d.day else ""
                out[d.id] = (
                    f"all {int(feasible[j])} resource(s) that pass the rules are fully booked"
                    f"{when} by demands they suit better"
                )
        return out

    # ------------------------------------------------------------------ joint orders

    def joint(
        self,
        demand: Demand,
        departments: Sequence[str] | None = None,
        k: int = 5,
        *,
        templates: int = 3,
    ) -> list[JointProposal]:
        """The ``k`` best combinations of one resource per needed department (拼单).

        Departments come from ``departments``, else the demand's, else its joint
        template's parts (whose resource kinds and skills then apply per part). All
        parts serve the demand's day; each must pass the rules for the demand and be
        within the deployment's reach of every other part (city-wide resources are
        compatible with all). Exact (branch and bound) for up to four departments,
        beam search beyond. Returns an empty list when no combination exists; see
        :meth:`joint_gaps` for why.

        A demand that names neither departments nor a template — a station's words
        only — is matched against the joint templates first (see
        :meth:`fitting_templates`): the best-fitting ``templates`` that can be
        composed are each composed exactly, and their proposals are interleaved by
        rank — every template's best combination first, in order of fit, then every
        template's second best, and so on. Each proposal names its ``template`` and
        carries the ``fit`` that chose it.
        """
        from wenming.matching.joint import best_combinations

        if self._infers(demand, departments):
            return self._inferred(demand, k, templates)
        resolved, parts = self._joint_parts(demand, departments)
        pools = self._joint_pools(resolved, parts)
        proposals = best_combinations(pools, self.columns, self.config.reach_km, k)
        template = resolved.template
        if template is not None and self.registry.templates[template].is_joint:
            proposals = [evolve(p, template=template) for p in proposals]
        return proposals

    def joint_gaps(
        self, demand: Demand, departments: Sequence[str] | None = None
    ) -> dict[str, str]:
        """Departments of a joint demand that have no candidate, with the reason.

        For a demand whose joint templates are inferred, every fitting template's
        empty parts are listed, keyed ``<template>:<department>``.
        """
        if self._infers(demand, departments):
            gaps: dict[str, str] = {}
            for fit in self._fits_or_fail(self.resolve(demand)):
                resolved, parts = self._joint_parts(evolve(demand, template=fit.template), None)
                for dept, why in self._gaps(resolved, parts).items():
                    gaps[f"{fit.template}:{dept}"] = f"joint template {fit.template}: {why}"
            return gaps
        resolved, parts = self._joint_parts(demand, departments)
        return self._gaps(resolved, parts)

    def fitting_templates(self, demand: Demand) -> list[TemplateFit]:
        """The joint templates a demand's words describe, best fit first.

        Each available joint template is judged like a resource by the engine's
        rules that judge every resource and whose kind reads only what a template has
        — category, tags, audiences, season (``core.category``, ``core.tags``,
        ``core.audience``, ``core.time`` with the deployment's weights and params) —
        in one vectorised pass over all templates. A template fits when it passes
        those rules' filters, shares at least ``min_overlap`` of the demand's tags
        (the tags rule's filter, applied here even in score mode: a template is only
        proposed for words it shares) and scores above 0. Ties go by template ID.
        """
        return self._fits(self.resolve(demand))

    @staticmethod
    def _infers(demand: Demand, departments: Sequence[str] | None) -> bool:
        return not departments and not demand.departments and not demand.template

    def _fits(self, resolved: Demand) -> list[TemplateFit]:
        cols = self._templates
        ids = cols["key"]
        n = len(ids)
        if n == 0:
            return []
        v = self._fit_vocab
        dview = Columns(
            {
                "category": v["categories"].masks(
                    [(resolved.category,) if resolved.category else ()]
                ),
                "part_skill": v["tags"].masks([()]),
                "audience": v["audiences"].masks([resolved.audiences]),
                "tag": v["tags"].masks([resolved.tags]),
                "tag_count": np.array([len(set(resolved.tags))], dtype=np.float64),
                "months": np.array([window_mask(resolved.start, resolved.end)], dtype=np.uint16),
            },
            0,
        )
        tview = Columns(cols)
        category = v["categories"].index.get(resolved.category, -1) if resolved.category else -1
        ok = np.ones(n, dtype=bool)
        contributions: list[tuple[str, np.ndarray]] = []
        for rule, kind in self._fit_rules:
            if rule.categories is not None and category not in rule.categories:
                continue
            if rule.filters or isinstance(kind, TagsKind):
                passed = kind.passes(tview, dview)
                if passed is not None:
                    ok &= np.broadcast_to(passed, (n,))
            if rule.scores:
                score = np.broadcast_to(kind.score(tview, dview), (n,))
                contributions.append((rule.id, rule.weight * score))
        fits = []
        for i in np.flatnonzero(ok).tolist():
            breakdown = {rule_id: float(values[i]) for rule_id, values in contributions}
            total = sum(breakdown.values())
            if total <= 0:
                continue
            template = self.registry.templates[ids[i]]
            fits.append(
                TemplateFit(
                    template=str(ids[i]),
                    score=total,
                    breakdown=breakdown,
                    departments=tuple(p.department for p in template.parts),
                )
            )
        fits.sort(key=lambda f: (-f.score, f.template))
        return fits

    def _fits_or_fail(self, resolved: Demand) -> list[TemplateFit]:
        fits = self._fits(resolved)
        if not fits:
            words = ", ".join(
                [resolved.category or "no category", *resolved.tags, *resolved.audiences]
            )
            raise WenmingError(
                f"demand {resolved.id!r} names no departments and no joint template, and "
                f"no joint template fits its words ({words}); name the departments or a "
                "template"
            )
        return fits

    def _inferred(self, demand: Demand, k: int, templates: int) -> list[JointProposal]:
        from wenming.matching.joint import best_combinations

        if templates < 1:
            raise WenmingError(f"templates must be ≥ 1, got {templates}")
        fits = self._fits_or_fail(self.resolve(demand))
        per_template: list[list[JointProposal]] = []
        for fit in fits if k > 0 else ():
            if len(per_template) >= templates:
                break
            resolved, parts = self._joint_parts(evolve(demand, template=fit.template), None)
            pools = self._joint_pools(resolved, parts)
            found = best_combinations(pools, self.columns, self.config.reach_km, k)
            if found:
                per_template.append([evolve(p, template=fit.template, fit=fit) for p in found])
        interleaved = sorted(
            (
                (rank, order, p)
                for order, ps in enumerate(per_template)
                for rank, p in enumerate(ps)
            ),
            key=lambda t: (t[0], t[1]),
        )
        return [p for _, _, p in interleaved[:k]]

    def _gaps(
        self, resolved: Demand, parts: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]
    ) -> dict[str, str]:
        pools = self._joint_pools(resolved, parts)
        gaps = {}
        for dept, candidates in pools.items():
            if not candidates:
                kinds, _skills = parts[dept]
                gaps[dept] = (
                    f"no {'/'.join(kinds)} of department {dept!r} passes the rules for "
                    f"demand {resolved.id!r}"
                )
        return gaps

    def _joint_parts(
        self, demand: Demand, departments: Sequence[str] | None
    ) -> tuple[Demand, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]]:
        resolved = self.resolve(demand)
        template = self.registry.templates.get(resolved.template) if resolved.template else None
        template_parts = {p.department: p for p in template.parts} if template else {}
        depts = tuple(departments) if departments else resolved.departments
        if not depts:
            raise WenmingError(
                f"demand {resolved.id!r} names no departments and its template "
                f"{resolved.template!r} is not a joint template"
            )
        if len(set(depts)) != len(depts):
            raise WenmingError(f"demand {resolved.id!r}: a department is named twice")
        parts = {}
        for dept in depts:
            if dept not in self.vocab["departments"]:
                raise WenmingError(f"demand {resolved.id!r}: unknown department {dept!r}")
            part = template_parts.get(dept)
            parts[dept] = (tuple(part.resource_kinds), tuple(part.skills)) if part else (KINDS, ())
        return resolved, parts

    def _joint_pools(
        self, resolved: Demand, parts: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]
    ) -> dict[str, list[tuple[int, Candidate]]]:
        pools: dict[str, list[tuple[int, Candidate]]] = {}
        cols = self.columns
        for dept, (kinds, skills) in parts.items():
            code = self.vocab["departments"].index[dept]
            subset = np.flatnonzero(
                (cols["department"] == code)
                & np.isin(cols["kind"], [KINDS.index(k) for k in kinds])
            )
            dem = self._demand_columns([resolved], [skills])
            survivors, contrib, scoring, _, _ = self._evaluate(dem, 0, subset)
            cands = self._candidates(survivors, contrib, scoring, None, True)
            pools[dept] = [(self._position[c.key], c) for c in cands]
        return pools

    # ------------------------------------------------------------------ introspection

    def rules(self) -> list[dict[str, Any]]:
        """The compiled rules: ID, weight, mode, how many resources they judge."""
        return [
            {
                "id": r.id,
                "weight": r.weight,
                "mode": "both" if r.filters and r.scores else ("filter" if r.filters else "score"),
                "resources": len(self.keys) if r.mask is None else int(r.mask.sum()),
                "categories": (
                    None
                    if r.categories is None
                    else [list(self.vocab["categories"].index)[c] for c in r.categories]
                ),
                "description": r.description,
            }
            for r in self._rules
        ]

    def refusals(self, demand: Demand) -> Counter[str]:
        """How many resources each rule refused first for one demand."""
        ranking = self.rank(demand, k=0, explain=False, include_excluded=True)
        return Counter(e.rule_id for e in ranking.excluded)
