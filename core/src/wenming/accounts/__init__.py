"""Accounts: users with a role and its scope, signing in with a password or a token.

- :mod:`~wenming.accounts.tables` — users, API tokens, the local operator's acts
- :mod:`~wenming.accounts.service` — :class:`Accounts`, the Python API behind
  ``wenming users`` and the HTTP API's sign-in
- :mod:`~wenming.accounts.tokens` — signed short-lived access tokens (HMAC-SHA256 with
  the deployment's ``api.tokens`` key)

A user maps onto the workflow's :class:`~wenming.orders.roles.Actor`: its username is
the actor's ID, its role and scope are the actor's. Importing this package stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wenming.errors import WenmingError

if TYPE_CHECKING:
    from wenming.accounts.service import Accounts, UserView

__all__ = ["AccountError", "Accounts", "AuthError", "UserView"]


class AccountError(WenmingError):
    """A user or token request is malformed or names an unknown user; says which field."""


class AuthError(WenmingError):
    """Signing in failed: a wrong password, an unknown, expired or revoked token.

    The message never says which of username or password was wrong."""


def __getattr__(name: str) -> Any:
    if name in ("Accounts", "UserView"):
        from wenming.accounts import service

        return getattr(service, name)
    raise AttributeError(f"module 'wenming.accounts' has no attribute {name!r}")
