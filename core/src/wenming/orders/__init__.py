"""The order workflow: 供单 supply → 点单 order → 派单 dispatch → 接单 accept/decline →
service → 评单 evaluate, and 拼单 joint orders dispatched as one part per department.

- :mod:`~wenming.orders.decide` — the pure core: snapshot + command → events or a refusal
- :mod:`~wenming.orders.states` — the state table (pure, light)
- :mod:`~wenming.orders.roles` — actors and the rules each role obeys (light)
- :mod:`~wenming.orders.errors` — refusals: illegal transition, permission, conflict, veto
- :mod:`~wenming.orders.service` — :class:`Workflow`, the facade the CLI and API call;
  the services behind it: :mod:`~wenming.orders.supply`, :mod:`~wenming.orders.submit`,
  :mod:`~wenming.orders.dispatch`, :mod:`~wenming.orders.answers`,
  :mod:`~wenming.orders.reads` (role-scoped), :mod:`~wenming.orders.journal` (events
  under optimistic versions, vetoes, observers)
- :mod:`~wenming.orders.tables` — the SQLModel tables (imports SQLAlchemy)
- :mod:`~wenming.orders.events` — rebuilding state from the append-only event log

Importing this package stays light; ``Workflow`` is loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wenming.orders.errors import (
    ConflictError,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Vetoed,
    WorkflowError,
)
from wenming.orders.roles import ROLES, Actor

if TYPE_CHECKING:
    from wenming.orders.service import Workflow

__all__ = [
    "ROLES",
    "Actor",
    "ConflictError",
    "IllegalTransition",
    "InvalidInput",
    "NotFound",
    "PermissionDenied",
    "Vetoed",
    "Workflow",
    "WorkflowError",
]


def __getattr__(name: str) -> Any:
    if name == "Workflow":
        from wenming.orders.service import Workflow

        return Workflow
    raise AttributeError(f"module 'wenming.orders' has no attribute {name!r}")
