"""What a requester asks for (点单), as the matching engine reads it.

Only attrs and the standard library are imported here, so the CLI and other areas
can build demands without loading NumPy.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import attrs
from attrs import field, frozen

from wenming.errors import WenmingError


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v for v in value.replace(";", " ").replace(",", " ").split() if v)
    return tuple(value)


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise ValueError(f"expected an ISO date (YYYY-MM-DD), got {value!r}")


def _opt_float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


def _headcount(value: Any) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number, got {value!r}")
    number = float(value)
    if number < 0 or number != int(number):
        raise ValueError(f"must be a whole number ≥ 0, got {value!r}")
    return int(number)


@frozen
class Demand:
    """One demand to match: what service, for whom, how many people, where and when.

    ``category``, ``audiences``, ``template`` and ``departments`` are registry IDs;
    unqualified ones are resolved by the engine (the template's plugin, then
    ``core``, then the only plugin that has the name). ``tags`` are free words
    compared with resources' tags and skills. ``place`` is a division code (village,
    town or county); ``lng``/``lat`` refine it. ``start``/``end`` bound the days the
    service may happen; ``None`` means any time. ``headcount`` 0 means unknown.
    A demand with ``departments`` (or a joint ``template``) needs one resource from
    each of them (拼单); see :meth:`wenming.matching.Engine.joint`.
    """

    id: str = field(converter=str)
    category: str | None = None
    tags: tuple[str, ...] = field(default=(), converter=_tuple)
    audiences: tuple[str, ...] = field(default=(), converter=_tuple)
    headcount: int = field(default=0, converter=_headcount)
    place: str = ""
    lng: float | None = field(default=None, converter=_opt_float)
    lat: float | None = field(default=None, converter=_opt_float)
    start: date | None = field(default=None, converter=_date)
    end: date | None = field(default=None, converter=_date)
    template: str | None = None
    departments: tuple[str, ...] = field(default=(), converter=_tuple)

    def __attrs_post_init__(self) -> None:
        if not self.id:
            raise ValueError("id must not be empty")
        if (self.lng is None) != (self.lat is None):
            raise ValueError("give both lng and lat, or neither")
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if not self.place and self.lng is None:
            raise ValueError("give a place (division code) or lng/lat")
        from wenming.records import check_date, check_field  # the valid ranges, once

        check_field("lng", self.lng)
        check_field("lat", self.lat)
        if self.headcount:  # 0: unknown
            check_field("headcount", self.headcount)
        for name in ("start", "end"):
            if getattr(self, name) is not None:
                check_date(name, getattr(self, name))

    @property
    def day(self) -> date | None:
        """The day the service is booked for in batch dispatch: the window's start."""
        return self.start or self.end

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (dates as ISO strings); :meth:`from_mapping` reads it back."""
        out = attrs.asdict(self, recurse=False)
        for key in ("tags", "audiences", "departments"):
            out[key] = list(out[key])
        for key in ("start", "end"):
            out[key] = out[key].isoformat() if out[key] else None
        return out

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "demand") -> Demand:
        """Build a demand from JSON/CSV fields, naming ``source`` and the field on error.

        ``date`` is accepted as shorthand for ``start`` = ``end``.
        """
        if not isinstance(data, Mapping):
            raise WenmingError(f"{source}: expected an object with demand fields, got {data!r}")
        known = {f.name for f in attrs.fields(cls)}
        values = dict(data)
        if "date" in values:
            day = values.pop("date")
            values.setdefault("start", day)
            values.setdefault("end", day)
        unknown = sorted(set(values) - known)
        if unknown:
            raise WenmingError(
                f"{source}: unknown field(s) {', '.join(unknown)} "
                f"(known: date, {', '.join(sorted(known))})"
            )
        if not values.get("id"):
            raise WenmingError(f"{source}: field 'id' is required")
        for name in ("category", "template", "place"):
            value = values.get(name)
            if value == "":
                values[name] = None if name != "place" else ""
            elif value is not None and not isinstance(value, str):
                raise WenmingError(f"{source}: field {name!r} must be a string, got {value!r}")
        for name, convert in (
            ("headcount", _headcount),
            ("lng", _opt_float),
            ("lat", _opt_float),
            ("start", _date),
            ("end", _date),
        ):
            if name in values:
                try:
                    values[name] = convert(values[name])
                except (TypeError, ValueError) as exc:
                    raise WenmingError(f"{source}: field {name!r}: {exc}") from None
        try:
            return cls(**values)
        except (TypeError, ValueError) as exc:
            raise WenmingError(f"{source}: {exc}") from None


def read_demands(path: Path) -> list[Demand]:
    """Demands from a JSON file (one object or a list) or a CSV file with a header row.

    CSV list fields (``tags``, ``audiences``, ``departments``) are separated by spaces,
    commas or semicolons. Errors name the file and the row or item.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise WenmingError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise WenmingError(f"{path}: not UTF-8 (byte {exc.start})") from None
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        if not rows:
            raise WenmingError(f"{path}: no demand rows under the header")
        items: Iterable[tuple[str, Any]] = (
            (f"{path}, row {i}", {k.strip(): (v or "").strip() for k, v in row.items() if k})
            for i, row in enumerate(rows, start=2)
        )
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise WenmingError(f"{path}: invalid JSON: {exc}") from None
        if isinstance(data, Mapping):
            data = data.get("demands", [data]) if "demands" in data else [data]
        if not isinstance(data, list):
            raise WenmingError(f"{path}: expected a demand object or a list of them")
        items = ((f"{path}, item {i}", item) for i, item in enumerate(data))
    demands = [Demand.from_mapping(item, source=where) for where, item in items]
    seen: dict[str, int] = {}
    for i, d in enumerate(demands):
        if d.id in seen:
            raise WenmingError(f"{path}: demand id {d.id!r} appears twice")
        seen[d.id] = i
    return demands
