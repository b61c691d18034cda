"""Column values as the database drivers take and give them, without SQLAlchemy.

wenming's tables store four kinds of value that the drivers do not convert by
themselves the way the tables' column types do: UTC datetimes, JSON, dates and
booleans. :func:`converters` gives, per backend, the two conversions of each kind —
the value a statement's parameter must carry, and the Python value a result holds —
exactly as the column types convert them (:class:`wenming.storage.types.UTCDateTime`,
SQLAlchemy's ``JSON``, ``Date`` and ``Boolean``). Both code paths that run plain SQL on
a driver use them: the transitions' statements (:mod:`wenming.orders.sql`) and the
light reads (:mod:`wenming.storage.light`). SQLite and PostgreSQL (psycopg) only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

Convert = Callable[[Any], Any]

#: The kinds of column value that need a conversion on some backend.
KINDS: tuple[str, ...] = ("datetime", "json", "date", "bool")

#: A named parameter (``:name``) of a plain statement; ``::`` casts are not parameters.
PARAM = re.compile(r"(?<![:\w]):(\w+)")


def sqlite_datetime_in(value: dt.datetime) -> str:
    tz = value.tzinfo
    if tz is None:
        raise ValueError(f"naive datetime {value!r}: wenming stores UTC-aware datetimes")
    if tz is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def sqlite_datetime_out(value: Any) -> dt.datetime:
    v = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return v.replace(tzinfo=dt.UTC) if v.tzinfo is None else v.astimezone(dt.UTC)


def pg_datetime_in(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: wenming stores UTC-aware datetimes")
    return value.astimezone(dt.UTC)


def pg_datetime_out(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def date_out(value: Any) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def json_out(value: Any) -> Any:
    if value == "[]":  # most lists stored (a part's exclusions, its resource kinds)
        return []
    return json.loads(value) if isinstance(value, str | bytes) else value


def pg_json_in(value: Any) -> Any:
    from psycopg.types.json import Json

    return Json(value)


def skip_none(fn: Convert) -> Convert:
    return lambda v: None if v is None else fn(v)


def converters(backend: str) -> dict[str, tuple[Convert | None, Convert | None]]:
    """``kind → (parameter conversion, result conversion)`` on ``backend``; ``None``
    where the driver's own value is already the right one."""
    if backend == "sqlite":
        return {
            "datetime": (skip_none(sqlite_datetime_in), skip_none(sqlite_datetime_out)),
            "json": (json.dumps, skip_none(json_out)),
            "date": (skip_none(dt.date.isoformat), skip_none(date_out)),
            "bool": (skip_none(int), skip_none(bool)),
        }
    if backend == "postgresql":
        return {
            "datetime": (skip_none(pg_datetime_in), skip_none(pg_datetime_out)),
            "json": (pg_json_in, None),
            "date": (None, None),
            "bool": (None, None),
        }
    raise ValueError(f"no driver conversions for {backend!r}")


def driver_sql(sql: str, backend: str) -> str:
    """A statement with ``:name`` parameters in the driver's own style: SQLite takes
    them as they are, psycopg as ``%(name)s`` (and a literal ``%`` doubled)."""
    return sql if backend == "sqlite" else PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))
