"""What a user is to the rest of wenming: :class:`UserView`, built from a ``wm_user``
row by :func:`user_view` — on any connection, the command line's light reads included
(this module imports no SQLAlchemy) — and the workflow actor it acts as."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from attrs import frozen

from wenming.orders.roles import Actor


@frozen
class UserView:
    """A user as the API returns it: never its password hash."""

    id: int
    username: str
    role: str
    department: str | None
    area: str | None
    team: str | None
    unit: str | None
    active: bool
    generation: int
    created_at: dt.datetime

    def actor(self) -> Actor:
        """The workflow actor this user acts as: its username, role and scope."""
        return Actor(
            self.username,
            self.role,
            department=self.department,
            area=self.area,
            team=self.team,
            unit=self.unit,
        )

    @property
    def scope(self) -> str:
        return self.actor().scope

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "role": self.role,
            "department": self.department,
            "area": self.area,
            "team": self.team,
            "unit": self.unit,
            "active": self.active,
            "created_at": self.created_at.isoformat(),
        }


def user_view(row: Mapping[str, Any]) -> UserView:
    """The view of a ``wm_user`` row (never its password hash)."""
    return UserView(
        id=row["id"],
        username=row["username"],
        role=row["role"],
        department=row["department"],
        area=row["area"],
        team=row["team"],
        unit=row["unit"],
        active=row["active"],
        generation=row["generation"],
        created_at=row["created_at"],
    )
