"""The workflow's tables: orders, their parts, dispatches, the event log, evaluations
and the hours volunteers served.

Listed in :data:`wenming.storage.TABLE_MODULES`. ``wm_order.version`` is the optimistic
lock: every transition is a conditional ``UPDATE … WHERE version = :seen`` and the
event it writes takes ``seq = version``, so two writers of one order cannot both win.
``wm_order_event`` is append-only, enforced by triggers on SQLite and PostgreSQL, and
hash-chained (:mod:`wenming.orders.integrity`) so that a rewrite that gets past them is
detected.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DDL, JSON, Column, ForeignKey, Integer, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from wenming.storage.types import UTCDateTime, utcnow


class Order(SQLModel, table=True):
    """A demand (点单) and where it stands. ``state`` and ``version`` are derived from the
    events and checked against them by :func:`wenming.orders.events.verify`."""

    __tablename__ = "wm_order"

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str | None = Field(default=None, unique=True, max_length=128)
    request_hash: str = Field(default="", max_length=64)
    requester: str = Field(index=True, max_length=128)
    requester_role: str = Field(max_length=32)
    site_code: str | None = Field(default=None, index=True, max_length=64)
    channel: str = Field(max_length=16)
    category: str = Field(index=True, max_length=128)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    audiences: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    headcount: int = 1
    place_code: str = Field(index=True, max_length=64)
    lng: float | None = None
    lat: float | None = None
    window_start: dt.date
    window_end: dt.date
    description: str = ""
    template: str | None = Field(default=None, max_length=128)
    joint: bool = False
    state: str = Field(index=True, max_length=16)
    version: int = 0
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    state_since: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OrderPart(SQLModel, table=True):
    """One partner's share of an order: an ordinary order has one part, a joint order one
    per department. ``excluded`` lists resources that declined this part."""

    __tablename__ = "wm_order_part"
    # its index finds an order's parts: no index on order_id alone
    __table_args__ = (UniqueConstraint("order_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(sa_column=Column(Integer, ForeignKey("wm_order.id"), nullable=False))
    seq: int
    department: str | None = Field(default=None, index=True, max_length=64)
    contribution: str = ""
    resource_kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    state: str = Field(index=True, max_length=16)
    resource_key: str | None = Field(default=None, index=True, max_length=128)
    dispatch_id: int | None = None
    excluded: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    state_since: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Dispatch(SQLModel, table=True):
    """派单: a part assigned to a resource, with how it was chosen and what came of it.

    ``explanation`` holds the matching engine's per-rule breakdown for ranked and batch
    dispatches. ``outcome`` is ``open`` until the team answers, then ``accepted``,
    ``in_service``, ``completed``, ``declined``, ``cancelled`` or ``expired``; the
    open, accepted and in-service ones count as the resource's load.
    """

    __tablename__ = "wm_order_dispatch"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(index=True)
    part_id: int = Field(index=True)
    resource_key: str = Field(index=True, max_length=128)
    resource_kind: str = Field(max_length=16)
    department: str | None = Field(default=None, max_length=64)
    dispatcher: str = Field(max_length=128)
    dispatcher_role: str = Field(max_length=32)
    method: str = Field(max_length=16)
    rank: int | None = None
    score: float | None = None
    explanation: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    outcome: str = Field(default="open", index=True, max_length=16)
    outcome_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str = ""


class OrderEvent(SQLModel, table=True):
    """One transition: who did what, when and why. Append-only; ``seq`` is the order's
    version after the transition, unique per order."""

    __tablename__ = "wm_order_event"
    __table_args__ = (UniqueConstraint("order_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int  # found by the (order_id, seq) constraint's index
    seq: int
    part_seq: int | None = None
    action: str = Field(max_length=16)
    from_state: str | None = Field(default=None, max_length=16)
    to_state: str = Field(max_length=16)
    part_from: str | None = Field(default=None, max_length=16)
    part_to: str | None = Field(default=None, max_length=16)
    actor: str = Field(max_length=128)
    role: str = Field(max_length=32)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    reason: str = ""
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: SHA-256 of this event's content and the order's previous event's ``hash``.
    hash: str = Field(default="", max_length=64)
    #: Position in the deployment-wide chain (every order's events, in commit order).
    log_seq: int | None = Field(default=None, unique=True, index=True)
    #: SHA-256 of the previous event's ``log_hash``, ``log_seq`` and this ``hash``.
    log_hash: str = Field(default="", max_length=64)


class Evaluation(SQLModel, table=True):
    """评单: the requester's rating, one row per part so that every partner of a joint
    order is credited. Feeds the resources' reputation."""

    __tablename__ = "wm_order_evaluation"
    __table_args__ = (UniqueConstraint("order_id", "part_id"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(index=True)
    part_id: int
    resource_key: str = Field(index=True, max_length=128)
    department: str | None = Field(default=None, max_length=64)
    rating: int
    comment: str = ""
    rater: str = Field(max_length=128)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ServiceHours(SQLModel, table=True):
    """A volunteer's hours on one completed part (the service record of a delivery)."""

    __tablename__ = "wm_order_service"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(index=True)
    part_id: int
    resource_key: str = Field(index=True, max_length=128)
    department: str | None = Field(default=None, index=True, max_length=64)
    volunteer: str = Field(index=True, max_length=128)
    hours: float
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


_MESSAGE = "wm_order_event is append-only"


# ---------------------------------------------------------------------- integrity, capacity
# (hash chains: wenming.orders.integrity; daily slots: wenming.orders.capacity)


class LogHead(SQLModel, table=True):
    """The head of the deployment-wide event chain: its last ``log_seq`` and ``log_hash``.

    One row (``id`` 1). Every event append locks it (``SELECT … FOR UPDATE``), so the
    chain has one order on every backend; a log cut short no longer reaches it."""

    __tablename__ = "wm_log_head"

    id: int = Field(primary_key=True)
    seq: int = 0
    hash: str = Field(default="", max_length=64)


class ResourceSlot(SQLModel, table=True):
    """One of a resource's daily slots, claimed by a dispatch (see
    :mod:`wenming.orders.capacity`). The unique key makes the database refuse an
    overbooking whatever races; a decline, cancellation or expiry frees the slot."""

    __tablename__ = "wm_resource_slot"
    __table_args__ = (UniqueConstraint("resource_key", "day", "slot"),)

    id: int | None = Field(default=None, primary_key=True)
    resource_key: str = Field(max_length=128)
    day: dt.date
    slot: int
    order_id: int = Field(index=True)
    dispatch_id: int = Field(unique=True)


#: The statements that keep the log append-only; run at creation and by the migration.
APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER IF NOT EXISTS wm_order_event_no_update BEFORE UPDATE ON wm_order_event "
    f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END",
    "CREATE TRIGGER IF NOT EXISTS wm_order_event_no_delete BEFORE DELETE ON wm_order_event "
    f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END",
    # INSERT OR REPLACE deletes the row it replaces without firing delete triggers.
    "CREATE TRIGGER IF NOT EXISTS wm_order_event_no_replace BEFORE INSERT ON wm_order_event "
    "WHEN EXISTS (SELECT 1 FROM wm_order_event WHERE id = NEW.id) "
    "OR EXISTS (SELECT 1 FROM wm_order_event WHERE order_id = NEW.order_id AND seq = NEW.seq) "
    "OR EXISTS (SELECT 1 FROM wm_order_event WHERE log_seq = NEW.log_seq) "
    f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END",
)
APPEND_ONLY_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION wm_order_event_append_only() RETURNS trigger AS $$ "
    f"BEGIN RAISE EXCEPTION '{_MESSAGE}'; END; $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS wm_order_event_append_only ON wm_order_event",
    "CREATE TRIGGER wm_order_event_append_only BEFORE UPDATE OR DELETE ON wm_order_event "
    "FOR EACH ROW EXECUTE FUNCTION wm_order_event_append_only()",
    "DROP TRIGGER IF EXISTS wm_order_event_no_truncate ON wm_order_event",
    "CREATE TRIGGER wm_order_event_no_truncate BEFORE TRUNCATE ON wm_order_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION wm_order_event_append_only()",
)


def _append_only(target: Any, connection: Any, **_kw: Any) -> None:
    statements = {"sqlite": APPEND_ONLY_SQLITE, "postgresql": APPEND_ONLY_POSTGRESQL}
    for sql in statements.get(connection.dialect.name, ()):
        connection.exec_driver_sql(sql)


event.listen(OrderEvent.__table__, "after_create", _append_only)
event.listen(
    LogHead.__table__,
    "after_create",
    DDL("INSERT INTO wm_log_head (id, seq, hash) VALUES (1, 0, '')"),
)
