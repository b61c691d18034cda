"""The reports' tables: metric counters, distinct members, civilized units and points.

Listed in :data:`wenming.storage.TABLE_MODULES`. ``wm_stat`` holds one row per metric ×
dimension key × period (month, quarter and year), moved in the same transaction as the
event that moves it; ``wm_stat_member`` remembers who was already counted by a
distinct metric (active volunteers). The points ledger is append-only, enforced by
triggers like the order event log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from wenming.storage.append_only import append_only
from wenming.storage.types import UTCDateTime, utcnow


class Stat(SQLModel, table=True):
    """A counter: ``value`` is the sum of what was counted, ``n`` how many were."""

    __tablename__ = "wm_stat"

    metric: str = Field(primary_key=True, max_length=96)
    dim: str = Field(primary_key=True, max_length=16)
    key: str = Field(primary_key=True, max_length=128)
    period: str = Field(primary_key=True, max_length=8)
    value: float = 0.0
    n: int = 0


# A leaderboard reads one metric × dimension × period: at most a few thousand keys
# (Suzhou's 2,248 stations), sorted by value in well under a millisecond. The index
# leaves ``value`` out on purpose: every transition moves 12–36 counters, and an index
# on ``value`` had to move with each of them (on PostgreSQL no such update could be
# HOT) — about a tenth of a transition's time on either backend (docs/performance.md).
Index(
    "ix_wm_stat_period",
    Stat.__table__.c.metric,
    Stat.__table__.c.dim,
    Stat.__table__.c.period,
    Stat.__table__.c.key,
)


class StatMember(SQLModel, table=True):
    """One member already counted by a distinct metric in one period."""

    __tablename__ = "wm_stat_member"

    metric: str = Field(primary_key=True, max_length=96)
    dim: str = Field(primary_key=True, max_length=16)
    key: str = Field(primary_key=True, max_length=128)
    period: str = Field(primary_key=True, max_length=8)
    member: str = Field(primary_key=True, max_length=128)


class Unit(SQLModel, table=True):
    """文明单位: a civilized unit that runs practice points and teams."""

    __tablename__ = "wm_unit"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=64)
    name: str = Field(max_length=200)
    level: str = Field(default="city", max_length=16)
    place_code: str | None = Field(default=None, index=True, max_length=64)
    department: str | None = Field(default=None, index=True, max_length=64)
    synthetic: bool = False


class UnitLink(SQLModel, table=True):
    """A unit's practice point (a site) or shared resource (a venue, project or team)."""

    __tablename__ = "wm_unit_link"
    __table_args__ = (UniqueConstraint("kind", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_code: str = Field(index=True, max_length=64)
    kind: str = Field(max_length=16)  # site | resource
    ref: str = Field(max_length=128)


class PointClaim(SQLModel, table=True):
    """A unit's submission for a points rule, with its evidence and where it stands."""

    __tablename__ = "wm_points_claim"

    id: int | None = Field(default=None, primary_key=True)
    unit_code: str = Field(index=True, max_length=64)
    rule: str = Field(max_length=96)
    period: str = Field(max_length=8)
    quantity: int = 1
    note: str = ""
    evidence: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    state: str = Field(default="submitted", index=True, max_length=16)
    submitted_by: str = Field(max_length=128)
    submitted_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 0
    history: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )


class PointEntry(SQLModel, table=True):
    """One line of the points ledger (append-only): points granted or reversed."""

    __tablename__ = "wm_points_ledger"

    id: int | None = Field(default=None, primary_key=True)
    unit_code: str = Field(index=True, max_length=64)
    rule: str = Field(max_length=96)
    period: str = Field(index=True, max_length=8)
    points: float
    claim_id: int | None = Field(default=None, index=True)
    reason: str = ""
    actor: str = Field(max_length=128)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Evidence(SQLModel, table=True):
    """A file of evidence, stored once by its SHA-256 (content-addressed)."""

    __tablename__ = "wm_evidence"

    sha256: str = Field(primary_key=True, max_length=64)
    media_type: str = Field(max_length=64)
    size: int
    name: str = Field(default="", max_length=200)
    content: bytes
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PublishedRanking(SQLModel, table=True):
    """Who published a ranking of people, when, and of what (PIPL art. 55)."""

    __tablename__ = "wm_published_ranking"

    id: int | None = Field(default=None, primary_key=True)
    actor: str = Field(max_length=128)
    role: str = Field(max_length=32)
    metric: str = Field(max_length=96)
    period: str = Field(max_length=32)
    scope: str = Field(default="", max_length=128)
    entries: int = 0
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RankingConsent(SQLModel, table=True):
    """A volunteer's own consent to appear in public rankings (PIPL art. 55)."""

    __tablename__ = "wm_ranking_consent"

    volunteer_id: int = Field(primary_key=True)
    given_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


append_only(PointEntry.__table__)
