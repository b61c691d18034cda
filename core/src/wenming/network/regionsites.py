"""A packaged region's practice network: its divisions as sites in the import format
(the guidance center, one sub-center per installed department, and a center, institute
or station per county, town or village), loaded through the importer's checks
(:mod:`wenming.network.importer`). ``wenming network load`` runs :func:`load_region`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from wenming.network import geo
from wenming.network.importer import ImportReport, SiteImportError, add_sites, known_sites

if TYPE_CHECKING:
    from wenming.registry import Registry
    from wenming.storage import Storage


_STATION_SUFFIXES = ("社区居民委员会", "村民委员会", "居民委员会", "居委会", "村委会")


def _short(name: str) -> str:
    """``横塘社区居委会`` → ``横塘社区``; ``电站村委会`` → ``电站村``."""
    for suffix in _STATION_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if suffix.startswith("村") and not stem.endswith("村"):
                return stem + "村"
            if suffix.startswith("社区") and not stem.endswith("社区"):
                return stem + "社区"
            return stem
    return name


def region_rows(registry: Registry, region: str | Path = "suzhou") -> list[dict[str, Any]]:
    """The sites of a region in the import format: the guidance center, one sub-center per
    installed department, and a center / institute / station per county / town / village."""
    from wenming.network.regions import SITE_LEVEL, read_region

    data = read_region(region)
    city = data.divisions[data.code]
    rows: list[dict[str, Any]] = [
        {
            "code": data.code,
            "name": f"{data.name}新时代文明实践指导中心",
            "name_en": f"{data.name_en} New Era Civilization Practice guidance center",
            "site_type": "core.guidance_center",
            "lng": city.lng,
            "lat": city.lat,
            "approximate": True,
        }
    ]
    for code, dept in registry.departments.items():
        lng, lat = geo.spread(f"{data.code}.{code}", (city.lng, city.lat), 3.0)
        rows.append(
            {
                "code": f"{data.code}.{code}",
                "name": dept.subcenter_zh,
                "name_en": dept.subcenter_en,
                "site_type": "core.subcenter",
                "department": code,
                "parent_code": data.code,
                "line_code": data.code,
                "lng": lng,
                "lat": lat,
                "approximate": True,
            }
        )
    suffix = {
        "county": "新时代文明实践中心",
        "town": "新时代文明实践所",
        "village": "新时代文明实践站",
    }
    for level in ("county", "town", "village"):
        for d in data.at_level(level):
            rows.append(
                {
                    "code": d.code,
                    "name": _short(d.name) + suffix[level],
                    "site_type": f"core.{SITE_LEVEL[level]}",
                    "parent_code": d.parent_code,
                    "lng": d.lng,
                    "lat": d.lat,
                    "approximate": d.approximate,
                    "functional_zone": d.functional_zone,
                }
            )
    return rows


def load_region(
    storage: Storage, registry: Registry, region: str | Path = "suzhou"
) -> ImportReport:
    """Build a region's network; sites already present are kept, the rest added at once.

    So running it again after installing another department plugin adds just that
    department's sub-center. A present code of another level is an error.
    """
    rows = region_rows(registry, region)
    known = known_sites(storage)
    source = f"region {region}"
    fresh = []
    kept = 0
    for n, row in enumerate(rows, start=1):
        present = known.get(row["code"])
        if present is None:
            fresh.append((n, row))
            continue
        level = row["site_type"].removeprefix("core.")
        if present.level != level:
            raise SiteImportError(
                source,
                n,
                "code",
                f"{row['code']!r} is already in the database as a {present.level}, not a {level}",
            )
        kept += 1
    report = add_sites(storage, registry, fresh, source=source)
    report.kept = kept
    return report
