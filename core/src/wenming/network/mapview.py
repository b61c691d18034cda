"""The network map (一图导览): one self-contained HTML file that works offline.

The page is our own small canvas renderer (``static/*.js``, ``static/map.css``,
``static/map.html``), inlined together with the network's data, so the file opens
from disk with no server, no tiles and no third-party code. Everything the page needs
that Python knows better is computed here, when the file is written:

- navigation links use :data:`wenming.network.navigation.TEMPLATES` with coordinates
  converted here, so the page builds exactly the links the Python API does;
- the search index: every site's and shared resource's pinyin syllables and initials
  (:mod:`wenming.network.names`), so ``suzhou``, ``sz`` and ``taihushidi`` find their
  places with no dictionary in the page;
- each site's and resource's county (for the county filter and search results), and
  for each resource its position, what it offers and which department runs it.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wenming.errors import WenmingError
from wenming.network import navigation
from wenming.network.names import pinyin_forms, pinyin_syllables
from wenming.network.stats import LEVEL_ORDER

if TYPE_CHECKING:
    from wenming.network.service import Network, SiteView
    from wenming.registry import Registry

STATIC = Path(__file__).resolve().parent / "static"
#: The page's scripts, inlined in this order (each defines one global the next may use).
SCRIPTS = ("search.js", "layout.js", "shapes.js", "popup.js", "map.js")

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
LEVEL_LABELS = {"practice_point": "行业文明实践点"}
#: Resource kinds as residents read them, and how each one serves (DESIGN: reach by mode).
KIND_LABELS = {
    "venue": ("场地", "到场服务：居民前往"),
    "project": ("项目", "送服务：到点单的站点开展"),
    "team": ("团队", "送服务：团队上门"),
}

FLAG_APPROXIMATE = 1
FLAG_FUNCTIONAL_ZONE = 2
FLAG_SYNTHETIC = 4


class _Index:
    """Position of each distinct value in a list that becomes part of the page data."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self._at: dict[Any, int] = {}

    def __call__(self, value: Any) -> int:
        if value not in self._at:
            self._at[value] = len(self.values)
            self.values.append(value)
        return self._at[value]


def _county_of(sites: dict[str, SiteView]) -> dict[str, str | None]:
    """Each site's county (the code of the ``center`` above it, or its own), if any."""
    memo: dict[str, str | None] = {}

    def up(code: str | None, depth: int = 0) -> str | None:
        if code is None or code not in sites or depth > 16:
            return None
        if code in memo:
            return memo[code]
        site = sites[code]
        found = code if site.level == "center" else up(site.parent_code, depth + 1)
        memo[code] = found
        return found

    return {code: up(code) for code in sites}


def _search_forms(name: str) -> tuple[str, str]:
    """The index entry of a name: its syllables joined by ``'`` (the page removes the
    marks for the full pinyin and keeps the breaks for whole-syllable matching) and
    its initials."""
    return "'".join(pinyin_syllables(name)), pinyin_forms(name)[1]


def _nav(lng: float, lat: float) -> list[Any]:
    """The formatted WGS-84, GCJ-02 and BD-09 values of a point (the page reads its
    position from the first two, so it is sent once)."""
    c = navigation.coordinates(lng, lat)
    return [c["lng"], c["lat"], c["gcj_lng"], c["gcj_lat"], c["bd_lng"], c["bd_lat"]]


def _reach(
    registry: Registry,
    kind: str,
    department: str | None,
    template: str | None,
    place: str,
    own: tuple[float | None, float | None, float | None],
    living_circle_km: float,
) -> str:
    """How far a resource serves, as the matching engine decides it (Chinese text).

    The resource's own ``reach_km`` wins; a city-level resource with no coordinates
    serves the whole city; otherwise every distance rule (filtering) whose scope takes
    the resource bounds it — a rule without a reach uses the living circle — and a rule
    scoped to some demand categories bounds only those demands.
    """
    reach_km, lng, lat = own
    if reach_km:
        return f"{reach_km:g} 公里（本资源设定）"
    if (lng is None or lat is None) and len(place) <= 4:
        return "全市（市级资源，不限距离）"
    always: list[float] = []
    sometimes: dict[float, list[str]] = {}
    for rule in registry.rules.values():
        scope = rule.scope
        if rule.kind != "core.distance" or rule.mode == "score":
            continue
        if scope.departments and department not in scope.departments:
            continue
        if scope.templates and template not in scope.templates:
            continue
        if scope.resource_kinds and kind not in scope.resource_kinds:
            continue
        km = float(getattr(rule.params, "reach_km", None) or living_circle_km)
        if scope.categories:
            names = [registry.categories[c].name_zh for c in scope.categories]
            sometimes.setdefault(km, []).extend(names)
        else:
            always.append(km)
    limit = min(always, default=living_circle_km)
    text = f"{limit:g} 公里" + ("（生活圈默认半径）" if limit == living_circle_km else "")
    for km, names in sorted(sometimes.items()):
        if km < limit:
            text += f"；{'、'.join(names)}需求 {km:g} 公里"
    return text


def _shared_resources(net: Network) -> list[tuple[str, Any]]:
    """The registry's resources and the database's published rows (a row replaces the
    registry record with the same key), as the matching engine sees them."""
    found: dict[str, Any] = dict(net.registry.resources)
    if net.storage.schema_version() is not None:
        from sqlmodel import select

        from wenming.storage.tables import ResourceRow

        with net.storage.session() as session:
            for row in session.exec(select(ResourceRow).where(ResourceRow.status == "published")):
                found[row.key] = row
    return sorted(found.items())


def _resource_rows(
    net: Network,
    sites: dict[str, SiteView],
    county: dict[str, str | None],
    county_index: dict[str, int],
    dept_index: dict[str, int],
    vocab: dict[str, _Index],
    living_circle_km: float,
) -> list[list[Any]]:
    """Compact rows of the shared resources: what each offers, where, and who runs it."""
    from wenming.network import locate
    from wenming.records import Resource

    registry: Registry = net.registry
    rows = []
    for key, res in _shared_resources(net):
        if isinstance(res, Resource):
            name, place, department, extra = res.name_zh, res.place, registry.department_of(key), {}
        else:
            name, place, department, extra = res.name, res.place_code, res.department, res.extra
        at = extra.get("site") if extra.get("site") in sites else None
        at = at or (place if place in sites else None)
        lng, lat, approximate = res.lng, res.lat, bool(res.synthetic)
        if lng is None or lat is None:
            if at is not None and sites[at].lng is not None:
                lng, lat, approximate = sites[at].lng, sites[at].lat, sites[at].approximate
            else:
                try:
                    lng, lat, approximate = locate(place)
                except WenmingError:  # a place outside the packaged regions: no position
                    lng = lat = None
        templates = list(extra.get("templates") or ())
        if res.template:
            templates.insert(0, res.template)
        elif res.kind == "venue" and res.site_type and department:
            templates += [
                tid
                for tid, t in registry.templates.items()
                if registry.department_of(tid) == department and res.site_type in t.site_types
            ]
        county_code = county.get(at) if at else None
        if county_code is None and len(place) >= 6:
            county_code = place[:6] if place[:6] in county_index else None
        own = res.reach_km if res.reach_km is not None else (extra or {}).get("reach_km")
        reach = _reach(
            registry,
            res.kind,
            department,
            res.template,
            place,
            (own, res.lng, res.lat),
            living_circle_km,
        )
        full, initials = _search_forms(name)
        flags = (FLAG_APPROXIMATE if approximate else 0) | (FLAG_SYNTHETIC if res.synthetic else 0)
        rows.append(
            [
                key,
                name,
                vocab["kinds"](res.kind),
                dept_index.get(department, -1) if department else -1,
                at,
                county_index.get(county_code, -1) if county_code else -1,
                flags,
                res.capacity,
                res.members,
                vocab["reaches"](reach),
                list(res.months or ()),
                [vocab["templates"](t) for t in dict.fromkeys(templates)],
                [vocab["categories"](c) for c in res.categories or ()],
                [vocab["audiences"](a) for a in res.audiences or ()],
                full,
                initials,
                _nav(lng, lat) if lng is not None else None,
            ]
        )
    return rows


def map_data(
    net: Network, *, title: str | None = None, living_circle_km: float | None = None
) -> dict[str, Any]:
    """The data the page renders: sites and resources as compact rows with their search
    forms, pairings (as pairs of row numbers), counties, vocabularies and link templates."""
    if living_circle_km is None:
        from wenming.deployment import MatchingConfig

        living_circle_km = MatchingConfig().reach_km
    registry = net.registry
    region = net.region_data()
    every = {s.code: s for s in net.sites()}
    sites = [s for s in every.values() if s.lng is not None and s.lat is not None]
    county = _county_of(every)
    centers = sorted((s for s in sites if s.level == "center"), key=lambda s: s.code)
    county_index = {s.code: i for i, s in enumerate(centers)}
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
        full, initials = _search_forms(s.name)
        rows.append(
            [
                s.code,
                s.name,
                level_index[s.level],
                type_index[s.site_type],
                dept_index[s.department] if s.department else -1,
                s.parent_code,
                s.line_code,
                flags,
                county_index.get(county[s.code], -1) if county[s.code] else -1,
                full,
                initials,
                *_nav(s.lng, s.lat),
            ]
        )
    vocab = {k: _Index() for k in ("kinds", "templates", "categories", "audiences", "reaches")}
    for kind in KIND_LABELS:  # the panel lists kinds in this order
        vocab["kinds"](kind)
    resources = _resource_rows(
        net, every, county, county_index, dept_index, vocab, living_circle_km
    )

    def type_label(type_id: str) -> str:
        t = registry.site_types.get(type_id)
        return t.name_zh if t else type_id

    def level_label(level: str) -> str:
        t = registry.site_types.get(f"core.{level}")
        return t.name_zh if t else LEVEL_LABELS.get(level, level)

    def dept(code: str, i: int) -> dict[str, Any]:
        d = registry.departments.get(code)
        return {
            "code": code,
            "label": d.name_zh if d else code,
            "subcenter": d.subcenter_zh if d else code,
            "color": PALETTE[i % len(PALETTE)],
        }

    def named(table: Any, ids: list[str]) -> list[str]:
        return [table[i].name_zh if i in table else i for i in ids]

    at = {s.code: i for i, s in enumerate(sites)}
    pairings = [
        [at[p["industry_code"]], at[p["territorial_code"]]]
        for p in net.pairings()
        if p["industry_code"] in at and p["territorial_code"] in at
    ]
    return {
        "title": title or f"{region.name if region else ''}新时代文明实践一图导览",
        "region": {
            "code": region.code if region else None,
            "name": region.name if region else net.region,
            "name_en": region.name_en if region else net.region,
        },
        "levels": [{"id": level, "label": level_label(level)} for level in LEVEL_ORDER],
        "types": [{"id": t, "label": type_label(t)} for t in types],
        "departments": [dept(d, i) for i, d in enumerate(departments)],
        "counties": [
            {
                "code": s.code,
                "name": s.name.replace("新时代文明实践中心", ""),
                "lng": s.lng,
                "lat": s.lat,
            }
            for s in centers
        ],
        "kinds": [
            {"id": k, "label": KIND_LABELS[k][0], "mode": KIND_LABELS[k][1]}
            for k in vocab["kinds"].values
        ],
        "templates_zh": named(registry.templates, vocab["templates"].values),
        "categories": named(registry.categories, vocab["categories"].values),
        "audiences": named(registry.audiences, vocab["audiences"].values),
        "reaches": vocab["reaches"].values,
        "templates": navigation.TEMPLATES,
        "sites": rows,
        "resources": resources,
        "pairings": pairings,
    }


def render_map(
    net: Network,
    *,
    title: str | None = None,
    data: dict[str, Any] | None = None,
    living_circle_km: float | None = None,
) -> str:
    """The whole HTML page as a string (of ``data``, when already built by :func:`map_data`)."""
    if data is None:
        data = map_data(net, title=title, living_circle_km=living_circle_km)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    payload = payload.replace("</", "<\\/")  # never close the script element early
    page = (STATIC / "map.html").read_text(encoding="utf-8")
    css = (STATIC / "map.css").read_text(encoding="utf-8")
    js = "\n".join((STATIC / name).read_text(encoding="utf-8") for name in SCRIPTS)
    page = page.replace("{{TITLE}}", escape(data["title"]))
    for key, value in (("{{CSS}}", css), ("{{DATA}}", payload), ("{{JS}}", js)):
        head, sep, tail = page.partition(key)
        if not sep:
            raise RuntimeError(f"map.html has no {key} placeholder")
        page = head + value + tail  # not str.replace: the inserted text is never rescanned
    return page


def write_map(
    net: Network,
    path: str | Path,
    *,
    title: str | None = None,
    living_circle_km: float | None = None,
) -> dict[str, Any]:
    """Write the map to ``path``; return what was written. ``living_circle_km`` is the
    deployment's default reach (its ``[matching]`` table; ``MatchingConfig``'s default
    if not given), shown for resources the rules leave at it."""
    data = map_data(net, title=title, living_circle_km=living_circle_km)
    html = render_map(net, title=title, data=data)
    out = Path(path)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True)
    out.write_text(html, encoding="utf-8")
    stats = net.stats()
    return {
        "written": str(out),
        "sites": stats["total"],
        "pairings": stats["pairings"],
        "resources": len(data["resources"]),
        "bytes": len(html.encode("utf-8")),
    }
