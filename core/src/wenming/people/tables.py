"""The people side's tables: volunteers, their teams and credentials, service records,
the append-only people event log, star-level counts, guides and courses.

Listed in :data:`wenming.storage.TABLE_MODULES`. ``wm_people_event`` is the record;
``wm_service_record`` and the totals on ``wm_volunteer`` are caches kept in the same
transaction as the events (``People.verify`` compares them). ``wm_star_count`` holds
the number of volunteers per (level, county, department) under the deployment's
ladder, moved in the same transaction as each level change, so the distribution is
read, never counted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    Column,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
    event,
)
from sqlmodel import Field, SQLModel

from wenming.storage.types import UTCDateTime, utcnow


class Volunteer(SQLModel, table=True):
    """A registered volunteer (志愿者), holding only what the work needs.

    The ID number is kept encrypted (``id_cipher``) with its keyed hash (``id_hash``,
    unique) and its masked form; the phone likewise. ``service_hours`` is
    ``carried_hours`` (brought over at import from an earlier platform) plus every
    confirmed or corrected hour in ``wm_people_event``. An anonymised volunteer keeps
    the row (and so every aggregate) with the personal fields emptied.
    """

    __tablename__ = "wm_volunteer"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    id_hash: str | None = Field(default=None, unique=True, max_length=32)
    id_cipher: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    id_masked: str = Field(default="", max_length=18)
    phone_cipher: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    phone_masked: str = Field(default="", max_length=16)
    birth_date: dt.date | None = None
    guardian_consent: dt.date | None = None
    station_code: str = Field(index=True, max_length=64)
    county_code: str = Field(default="", max_length=12)
    department: str = Field(default="", max_length=64)
    carried_hours: float = 0.0
    service_hours: float = 0.0
    training_hours: float = 0.0
    star_level: int = 0
    synthetic: bool = False
    status: str = Field(default="active", max_length=16)
    registered_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VolunteerTeam(SQLModel, table=True):
    """A volunteer's membership of a team (the team's resource key, ``water.corps``)."""

    __tablename__ = "wm_volunteer_team"
    __table_args__ = (PrimaryKeyConstraint("volunteer_id", "team"),)

    volunteer_id: int = Field(sa_column=Column(Integer, nullable=False))
    team: str = Field(sa_column=Column(String(128), nullable=False, index=True))
    joined_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Credential(SQLModel, table=True):
    """A skill or a certification (with its expiry) — what certification rules read."""

    __tablename__ = "wm_volunteer_credential"
    __table_args__ = (UniqueConstraint("volunteer_id", "kind", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    volunteer_id: int = Field(index=True)
    kind: str = Field(max_length=16)  # skill | certification
    name: str = Field(max_length=128)
    expires: dt.date | None = None
    source: str = Field(default="", max_length=128)


class PeopleEvent(SQLModel, table=True):
    """One fact of the people side, append-only: registration, sign-in, sign-out,
    confirmation, correction, training, award, evaluation, level change, anonymisation.

    Confirmations and corrections carry the hours (a correction the difference) with
    the order part, team, department and the station served, so statistics can count
    hours and active volunteers from this table alone.
    """

    __tablename__ = "wm_people_event"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    kind: str = Field(index=True, max_length=24)
    volunteer_id: int | None = Field(default=None, index=True)
    order_id: int | None = Field(default=None, index=True)
    part_seq: int | None = None
    team: str | None = Field(default=None, max_length=128)
    department: str | None = Field(default=None, max_length=64)
    station_code: str | None = Field(default=None, max_length=64)
    hours: float = 0.0
    ref_id: int | None = None
    actor: str = Field(max_length=128)
    role: str = Field(max_length=32)
    reason: str = ""
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ServiceRecord(SQLModel, table=True):
    """A volunteer's sign-in and sign-out on one order part, and the hours confirmed.

    A cache of the events; the position (where the volunteer signed in) is kept here,
    not in the event log, so anonymising a volunteer can erase it.
    """

    __tablename__ = "wm_service_record"
    __table_args__ = (UniqueConstraint("volunteer_id", "order_id", "part_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    volunteer_id: int = Field(index=True)
    order_id: int = Field(index=True)
    part_seq: int
    team: str = Field(max_length=128)
    department: str | None = Field(default=None, max_length=64)
    station_code: str | None = Field(default=None, max_length=64)
    signin_at: dt.datetime = Field(sa_type=UTCDateTime)
    signout_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    signin_lng: float | None = None
    signin_lat: float | None = None
    signout_lng: float | None = None
    signout_lat: float | None = None
    minutes: int | None = None
    hours: float | None = None
    confirmed_hours: float | None = None
    status: str = Field(default="signed_in", index=True, max_length=16)


class StarCount(SQLModel, table=True):
    """How many volunteers hold each level, per county and department ('' for none)."""

    __tablename__ = "wm_star_count"
    __table_args__ = (PrimaryKeyConstraint("level", "county_code", "department"),)

    level: int = Field(sa_column=Column(Integer, nullable=False))
    county_code: str = Field(sa_column=Column(String(12), nullable=False))
    department: str = Field(sa_column=Column(String(64), nullable=False))
    n: int = 0


class Guide(SQLModel, table=True):
    """A practice guide (文明实践指导员) and the area they guide (a division code)."""

    __tablename__ = "wm_guide"

    id: int | None = Field(default=None, primary_key=True)
    actor_id: str = Field(unique=True, max_length=128)
    name: str = Field(max_length=64)
    area: str = Field(index=True, max_length=64)
    department: str | None = Field(default=None, max_length=64)
    since: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Course(SQLModel, table=True):
    """A training course type: its hours and the certificate it grants, if any."""

    __tablename__ = "wm_course"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=128)
    name: str = Field(max_length=128)
    course_type: str = Field(max_length=32)
    hours: float
    certificate: str | None = Field(default=None, max_length=128)
    valid_days: int | None = None
    department: str | None = Field(default=None, max_length=64)


class Attendance(SQLModel, table=True):
    """A volunteer's attendance of a course on a day (training hours, apart from service)."""

    __tablename__ = "wm_course_attendance"
    __table_args__ = (UniqueConstraint("course_id", "volunteer_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(index=True)
    volunteer_id: int = Field(index=True)
    day: dt.date
    hours: float
    recorded_by: str = Field(max_length=128)
    event_id: int | None = None


_MESSAGE = "wm_people_event is append-only"

for _verb in ("UPDATE", "DELETE"):
    event.listen(
        PeopleEvent.__table__,
        "after_create",
        DDL(
            f"CREATE TRIGGER wm_people_event_no_{_verb.lower()} BEFORE {_verb} "
            f"ON wm_people_event BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
        ).execute_if(dialect="sqlite"),
    )
event.listen(
    PeopleEvent.__table__,
    "after_create",
    DDL(
        "CREATE OR REPLACE FUNCTION wm_people_event_append_only() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{_MESSAGE}'; END; $$ LANGUAGE plpgsql; "
        "CREATE TRIGGER wm_people_event_append_only BEFORE UPDATE OR DELETE ON wm_people_event "
        "FOR EACH ROW EXECUTE FUNCTION wm_people_event_append_only()"
    ).execute_if(dialect="postgresql"),
)
