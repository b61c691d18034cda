"""Checking a request's fields against the registry: names qualified into their
namespace, division codes, months. Shared by supply and submit; raises
:class:`~wenming.orders.errors.InvalidInput` naming the field."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from wenming.orders.errors import InvalidInput

_LABEL = {
    "categories": "category",
    "audiences": "audience",
    "templates": "template",
    "site_types": "site type",
}
_CODE_RE = re.compile(r"^[0-9]{2,12}$")


def qualify(registry: Any, table: str, value: str, what: str, own: str) -> str:
    """The registry name ``value`` stands for: as given when namespaced, else in the
    contributing plugin's namespace, then core's, then the only match anywhere."""
    known: Mapping[str, Any] = getattr(registry, table)
    if "." in value:
        if value in known:
            return value
    else:
        for ns in (own, "core"):
            if f"{ns}.{value}" in known:
                return f"{ns}.{value}"
        matches = [k for k in known if k.split(".", 1)[1] == value]
        if len(matches) == 1:
            return matches[0]
    raise InvalidInput(f"{what}: unknown {_LABEL[table]} {value!r}")


def check_code(what: str, code: Any) -> None:
    """An administrative division code: digits only."""
    if not isinstance(code, str) or not _CODE_RE.match(code):
        raise InvalidInput(f"{what} must be an administrative division code (digits), got {code!r}")


def months_between(start: dt.date, end: dt.date) -> set[int]:
    """The calendar months a window touches."""
    months: set[int] = set()
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month) and len(months) < 12:
        months.add(m)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def department_of(registry: Any, key: str | None) -> str | None:
    """The department a resource key belongs to (``water.corps`` → ``water``), if installed."""
    if key is None:
        return None
    dept = key.split(".", 1)[0]
    return dept if dept in registry.departments else None
