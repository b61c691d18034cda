"""Compiling an engine: resources into columns sorted by key, rules into kind instances.

:class:`Compiler` is the part of :class:`~wenming.matching.Engine` that runs once per
deployment: it normalises resources (:mod:`wenming.matching.resources`) into NumPy
columns (:mod:`wenming.matching.arrays`) and builds one kind instance per rule, with
a resource scope (an index array) and a demand scope (category codes).
"""

from __future__ import annotations

import copy
import importlib
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

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
)
from wenming.matching.kinds import (
    KindContext,
    kind_names,
)
from wenming.matching.resources import (
    TEMPLATE_KINDS,
    _from_record,
    _from_row,
    _is_row,
    _Item,
    _position,
    _Rule,
    _template_words,
    _unusable,
)
from wenming.matching.slots import default_slots
from wenming.matching.vocabulary import vocabulary
from wenming.records import DEPARTMENT_RULE_BUDGET, Resource

if TYPE_CHECKING:
    from wenming.deployment import Deployment
    from wenming.matching.engine import Engine
    from wenming.registry import Registry


def _county(place: str | None) -> int:
    """The 6-digit county code of a division code, as a number (−1: none)."""
    if place and len(place) >= 6 and place[:6].isdigit():
        return int(place[:6])
    return -1


def paired_points(deployment: Deployment, resources: Iterable[Any]) -> list[_Item]:
    """The practice points paired with a station (结对共建) that no published venue
    stands for, as venues of their department: what the department's templates held
    at that kind of point offer (categories, audiences, tags), at the point's place.

    A station can offer its paired points' rooms and grounds; a point whose
    department has no template for its site type offers nothing and is left out.
    """
    from sqlalchemy import select

    from wenming.storage.tables import Pairing, Site

    taken = set()
    for res in resources:
        extra = getattr(res, "extra", None) or {}
        if isinstance(extra.get("site"), str):
            taken.add(extra["site"])
    registry = deployment.registry
    offers: dict[tuple[str, str], list[Any]] = {}
    for tid, template in registry.templates.items():
        if template.is_joint:
            continue
        for site_type in template.site_types:
            offers.setdefault((registry.owner(tid), site_type), []).append(template)
    s, p = Site.__table__, Pairing.__table__
    paired = select(p.c.industry_code).distinct()
    query = select(
        s.c.code,
        s.c.name,
        s.c.site_type,
        s.c.parent_code,
        s.c.department,
        s.c.lng,
        s.c.lat,
        s.c.synthetic,
    ).where(s.c.level == "practice_point", s.c.code.in_(paired))
    with deployment.storage.engine.connect() as conn:
        rows = conn.execute(query.order_by(s.c.code)).all()
    out = []
    for r in rows:
        templates = offers.get((r.department or "", r.site_type))
        if r.code in taken or not templates or not r.department or not r.parent_code:
            continue
        out.append(
            _Item(
                key=f"{r.department}.point_{r.code.replace('.', '_')}",
                kind="venue",
                department=r.department,
                name=r.name,
                place=r.parent_code,
                site_type=r.site_type,
                categories=tuple(dict.fromkeys(t.category for t in templates)),
                audiences=tuple(dict.fromkeys(a for t in templates for a in t.audiences)),
                tags=tuple(dict.fromkeys(w for t in templates for w in t.tags)),
                skills=(),
                capacity=max(t.capacity for t in templates),
                members=0,
                months=(),
                lng=r.lng,
                lat=r.lat,
                synthetic=bool(r.synthetic),
                templates=(),
            )
        )
    return out


class Compiler:
    """Builds the columns and compiled rules an engine evaluates."""

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
        #: Stored rows left out because they are unusable: key → why (see from_deployment).
        self.skipped: dict[str, str] = {}
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
            for vocab_name, names in kind_names(impl, params).items():
                if vocab_name not in self.vocab:
                    raise WenmingError(
                        f"rule {rule_id!r}: its kind names an unknown vocabulary {vocab_name!r} "
                        f"(known: {', '.join(self.vocab)})"
                    )
                self.vocab[vocab_name].add(context.qualify(vocab_name, names))
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
        skipped: dict[str, str] = {}
        if deployment.storage.schema_version() is not None:
            from sqlmodel import select

            from wenming.storage.tables import ResourceRow

            with deployment.storage.session() as session:
                rows = session.exec(select(ResourceRow).where(ResourceRow.status == "published"))
                for row in rows:
                    why = _unusable(row)  # one bad row must not stop every match
                    if why is not None:
                        skipped[row.key] = why
                        continue
                    resources[row.key] = row
            for item in paired_points(deployment, resources.values()):
                resources.setdefault(item.key, item)
        engine = cls(
            deployment.registry,
            list(resources.items()),
            config=deployment.config.matching,
            reputation=reputation,
            load=load,
            slots=slots,
        )
        engine.skipped = skipped
        return engine

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
            if isinstance(obj, _Item):
                item = obj
            elif isinstance(obj, Resource):
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
        words = vocabulary(registry)
        for item in items.values():
            # one bit per subject: a resource's "water_saving" is the tag water.water_saving;
            # a tag named after the department (water.water) is its whole line of work
            line = (
                (f"{item.department}.{item.department}",)
                if f"{item.department}.{item.department}" in registry.tags
                else ()
            )
            item.tags = tuple(
                dict.fromkeys((*(words.canonical(t, item.department) for t in item.tags), *line))
            )
            item.skills = tuple(
                dict.fromkeys(words.canonical(t, item.department) for t in item.skills)
            )
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
        travel = self._travel(items)
        travel_km = np.array([t[1] for t in travel], dtype=np.float64)
        county = np.array([_county(it.place) for it in items], dtype=np.int64)
        return {
            "key": np.array(keys, dtype=object),
            "place": np.array([it.place for it in items], dtype=object),
            "kind": np.array([KINDS.index(it.kind) for it in items], dtype=np.int8),
            "department": v["departments"].codes([it.department for it in items]),
            "template": v["templates"].codes([it.template for it in items]),
            "site_type": v["site_types"].codes([it.site_type for it in items]),
            "category": v["categories"].masks([it.categories for it in items]),
            "category_main": v["categories"].masks([it.categories[:1] for it in items]),
            "templates": v["templates"].masks(
                [(*((it.template,) if it.template else ()), *(it.templates or ())) for it in items]
            ),
            "department_mask": v["departments"].masks(
                [(it.department,) if it.department else () for it in items]
            ),
            "county": county,
            "county_reach": np.where(
                (
                    np.array(
                        [it.kind != "venue" and it.reach_km is None for it in items], dtype=bool
                    )
                    | np.array([t[0] for t in travel], dtype=bool)
                )
                & (county >= 0),
                county,
                -2,
            ).astype(np.int64),
            "venue": np.array([it.kind == "venue" for it in items], dtype=bool),
            "visited": np.array(
                [
                    it.kind == "venue" or (t[0] or not math.isnan(t[1]))
                    for it, t in zip(items, travel, strict=True)
                ],
                dtype=bool,
            ),
            "travel_dot": np.cos(np.minimum(travel_km / EARTH_RADIUS_KM, math.pi)),
            "travel_county": np.array([t[0] for t in travel], dtype=bool),
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

    def _travel(self, items: list[_Item]) -> list[tuple[bool, float]]:
        """Per resource: where people come from to a destination venue (到场).

        A venue is a destination when its template is a destination template, or when
        a destination template is held at its site type (a wetland, a scenic garden, a
        memorial). It then reaches its whole county (a template without
        ``travel_km``) and the largest ``travel_km`` of those templates. Teams,
        projects and every other venue travel to the demand (送服务): ``(False, nan)``.
        """
        by_type: dict[str, tuple[bool, float]] = {}
        by_template: dict[str, tuple[bool, float]] = {}

        def merge(a: tuple[bool, float] | None, b: tuple[bool, float]) -> tuple[bool, float]:
            if a is None:
                return b
            km = max((x for x in (a[1], b[1]) if not math.isnan(x)), default=math.nan)
            return (a[0] or b[0], km)

        for tid, template in self.registry.templates.items():
            if not template.is_destination:
                continue
            reach = (True, math.nan) if template.travel_km is None else (False, template.travel_km)
            by_template[tid] = reach
            for site_type in template.site_types:
                by_type[site_type] = merge(by_type.get(site_type), reach)
        out: list[tuple[bool, float]] = []
        for it in items:
            reach = None
            if it.kind == "venue":
                reach = by_template.get(it.template or "") or by_type.get(it.site_type or "")
            elif it.kind == "project":
                # a project of a destination template is held at its destination
                reach = by_template.get(it.template or "")
            out.append(reach or (False, math.nan))
        return out

    def _compile_template_fit(self, registry: Registry, impls: dict[str, tuple[type, Any]]) -> None:
        """Compile what judging joint templates needs: the templates as columns, and a
        second instance of each rule that can judge them (see :meth:`fitting_templates`).

        Those instances get their own tag vocabulary — the engine's plus the templates'
        words — so the templates' words never widen the resources' tag masks (one more
        ``uint64`` word per resource would slow every ranking down).
        """
        tags = Vocab(self.vocab["tags"].index)
        joint = {k: t for k, t in registry.templates.items() if t.is_joint}
        words = vocabulary(registry)
        template_words = {
            k: tuple(
                dict.fromkeys(words.canonical(w, registry.owner(k)) for w in _template_words(t))
            )
            for k, t in joint.items()
        }
        for ws in template_words.values():
            tags.add(ws)
        vocab = {**self.vocab, "tags": tags}
        context = KindContext(registry, vocab, self.config.reach_km)
        self._fit_vocab = vocab
        self._fit_rules = [
            (rule, type(rule.kind)(impls[rule.id][1], context.for_rule(rule.id)))
            for rule in self._rules
            if rule.mask is None and isinstance(rule.kind, TEMPLATE_KINDS)
        ]
        ids = sorted(joint)
        templates = [registry.templates[t] for t in ids]
        self._templates = {
            "key": np.array(ids, dtype=object),
            "category": vocab["categories"].masks([(t.category,) for t in templates]),
            "audience": vocab["audiences"].masks([t.audiences for t in templates]),
            "category_main": vocab["categories"].masks([(t.category,) for t in templates]),
            "tag": tags.masks([template_words[k] for k in ids]),
            "skill": tags.masks(
                [
                    [
                        words.canonical(w, registry.owner(k))
                        for w in (*t.skills, *(s for p in t.parts for s in p.skills))
                    ]
                    for k, t in zip(ids, templates, strict=True)
                ]
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
        scopes: dict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = {}
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
            if scoped:
                # rules with the same resource scope share one mask (and gathered views)
                key = (scope.departments, scope.templates, scope.resource_kinds)
                mask, index = scopes.setdefault(key, (mask, index))
            categories = None
            if scope.categories:
                categories = np.array(
                    [self.vocab["categories"].index[c] for c in scope.categories], dtype=np.int32
                )
            owner = registry.owner(rule_id)
            tier = registry.rule_kinds[rule.kind].tier if owner == "core" else "order"
            compiled.append(
                _Rule(
                    id=rule_id,
                    owner=owner,
                    tier=tier,
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
        self._check_tiers(compiled)
        return compiled

    def _check_tiers(self, rules: list[_Rule]) -> None:
        """The order terms must stay below one point of relevance, whatever the
        deployment's weights: core's order rules plus one department's budget < 1."""
        spent: dict[str, float] = {}
        for rule in rules:
            if rule.scores and rule.owner != "core":
                spent[rule.owner] = spent.get(rule.owner, 0.0) + abs(rule.weight)
                if spent[rule.owner] > DEPARTMENT_RULE_BUDGET + 1e-9:
                    raise WenmingError(
                        f"matching.weights: rule {rule.id!r} brings plugin {rule.owner!r}'s "
                        f"scoring rules to {spent[rule.owner]:g} points, over the department "
                        f"rule budget of {DEPARTMENT_RULE_BUDGET:g}"
                    )
        order = sum(
            abs(r.weight) for r in rules if r.scores and r.owner == "core" and r.tier == "order"
        )
        if order + DEPARTMENT_RULE_BUDGET >= 1.0:
            raise WenmingError(
                f"matching.weights: core's order rules weigh {order:g} points; with a "
                f"department's budget of {DEPARTMENT_RULE_BUDGET:g} they must stay below one "
                "point of relevance (lower distance, capacity, reputation or fairness)"
            )
