"""Joint-order composition (拼单): one resource per needed department.

Given, per department, its candidates for the demand (each already passing every
rule, with its score), choose one per department so that every two chosen resources
are within the reach of each other (city-wide ones are compatible with all),
maximising the sum of scores. Up to four departments the search is exact: depth-first
branch and bound over candidates sorted best first, pruning a branch as soon as its
score plus the best remaining scores cannot beat the k-th proposal found, and
scanning the last department as one array. Beyond four departments a beam search
keeps the best partial combinations and marks its proposals ``exact=False``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from wenming.matching.arrays import EARTH_RADIUS_KM
from wenming.matching.results import Candidate, JointProposal

#: Departments up to which the search is exact.
EXACT_LIMIT = 4
#: Partial combinations kept per level by the beam search beyond that.
BEAM_WIDTH = 64


class _Pool:
    def __init__(self, dept: str, items: list[tuple[int, Candidate]], cols: Mapping) -> None:
        self.dept = dept
        self.candidates = [c for _, c in items]
        idx = np.array([i for i, _ in items], dtype=np.int64)
        self.scores = np.array([c.score for c in self.candidates], dtype=np.float64)
        self.x, self.y, self.z = cols["x"][idx], cols["y"][idx], cols["z"][idx]
        self.wide = cols["wide"][idx]


def _compatible(a: _Pool, b: _Pool, min_dot: float) -> np.ndarray:
    dot = a.x[:, None] * b.x[None, :] + a.y[:, None] * b.y[None, :] + a.z[:, None] * b.z[None, :]
    return a.wide[:, None] | b.wide[None, :] | (dot >= min_dot)


def best_combinations(
    pools: Mapping[str, list[tuple[int, Candidate]]],
    cols: Mapping[str, np.ndarray],
    reach_km: float,
    k: int,
) -> list[JointProposal]:
    """The ``k`` best proposals (score descending, then part keys in department order)."""
    if k <= 0 or not pools or any(not items for items in pools.values()):
        return []
    depts = list(pools)
    order = sorted(depts, key=lambda d: (len(pools[d]), d))
    levels = [_Pool(d, pools[d], cols) for d in order]
    min_dot = math.cos(min(reach_km / EARTH_RADIUS_KM, math.pi))
    compat = {
        (a, b): _compatible(levels[a], levels[b], min_dot)
        for a in range(len(levels))
        for b in range(a + 1, len(levels))
    }
    exact = len(levels) <= EXACT_LIMIT
    combos = _branch_and_bound(levels, compat, k) if exact else _beam(levels, compat, k)
    proposals = [_proposal(levels, combo, depts, exact) for combo in combos]
    proposals.sort(key=lambda p: (-p.score, tuple(p.parts[d].key for d in depts)))
    return proposals[:k]


def _keys(levels: list[_Pool], combo: tuple[int, ...]) -> tuple[str, ...]:
    by_dept = {lvl.dept: lvl.candidates[p].key for lvl, p in zip(levels, combo, strict=True)}
    return tuple(by_dept[d] for d in sorted(by_dept))


class _Best:
    """The k best combinations so far (score descending, keys ascending)."""

    def __init__(self, levels: list[_Pool], k: int) -> None:
        self.levels = levels
        self.k = k
        self.items: list[tuple[float, tuple[str, ...], tuple[int, ...]]] = []

    def threshold(self) -> float:
        return self.items[-1][0] if len(self.items) >= self.k else -math.inf

    def add(self, score: float, combo: tuple[int, ...]) -> None:
        if len(self.items) >= self.k and score < self.threshold():
            return
        self.items.append((score, _keys(self.levels, combo), combo))
        self.items.sort(key=lambda t: (-t[0], t[1]))
        del self.items[self.k :]


def _branch_and_bound(
    levels: list[_Pool], compat: Mapping[tuple[int, int], np.ndarray], k: int
) -> list[tuple[int, ...]]:
    depth = len(levels)
    best = _Best(levels, k)
    first = [np.ones(len(lvl.scores), dtype=bool) for lvl in levels]

    def visit(level: int, chosen: tuple[int, ...], allowed: list[np.ndarray], partial: float):
        if level == depth - 1:
            positions = np.flatnonzero(allowed[level])[:k]
            for p in positions.tolist():
                best.add(partial + float(levels[level].scores[p]), (*chosen, p))
            return
        rest = sum(float(levels[f].scores[allowed[f]].max()) for f in range(level + 1, depth))
        for p in np.flatnonzero(allowed[level]).tolist():
            here = partial + float(levels[level].scores[p])
            if here + rest < best.threshold():
                break  # candidates are sorted best first: no later one can do better
            narrowed = list(allowed)
            dead = False
            for f in range(level + 1, depth):
                narrowed[f] = allowed[f] & compat[(level, f)][p]
                if not narrowed[f].any():
                    dead = True
                    break
            if not dead:
                visit(level + 1, (*chosen, p), narrowed, here)

    visit(0, (), first, 0.0)
    return [combo for _, _, combo in best.items]


def _beam(
    levels: list[_Pool], compat: Mapping[tuple[int, int], np.ndarray], k: int
) -> list[tuple[int, ...]]:
    beam: list[tuple[float, tuple[int, ...]]] = [(0.0, ())]
    for level, pool in enumerate(levels):
        expanded = []
        for score, combo in beam:
            ok = np.ones(len(pool.scores), dtype=bool)
            for prev, p in enumerate(combo):
                ok &= compat[(prev, level)][p]
            for q in np.flatnonzero(ok)[:BEAM_WIDTH].tolist():
                expanded.append((score + float(pool.scores[q]), (*combo, q)))
        expanded.sort(key=lambda t: (-t[0], t[1]))
        beam = expanded[: max(BEAM_WIDTH, k)]
        if not beam:
            return []
    return [combo for _, combo in beam[:k]]


def _proposal(
    levels: list[_Pool], combo: tuple[int, ...], depts: list[str], exact: bool
) -> JointProposal:
    chosen = {lvl.dept: lvl.candidates[p] for lvl, p in zip(levels, combo, strict=True)}
    parts = {d: chosen[d] for d in depts}
    breakdown: dict[str, float] = {}
    for cand in parts.values():
        for rule_id, value in cand.breakdown.items():
            breakdown[rule_id] = breakdown.get(rule_id, 0.0) + value
    return JointProposal(
        parts=parts, score=sum(breakdown.values()), breakdown=breakdown, exact=exact
    )
