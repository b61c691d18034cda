"""Reporting periods in the deployment's time zone.

Events are stored in UTC; a month, quarter or year is the one a person in the
deployment's time zone lives in (an order completed at 23:30 UTC on 31 July counts in
August in Suzhou). Counters are kept per month, quarter and year; any other range is
read as the months it covers.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from wenming.errors import WenmingError
from wenming.times import DEFAULT_TIMEZONE, local, zone

__all__ = ["DEFAULT_TIMEZONE", "check", "keys", "kind", "local_date", "months", "zone"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def local_date(at: dt.datetime, tz: str = DEFAULT_TIMEZONE) -> dt.date:
    """The calendar date of a UTC instant in the deployment's time zone."""
    return local(at, tz).date()


@cache
def keys(day: dt.date) -> tuple[str, str, str]:
    """The month, quarter and year a day counts in: ``("2027-08", "2027-Q3", "2027")``."""
    return (
        f"{day.year:04d}-{day.month:02d}",
        f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}",
        f"{day.year:04d}",
    )


def kind(period: str) -> str:
    """``month``, ``quarter`` or ``year`` for a stored period key."""
    if _MONTH.match(period):
        return "month"
    if _QUARTER.match(period):
        return "quarter"
    if _YEAR.match(period):
        return "year"
    raise WenmingError(
        f"period {period!r}: expected a month (2027-08), a quarter (2027-Q3) or a year (2027)"
    )


def check(period: str) -> str:
    """Return a valid stored period key, or raise naming what is wrong."""
    kind(period)
    m = _MONTH.match(period)
    if m and not 1 <= int(m.group(2)) <= 12:
        raise WenmingError(f"period {period!r}: month must be 01–12")
    return period


def months(start: dt.date, end: dt.date) -> list[str]:
    """The month keys a date range covers, in order (whole months only)."""
    if end < start:
        raise WenmingError(f"range {start} … {end}: the end is before the start")
    if (end.year - start.year) * 12 + end.month - start.month > 12 * 50:
        raise WenmingError(f"range {start} … {end}: at most 50 years")
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
