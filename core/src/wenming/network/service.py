"""The practice network's Python API: loading, queries, pairings, coverage, stats, export.

:class:`Network` is the facade the CLI and other areas use::

    from wenming.network.service import Network
    net = Network.from_deployment(deployment)
    net.load_region()                      # the deployment's region, from package data
    detail = net.site("320585100203")      # ancestors and children on both axes
    hits = net.near(120.62, 31.30, k=5, site_type="core.station")
    net.pair("3205.water", "320585100203")
    report = net.coverage(department="water")

It keeps a spatial index of every site's position, built on first use and dropped
whenever the network is written through it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import asdict, frozen

from wenming.errors import WenmingError
from wenming.network import importer, names, navigation, regionsites
from wenming.network.regions import deployment_region, region_dataset
from wenming.records import LEVELS, TERRITORIAL_LEVELS

if TYPE_CHECKING:
    from wenming.deployment import Deployment
    from wenming.network.regions import Region
    from wenming.network.spatial import SpatialIndex
    from wenming.registry import Registry
    from wenming.storage import Storage

PAIRABLE_INDUSTRY = ("subcenter", "practice_point")


@frozen
class SiteView:
    """A site as the API returns it (a plain value, detached from the database)."""

    code: str
    name: str
    level: str
    site_type: str
    parent_code: str | None = None
    line_code: str | None = None
    department: str | None = None
    lng: float | None = None
    lat: float | None = None
    approximate: bool = False
    functional_zone: bool = False
    synthetic: bool = False
    name_en: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def navigation(self) -> navigation.NavigationLinks | None:
        if self.lng is None or self.lat is None:
            return None
        return navigation.links(self.lng, self.lat, self.name)


@frozen
class SiteDetail:
    """A site with its neighbourhood on both axes and its pairings."""

    site: SiteView
    ancestors: tuple[SiteView, ...]  # territorial parents, nearest first
    line: tuple[SiteView, ...]  # industry parents, nearest first
    children: tuple[SiteView, ...]  # territorial children
    line_children: tuple[SiteView, ...]  # industry sites in this site's line
    located_here: tuple[SiteView, ...]  # industry sites whose place is this site
    pairings: tuple[SiteView, ...]  # the sites paired with this one

    def as_dict(self) -> dict[str, Any]:
        nav = self.site.navigation()
        return {
            "site": self.site.as_dict(),
            "ancestors": [s.as_dict() for s in self.ancestors],
            "line": [s.as_dict() for s in self.line],
            "children": [s.as_dict() for s in self.children],
            "line_children": [s.as_dict() for s in self.line_children],
            "located_here": [s.as_dict() for s in self.located_here],
            "pairings": [s.as_dict() for s in self.pairings],
            "navigation": nav.as_dict() if nav else None,
        }


@frozen
class Nearby:
    """A site found by :meth:`Network.near`, with its distance."""

    site: SiteView
    distance_km: float

    def as_dict(self) -> dict[str, Any]:
        return {**self.site.as_dict(), "distance_km": round(self.distance_km, 4)}


_COLUMNS = (
    "code",
    "name",
    "name_en",
    "level",
    "site_type",
    "parent_code",
    "line_code",
    "department",
    "lng",
    "lat",
    "approximate",
    "functional_zone",
    "synthetic",
)


class Network:
    """The practice network of one deployment's database."""

    def __init__(self, storage: Storage, registry: Registry, *, region: str = "suzhou") -> None:
        self.storage = storage
        self.registry = registry
        self.region = region
        self._index: tuple[SpatialIndex, list[SiteView]] | None = None

    @classmethod
    def from_deployment(cls, deployment: Deployment) -> Network:
        """The network of a deployment; a relative region folder is next to its file."""
        return cls(deployment.storage, deployment.registry, region=deployment_region(deployment))

    def region_data(self) -> Region | None:
        """The deployment's region dataset, or ``None`` if it cannot be read (a network
        built from imported files alone has no published figures to compare with)."""
        return region_dataset(self.region)

    # ---------------------------------------------------------------- writing

    def _changed(self) -> None:
        self._index = None

    def load_region(self, region: str | Path | None = None) -> importer.ImportReport:
        """Build the region's territorial network, guidance center and sub-centers (idempotent)."""
        report = regionsites.load_region(self.storage, self.registry, region or self.region)
        self._changed()
        return report

    def import_file(self, path: str | Path) -> importer.ImportReport:
        """Import a CSV / JSON / GeoJSON file of sites, all or nothing."""
        report = importer.import_file(self.storage, self.registry, path)
        self._changed()
        return report

    def add_sites(
        self, rows: Iterable[Mapping[str, Any]], *, source: str = "rows"
    ) -> importer.ImportReport:
        """Add sites given as mappings in the import format, all or nothing."""
        report = importer.add_sites(self.storage, self.registry, rows, source=source)
        self._changed()
        return report

    def pair(self, industry_code: str, territorial_code: str, note: str = "") -> dict[str, Any]:
        """Pair (结对共建) an industry site or sub-center with a territorial site."""
        from sqlalchemy.exc import IntegrityError

        from wenming.storage.tables import Pairing

        industry = self._get(industry_code)
        territorial = self._get(territorial_code)
        if industry.level not in PAIRABLE_INDUSTRY:
            raise WenmingError(
                f"cannot pair {industry_code!r}: it is a {industry.level}; the industry side "
                "must be a practice point or a sub-center"
            )
        if territorial.level not in TERRITORIAL_LEVELS:
            raise WenmingError(
                f"cannot pair with {territorial_code!r}: it is a {territorial.level}; the "
                "territorial side must be a center, institute or station"
            )
        if self._pairing(industry_code, territorial_code) is not None:
            raise WenmingError(f"{industry_code!r} and {territorial_code!r} are already paired")
        try:
            with self.storage.session() as s:
                row = Pairing(
                    industry_code=industry_code, territorial_code=territorial_code, note=note
                )
                s.add(row)
        except IntegrityError:
            raise WenmingError(
                f"{industry_code!r} and {territorial_code!r} are already paired"
            ) from None
        return _pairing_dict(row)

    def unpair(self, industry_code: str, territorial_code: str) -> None:
        """Remove a pairing; an error if there is none."""
        from sqlmodel import delete

        from wenming.storage.tables import Pairing

        if self._pairing(industry_code, territorial_code) is None:
            raise WenmingError(f"{industry_code!r} and {territorial_code!r} are not paired")
        with self.storage.session() as s:
            s.exec(
                delete(Pairing).where(
                    Pairing.industry_code == industry_code,
                    Pairing.territorial_code == territorial_code,
                )
            )

    # ---------------------------------------------------------------- reading

    def _rows(self, where: Any = None) -> list[SiteView]:
        from sqlalchemy import select

        from wenming.storage.tables import Site

        t = Site.__table__
        query = select(*(t.c[c] for c in _COLUMNS))
        if where is not None:
            query = query.where(where(t))
        with self.storage.engine.connect() as conn:
            return [SiteView(**row._mapping) for row in conn.execute(query.order_by(t.c.code))]

    def _get(self, code: str) -> SiteView:
        found = self._rows(lambda t: t.c.code == code)
        if not found:
            code = self.lookup(code)
            found = self._rows(lambda t: t.c.code == code)
        return found[0]

    def find(
        self, query: str, *, level: str | None = None, limit: int | None = 20
    ) -> list[names.Found]:
        """Sites by Chinese name, part of a name, pinyin, initials or code prefix, best first."""
        rows = self.sites(level=level)
        return names.find(
            ((s.code, s.name, s.level, s.name_en or "") for s in rows), query, limit=limit
        )

    def lookup(self, value: str) -> str:
        """The code of the site ``value`` names: a code, or a name that fits one site only."""
        if any(c.isdigit() or c in "._" for c in value):
            raise WenmingError(f"no site with code {value!r} ('wenming network find' finds codes)")
        found = self.find(value, limit=None)
        if not found:
            raise WenmingError(f"no site with code or name {value!r}")
        best = [f for f in found if f.rank == found[0].rank]
        if len(best) == 1 and (best[0].rank == 0 or len(found) == 1):
            return best[0].code
        raise WenmingError(
            f"{value!r} names several sites: {names.candidates_text(found)}; give the code"
        )

    def _pairing(self, industry_code: str, territorial_code: str) -> Any:
        from sqlmodel import Session, select

        from wenming.storage.tables import Pairing

        with Session(self.storage.engine) as s:
            return s.exec(
                select(Pairing).where(
                    Pairing.industry_code == industry_code,
                    Pairing.territorial_code == territorial_code,
                )
            ).first()

    def sites(self, *, level: str | None = None, department: str | None = None) -> list[SiteView]:
        """Every site (optionally of one level and/or department), by code."""
        if level is not None and level not in LEVELS:
            raise WenmingError(f"unknown level {level!r} (known: {', '.join(LEVELS)})")

        def where(t: Any) -> Any:
            from sqlalchemy import and_, true

            clauses = [true()]
            if level is not None:
                clauses.append(t.c.level == level)
            if department is not None:
                clauses.append(t.c.department == department)
            return and_(*clauses)

        return self._rows(where)

    def pairings(self, code: str | None = None) -> list[dict[str, Any]]:
        """Pairings, all or those of one site (on either side)."""
        from sqlmodel import Session, or_, select

        from wenming.storage.tables import Pairing

        query = select(Pairing).order_by(Pairing.industry_code, Pairing.territorial_code)
        if code is not None:
            query = query.where(
                or_(Pairing.industry_code == code, Pairing.territorial_code == code)
            )
        with Session(self.storage.engine) as s:
            return [_pairing_dict(p) for p in s.exec(query)]

    def site(self, code: str) -> SiteDetail:
        """A site with its ancestors and children on both axes, and its pairings."""
        site = self._get(code)

        def chain(start: str | None, attr: str) -> tuple[SiteView, ...]:
            out: list[SiteView] = []
            seen = {site.code}
            while start and start not in seen:
                seen.add(start)
                found = self._rows(lambda t, c=start: t.c.code == c)
                if not found:
                    break
                out.append(found[0])
                start = getattr(found[0], attr)
            return tuple(out)

        ancestors = chain(site.parent_code, "parent_code")
        line = chain(site.line_code, "line_code")
        below = self._rows(lambda t: t.c.parent_code == code)
        children = tuple(s for s in below if s.level in TERRITORIAL_LEVELS)
        located = tuple(s for s in below if s.level not in TERRITORIAL_LEVELS)
        line_children = tuple(self._rows(lambda t: t.c.line_code == code))
        paired_codes = {
            p["territorial_code"] if p["industry_code"] == code else p["industry_code"]
            for p in self.pairings(code)
        }
        paired = tuple(self._rows(lambda t: t.c.code.in_(sorted(paired_codes))))
        return SiteDetail(site, ancestors, line, children, line_children, located, paired)

    # ---------------------------------------------------------------- spatial

    def index(self) -> tuple[SpatialIndex, list[SiteView]]:
        """The spatial index over every positioned site, and the sites in index order."""
        if self._index is None:
            from wenming.network.spatial import SpatialIndex

            sites = [s for s in self._rows() if s.lng is not None and s.lat is not None]
            idx = SpatialIndex(
                [s.lng for s in sites],
                [s.lat for s in sites],
                levels=[s.level for s in sites],
                site_types=[s.site_type for s in sites],
                departments=[s.department for s in sites],
            )
            self._index = (idx, sites)
        return self._index

    def near(
        self,
        lng: float,
        lat: float,
        *,
        k: int | None = 10,
        radius_km: float | None = None,
        site_type: str | None = None,
        level: str | None = None,
        department: str | None = None,
    ) -> list[Nearby]:
        """The ``k`` nearest sites, or all within ``radius_km`` (both: the k nearest within it).

        ``site_type`` takes a registry ID or a core level name (``station``).
        """
        from wenming.network import geo

        try:
            geo.check_lnglat(lng, lat)
        except ValueError as exc:
            raise WenmingError(f"near {lng},{lat}: {exc}") from None
        if site_type is not None and "." not in site_type:
            site_type = f"core.{site_type}"
        if site_type is not None and site_type not in self.registry.site_types:
            raise WenmingError(f"unknown site type {site_type!r}")
        if level is not None and level not in LEVELS:
            raise WenmingError(f"unknown level {level!r} (known: {', '.join(LEVELS)})")
        if k is not None and k < 1:
            raise WenmingError(f"k must be at least 1, got {k}")
        if radius_km is not None and radius_km <= 0:
            raise WenmingError(f"the radius must be positive, got {radius_km}")
        idx, sites = self.index()
        filters = {"site_type": site_type, "level": level, "department": department}
        if radius_km is None:
            hits = idx.nearest(lng, lat, k or 10, **filters)
        elif k is None:
            hits = idx.within(lng, lat, radius_km, **filters)
        else:
            hits = idx.nearest(lng, lat, k, max_km=radius_km, **filters)
        return [Nearby(sites[h.index], h.distance_km) for h in hits]

    # ---------------------------------------------------------------- reports

    def _territorial_up(self, sites: dict[str, SiteView]) -> dict[str, dict[str, str]]:
        """For each site, the codes of its territorial ancestors by level (itself included)."""
        memo: dict[str, dict[str, str]] = {}

        def up(code: str | None, depth: int = 0) -> dict[str, str]:
            if code is None or code not in sites or depth > 16:
                return {}
            if code in memo:
                return memo[code]
            s = sites[code]
            found = dict(up(s.parent_code, depth + 1))
            if s.level in TERRITORIAL_LEVELS:
                found[s.level] = code
            memo[code] = found
            return found

        for code in sites:
            up(code)
        return memo

    def coverage(self, department: str | None = None) -> dict[str, Any]:
        """Gaps in the double chessboard.

        - stations with no paired industry site;
        - towns (institutes) with no practice point of a department (of ``department``,
          or of each installed department), a practice point counting for the town it
          or its village is in;
        - per-level counts by county (center).
        """
        if department is not None and department not in self.registry.departments:
            known = ", ".join(self.registry.departments) or "none installed"
            raise WenmingError(f"unknown department {department!r} (known: {known})")
        sites = {s.code: s for s in self._rows()}
        up = self._territorial_up(sites)
        paired = {p["territorial_code"] for p in self.pairings()}
        stations = [s for s in sites.values() if s.level == "station"]
        unpaired = [s.code for s in stations if s.code not in paired]
        institutes = [s for s in sites.values() if s.level == "institute"]
        departments = [department] if department else list(self.registry.departments)
        served: dict[str, set[str]] = {d: set() for d in departments}
        for s in sites.values():
            if s.level == "practice_point" and s.department in served:
                town = up.get(s.parent_code or "", {}).get("institute")
                if town:
                    served[s.department].add(town)
        towns_without = {
            d: [i.code for i in institutes if i.code not in served[d]] for d in departments
        }
        by_county: dict[str, Counter] = {}
        for s in sites.values():
            where = up.get(s.code if s.level in TERRITORIAL_LEVELS else s.parent_code or "", {})
            county = where.get("center")
            if county is None:
                continue
            counts = by_county.setdefault(county, Counter())
            counts[s.level] += 1
            if s.level == "station" and s.code not in paired:
                counts["unpaired_station"] += 1
        return {
            "department": department,
            "stations": len(stations),
            "unpaired_stations": unpaired,
            "institutes": len(institutes),
            "towns_without_practice_point": towns_without,
            "by_county": [
                {
                    "code": code,
                    "name": sites[code].name,
                    **{
                        level: by_county[code][level]
                        for level in ("institute", "station", "practice_point")
                    },
                    "unpaired_station": by_county[code]["unpaired_station"],
                }
                for code in sorted(by_county)
            ],
        }

    def stats(self) -> dict[str, Any]:
        """Counts by level, compared with the region's published figures, with the reasons
        for each difference (:func:`wenming.network.stats.site_stats`)."""
        from sqlalchemy import text

        from wenming.network.stats import site_stats

        with self.storage.engine.connect() as conn:
            return site_stats(
                lambda sql: [tuple(r) for r in conn.execute(text(sql))],
                self.region_data(),
                len(self.registry.departments),
                self.region,
            )

    # ---------------------------------------------------------------- export

    def geojson(self) -> dict[str, Any]:
        """The network as a GeoJSON FeatureCollection (WGS-84 points)."""
        paired: dict[str, list[str]] = {}
        for p in self.pairings():
            paired.setdefault(p["industry_code"], []).append(p["territorial_code"])
            paired.setdefault(p["territorial_code"], []).append(p["industry_code"])
        features = []
        for s in self._export_order():
            props = s.as_dict()
            props.pop("lng")
            props.pop("lat")
            props["pairings"] = sorted(paired.get(s.code, []))
            geometry = (
                {"type": "Point", "coordinates": [round(s.lng, 7), round(s.lat, 7)]}
                if s.lng is not None and s.lat is not None
                else None
            )
            features.append({"type": "Feature", "geometry": geometry, "properties": props})
        return {"type": "FeatureCollection", "features": features}

    def table(self) -> tuple[tuple[str, ...], list[list[Any]]]:
        """The network as a table in the import format: ``(headers, rows)``."""
        rows: list[list[Any]] = []
        for s in self._export_order():
            d = s.as_dict()
            d["datum"] = "wgs84"
            for key in ("approximate", "functional_zone", "synthetic"):
                d[key] = "true" if d[key] else "false"
            for key in ("lng", "lat"):
                d[key] = "" if d[key] is None else f"{d[key]:.7f}"
            rows.append(["" if d.get(c) is None else d[c] for c in importer.COLUMNS])
        return tuple(importer.COLUMNS), rows

    def csv_text(self, *, bom: bool = False) -> str:
        """The network as CSV in the import format (so an export can be imported again)."""
        from wenming.export import csv_text

        headers, rows = self.table()
        return csv_text(headers, rows, bom=bom)

    def _export_order(self) -> list[SiteView]:
        rank = importer.LEVEL_RANK
        return sorted(self._rows(), key=lambda s: (rank.get(s.level, 9), s.code))


def _pairing_dict(p: Any) -> dict[str, Any]:
    return {
        "industry_code": p.industry_code,
        "territorial_code": p.territorial_code,
        "note": p.note,
        "created_at": p.created_at.isoformat() if p.created_at else None,
    }
