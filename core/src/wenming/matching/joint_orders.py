"""Joint orders (拼单): one resource per needed department, and joint templates fitted to words."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from attrs import evolve

from wenming.errors import WenmingError
from wenming.matching.arrays import (
    EARTH_RADIUS_KM,
    KINDS,
    Columns,
    window_mask,
)
from wenming.matching.demand import Demand
from wenming.matching.kinds import (
    TagsKind,
)
from wenming.matching.resources import contribution
from wenming.matching.results import (
    Candidate,
    Exclusion,
    JointProposal,
    TemplateFit,
)

if TYPE_CHECKING:
    pass


class Joiner:
    """The part of the engine that composes joint orders."""

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
        proposals = best_combinations(pools, self.columns, self._pair_reach(resolved), k)
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
                contributions.append((rule.id, contribution(rule, score)))
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
            found = best_combinations(pools, self.columns, self._pair_reach(resolved), k)
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

    def _pair_reach(self, resolved: Demand) -> float:
        """How far apart two parts may be: the living circle, except for a destination
        template, whose parts meet at the destination (its travel radius either side,
        or anywhere when it has none)."""
        template = self.registry.templates.get(resolved.template or "")
        if template is None or not template.is_destination:
            return self.config.reach_km
        if template.travel_km is None:
            return math.pi * EARTH_RADIUS_KM
        return 2.0 * float(template.travel_km)

    def joint_refusals(
        self, demand: Demand, departments: Sequence[str] | None = None
    ) -> dict[str, list[Exclusion]]:
        """Per part, every resource of that department and kind that a rule refused,
        with the first rule that refused it (what ``--excluded`` shows for a joint
        order). An inferred demand is read with its best-fitting template."""
        if self._infers(demand, departments):
            fits = self._fits_or_fail(self.resolve(demand))
            demand, departments = evolve(demand, template=fits[0].template), None
        resolved, parts = self._joint_parts(demand, departments)
        out: dict[str, list[Exclusion]] = {}
        for dept, part in parts.items():
            dem, subset = self._part_columns(resolved, dept, part)
            _, _, _, first, judged = self._evaluate(dem, 0, subset, record=True)
            out[dept] = self._exclusions(dem, 0, first, judged)
        return out

    def _gaps(self, resolved: Demand, parts: Mapping[str, Any]) -> dict[str, str]:
        pools = self._joint_pools(resolved, parts)
        gaps = {}
        for dept, candidates in pools.items():
            if candidates:
                continue
            kinds = parts[dept][0]
            dem, subset = self._part_columns(resolved, dept, parts[dept])
            _, _, _, first, _ = self._evaluate(dem, 0, subset, record=True)
            counts = Counter(self._rules[int(f)].id for f in first if f >= 0)
            refused = ", ".join(f"{rule} refused {n}" for rule, n in counts.most_common(3))
            why = f" ({refused})" if refused else f" (it has no {'/'.join(kinds)})"
            gaps[dept] = (
                f"no {'/'.join(kinds)} of department {dept!r} passes the rules for "
                f"demand {resolved.id!r}{why}"
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
            parts[dept] = (
                (tuple(part.resource_kinds), tuple(part.skills), part.headcount_share)
                if part
                else (KINDS, (), None)
            )
        return resolved, parts

    def _part_columns(
        self, resolved: Demand, dept: str, part: tuple[Any, ...]
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The demand as one part sees it (its skills, its share of the headcount) and
        the resources that may fill the part (the department's, of the part's kinds)."""
        kinds, skills, share = part
        cols = self.columns
        code = self.vocab["departments"].index[dept]
        subset = np.flatnonzero(
            (cols["department"] == code) & np.isin(cols["kind"], [KINDS.index(k) for k in kinds])
        )
        if share is not None and resolved.headcount:
            resolved = evolve(resolved, headcount=max(1, math.ceil(resolved.headcount * share)))
        return self._demand_columns([resolved], [skills]), subset

    def _joint_pools(
        self, resolved: Demand, parts: Mapping[str, Any]
    ) -> dict[str, list[tuple[int, Candidate]]]:
        pools: dict[str, list[tuple[int, Candidate]]] = {}
        for dept, part in parts.items():
            dem, subset = self._part_columns(resolved, dept, part)
            survivors, contrib, scoring, _, _ = self._evaluate(dem, 0, subset)
            cands = self._candidates(survivors, contrib, scoring, None, True)
            pools[dept] = [(self._position[c.key], c) for c in cands]
        return pools
