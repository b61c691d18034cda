"""Batch dispatch: assign many demands at once, as well as mathematically possible.

The problem: every feasible pair (demand *d*, resource *r*) has a score
``s[d, r] ≥ 0``; each demand takes at most one resource; each resource takes at most
``slots[r]`` demands **per day** (a demand's day is the start of its window;
undated demands share one bucket per resource). Maximise the total score.

It is solved exactly as a min-cost flow (OR-Tools ``SimpleMinCostFlow``)::

    source ─(cap 1)→ demand ─(cap 1, cost −c[d,r])→ (resource, day) ─(cap slots)→ sink
    source ────────────────(cap m, cost 0: "leave unassigned")──────────────→ sink

Costs must be integers: ``c = round(score × 10⁶) + 1``. The ``+ 1`` (a millionth of
a point) breaks exact ties towards serving more demands, so among equally good
answers the flow serves the most. The flow's constraint matrix is totally
unimodular, so its integer optimum is also the optimum of the linear relaxation; the
tests check it against brute-force enumeration and the benchmark against an LP
solver. :func:`greedy` (best pair first) is kept only as a baseline.
"""

from __future__ import annotations

import numpy as np

from wenming.errors import WenmingError

#: Score units per point in the integer costs of the flow.
SCALE = 1_000_000


def unit_values(total: np.ndarray) -> np.ndarray:
    """The integer value of each pair the solvers maximise (score in millionths, + 1)."""
    return np.rint(np.asarray(total, dtype=np.float64) * SCALE).astype(np.int64) + 1


def buckets(
    ri: np.ndarray, di: np.ndarray, days: np.ndarray, slots: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each pair's (resource, day) bucket and every bucket's capacity."""
    if len(ri) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    day = days[di]
    day = day - day.min()
    span = int(day.max()) + 1
    combined = ri.astype(np.int64) * span + day
    unique, inverse = np.unique(combined, return_inverse=True)
    return inverse.astype(np.int64), slots[unique // span].astype(np.int64)


def optimal(
    di: np.ndarray, bucket: np.ndarray, capacity: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """Pair indices of a maximum-value assignment (exact min-cost flow)."""
    from ortools.graph.python import min_cost_flow

    m = int(di.max()) + 1 if len(di) else 0
    b = len(capacity)
    p = len(di)
    if p == 0:
        return np.zeros(0, dtype=np.int64)
    source, sink = 0, m + b + 1
    starts = np.concatenate([np.full(m, source), 1 + di, m + 1 + np.arange(b), [source]]).astype(
        np.int32
    )
    ends = np.concatenate([1 + np.arange(m), m + 1 + bucket, np.full(b, sink), [sink]]).astype(
        np.int32
    )
    caps = np.concatenate([np.ones(m), np.ones(p), capacity, [m]]).astype(np.int64)
    costs = np.concatenate([np.zeros(m), -values, np.zeros(b), [0]]).astype(np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(starts, ends, caps, costs)
    flow.set_node_supply(source, m)
    flow.set_node_supply(sink, -m)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise WenmingError(f"min-cost flow failed with status {status}")
    flows = flow.flows(np.arange(m, m + p, dtype=np.int32))
    return np.flatnonzero(np.asarray(flows) > 0)


def greedy(
    di: np.ndarray, ri: np.ndarray, bucket: np.ndarray, capacity: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """Baseline: take pairs best first (ties: demand, then resource order) while the
    demand is free and its bucket has a slot left."""
    order = np.lexsort((ri, di, -values))
    left = capacity.astype(np.int64).copy()
    taken = np.zeros(int(di.max()) + 1 if len(di) else 0, dtype=bool)
    chosen = []
    for p in order.tolist():
        d = di[p]
        b = bucket[p]
        if not taken[d] and left[b] > 0:
            taken[d] = True
            left[b] -= 1
            chosen.append(p)
    return np.asarray(sorted(chosen), dtype=np.int64)


def assign(
    di: np.ndarray,
    ri: np.ndarray,
    total: np.ndarray,
    days: np.ndarray,
    slots: np.ndarray,
    method: str,
) -> np.ndarray:
    """Chosen pair indices for ``method`` (``optimal`` or ``greedy``)."""
    bucket, capacity = buckets(ri, di, days, slots)
    values = unit_values(total)
    if method == "greedy":
        return greedy(di, ri, bucket, capacity, values)
    return optimal(di, bucket, capacity, values)
