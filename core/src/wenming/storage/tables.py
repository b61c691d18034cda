"""Core tables: the schema marker, the practice network's sites and pairings, and the
shared resources. Other areas (orders, …) keep their tables in their own package and
list the module in :data:`wenming.storage.TABLE_MODULES`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from wenming.storage.types import UTCDateTime, utcnow


class Meta(SQLModel, table=True):
    """Key/value facts about the database itself (``schema_version``, deployment name)."""

    __tablename__ = "wm_meta"

    key: str = Field(primary_key=True, max_length=64)
    value: str


class Site(SQLModel, table=True):
    """One site of the double chessboard, on both axes.

    ``parent_code`` is the territorial parent (station → institute → center → the city's
    guidance center, the root of both axes); for an industry site it is the territorial
    site it sits in. ``line_code`` is the industry parent (practice point → sub-center →
    guidance center). Coordinates are WGS-84; ``approximate`` marks positions that were
    estimated, not surveyed; ``functional_zone`` marks NBS units coded 400–599 (treated
    like a town or village, not formal divisions). See :mod:`wenming.network`.
    """

    __tablename__ = "wm_site"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=64)
    name: str
    name_en: str | None = None
    level: str = Field(index=True, max_length=32)
    site_type: str = Field(index=True, max_length=96)
    parent_code: str | None = Field(default=None, index=True, max_length=64)
    line_code: str | None = Field(default=None, index=True, max_length=64)
    department: str | None = Field(default=None, index=True, max_length=64)
    lng: float | None = None
    lat: float | None = None
    approximate: bool = False
    functional_zone: bool = False
    synthetic: bool = False


class Pairing(SQLModel, table=True):
    """结对共建: an industry site or sub-center paired with a territorial site."""

    __tablename__ = "wm_pairing"
    __table_args__ = (UniqueConstraint("industry_code", "territorial_code"),)

    id: int | None = Field(default=None, primary_key=True)
    industry_code: str = Field(index=True, max_length=64)
    territorial_code: str = Field(index=True, max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    note: str = ""


class ResourceRow(SQLModel, table=True):
    """A shared resource (venue / project / team) as the deployment records it.

    ``key`` is the namespaced ID (``emergency.blue_sky_rescue`` for plugin seed
    records, generated IDs for published or synthetic ones). List-valued attributes
    hold fully qualified registry IDs.
    """

    __tablename__ = "wm_resource"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=128)
    kind: str = Field(index=True, max_length=16)
    department: str | None = Field(default=None, index=True, max_length=64)
    name: str
    name_en: str | None = None
    place_code: str = Field(index=True, max_length=64)
    template: str | None = Field(default=None, max_length=128)
    site_type: str | None = Field(default=None, max_length=128)
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    audiences: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    months: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    capacity: int = 30
    members: int = 0
    lng: float | None = None
    lat: float | None = None
    #: Service reach in km; replaces distance rules' hard reach (NULL: the rules' own).
    reach_km: float | None = None
    synthetic: bool = False
    status: str = Field(default="published", index=True, max_length=16)
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
