"""Batch dispatch: every feasible pair of many demands, scored, then assigned exactly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from wenming.errors import WenmingError
from wenming.matching.arrays import (
    Columns,
)
from wenming.matching.demand import Demand
from wenming.matching.resources import (
    BLOCK_ELEMENTS,
    contribution,
)
from wenming.matching.results import (
    BatchResult,
)

if TYPE_CHECKING:
    pass


class Batcher:
    """The part of the engine that assigns many demands at once."""

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
        # rules judging the same pairs (same resource scope, same categories) share
        # their gathered columns
        views: dict[tuple[int, Any], tuple[Any, Columns, Columns, int]] = {}
        for rule in self._rules:
            if not rule.scores:
                continue
            key = (id(rule.mask), None if rule.categories is None else rule.categories.tobytes())
            cached = views.get(key)
            if cached is None:
                sel = None
                scope = judges[rule.id]
                if scope is not None:
                    sel = scope[di]
                if rule.mask is not None:
                    sel = rule.mask[ri] if sel is None else sel & rule.mask[ri]
                if sel is None:
                    cached = (None, Columns(self.columns, ri), Columns(dem, di), len(di))
                else:
                    idx = np.flatnonzero(sel)
                    cached = (idx, Columns(self.columns, ri[idx]), Columns(dem, di[idx]), len(idx))
                views[key] = cached
            idx, rv, dv, size = cached
            sel = idx
            if idx is not None and len(idx) == 0:
                continue
            score = np.broadcast_to(rule.kind.score(rv, dv), (size,))
            if sel is None:
                total += contribution(rule, score)
            else:
                total[idx] += contribution(rule, score)
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
