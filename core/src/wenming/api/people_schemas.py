"""Request and response bodies of the people side (``/volunteers``, sign-in and hours on
``/orders/{order_id}``): what an integrator sends and gets, checked field by field so a
bad value is a 422 naming the field before anything is written."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field

from wenming.api.schemas import Code, Strict

VolunteerNumber = Annotated[int, Field(ge=1, le=2_147_483_647)]
Key = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.\-]+$")]


# ---------------------------------------------------------------------- volunteers


class CredentialOut(BaseModel):
    kind: str
    name: str
    expires: dt.date | None
    valid: bool
    source: str


class VolunteerOut(BaseModel):
    """A volunteer as the caller may see them: ``masked`` says whether the ID number and
    phone are masked (``3205**********1234``, ``138****5678``; no birth date or age)."""

    id: int
    name: str
    id_number: str = Field(description="Masked unless the caller may read it unmasked.")
    phone: str = Field(description="Masked unless the caller may read it unmasked.")
    birth_date: dt.date | None
    age: int | None
    minor: bool
    guardian_consent: dt.date | None
    station: str
    county: str
    department: str | None
    teams: list[str]
    credentials: list[CredentialOut]
    service_hours: float
    training_hours: float
    star_level: int
    status: str
    synthetic: bool
    masked: bool


class RegisterIn(Strict):
    """One volunteer, checked like a row of an import (GB 11643 ID number, a station of
    the loaded network, an 11-digit mobile, teams that exist)."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    id_number: str = Field(
        pattern=r"^[0-9]{17}[0-9Xx]$", description="Resident ID number (encrypted at rest)."
    )
    station: str = Code
    phone: str | None = Field(default=None, pattern=r"^1[0-9]{10}$")
    teams: list[Key] = Field(default_factory=list, max_length=20)
    skills: list[Key] = Field(default_factory=list, max_length=50)
    certifications: dict[Key, dt.date | None] = Field(
        default_factory=dict,
        max_length=50,
        description="Certification → expiry date (or null).",
    )
    guardian_consent: dt.date | None = Field(
        default=None, description="The day a guardian consented (required under 14)."
    )
    department: Key | None = None


class LookupIn(Strict):
    """Find a volunteer by ID number (in the body, so it stays out of URLs and logs)."""

    id_number: str = Field(pattern=r"^[0-9]{17}[0-9Xx]$")
    unmasked: bool = False


class ImportRow(Strict):
    """A row with the import file's fields (``teams``/``skills`` ``;``-separated,
    ``certifications`` ``first_aid:2026-12-31;…``)."""

    name: str = Field(default="", max_length=200)
    id_number: str = Field(default="", max_length=64)
    station: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=64)
    teams: str = Field(default="", max_length=2000)
    skills: str = Field(default="", max_length=2000)
    certifications: str = Field(default="", max_length=2000)
    guardian_consent: str = Field(default="", max_length=32)
    department: str = Field(default="", max_length=64)
    service_hours: str = Field(default="", max_length=32)


class ImportIn(Strict):
    """Volunteers to import, all or nothing; a bad row refuses the whole batch."""

    rows: list[ImportRow] = Field(min_length=1, max_length=1000)
    source: str = Field(
        default="upload", min_length=1, max_length=128, pattern=r"^[^\x00-\x1f/\\]+$"
    )


class ImportOut(BaseModel):
    source: str
    volunteers: int
    memberships: int
    credentials: int
    seconds: float
    synthetic: bool


# ---------------------------------------------------------------------- hours


class ServiceRecordOut(BaseModel):
    """A sign-in/sign-out on one order part and the hours it earned (no positions)."""

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


class SignIn(Strict):
    """Sign a volunteer in or out: ``at`` defaults to now and needs a time zone;
    ``lng``/``lat`` (both or neither) record where."""

    volunteer: VolunteerNumber
    part: int | None = Field(default=None, ge=1, le=100)
    at: AwareDatetime | None = Field(default=None, description="e.g. 2023-08-05T09:00+08:00")
    lng: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)


class ConfirmIn(Strict):
    """Confirm the hours of every volunteer signed out on the part (or of ``volunteers``)."""

    part: int | None = Field(default=None, ge=1, le=100)
    volunteers: list[VolunteerNumber] | None = Field(default=None, min_length=1, max_length=500)


class CorrectIn(Strict):
    """Set a volunteer's confirmed hours on a part; the difference is a new event."""

    volunteer: VolunteerNumber
    hours: float = Field(ge=0, le=24)
    reason: str = Field(min_length=1, max_length=2000)
    part: int | None = Field(default=None, ge=1, le=100)


# ---------------------------------------------------------------------- stars, guides, courses


class StarsOut(BaseModel):
    """How many volunteers hold each star level, in total and by county and department."""

    ladder: str
    thresholds: list[float]
    total: int
    by_level: dict[int, int]
    by_county: dict[str, dict[int, int]]
    by_department: dict[str, dict[int, int]]


class GuideOut(BaseModel):
    id: str
    name: str
    area: str
    department: str | None


class GuideIn(Strict):
    """Appoint a practice guide (指导员): they sign in as a user of role ``guide`` with
    ``area`` set to the area they guide."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
    name: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    area: str = Code
    department: Key | None = None


class CourseOut(BaseModel):
    key: str
    name: str
    type: str
    hours: float
    certificate: str | None
    valid_days: int | None
    department: str | None


class CourseIn(Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_.]{0,62}$")
    name: str = Field(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")
    type: Literal["online", "onsite", "guide", "skills"] = "onsite"
    hours: float = Field(gt=0, le=200)
    certificate: Key | None = None
    valid_days: int | None = Field(default=None, ge=1, le=36_500)
    department: Key | None = None


class AttendIn(Strict):
    """Course attendance on a day, all or nothing."""

    volunteers: list[VolunteerNumber] = Field(min_length=1, max_length=500)
    day: dt.date


class AttendOut(BaseModel):
    course: str
    attended: int
