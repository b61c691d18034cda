"""Resident ID numbers (GB 11643-1999), phones, masking and ages — pure functions.

An 18-character ID is 6 digits of the issuing division, 8 of the birth date, 3 of
sequence and one ISO 7064 MOD 11-2 check character (``0``–``9`` or ``X``). A number is
accepted only if its check character is right and its birth date is a real date not
in the future, so a typo is caught at import, not months later.
"""

from __future__ import annotations

import datetime as dt
import re
from operator import mul

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
_PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")

#: Below this age a volunteer is registered only with a recorded guardian consent.
CONSENT_AGE = 14
#: Below this age a volunteer is a minor: flagged, never ranked publicly.
ADULT_AGE = 18


class IdNumberError(ValueError):
    """An ID number that is not a valid GB 11643 number; the message says why."""


def check_character(first17: str) -> str:
    """The MOD 11-2 check character of the first 17 digits."""
    if len(first17) != 17:
        raise IdNumberError(f"expected 17 digits, got {len(first17)}")
    return _CHECK[sum(map(mul, map(int, first17), _WEIGHTS)) % 11]


def normalise(number: str) -> str:
    """Strip spaces and make a trailing ``x`` upper-case (people type both)."""
    return str(number).strip().replace(" ", "").upper()


def validate(number: str, *, today: dt.date | None = None) -> tuple[str, dt.date]:
    """Return the normalised number and its birth date, or raise :class:`IdNumberError`."""
    value = normalise(number)
    if len(value) != 18:
        raise IdNumberError(f"must have 18 characters, has {len(value)}")
    if not _ID_RE.match(value):
        raise IdNumberError("must be 17 digits and a digit or X")
    expected = check_character(value[:17])
    if value[17] != expected:
        raise IdNumberError(f"check character is {value[17]}, should be {expected}")
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError(f"birth date {value[6:14]} is not a date") from None
    if born > (today or dt.date.today()) or born.year < 1900:
        raise IdNumberError(f"birth date {born.isoformat()} is not plausible")
    return value, born


def make(prefix6: str, born: dt.date, sequence: int) -> str:
    """A well-formed number from its parts (for synthetic data and tests)."""
    first17 = f"{prefix6}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_character(first17)


def mask_id(number: str) -> str:
    """``320502199001011234`` → ``3205**********1234``: the form every list shows."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) > 8 else "****"


def check_phone(phone: str) -> str:
    """A mainland mobile number (11 digits, 1[3-9]…), spaces and dashes removed."""
    value = str(phone).strip().replace(" ", "").replace("-", "")
    if value.startswith("+86"):
        value = value[3:]
    if not _PHONE_RE.match(value):
        raise ValueError("must be an 11-digit mobile number starting 13–19")
    return value


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def age(born: dt.date, on: dt.date) -> int:
    """Whole years between ``born`` and ``on``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
