"""Leaderboards and side-by-side tables read from the counters, as ``wenming
leaderboard``, ``wenming stats table`` and the HTTP API's ``/stats`` return them.

Reading goes through :meth:`Counters.top` only (the counters' index, never a scan of
history); this module adds the names and the shape both front ends share.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from wenming.errors import WenmingError
from wenming.reports import periods

if TYPE_CHECKING:
    from wenming.reports.counters import Counters
    from wenming.reports.metrics import Metric

#: The dimensions a leaderboard ranks (``--by``).
BY: tuple[str, ...] = ("city", "county", "town", "station", "department", "team", "unit")

#: The columns of ``wenming stats table`` unless asked for others.
TABLE_METRICS: tuple[str, ...] = (
    "orders_received",
    "orders_dispatched",
    "orders_accepted",
    "orders_completed",
    "completion_rate",
    "on_time_rate",
    "evaluation",
    "volunteer_hours",
)


def when(
    period: str | None,
    start: dt.date | None,
    end: dt.date | None,
    *,
    today: dt.date,
) -> dict[str, Any]:
    """The period a read covers: ``period``, or the range ``start`` … ``end`` (both),
    or this year (``today``'s, in the deployment's time zone)."""
    if start or end:
        if not (start and end):
            raise WenmingError("a range needs both --from and --to")
        return {"start": start, "end": end}
    if period is None:
        period = periods.keys(today)[2]
    return {"period": period}


def label(span: dict[str, Any]) -> str:
    """How a period reads in a title: ``2027``, ``2027-03-01 … 2027-08-31``, ``now``."""
    return span.get("period") or (f"{span['start']} … {span['end']}" if span else "now")


def leaderboard(
    counters: Counters,
    metric: str,
    by: str,
    span: dict[str, Any],
    *,
    within: str | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    """The top ``limit`` keys of ``by`` for ``metric``, named: ``{metric, by, period,
    rows: [{rank, key, name, value, n}]}`` (a gauge is read now, whatever ``span``)."""
    from wenming.reports.names import names

    m = counters.metric(metric)
    span = span if m.kind != "gauge" else {}
    rows = counters.top(metric, by, limit=limit, within=within, **span)
    named = names(counters.deployment, by, [k for k, _, _ in rows])
    return {
        "metric": metric,
        "by": by,
        "period": label(span),
        "rows": [
            {"rank": i, "key": k, "name": named[k], "value": round(v, 4), "n": n}
            for i, (k, v, n) in enumerate(rows, start=1)
        ],
    }


def side_by_side(
    counters: Counters, metrics: list[str], by: str, span: dict[str, Any]
) -> dict[str, Any]:
    """Several metrics as columns for every key of ``by`` (metrics not kept by ``by``
    are left out): ``{by, period | start, end, columns, rows: [[key, name, …]]}``."""
    from wenming.reports.names import names

    columns: dict[str, dict[str, float]] = {}
    for name in metrics:
        m = counters.metric(name)
        if by not in m.dimensions:
            continue
        got = counters.top(name, by, limit=10_000, **({} if m.kind == "gauge" else span))
        columns[name] = {k: v for k, v, _ in got}
    keys = sorted({k for col in columns.values() for k in col})
    named = names(counters.deployment, by, keys)
    rows = [
        [k, named[k], *[cell(columns[n].get(k), counters.metrics[n]) for n in columns]]
        for k in keys
    ]
    return {
        "by": by,
        **{k: str(v) for k, v in span.items()},
        "columns": list(columns),
        "rows": rows,
    }


def cell(value: float | None, metric: Metric) -> float | None:
    """A cell: nothing for a rate without a denominator, else zero for nothing counted."""
    if value is None:
        return None if metric.kind in ("ratio", "mean") else 0.0
    return round(value, 4)
