"""Times: stored in UTC, shown in the deployment's time zone.

Suzhou reads Beijing time, so a deployment's ``timezone`` defaults to
``Asia/Shanghai``; the database keeps UTC. Everything that prints a time for people
(the CLI's tables, timelines, exports) formats it with :func:`show`, so the rule
lives in one place.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from wenming.errors import ConfigError

DEFAULT_TIMEZONE = "Asia/Shanghai"


@lru_cache(maxsize=8)
def zone(name: str = DEFAULT_TIMEZONE) -> dt.tzinfo:
    """The IANA time zone ``name`` (``Asia/Shanghai``), or a :class:`ConfigError` saying so."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"timezone {name!r} is not an IANA time zone name (e.g. {DEFAULT_TIMEZONE})"
        ) from None


def local(value: dt.datetime, tz: dt.tzinfo | str = DEFAULT_TIMEZONE) -> dt.datetime:
    """``value`` in time zone ``tz``; a naive ``value`` is taken to be UTC (as stored)."""
    if isinstance(tz, str):
        tz = zone(tz)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(tz)


def show(
    value: dt.datetime | None, tz: dt.tzinfo | str = DEFAULT_TIMEZONE, *, offset: bool = True
) -> str:
    """``2023-07-10 09:30 +08:00``: minutes, in ``tz``, with the UTC offset unless told not to."""
    if value is None:
        return ""
    when = local(value, tz)
    text = when.strftime("%Y-%m-%d %H:%M")
    if offset:
        text += " " + when.strftime("%z")[:3] + ":" + when.strftime("%z")[3:]
    return text
