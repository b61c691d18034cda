"""The offline dashboard: one HTML file, like the map — no server, no network, no CDN.

It shows, for one year: the trend by month of every counted metric, the top counties,
towns and departments, and the counties shaded by a metric the reader picks. Counties
are drawn as tiles at their centres (no borrowed boundary data). The page is our own
small script (``static/dashboard.*``), inlined with the data.
"""

from __future__ import annotations

import datetime as dt
import json
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from wenming.reports import periods
from wenming.reports.names import names
from wenming.storage.tables import Site

if TYPE_CHECKING:
    from wenming.reports.counters import Counters

STATIC = Path(__file__).resolve().parent / "static"

#: Metrics on the dashboard, in the order officials read them.
SHOWN = (
    "orders_received",
    "orders_accepted",
    "orders_completed",
    "completion_rate",
    "on_time_rate",
    "evaluation",
    "joint_orders",
    "volunteer_hours",
    "active_volunteers",
)


def dashboard_data(counters: Counters, *, year: int | None = None) -> dict[str, Any]:
    """Everything the page draws, for one year."""
    deployment = counters.deployment
    year = year or periods.local_date(dt.datetime.now(dt.UTC), counters.tz).year
    months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    metrics = []
    for name in SHOWN:
        if name not in counters.metrics:
            continue
        m = counters.metrics[name]
        trend = []
        for month in months:
            rows = counters.top(name, "city", period=month, limit=1)
            trend.append(round(rows[0][1], 4) if rows else 0)
        tops = {}
        for by in ("county", "town", "department"):
            if by not in m.dimensions:
                continue
            rows = counters.top(name, by, period=str(year), limit=10_000 if by == "county" else 10)
            named = names(deployment, by, [k for k, _, _ in rows])
            tops[by] = [[k, named[k], round(v, 4)] for k, v, _ in rows]
        metrics.append(
            {
                "name": name,
                "zh": m.name_zh,
                "en": m.name_en,
                "unit": m.unit,
                "kind": m.kind,
                "trend": trend,
                "top": tops,
            }
        )
    with deployment.storage.session() as s:
        counties = [
            {"code": c, "name": short(n), "lng": x, "lat": y}
            for c, n, x, y in s.execute(
                select(Site.code, Site.name, Site.lng, Site.lat)
                .where(Site.level == "center")
                .order_by(Site.code)
            )
            if x is not None and y is not None
        ]
    return {
        "title": deployment.config.name,
        "year": year,
        "months": months,
        "metrics": metrics,
        "counties": counties,
        "timezone": counters.tz,
    }


def short(name: str) -> str:
    from wenming.synthetic import short_name

    return short_name(name)


def write_dashboard(
    counters: Counters, path: Path, *, metric: str = "orders_completed", year: int | None = None
) -> dict[str, Any]:
    """Write the dashboard to ``path``; returns its size and what it holds."""
    counters.metric(metric)
    data = dashboard_data(counters, year=year)
    data["initial"] = (
        metric
        if any(m["name"] == metric for m in data["metrics"])
        else (data["metrics"][0]["name"] if data["metrics"] else metric)
    )
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    html = (
        (STATIC / "dashboard.html")
        .read_text(encoding="utf-8")
        .replace("{{title}}", escape(f"{data['title']} · 文明实践排行榜 {data['year']}"))
        .replace("/*{{css}}*/", (STATIC / "dashboard.css").read_text(encoding="utf-8"))
        .replace("/*{{js}}*/", (STATIC / "dashboard.js").read_text(encoding="utf-8"))
        .replace("{{data}}", blob)
    )
    path.write_text(html, encoding="utf-8")
    return {
        "path": str(path),
        "bytes": len(html.encode("utf-8")),
        "year": data["year"],
        "metrics": [m["name"] for m in data["metrics"]],
        "counties": len(data["counties"]),
    }
