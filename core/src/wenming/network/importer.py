"""Importing sites: an all-or-nothing importer for CSV, JSON and GeoJSON, and the region loader.

Every row is checked before anything is written; the rows are then inserted with one
SQLAlchemy Core ``INSERT`` in one transaction. A bad row stops the import with an
:class:`SiteImportError` naming the file, the row and the field, and the database is
unchanged. The column format (documented in ``docs/network.md``):

==================  =====================================================================
column              meaning
==================  =====================================================================
``code``            unique site code (NBS division code for territorial sites)
``name``            display name
``site_type``       registry ID (``core.station``, ``water.waterworks``; a bare name is
                    looked up as ``core.<name>``); may be left out when ``level`` is a
                    core level
``level``           optional; must agree with the site type's level
``parent_code``     territorial parent: station → institute → center → guidance center;
                    for an industry site the territorial site it sits in
``line_code``       industry parent: practice point → sub-center → guidance center
                    (defaults to the department's sub-center / the guidance center)
``department``      for sub-centers and practice points (defaults to the site type's plugin)
``lng``, ``lat``    coordinates; optional (a position near the parent is estimated and
                    the site marked approximate)
``datum``           ``wgs84`` (default), ``gcj02`` or ``bd09``; stored as WGS-84
``approximate``,    booleans (``true``/``false``/``1``/``0``/empty)
``functional_zone``,
``synthetic``
``name_en``         optional English name
==================  =====================================================================
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import define, field

from wenming.errors import WenmingError
from wenming.network import geo
from wenming.records import INDUSTRY_LEVELS, LEVELS, TERRITORIAL_LEVELS, TEXT_MAX, check_text

if TYPE_CHECKING:
    from wenming.registry import Registry
    from wenming.storage import Storage

#: Columns of the import/export format, in export order.
COLUMNS: tuple[str, ...] = (
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
    "datum",
    "approximate",
    "functional_zone",
    "synthetic",
)
_BOOL_COLUMNS = ("approximate", "functional_zone", "synthetic")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}

#: Allowed territorial parent levels, by level (``None``: no parent allowed/needed).
PARENT_LEVELS: dict[str, tuple[str, ...]] = {
    "guidance_center": (),
    "center": ("guidance_center",),
    "institute": ("center",),
    "station": ("institute",),
    "subcenter": ("guidance_center", *TERRITORIAL_LEVELS),
    "practice_point": TERRITORIAL_LEVELS,
}
#: Levels whose territorial parent is required.
PARENT_REQUIRED = ("institute", "station", "practice_point")
#: Allowed industry parent level, by level.
LINE_LEVELS: dict[str, str] = {"subcenter": "guidance_center", "practice_point": "subcenter"}

#: Order in which levels are checked and inserted, so parents come first.
LEVEL_RANK: dict[str, int] = {
    "guidance_center": 0,
    "center": 1,
    "institute": 2,
    "station": 3,
    "subcenter": 4,
    "practice_point": 5,
}

#: Radius (km) of the disc an estimated position is drawn from, around the parent.
APPROX_RADIUS_KM: dict[str, float] = {
    "guidance_center": 2.0,
    "center": 10.0,
    "subcenter": 3.0,
    "institute": 5.0,
    "station": 1.5,
    "practice_point": 1.0,
}


class SiteImportError(WenmingError):
    """A row that cannot be imported; names the file, the row and the field."""

    def __init__(self, source: str, row: int | None, field: str | None, message: str) -> None:
        self.source = source
        self.row = row
        self.field = field
        self.reason = message
        where = source
        if row is not None:
            where += f": row {row}"
        if field is not None:
            where += f", field {field!r}" if row is not None else f": field {field!r}"
        super().__init__(f"{where}: {message}")


@define
class ImportReport:
    """What an import wrote (or, for a region load, also what was already there)."""

    source: str
    added: dict[str, int] = field(factory=dict)
    kept: int = 0
    approximate: int = 0

    @property
    def total(self) -> int:
        return sum(self.added.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "added": dict(self.added),
            "total": self.total,
            "kept": self.kept,
            "approximate": self.approximate,
        }


# ---------------------------------------------------------------------------- reading


def read_rows(path: str | Path) -> list[tuple[int, dict[str, Any]]]:
    """Rows of a CSV, JSON or GeoJSON file with their row numbers.

    CSV rows are numbered like a spreadsheet (the header is row 1, so the first site
    is row 2); JSON items from 1. A JSON file is a list of objects, an object with a
    ``sites`` list, or a GeoJSON FeatureCollection (as ``network export`` writes).
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise SiteImportError(str(p), None, None, "no such file") from None
    except IsADirectoryError:
        raise SiteImportError(str(p), None, None, "is a folder, not a file") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        row = raw[: exc.start].count(b"\n") + 1
        field_name = None
        if p.suffix.lower() == ".csv":
            header = raw.split(b"\n", 1)[0].decode("utf-8", "replace").strip().split(",")
            column = raw[line_start : exc.start].count(b",")
            field_name = header[column] if column < len(header) else None
        raise SiteImportError(
            str(p),
            row,
            field_name,
            f"not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
        ) from None
    if p.suffix.lower() in (".json", ".geojson"):
        return _json_rows(str(p), text)
    return _csv_rows(str(p), text)


def _csv_rows(source: str, text: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise SiteImportError(source, None, None, "empty file (no header row)") from None
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise SiteImportError(
            source, 1, unknown[0], f"unknown column (known: {', '.join(COLUMNS)})"
        )
    for required in ("code", "name"):
        if required not in header:
            raise SiteImportError(source, 1, required, "missing column")
    rows: list[tuple[int, dict[str, Any]]] = []
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a field over the csv module's size limit
            raise SiteImportError(source, reader.line_num, None, f"unreadable CSV: {exc}") from None
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise SiteImportError(
                source,
                reader.line_num,
                None,
                f"{len(values)} values for {len(header)} columns",
            )
        rows.append((reader.line_num, dict(zip(header, values, strict=True))))
    return rows


def _json_rows(source: str, text: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SiteImportError(source, None, None, f"invalid JSON: {exc}") from None
    except RecursionError:
        raise SiteImportError(source, None, None, "invalid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python reads
        raise SiteImportError(source, None, None, f"invalid JSON: {exc}") from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        items = []
        for n, feature in enumerate(data.get("features") or [], start=1):
            if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
                raise SiteImportError(source, n, "properties", "a feature needs properties")
            item = dict(feature["properties"])
            geometry = feature.get("geometry") or {}
            if not isinstance(geometry, dict):
                raise SiteImportError(
                    source, n, "geometry", f"expected an object, got {type(geometry).__name__}"
                )
            coords = geometry.get("coordinates")
            if coords is not None:
                if not (isinstance(coords, list) and len(coords) >= 2):
                    raise SiteImportError(source, n, "geometry", "expected [lng, lat] coordinates")
                item["lng"], item["lat"] = coords[0], coords[1]
            items.append(item)
    elif isinstance(data, dict) and isinstance(data.get("sites"), list):
        items = data["sites"]
    elif isinstance(data, list):
        items = data
    else:
        raise SiteImportError(
            source, None, None, "expected a list of sites, {'sites': [...]} or a FeatureCollection"
        )
    rows = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise SiteImportError(source, n, None, f"expected an object, got {type(item).__name__}")
        unknown = [k for k in item if k not in COLUMNS and k != "pairings"]
        if unknown:
            raise SiteImportError(
                source, n, unknown[0], f"unknown key (known: {', '.join(COLUMNS)})"
            )
        rows.append((n, item))
    return rows


# ---------------------------------------------------------------------------- checking


@define
class _Known:
    """What the checker knows of a site (from the database or an earlier row)."""

    level: str
    department: str | None
    lng: float | None
    lat: float | None


#: Columns that hold text (a list or an object there is refused, not stringified).
_TEXT_COLUMNS = (
    "code",
    "name",
    "name_en",
    "level",
    "site_type",
    "parent_code",
    "line_code",
    "department",
    "datum",
)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()


def _bool(source: str, row: int, name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SiteImportError(source, row, name, f"expected true or false, got {value!r}")


def _number(source: str, row: int, name: str, value: Any) -> float | None:
    if isinstance(value, bool):
        raise SiteImportError(source, row, name, f"expected a number, got {value!r}")
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:
            raise SiteImportError(
                source, row, name, "expected a finite number, got a huge one"
            ) from None
    elif not isinstance(value, str) and value is not None:
        raise SiteImportError(source, row, name, f"expected a number, got {type(value).__name__}")
    else:
        text = _text(value)
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise SiteImportError(source, row, name, f"expected a number, got {value!r}") from None
    if not math.isfinite(number):
        raise SiteImportError(source, row, name, f"expected a finite number, got {value!r}")
    return number


class _Checker:
    """Validates rows against the registry, the database and the earlier rows."""

    def __init__(self, source: str, registry: Registry, known: dict[str, _Known]) -> None:
        self.source = source
        self.registry = registry
        self.known = known
        self.new: dict[str, _Known] = {}
        self.rows: dict[str, int] = {}
        self.subcenters = {
            k.department: code for code, k in known.items() if k.level == "subcenter"
        }
        self.guidance = [code for code, k in known.items() if k.level == "guidance_center"]

    def fail(self, row: int, field_name: str | None, message: str) -> None:
        raise SiteImportError(self.source, row, field_name, message)

    def lookup(self, code: str) -> _Known | None:
        return self.new.get(code) or self.known.get(code)

    def site_type(self, row: int, item: Mapping[str, Any]) -> tuple[str, str]:
        raw_type = _text(item.get("site_type"))
        raw_level = _text(item.get("level"))
        if raw_level and raw_level not in LEVELS:
            self.fail(row, "level", f"unknown level {raw_level!r} (known: {', '.join(LEVELS)})")
        if not raw_type:
            if not raw_level:
                self.fail(row, "site_type", "give a site_type (or a level)")
            if raw_level == "practice_point":
                self.fail(row, "site_type", "a practice point needs its department's site type")
            raw_type = f"core.{raw_level}"
        type_id = raw_type if "." in raw_type else f"core.{raw_type}"
        site_type = self.registry.site_types.get(type_id)
        if site_type is None:
            similar = sorted(t for t in self.registry.site_types if t.endswith(f".{raw_type}"))
            hint = f"; did you mean {', '.join(similar)}?" if similar else ""
            self.fail(row, "site_type", f"unknown site type {raw_type!r}{hint}")
        if raw_level and raw_level != site_type.level:
            self.fail(
                row,
                "level",
                f"level {raw_level!r} does not match site type {type_id} (level {site_type.level!r})",
            )
        return type_id, site_type.level

    def check(self, row: int, item: Mapping[str, Any]) -> dict[str, Any]:
        for key in _TEXT_COLUMNS:
            value = item.get(key)
            if value is not None and not isinstance(value, str | int | float):
                self.fail(row, key, f"expected text, got {type(value).__name__}")
            if isinstance(value, str):
                try:
                    check_text(key if key in TEXT_MAX else "name", value)
                except ValueError as exc:
                    self.fail(row, key, str(exc))
        code = _text(item.get("code"))
        if not code:
            self.fail(row, "code", "missing code")
        if len(code) > 64:
            self.fail(row, "code", f"code longer than 64 characters: {code!r}")
        if code in self.new:
            self.fail(row, "code", f"duplicate code {code!r} (already in row {self.rows[code]})")
        if code in self.known:
            self.fail(row, "code", f"duplicate code {code!r} (already in the database)")
        name = _text(item.get("name"))
        if not name:
            self.fail(row, "name", "missing name")
        type_id, level = self.site_type(row, item)

        department = _text(item.get("department")) or None
        if level in INDUSTRY_LEVELS[1:]:
            if department is None:
                department = self.registry.department_of(type_id)
            if department is None:
                self.fail(row, "department", f"a {level} needs a department")
        if department is not None and department not in self.registry.departments:
            known = ", ".join(self.registry.departments) or "none installed"
            self.fail(row, "department", f"unknown department {department!r} (known: {known})")
        owner = self.registry.department_of(type_id)
        if owner is not None and department != owner:
            self.fail(
                row,
                "department",
                f"site type {type_id} belongs to department {owner!r}, not {department!r}",
            )

        parent = _text(item.get("parent_code")) or None
        if level == "center" and parent is None and self.guidance:
            parent = self.guidance[0]
        if parent is None and level in PARENT_REQUIRED:
            self.fail(row, "parent_code", f"a {level} needs a territorial parent")
        if parent is not None:
            up = self.lookup(parent)
            if up is None:
                self.fail(
                    row,
                    "parent_code",
                    f"unknown parent {parent!r} (not in the file or the database)",
                )
            allowed = PARENT_LEVELS[level]
            if up.level not in allowed:
                self.fail(
                    row,
                    "parent_code",
                    f"parent {parent!r} is a {up.level}; a {level}'s parent must be a "
                    + " or ".join(allowed or ("(none)",)),
                )

        line = _text(item.get("line_code")) or None
        if line is None and level == "practice_point":
            line = self.subcenters.get(department)
        if line is None and level == "subcenter" and self.guidance:
            line = self.guidance[0]
        if line is not None:
            if level not in LINE_LEVELS:
                self.fail(row, "line_code", f"a {level} has no industry parent")
            up = self.lookup(line)
            if up is None:
                self.fail(
                    row, "line_code", f"unknown parent {line!r} (not in the file or the database)"
                )
            if up.level != LINE_LEVELS[level]:
                self.fail(
                    row,
                    "line_code",
                    f"{line!r} is a {up.level}; a {level}'s line parent must be a {LINE_LEVELS[level]}",
                )
            if level == "practice_point" and up.department != department:
                self.fail(
                    row,
                    "line_code",
                    f"sub-center {line!r} is of department {up.department!r}, not {department!r}",
                )
        elif level == "practice_point":
            self.fail(row, "line_code", f"no sub-center of department {department!r}; add it first")

        lng = _number(self.source, row, "lng", item.get("lng"))
        lat = _number(self.source, row, "lat", item.get("lat"))
        approximate = _bool(self.source, row, "approximate", item.get("approximate"))
        if (lng is None) != (lat is None):
            self.fail(row, "lng" if lng is None else "lat", "give both lng and lat, or neither")
        if lng is not None and lat is not None:
            if not -180.0 <= lng <= 180.0:
                self.fail(row, "lng", f"coordinate out of range: longitude {lng} (-180 to 180)")
            if not -90.0 <= lat <= 90.0:
                self.fail(row, "lat", f"coordinate out of range: latitude {lat} (-90 to 90)")
            datum = _text(item.get("datum")) or "wgs84"
            try:
                lng, lat = geo.to_wgs84(lng, lat, datum)
            except ValueError as exc:
                self.fail(row, "datum", str(exc))
        else:
            anchor = self.lookup(parent) if parent else None
            if (anchor is None or anchor.lng is None) and line:
                anchor = self.lookup(line)
            if anchor is None or anchor.lng is None:
                self.fail(
                    row, "lng", "no coordinates, and no parent with a position to place it near"
                )
            lng, lat = geo.spread(code, (anchor.lng, anchor.lat), APPROX_RADIUS_KM[level])
            approximate = True

        self.new[code] = _Known(level, department, lng, lat)
        self.rows[code] = row
        if level == "subcenter":
            self.subcenters.setdefault(department, code)
        if level == "guidance_center":
            self.guidance.append(code)
        return {
            "code": code,
            "name": name,
            "name_en": _text(item.get("name_en")) or None,
            "level": level,
            "site_type": type_id,
            "parent_code": parent,
            "line_code": line,
            "department": department,
            "lng": lng,
            "lat": lat,
            "approximate": approximate,
            "functional_zone": _bool(
                self.source, row, "functional_zone", item.get("functional_zone")
            ),
            "synthetic": _bool(self.source, row, "synthetic", item.get("synthetic")),
        }

    def rank(self, item: Mapping[str, Any]) -> int:
        """Parents first: a file may list sites in any order."""
        level = _text(item.get("level"))
        if not level:
            raw = _text(item.get("site_type"))
            site_type = self.registry.site_types.get(raw if "." in raw else f"core.{raw}")
            level = site_type.level if site_type is not None else ""
        return LEVEL_RANK.get(level, -1)

    def check_all(self, rows: Iterable[tuple[int, Mapping[str, Any]]]) -> list[dict[str, Any]]:
        ordered = sorted(rows, key=lambda r: self.rank(r[1]))
        return [self.check(n, item) for n, item in ordered]


# ---------------------------------------------------------------------------- writing


def known_sites(storage: Storage) -> dict[str, _Known]:
    from sqlalchemy import select

    from wenming.storage.tables import Site

    t = Site.__table__
    with storage.engine.connect() as conn:
        result = conn.execute(select(t.c.code, t.c.level, t.c.department, t.c.lng, t.c.lat))
        return {r.code: _Known(r.level, r.department, r.lng, r.lat) for r in result}


def _insert(storage: Storage, source: str, rows: list[dict[str, Any]]) -> None:
    """One transaction, SQLAlchemy Core, in chunks (PostgreSQL caps bound parameters)."""
    from sqlalchemy.exc import IntegrityError

    from wenming.storage.tables import Site

    table = Site.__table__
    try:
        with storage.engine.begin() as conn:
            for start in range(0, len(rows), 2000):
                conn.execute(table.insert(), rows[start : start + 2000])
    except IntegrityError as exc:
        raise SiteImportError(
            source, None, "code", f"a code was written by someone else meanwhile: {exc.orig}"
        ) from None


def check_sites(
    storage: Storage,
    registry: Registry,
    rows: Iterable[Mapping[str, Any] | tuple[int, Mapping[str, Any]]],
    *,
    source: str = "rows",
) -> list[dict[str, Any]]:
    """Validate sites against the registry, the database and each other, writing nothing.

    Returns the rows ready for insertion into ``wm_site``; raises the importer's error
    naming source, row and field. For callers that write sites inside a larger
    transaction of their own (the synthetic deployment); others call :func:`add_sites`.
    """
    numbered = [r if isinstance(r, tuple) else (n, r) for n, r in enumerate(rows, start=1)]
    return _Checker(source, registry, known_sites(storage)).check_all(numbered)


def add_sites(
    storage: Storage,
    registry: Registry,
    rows: Iterable[Mapping[str, Any] | tuple[int, Mapping[str, Any]]],
    *,
    source: str = "rows",
) -> ImportReport:
    """Check and insert sites given as mappings (the import format's columns), all or nothing.

    How other areas (e.g. a synthetic deployment's 1,200 practice points) add sites.
    Rows may be ``(row_number, mapping)`` pairs; bare mappings are numbered from 1.
    """
    checked = check_sites(storage, registry, rows, source=source)
    if checked:
        _insert(storage, source, checked)
    report = ImportReport(source=source)
    for row in checked:
        report.added[row["level"]] = report.added.get(row["level"], 0) + 1
        report.approximate += bool(row["approximate"])
    return report


def import_file(storage: Storage, registry: Registry, path: str | Path) -> ImportReport:
    """Import a CSV, JSON or GeoJSON file of sites, all or nothing."""
    return add_sites(storage, registry, read_rows(path), source=str(path))
