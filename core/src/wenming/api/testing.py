"""A test kit for the HTTP API: an app over a deployment, with users of any role and
their ``Authorization`` headers, driven in-process through FastAPI's test client.

Plugin authors test their ``register_routes`` with it::

    from wenming.api.testing import ApiHarness

    api = ApiHarness(deployment)
    ops = api.user("ops", "city_dispatcher")
    assert api.client.get("/plugins/water/summary", headers=ops).status_code == 200

Passwords are hashed with deliberately cheap argon2 parameters here, so a test suite
can create many users; a served app uses the library's defaults.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wenming.deployment import Deployment

PASSWORD = "correct horse battery"


def cheap_hasher() -> Any:
    """An argon2id hasher fast enough for tests (never for a deployment)."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class ApiHarness:
    """An app, its test client and its accounts; ``user()`` returns bearer headers."""

    def __init__(
        self,
        deployment: Deployment,
        *,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        from fastapi.testclient import TestClient

        from wenming.api import create_app

        self.deployment = deployment
        self.app = create_app(deployment, clock=clock, hasher=cheap_hasher())
        self.client = TestClient(self.app, raise_server_exceptions=False)
        self.services = self.app.state.wenming
        self.accounts = self.services.accounts
        self.workflow = self.services.workflow

    def user(self, username: str, role: str, **scope: str | None) -> dict[str, str]:
        """Create (or reuse) a user and return its ``Authorization`` header."""
        from wenming.accounts import AccountError

        try:
            view = self.accounts.add(username, role, PASSWORD, **scope)
        except AccountError:
            view = self.accounts.user(username)
        return {"Authorization": f"Bearer {self.accounts.access_token(view)}"}


def ok(response: Any, status: int = 200) -> Any:
    """The JSON body of an answer that must have ``status`` (the body shown if not)."""
    assert response.status_code == status, response.text
    return response.json()


def problem(response: Any, status: int) -> dict[str, Any]:
    """The body of an error answer: ``status``, problem+json, one line, no traceback."""
    from wenming.api.problems import MEDIA_TYPE

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    body = response.json()
    assert body["status"] == status and "\n" not in body["detail"]
    assert "Traceback" not in response.text
    return body


def refused(response: Any, role: str, rule: str = "") -> dict[str, Any]:
    """The body of a role's refusal: a 403 naming ``role`` and a rule (containing
    ``rule`` when given)."""
    body = problem(response, 403)
    assert body["role"] == role and body["rule"] and rule in body["rule"]
    assert body["detail"].startswith(f"role {role}")
    return body
