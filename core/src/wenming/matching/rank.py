"""Ranking one demand: two-phase evaluation (filters, then scores) over every resource."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from attrs import evolve

from wenming.errors import WenmingError
from wenming.matching.arrays import (
    EARTH_RADIUS_KM,
    Columns,
    Vocab,
    unit_vectors,
    window_mask,
)
from wenming.matching.compile import _county
from wenming.matching.demand import Demand
from wenming.matching.resources import (
    _Rule,
    contribution,
)
from wenming.matching.results import (
    Candidate,
    Exclusion,
    Ranking,
)
from wenming.matching.vocabulary import vocabulary

if TYPE_CHECKING:
    pass


class Ranker:
    """The part of the engine that ranks one demand."""

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
        survivors, first, judged = self._filter(dem, j, subset, record=record)
        survivors, contrib, scoring = self._score(dem, j, survivors)
        return survivors, contrib, scoring, first, judged

    def _filter(
        self,
        dem: dict[str, np.ndarray],
        j: int,
        subset: np.ndarray | None = None,
        *,
        record: bool = False,
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """The resources passing every filter for demand ``j``, the first failing rule
        position per judged resource (``record``) and the judged indices."""
        dview = Columns(dem, j)
        category = int(dem["category_id"][j])
        judged = np.arange(len(self.keys)) if subset is None else subset
        ok = np.ones(len(judged), dtype=bool)
        first = np.full(len(judged), -1, dtype=np.int32) if record else None
        for rule in self._rules:
            if not rule.filters or (
                rule.categories is not None and category not in rule.categories
            ):
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
        return judged[ok], first, judged

    def _score(
        self, dem: dict[str, np.ndarray], j: int, survivors: np.ndarray, top: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, list[_Rule]]:
        """Each scoring rule's contribution for every survivor (rule × survivor).

        With ``top``, only the survivors that can still be among the ``top`` best are
        scored in the order tier: relevance is in whole points and everything else
        adds less than one, so a survivor two points of relevance below the
        ``top``-th best cannot overtake it. The returned survivors are those kept.
        """
        dview = Columns(dem, j)
        category = int(dem["category_id"][j])
        scoring = [
            r
            for r in self._rules
            if r.scores and (r.categories is None or category in r.categories)
        ]
        if top is not None and len(survivors) > top and scoring:
            relevant = [r for r in scoring if r.tier == "relevance"]
            rel = np.zeros(len(survivors))
            for rule in relevant:
                where, view = self._scope(rule, survivors, {})
                if where is not None and len(where) == 0:
                    continue
                score = np.broadcast_to(rule.kind.score(view, dview), (view.size,))
                if where is None:
                    rel += contribution(rule, score)
                else:
                    rel[where] += contribution(rule, score)
            threshold = np.partition(rel, len(rel) - top)[len(rel) - top]
            survivors = survivors[rel > threshold - 2.0]
        contrib = np.zeros((len(scoring), len(survivors)))
        # one gathered view per scope: rules of the same scope share their columns
        views: dict[int, tuple[np.ndarray | None, Columns]] = {}
        for row, rule in enumerate(scoring):
            where, view = self._scope(rule, survivors, views)
            if where is not None and len(where) == 0:
                continue
            if view.size == 0:
                continue
            score = np.broadcast_to(rule.kind.score(view, dview), (view.size,))
            if where is None:
                contrib[row] = contribution(rule, score)
            else:
                contrib[row, where] = contribution(rule, score)
        return survivors, contrib, scoring

    def _scope(
        self, rule: _Rule, survivors: np.ndarray, views: dict[int, tuple[Any, Columns]]
    ) -> tuple[np.ndarray | None, Columns]:
        """The survivors a rule judges (positions, ``None``: all) and their columns."""
        cached = views.get(id(rule.mask))
        if cached is not None:
            return cached
        if rule.mask is None:
            found: tuple[np.ndarray | None, Columns] = (None, Columns(self.columns, survivors))
        else:
            where = np.flatnonzero(rule.mask[survivors])
            found = (where, Columns(self.columns, survivors[where]))
        views[id(rule.mask)] = found
        return found

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
        own = self._own_resources(resolved.template)
        record = include_excluded or bool(len(own))
        survivors, first, _ = self._filter(dem, 0, record=record)
        passed = len(survivors)
        survivors, contrib, scoring = self._score(dem, 0, survivors, top=max(k, 1))
        candidates = self._candidates(survivors, contrib, scoring, k, explain)
        excluded = self._exclusions(dem, 0, first, None) if include_excluded else []
        refusals: list[Exclusion] = []
        if len(own) and first is not None:
            mine = np.zeros_like(first)
            mine[own] = 1
            refused = np.where(mine.astype(bool), first, -1)
            refusals = self._exclusions(dem, 0, refused, None)
        return Ranking(
            demand=resolved,
            candidates=candidates,
            excluded=excluded,
            considered=len(self.keys),
            passed=passed,
            template_refusals=refusals,
        )

    def _own_resources(self, template_id: str | None) -> np.ndarray:
        """Indices of the resources that deliver a template (its own, a team built on it)."""
        if not template_id or template_id not in self.vocab["templates"]:
            return np.zeros(0, dtype=np.int64)
        bit = self.vocab["templates"].index[template_id]
        word = self.columns["templates"][:, bit // 64]
        return np.flatnonzero((word >> np.uint64(bit % 64)) & np.uint64(1))

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
        if what in ("category", "audience"):
            # a Chinese or English name: 科学普及, 老年人
            words = vocabulary(self.registry)
            found = words.lookup(what, value)
            if found:
                return found[0]
            raise WenmingError(f"demand {demand_id!r}: {words.unknown_message(what, value)}")
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
        words = vocabulary(self.registry)
        if demand.tags:
            # words become tag IDs (names and synonyms too); a word no tag knows stays
            # a free word: it counts in the share and matches a resource carrying it.
            # Input points (the CLI, forms) refuse unknown words with "did you mean".
            tags, unknown = words.resolve_tags(demand.tags, extra=self.vocab["tags"].index)
            tags = (*tags, *unknown)
        else:
            tags = tuple(
                dict.fromkeys(words.canonical(t, own) for t in (template.tags if template else ()))
            )
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

    def _template_departments(self, template_id: str | None) -> tuple[str, ...]:
        """The department(s) whose resources a demand naming this template prefers next
        to the template's own: its plugin's, or every part's of a joint template."""
        if not template_id:
            return ()
        template = self.registry.templates.get(template_id)
        if template is not None and template.is_joint:
            return tuple(p.department for p in template.parts)
        return (self.registry.owner(template_id),)

    def _travel_columns(self, demands: Sequence[Demand]) -> dict[str, np.ndarray]:
        """How far each demand's requesters travel to a venue: a destination template's
        ``travel_km`` (as the smallest dot product within it) or its whole county."""
        km = np.full(len(demands), np.nan)
        county = np.zeros(len(demands), dtype=bool)
        for i, d in enumerate(demands):
            template = self.registry.templates.get(d.template or "")
            if template is not None and template.is_destination:
                if template.travel_km is None:
                    county[i] = True
                else:
                    km[i] = template.travel_km
        dot = np.cos(np.minimum(km / EARTH_RADIUS_KM, np.pi))
        return {"travel_dot": dot, "travel_county": county, "travels": county | ~np.isnan(km)}

    def _demand_columns(
        self, demands: Sequence[Demand], part_skills: Sequence[Iterable[str]] | None = None
    ) -> dict[str, np.ndarray]:
        v = self.vocab
        words = vocabulary(self.registry)
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
            "part_skill": v["tags"].masks(
                [[words.canonical(w) for w in skills] for skills in part_skills]
                if part_skills
                else [()] * m
            ),
            "audience": v["audiences"].masks([d.audiences for d in demands]),
            "tag": v["tags"].masks([d.tags for d in demands]),
            "tag_count": np.array([len(set(d.tags)) for d in demands], dtype=np.float64),
            "x": x,
            "y": y,
            "z": z,
            "headcount": np.array([d.headcount for d in demands], dtype=np.float64),
            "county": np.array([_county(d.place) for d in demands], dtype=np.int64),
            **self._travel_columns(demands),
            "template_mask": v["templates"].masks(
                [(d.template,) if d.template else () for d in demands]
            ),
            "template_departments": v["departments"].masks(
                [self._template_departments(d.template) for d in demands]
            ),
            "months": np.array([window_mask(d.start, d.end) for d in demands], dtype=np.uint16),
        }

    @staticmethod
    def _judges(rule: _Rule, category_ids: np.ndarray) -> np.ndarray | None:
        """Which demands a rule judges (``None``: all)."""
        if rule.categories is None:
            return None
        return np.isin(category_ids, rule.categories)

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
