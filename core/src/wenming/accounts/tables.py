"""The accounts' tables: users with a role and its scope, and machines' API tokens.

Listed in :data:`wenming.storage.TABLE_MODULES`. Only hashes are stored: an argon2 hash
of each password, a SHA-256 digest of each API token (a random 256-bit token needs no
slow hash). ``generation`` is bumped when a password is reset or a user revoked, which
invalidates every access token signed before.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from wenming.storage.types import UTCDateTime, utcnow


class User(SQLModel, table=True):
    """A person (or a machine's owner) who signs in, with one role and its scope
    (``department``, ``area``, ``team`` or ``unit``: the one its role needs)."""

    __tablename__ = "wm_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    role: str = Field(max_length=32)
    department: str | None = Field(default=None, max_length=64)
    area: str | None = Field(default=None, max_length=64)
    team: str | None = Field(default=None, max_length=128)
    unit: str | None = Field(default=None, max_length=64)
    password_hash: str = Field(default="", max_length=256)
    active: bool = True
    generation: int = 0
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    changed_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """A revocable token for a machine acting as a user (an integrator's back end)."""

    __tablename__ = "wm_api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("wm_user.id"), nullable=False))
    name: str = Field(max_length=64)
    digest: str = Field(unique=True, max_length=64)
    prefix: str = Field(max_length=16)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class OperatorAct(SQLModel, table=True):
    """A command the deployment's local operator ran with a declared ``--actor/--role``
    instead of a user's token: who ran it (the operating-system account), as whom, and
    what — one row for the command (``order_id`` empty) and one for each order event it
    wrote (``order_id``, ``seq``: the event in ``wm_order_event``), in the event's own
    transaction. Append-only by convention; never holds a password or a token."""

    __tablename__ = "wm_operator_act"

    id: int | None = Field(default=None, primary_key=True)
    os_user: str = Field(max_length=64)
    actor: str = Field(max_length=128)
    role: str = Field(max_length=32)
    scope: str = Field(default="", max_length=160)
    command: str = Field(max_length=256)
    order_id: int | None = Field(default=None, index=True)
    seq: int | None = None
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
