"""Request and response bodies: pydantic models, separate from the tables and the
workflow's views, so the OpenAPI schema says what an integrator sends and gets."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Code = Field(pattern=r"^[0-9]{2,12}$", description="An administrative division code.")
Text = Field(default="", max_length=2000)

T = TypeVar("T")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    """One page of a list; ask again with ``offset=next_offset`` while it is not null."""

    items: list[T]
    limit: int
    offset: int
    next_offset: int | None


# ---------------------------------------------------------------------- orders


class Part(BaseModel):
    id: int
    seq: int
    department: str | None
    contribution: str
    resource_kinds: list[str]
    state: str
    resource: str | None
    dispatch_id: int | None
    excluded: list[str]
    state_since: dt.datetime


class OrderOut(BaseModel):
    """An order: its parts, state, ``version`` (also the ETag) and overdue flags."""

    id: int
    state: str
    version: int
    requester: str = Field(description="Masked unless the caller's role may see it.")
    requester_role: str
    site: str | None
    channel: str
    category: str
    tags: list[str]
    audiences: list[str]
    headcount: int
    place: str
    lng: float | None
    lat: float | None
    start: dt.date
    end: dt.date
    description: str
    template: str | None
    joint: bool
    created_at: dt.datetime
    state_since: dt.datetime
    parts: list[Part]
    overdue: list[str]


class EventOut(BaseModel):
    seq: int
    at: dt.datetime
    action: str
    part: int | None
    from_state: str | None
    to_state: str
    part_from: str | None
    part_to: str | None
    actor: str
    role: str
    reason: str
    data: dict[str, Any]


class DispatchOut(BaseModel):
    id: int
    order_id: int
    part: int
    resource: str
    kind: str
    department: str | None
    dispatcher: str
    method: str
    rank: int | None
    score: float | None
    explanation: dict[str, Any]
    at: dt.datetime
    outcome: str
    reason: str


class OrderDetail(BaseModel):
    order: OrderOut
    dispatches: list[DispatchOut]
    timeline: list[EventOut]


class SubmitIn(Strict):
    """A demand (点单). ``resource`` orders straight from supply; ``template`` (a joint
    one) or two or more ``departments`` make a joint order."""

    place: str = Code
    start: dt.date
    end: dt.date | None = None
    category: str | None = Field(default=None, max_length=128)
    headcount: int = Field(default=1, ge=1, le=100_000)
    tags: list[str] = Field(default_factory=list, max_length=50)
    audiences: list[str] = Field(default_factory=list, max_length=20)
    site: str | None = Field(default=None, pattern=r"^[0-9]{2,12}$")
    channel: Literal["platform", "visit", "mailbox"] = "platform"
    description: str = Text
    lng: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    template: str | None = Field(default=None, max_length=128)
    departments: list[str] = Field(default_factory=list, max_length=15)
    resource: str | None = Field(default=None, max_length=128)


class DispatchIn(Strict):
    """By hand with ``resource``; without it the ``rank``-th ranked candidate."""

    resource: str | None = Field(default=None, max_length=128)
    part: int | None = Field(default=None, ge=1, le=100)
    rank: int = Field(default=1, ge=1, le=100)
    reason: str = Text


class BatchIn(Strict):
    order_ids: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] | None = Field(
        default=None, max_length=500
    )
    method: Literal["optimal", "greedy"] = "optimal"


class BatchOut(BaseModel):
    dispatched: dict[str, str]
    unassigned: dict[str, str]
    method: str


class PartIn(Strict):
    part: int | None = Field(default=None, ge=1, le=100)


class DeclineIn(PartIn):
    reason: str = Field(min_length=1, max_length=2000)


class Served(Strict):
    volunteer: str = Field(min_length=1, max_length=64)
    hours: float = Field(gt=0, le=24)


class CompleteIn(PartIn):
    volunteers: list[Served] = Field(min_length=1, max_length=500)
    note: str = Text


class EvaluateIn(Strict):
    rating: int = Field(ge=1, le=5)
    comment: str = Text


class CancelIn(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class JointDispatchIn(Strict):
    proposal: int = Field(default=1, ge=1, le=50)
    reason: str = Text


# ---------------------------------------------------------------------- supply


class ResourceOut(BaseModel):
    key: str
    kind: str
    department: str | None
    name: str
    place: str
    capacity: int
    categories: list[str]
    audiences: list[str]
    months: list[int]
    status: str
    source: str
    serves: list[str]
    reach_km: float | None


class PublishIn(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")
    kind: Literal["venue", "project", "team"]
    name_zh: str = Field(min_length=1, max_length=128)
    place: str = Code
    department: str | None = Field(default=None, max_length=64)
    name_en: str | None = Field(default=None, max_length=128)
    categories: list[str] = Field(default_factory=list, max_length=20)
    audiences: list[str] = Field(default_factory=list, max_length=20)
    tags: list[str] = Field(default_factory=list, max_length=50)
    skills: list[str] = Field(default_factory=list, max_length=50)
    capacity: int = Field(default=30, ge=1, le=100_000)
    members: int = Field(default=0, ge=0, le=1_000_000)
    months: list[int] = Field(default_factory=list, max_length=12)
    template: str | None = Field(default=None, max_length=128)
    site_type: str | None = Field(default=None, max_length=128)
    lng: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    reach_km: float | None = Field(default=None, gt=0, le=1000)
    serves: list[str] = Field(default_factory=list, max_length=200)
    schedule: str = Field(default="", max_length=500)
    description: str = Text


class WithdrawIn(Strict):
    reason: str = Text


# ---------------------------------------------------------------------- match


class DemandIn(Strict):
    """A demand to rank candidates for, without submitting an order."""

    category: str | None = Field(default=None, max_length=128)
    tags: list[str] = Field(default_factory=list, max_length=50)
    audiences: list[str] = Field(default_factory=list, max_length=20)
    headcount: int | None = Field(default=None, ge=0, le=100_000)
    place: str | None = Field(default=None, pattern=r"^[0-9]{2,12}$")
    lng: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    start: dt.date | None = None
    end: dt.date | None = None
    template: str | None = Field(default=None, max_length=128)
    departments: list[str] = Field(default_factory=list, max_length=15)
