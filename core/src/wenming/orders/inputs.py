"""The workflow's input checks, in one place: a request's fields against the registry
(names qualified into their namespace, division codes, months) and the valid ranges
of :mod:`wenming.records` applied to each request where it enters the Python API (and
so the CLI and the HTTP API on it), plus the one check records cannot make alone: a
place is a real division.

A refusal is an :class:`~wenming.orders.errors.InvalidInput` naming the field (an
order ID out of range is simply no order: :class:`~wenming.orders.errors.NotFound`);
nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from wenming.errors import WenmingError
from wenming.orders.errors import InvalidInput, NotFound
from wenming.records import check_code as _division_code
from wenming.records import check_field, check_fields, check_text, check_window

if TYPE_CHECKING:
    from wenming.storage import Storage

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


# ---------------------------------------------------------------------- valid ranges


def division(storage: Storage, name: str, code: Any) -> str:
    """``code`` must be a division the region data knows (a city, county, town or
    village code), or a site of the network loaded into this deployment."""
    try:
        _division_code(name, code)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    try:
        from wenming.network import locate

        locate(code)
        return code
    except WenmingError:
        pass
    from sqlalchemy import select

    from wenming.storage.tables import Site

    t = Site.__table__
    with storage.session() as s:
        if s.execute(select(t.c.id).where(t.c.code == code)).first() is not None:
            return code
    raise InvalidInput(
        f"{name}: {code} is no division in the region data nor a site of the loaded network"
    )


def submit(storage: Storage, actor_id: str, values: Mapping[str, Any]) -> None:
    """A demand: headcount, window, coordinates, texts, place and site."""
    check_fields(
        InvalidInput,
        actor=actor_id,
        headcount=values.get("headcount"),
        lng=values.get("lng"),
        lat=values.get("lat"),
        description=values.get("description"),
        idempotency_key=values.get("idempotency_key"),
    )
    if (values.get("lng") is None) != (values.get("lat") is None):
        raise InvalidInput("lng and lat go together: give both or neither")
    _tags(values.get("tags"))
    start, end = values.get("start"), values.get("end") or values.get("start")
    try:
        check_window(start, end)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    division(storage, "place", values.get("place"))
    if values.get("site") is not None:
        division(storage, "site", values["site"])


def publish(storage: Storage, actor_id: str, values: Mapping[str, Any]) -> None:
    """A published resource: capacity, members, reach, coordinates, months, texts and
    the place and served areas."""
    check_fields(
        InvalidInput,
        actor=actor_id,
        capacity=values.get("capacity"),
        members=values.get("members"),
        reach_km=values.get("reach_km"),
        lng=values.get("lng"),
        lat=values.get("lat"),
        name_en=values.get("name_en"),
        schedule=values.get("schedule"),
        description=values.get("description"),
    )
    _tags(values.get("tags"))
    _tags(values.get("skills"))
    try:
        check_text("name_zh", values.get("name_zh"), required=True)
        for m in values.get("months") or ():
            check_field("months", m, bounds="month")
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    if (values.get("lng") is None) != (values.get("lat") is None):
        raise InvalidInput("lng and lat go together: give both or neither")
    division(storage, "place", values.get("place"))
    for code in values.get("serves") or ():
        division(storage, "serves", code)


def _tags(words: Iterable[Any] | None) -> None:
    for word in words or ():
        try:
            check_text("tag", word, required=True)
        except ValueError as exc:
            raise InvalidInput(f"tags: {exc}") from None


def texts(**values: Any) -> None:
    """Free texts of an action (reason, comment, volunteer names …)."""
    check_fields(InvalidInput, **values)


def volunteers(served: Iterable[tuple[Any, Any]]) -> None:
    """The names of the volunteers a completion lists."""
    for name, _hours in served:
        check_fields(InvalidInput, volunteer=name)


def order_id(value: Any) -> int:
    """An order ID the database can hold; any other is simply no order."""
    try:
        return check_field("order_id", value)
    except ValueError:
        raise NotFound("no order with that ID (out of range)") from None


def paging(limit: Any, offset: Any) -> None:
    """A listing's ``limit`` and ``offset``."""
    check_fields(InvalidInput, limit=limit, offset=offset)
