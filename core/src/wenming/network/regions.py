"""Region datasets: a city's administrative divisions, and where each division is.

A region dataset is a folder in the NBS three-file layout (see ``docs/network.md``)::

    region.toml     code, name, datum of the county coordinates, published figures
    counties.csv    code,name,parent_code[,lng,lat,center_lng,center_lat]
    towns.csv       code,name,county_code
    villages.csv    code,name,town_code

Packaged datasets live in ``wenming/data/regions/<name>/``; any other city can be
loaded from a folder of its own in the same layout. Nothing here needs a database:
:func:`locate` answers from the files alone and caches what it read.

Positions: county points are converted from the dataset's datum to WGS-84. Towns
and villages have no coordinates in the data, so each gets a deterministic
approximate position (:func:`wenming.network.geo.spread`): a town within its
county's radius of the county point, a village within a third of that radius of its
town's point. A county's radius is half the distance to the nearest other county
point, clamped to 2–12 km, so towns of the compact urban districts stay in the city
and those of the large counties spread out. The city itself sits at the mean of its
county points. Everything but the county points is marked ``approximate``.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import frozen

from wenming.errors import ConfigError, WenmingError
from wenming.network import geo

if TYPE_CHECKING:
    from wenming.deployment import Deployment

#: Folder of the packaged region datasets.
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "regions"

#: Division levels, from the city down, and the site level each one becomes.
DIVISION_LEVELS: tuple[str, ...] = ("city", "county", "town", "village")
SITE_LEVEL = {"county": "center", "town": "institute", "village": "station"}

MIN_COUNTY_RADIUS_KM = 2.0
MAX_COUNTY_RADIUS_KM = 12.0
DEFAULT_COUNTY_RADIUS_KM = 8.0
VILLAGE_RADIUS_SHARE = 1.0 / 3.0


@frozen
class Division:
    """One administrative division with its WGS-84 position.

    ``functional_zone`` marks NBS units coded 400–599 at town or village level:
    development zones and similar units treated like a town (类似乡级单位) or like a
    village committee (类似居委会/村委会), which are not formal divisions.
    """

    code: str
    name: str
    level: str
    parent_code: str | None
    lng: float
    lat: float
    approximate: bool
    functional_zone: bool = False


@frozen
class Region:
    """A loaded region dataset."""

    key: str
    path: Path
    code: str
    name: str
    name_en: str
    datum: str
    edition: str
    reference: Mapping[str, Any]
    divisions: Mapping[str, Division]

    def at_level(self, level: str) -> list[Division]:
        """The divisions of one level (``county``, ``town``, ``village``), by code."""
        return [d for d in self.divisions.values() if d.level == level]

    def county_of(self, code: str) -> str:
        """The county code a division code belongs to (its 6-digit prefix)."""
        return code[:6]


def is_functional_zone(code: str) -> bool:
    """NBS rule: the last three digits 400–599 mark a unit treated like a town/village."""
    return len(code) in (9, 12) and 400 <= int(code[-3:]) <= 599


def packaged_regions() -> list[str]:
    """Names of the region datasets shipped with wenming."""
    return list(_packaged_regions())


@cache
def _packaged_regions() -> tuple[str, ...]:
    # the package's data folder does not change while a process runs; every order
    # submitted looks its place up here, so the folder is listed once
    if not DATA_DIR.is_dir():
        return ()
    return tuple(sorted(p.name for p in DATA_DIR.iterdir() if (p / "region.toml").is_file()))


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 CSV file with their line numbers; errors name the file and line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: missing file of the region dataset") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line}: not UTF-8 (byte {exc.start})") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns if c not in (reader.fieldnames or ())]
    if missing:
        raise ConfigError(f"{path}: line 1: missing column(s) {', '.join(missing)}")
    return [(reader.line_num, row) for row in reader]


def _float(path: Path, line: int, row: dict[str, str], column: str) -> float | None:
    value = (row.get(column) or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise ConfigError(
            f"{path}: line {line}, field {column!r}: not a number: {value!r}"
        ) from None


def read_region(source: str | Path) -> Region:
    """Read a region dataset by packaged name (``"suzhou"``) or folder path."""
    folder = Path(source)
    if not folder.is_dir():
        folder = DATA_DIR / str(source)
        if not (folder / "region.toml").is_file():
            known = ", ".join(packaged_regions()) or "none"
            raise WenmingError(
                f"no region dataset {str(source)!r}: give a folder, or one of: {known}"
            )
    return _read_region(folder.resolve())


def deployment_region(deployment: Deployment) -> str:
    """A deployment's region: a packaged dataset's name, or a folder (a relative one is
    next to the deployment file)."""
    region = deployment.config.region
    if deployment.path is not None and ("/" in region or "\\" in region):
        folder = Path(region)
        if not folder.is_absolute():
            region = str(deployment.path.parent / folder)
    return region


def region_dataset(region: str) -> Region | None:
    """A region dataset, or ``None`` if it cannot be read (a network built from
    imported files alone has no published figures to compare with)."""
    try:
        return read_region(region)
    except WenmingError:
        return None


@cache
def _read_region(folder: Path) -> Region:
    meta_path = folder / "region.toml"
    try:
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{meta_path}: missing file of the region dataset") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{meta_path}: {exc}") from None
    for key in ("code", "name"):
        if not isinstance(meta.get(key), str):
            raise ConfigError(f"{meta_path}: {key!r} must be a string")
    city = meta["code"]
    datum = str(meta.get("datum", "wgs84"))
    if datum not in geo.TO_WGS84:
        raise ConfigError(f"{meta_path}: datum {datum!r} is not one of wgs84, gcj02, bd09")
    point = str(meta.get("point", "center"))
    lng_col, lat_col = ("center_lng", "center_lat") if point == "center" else ("lng", "lat")

    counties: dict[str, tuple[str, float | None, float | None]] = {}
    path = folder / "counties.csv"
    for line, row in _read_csv(path, ("code", "name", "parent_code")):
        code = row["code"].strip()
        if row["parent_code"].strip() != city:
            raise ConfigError(
                f"{path}: line {line}, field 'parent_code': {row['parent_code']!r} is not the "
                f"region's code {city!r}"
            )
        lng, lat = _float(path, line, row, lng_col), _float(path, line, row, lat_col)
        if lng is not None and lat is not None:
            try:
                geo.check_lnglat(lng, lat)
            except ValueError as exc:
                raise ConfigError(f"{path}: line {line}, field {lng_col!r}: {exc}") from None
            lng, lat = geo.to_wgs84(lng, lat, datum)
        counties[code] = (row["name"].strip(), lng, lat)
    if not counties:
        raise ConfigError(f"{path}: no counties")

    known = [(c, v[1], v[2]) for c, v in counties.items() if v[1] is not None]
    if not known:
        raise ConfigError(f"{path}: no county has coordinates, so nothing can be placed")
    city_lng = sum(k[1] for k in known) / len(known)
    city_lat = sum(k[2] for k in known) / len(known)

    divisions: dict[str, Division] = {
        city: Division(
            code=city,
            name=meta["name"],
            level="city",
            parent_code=None,
            lng=city_lng,
            lat=city_lat,
            approximate=True,
        )
    }
    radius: dict[str, float] = {}
    for code, (name, lng, lat) in counties.items():
        approximate = lng is None or lat is None
        if approximate:
            lng, lat = geo.spread(code, (city_lng, city_lat), 2 * DEFAULT_COUNTY_RADIUS_KM)
        others = [geo.haversine_km(lng, lat, k[1], k[2]) for k in known if k[0] != code]
        half = min(others) / 2 if others else DEFAULT_COUNTY_RADIUS_KM
        radius[code] = min(MAX_COUNTY_RADIUS_KM, max(MIN_COUNTY_RADIUS_KM, half))
        divisions[code] = Division(code, name, "county", city, lng, lat, approximate)

    for level, file, parent_col, parent_level in (
        ("town", "towns.csv", "county_code", "county"),
        ("village", "villages.csv", "town_code", "town"),
    ):
        path = folder / file
        for line, row in _read_csv(path, ("code", "name", parent_col)):
            code, parent = row["code"].strip(), row[parent_col].strip()
            up = divisions.get(parent)
            if up is None or up.level != parent_level:
                raise ConfigError(
                    f"{path}: line {line}, field {parent_col!r}: unknown {parent_level} {parent!r}"
                )
            if code in divisions:
                raise ConfigError(f"{path}: line {line}, field 'code': duplicate code {code!r}")
            r = radius[code[:6]] if level == "town" else radius[code[:6]] * VILLAGE_RADIUS_SHARE
            lng, lat = geo.spread(code, (up.lng, up.lat), r)
            divisions[code] = Division(
                code, row["name"].strip(), level, parent, lng, lat, True, is_functional_zone(code)
            )
    return Region(
        key=folder.name,
        path=folder,
        code=city,
        name=meta["name"],
        name_en=str(meta.get("name_en", meta["name"])),
        datum=datum,
        edition=str(meta.get("edition", "")),
        reference=dict(meta.get("reference", {})),
        divisions=divisions,
    )


def normalize_code(code: str) -> str:
    """Short NBS form of a code: ``320585100000`` (12 digits, zero-padded) → ``320585100``."""
    code = code.strip()
    if len(code) == 12 and code.isdigit():
        for keep in (4, 6, 9):
            if code[keep:] == "0" * (12 - keep):
                return code[:keep]
    return code


def region_for(code: str) -> Region:
    """The packaged region whose city code prefixes ``code``."""
    found = _region_for(code[:4])
    if found is None or not code.startswith(found.code):
        raise WenmingError(f"no packaged region dataset covers division code {code!r}")
    return found


@cache
def _region_for(city: str) -> Region | None:
    # regions are keyed by their 4-digit city code; looked up once per city
    for name in _packaged_regions():
        region = read_region(name)
        if city.startswith(region.code):
            return region
    return None


def locate(code: str) -> tuple[float, float, bool]:
    """WGS-84 ``(lng, lat, approximate)`` of a city, county, town or village code.

    Answers from the packaged region data (no database), cached. County points are
    converted from the data's datum; towns, villages and the city are approximate
    (see the module docstring for the method). Unknown codes raise ``WenmingError``.
    """
    short = normalize_code(str(code))
    region = region_for(short)
    division = region.divisions.get(short)
    if division is None:
        raise WenmingError(f"unknown division code {code!r} in region {region.key!r}")
    return division.lng, division.lat, division.approximate
