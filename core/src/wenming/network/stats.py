"""``wenming network stats``: the network's counts by level next to the region's
published figures, with the reasons for each difference.

The counts are plain SQL, run on whichever connection the caller has — SQLAlchemy's
(:meth:`wenming.network.service.Network.stats`) or the driver's alone
(:mod:`wenming.storage.light`, for the command line) — so both report the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from wenming.records import INDUSTRY_LEVELS, TERRITORIAL_LEVELS

if TYPE_CHECKING:
    from wenming.network.regions import Region

#: Display order of levels: the territorial axis, then the industry axis.
LEVEL_ORDER: tuple[str, ...] = (*TERRITORIAL_LEVELS, *INDUSTRY_LEVELS)

#: Runs one statement (no parameters) and returns its rows as tuples.
Run = Callable[[str], list[tuple]]

# Booleans are tested bare (``WHERE synthetic``): true on PostgreSQL, 1 on SQLite.
LEVELS_SQL = "SELECT level, COUNT(*) FROM wm_site GROUP BY level"
ZONES_SQL = (
    "SELECT level, COUNT(*) FROM wm_site WHERE functional_zone GROUP BY level ORDER BY level"
)
DEPARTMENTS_SQL = (
    "SELECT department, level, COUNT(*) FROM wm_site WHERE department IS NOT NULL "
    "GROUP BY department, level ORDER BY department, level"
)
APPROXIMATE_SQL = "SELECT COUNT(*) FROM wm_site WHERE approximate"
SYNTHETIC_SQL = "SELECT level, COUNT(*) FROM wm_site WHERE synthetic GROUP BY level ORDER BY level"
PAIRINGS_SQL = "SELECT COUNT(*) FROM wm_pairing"
STATIONS_SQL = "SELECT code FROM wm_site WHERE level = 'station'"


def site_stats(run: Run, region: Region | None, installed: int, region_key: str) -> dict[str, Any]:
    """The stats of the network ``run`` reads: counts by level, functional zones,
    departments, approximate positions, synthetic sites and pairings, compared with
    ``region``'s published figures (``None``: a network without a region dataset).
    ``installed`` is the number of department plugins; ``region_key`` names the region
    when there is no dataset."""
    levels = {level: int(n) for level, n in run(LEVELS_SQL)}
    zones = {level: int(n) for level, n in run(ZONES_SQL)}
    departments: dict[str, dict[str, int]] = {}
    for dept, level, n in run(DEPARTMENTS_SQL):
        departments.setdefault(dept, {})[level] = int(n)
    approximate = int(run(APPROXIMATE_SQL)[0][0])
    synthetic = {level: int(n) for level, n in run(SYNTHETIC_SQL)}
    pairings = int(run(PAIRINGS_SQL)[0][0])
    station_codes = [code for (code,) in run(STATIONS_SQL)]
    counts = {level: levels.get(level, 0) for level in LEVEL_ORDER}
    reference = dict(region.reference) if region else {}
    rows = []
    for level in LEVEL_ORDER:
        if level in reference:
            ref = int(reference[level])
            rows.append(
                {
                    "level": level,
                    "loaded": counts[level],
                    "reference": ref,
                    "difference": counts[level] - ref,
                }
            )
    edition = region.edition if region else ""
    return {
        "region": {
            "key": region.key if region else region_key,
            "code": region.code if region else None,
            "name": region.name if region else region_key,
        },
        "edition": edition,
        "levels": counts,
        "total": sum(counts.values()),
        "functional_zones": zones,
        "departments": departments,
        "installed_departments": installed,
        "approximate": approximate,
        "synthetic": synthetic,
        "pairings": pairings,
        "reference": {
            "source": reference.get("source", ""),
            "date": reference.get("date", ""),
            "rows": rows,
        },
        "explanation": _explain(
            counts,
            zones,
            station_codes,
            reference,
            edition,
            installed,
            synthetic.get("practice_point", 0),
        ),
    }


def _explain(
    counts: Mapping[str, int],
    zones: Mapping[str, int],
    station_codes: list[str],
    reference: Mapping[str, Any],
    edition: str,
    installed: int,
    synthetic_points: int = 0,
) -> list[str]:
    """Why the loaded counts differ from the published ones, from the data itself."""
    lines: list[str] = []
    when = reference.get("date") or "the reference date"
    if "center" in reference:
        n, ref = counts["center"], int(reference["center"])
        verdict = "the same" if n == ref else f"{n - ref:+d}"
        lines.append(
            f"centers: {n} loaded, {ref} published ({verdict}): one per county-level unit of "
            "the division table."
        )
    if "institute" in reference:
        n, ref, fz = counts["institute"], int(reference["institute"]), zones.get("institute", 0)
        formal = n - fz
        text = (
            f"institutes: {n} loaded, {ref} published ({n - ref:+d}): the division table "
            f"({edition}) has {n} town-level units, {formal} formal subdistricts and towns plus "
            f"{fz} functional zones (development zones and similar units, NBS codes ending "
            "400–599, marked functional_zone)."
        )
        if formal <= ref <= n:
            text += (
                f" The published {ref} counts the institutes set up by {when}; it lies between "
                f"{formal} and {n}, so it includes some functional zones but not all. Every "
                f"unit gets an institute here; filter functional_zone = false for the formal {formal}."
            )
        lines.append(text)
    if "station" in reference:
        n, ref, fz = counts["station"], int(reference["station"]), zones.get("station", 0)
        numeric = [c for c in station_codes if len(c) == 12 and c.isdigit()]
        communities = sum(1 <= int(c[-3:]) <= 199 for c in numeric)
        villages = sum(200 <= int(c[-3:]) <= 399 for c in numeric)
        lines.append(
            f"stations: {n} loaded, {ref} published ({n - ref:+d}): the division table has "
            f"{n} village-level units ({communities} residents' committees, {villages} village "
            f"committees, {fz} placeholder units such as virtual communities of functional "
            f"zones, marked functional_zone). The published {ref} counts stations set up by "
            f"{when}. The bulletin does not list its stations, so the gap cannot be itemised; "
            f"{fz} of it are the placeholder units, and the rest is most likely communities "
            "created or split between that count and the table's state, or "
            "served by a neighbouring unit's station. Every unit gets a station here."
        )
    if "subcenter" in reference:
        n, ref = counts["subcenter"], int(reference["subcenter"])
        lines.append(
            f"sub-centers: {n} loaded, {ref} published: one per installed department plugin "
            f"({installed} installed)."
        )
    if "practice_point" in reference:
        n, ref = counts["practice_point"], int(reference["practice_point"])
        made_up = (
            f" ({synthetic_points} of them synthetic, generated by 'wenming network "
            "synthesize' to reach the published scale; not real sites)"
            if synthetic_points
            else ""
        )
        lines.append(
            f"practice points: {n} loaded{made_up}, {ref}+ published: the published points "
            "are not public data; a deployment adds its own with 'wenming network load FILE' "
            "or the Python API (add_sites)."
        )
    return lines
