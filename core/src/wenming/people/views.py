"""What the people service returns: frozen records, JSON-ready via ``as_dict``.

A :class:`VolunteerView` is masked unless the reader may see the person's data
(``masked`` says which): the masked form carries no birth date and no age, only the
``minor`` flag.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
from attrs import frozen


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


class _AsDict:
    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO text, tuples as lists."""
        return _jsonable(attrs.asdict(self, recurse=True))


@frozen
class CredentialView(_AsDict):
    """A skill or certification; ``valid`` is false once a certification has expired."""

    kind: str
    name: str
    expires: dt.date | None
    valid: bool
    source: str


@frozen
class VolunteerView(_AsDict):
    """A volunteer as one reader may see them."""

    id: int
    name: str
    id_number: str
    phone: str
    birth_date: dt.date | None
    age: int | None
    minor: bool
    guardian_consent: dt.date | None
    station: str
    county: str
    department: str | None
    teams: tuple[str, ...]
    credentials: tuple[CredentialView, ...]
    service_hours: float
    training_hours: float
    star_level: int
    status: str
    synthetic: bool
    masked: bool


@frozen
class ServiceRecordView(_AsDict):
    """A sign-in/sign-out on one order part and the hours it earned."""

    id: int
    volunteer_id: int
    order_id: int
    part: int
    team: str
    department: str | None
    station: str | None
    signin_at: dt.datetime
    signout_at: dt.datetime | None
    minutes: int | None
    hours: float | None
    confirmed_hours: float | None
    status: str


@frozen
class ImportReport(_AsDict):
    """What an import wrote (nothing is written when any row is bad)."""

    source: str
    volunteers: int
    memberships: int
    credentials: int
    seconds: float
    synthetic: bool = False


@frozen
class StarDistribution(_AsDict):
    """How many volunteers hold each star level, in total and by county and department."""

    ladder: str
    thresholds: tuple[float, ...]
    total: int
    by_level: dict[int, int]
    by_county: dict[str, dict[int, int]]
    by_department: dict[str, dict[int, int]]
