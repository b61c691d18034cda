"""The network map (一图导览): one self-contained HTML file that works offline.

The page is our own small canvas renderer (``static/map.js``, ``static/map.css``,
``static/map.html``), inlined together with the network's data, so the file opens
from disk with no server, no tiles and no third-party code. Navigation links in the
popups use :data:`wenming.network.navigation.TEMPLATES` with coordinates converted
here in Python, so the page builds exactly the links the Python API does.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wenming.network import navigation
from wenming.network.service import LEVEL_ORDER

if TYPE_CHECKING:
    from wenming.network.service import Network

STATIC = Path(__file__).resolve().parent / "static"

#: Department colours, assigned in department order (colour-blind-friendly first).
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#3182bd",
)

#: Labels of levels that have no core site type (practice points are department types).
LEVEL_LABELS = {"practice_point": "行业文明实践点 · Industry practice point"}

FLAG_APPROXIMATE = 1
FLAG_FUNCTIONAL_ZONE = 2
FLAG_SYNTHETIC = 4


def map_data(net: Network, *, title: str | None = None) -> dict[str, Any]:
    """The data the page renders: sites as compact rows, pairings, labels, link templates."""
    registry = net.registry
    region = net.region_data()
    sites = [s for s in net.sites() if s.lng is not None and s.lat is not None]
    types = sorted({s.site_type for s in sites})
    departments = sorted({s.department for s in sites if s.department} | set(registry.departments))
    dept_index = {d: i for i, d in enumerate(departments)}
    type_index = {t: i for i, t in enumerate(types)}
    level_index = {level: i for i, level in enumerate(LEVEL_ORDER)}
    rows = []
    for s in sites:
        flags = (
            (FLAG_APPROXIMATE if s.approximate else 0)
            | (FLAG_FUNCTIONAL_ZONE if s.functional_zone else 0)
            | (FLAG_SYNTHETIC if s.synthetic else 0)
        )
        c = navigation.coordinates(s.lng, s.lat)
        rows.append(
            [
                s.code,
                s.name,
                level_index[s.level],
                type_index[s.site_type],
                dept_index[s.department] if s.department else -1,
                s.parent_code,
                s.line_code,
                round(s.lng, 6),
                round(s.lat, 6),
                flags,
                c["lng"],
                c["lat"],
                c["gcj_lng"],
                c["gcj_lat"],
                c["bd_lng"],
                c["bd_lat"],
            ]
        )

    def type_label(type_id: str) -> str:
        t = registry.site_types.get(type_id)
        return f"{t.name_zh} · {t.name_en}" if t else type_id

    def level_label(level: str) -> str:
        t = registry.site_types.get(f"core.{level}")
        return f"{t.name_zh} · {t.name_en}" if t else LEVEL_LABELS.get(level, level)

    def dept_label(code: str) -> str:
        d = registry.departments.get(code)
        return d.name_zh if d else code

    pairings = [[p["industry_code"], p["territorial_code"]] for p in net.pairings()]
    return {
        "title": title or f"{region.name if region else ''}新时代文明实践一图导览",
        "region": {
            "code": region.code if region else None,
            "name": region.name if region else net.region,
            "name_en": region.name_en if region else net.region,
        },
        "levels": [{"id": level, "label": level_label(level)} for level in LEVEL_ORDER],
        "types": [{"id": t, "label": type_label(t)} for t in types],
        "departments": [
            {"code": d, "label": dept_label(d), "color": PALETTE[i % len(PALETTE)]}
            for i, d in enumerate(departments)
        ],
        "templates": navigation.TEMPLATES,
        "sites": rows,
        "pairings": pairings,
    }


def render_map(net: Network, *, title: str | None = None) -> str:
    """The whole HTML page as a string."""
    data = map_data(net, title=title)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    payload = payload.replace("</", "<\\/")  # never close the script element early
    page = (STATIC / "map.html").read_text(encoding="utf-8")
    css = (STATIC / "map.css").read_text(encoding="utf-8")
    js = (STATIC / "map.js").read_text(encoding="utf-8")
    page = page.replace("{{TITLE}}", escape(data["title"]))
    for key, value in (("{{CSS}}", css), ("{{DATA}}", payload), ("{{JS}}", js)):
        head, sep, tail = page.partition(key)
        if not sep:
            raise RuntimeError(f"map.html has no {key} placeholder")
        page = head + value + tail  # not str.replace: the inserted text is never rescanned
    return page


def write_map(net: Network, path: str | Path, *, title: str | None = None) -> dict[str, Any]:
    """Write the map to ``path``; return what was written."""
    html = render_map(net, title=title)
    out = Path(path)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True)
    out.write_text(html, encoding="utf-8")
    stats = net.stats()
    return {
        "written": str(out),
        "sites": stats["total"],
        "pairings": stats["pairings"],
        "bytes": len(html.encode("utf-8")),
    }
