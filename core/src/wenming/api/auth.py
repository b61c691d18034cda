"""Sign-in and the current actor, as FastAPI dependencies.

``POST /auth/token`` exchanges a username and password for a short-lived access token
(rate-limited per client and username); every other route takes
``Authorization: Bearer <token>`` — an access token or a machine's API token — and
acts as that user's :class:`~wenming.orders.roles.Actor`.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from wenming.accounts import AuthError
from wenming.accounts.service import UserView
from wenming.api.problems import ERROR_RESPONSES, ApiProblem
from wenming.orders.roles import Actor

bearer = HTTPBearer(auto_error=False, description="An access token or an API token.")


class LoginLimiter:
    """Failed sign-ins per (client, username) and per client within a sliding window.

    Past ``attempts`` failures for one username from one client (or four times that
    from one client in all) sign-in answers 429 until the window has passed.
    """

    def __init__(self, attempts: int, window: float) -> None:
        self.attempts = attempts
        self.window = window
        self._fails: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def wait(self, client: str, username: str) -> float:
        """Seconds to wait before another attempt (0: go ahead)."""
        now = time.monotonic()
        with self._lock:
            for key, limit in (
                ((client, username), self.attempts),
                ((client, ""), 4 * self.attempts),
            ):
                q = self._recent(key, now)
                if len(q) >= limit:
                    return max(0.0, q[0] + self.window - now)
        return 0.0

    def failed(self, client: str, username: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._fails) > 100_000:  # bounded memory under a flood
                self._fails.clear()
            for key in ((client, username), (client, "")):
                self._recent(key, now).append(now)

    def succeeded(self, client: str, username: str) -> None:
        with self._lock:
            self._fails.pop((client, username), None)


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    """The signed-in user: its role and scope as the workflow sees them."""

    username: str
    role: str
    department: str | None = None
    area: str | None = None
    team: str | None = None
    unit: str | None = Field(default=None, description="A unit operator's civilized unit.")


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    user: Me


def _me(user: UserView) -> Me:
    return Me(
        username=user.username,
        role=user.role,
        department=user.department,
        area=user.area,
        team=user.team,
        unit=user.unit,
    )


def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> UserView:
    """The active user of the request's bearer token; 401 without a valid one."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthError("sign in: send Authorization: Bearer <token> (POST /auth/token)")
    return request.app.state.wenming.accounts.authenticate(credentials.credentials)


async def current_actor(user: Annotated[UserView, Depends(current_user)]) -> Actor:
    """The workflow actor of the signed-in user (async: no thread hop)."""
    return user.actor()


CurrentActor = Annotated[Actor, Depends(current_actor)]

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/token",
    response_model=TokenOut,
    responses={
        401: ERROR_RESPONSES[401],
        422: ERROR_RESPONSES[422],
        429: {"description": "Too many failed sign-ins"},
    },
)
def login(body: Login, request: Request) -> TokenOut:
    """Sign in with a username and password; returns a short-lived access token."""
    services = request.app.state.wenming
    client = request.client.host if request.client else "-"
    wait = services.limiter.wait(client, body.username)
    if wait > 0:
        raise ApiProblem(
            429,
            f"too many failed sign-ins; try again in {int(wait) + 1} s",
            headers={"Retry-After": str(int(wait) + 1)},
        )
    try:
        token, user = services.accounts.login(body.username, body.password)
    except AuthError:
        services.limiter.failed(client, body.username)
        raise
    services.limiter.succeeded(client, body.username)
    return TokenOut(access_token=token, expires_in=services.accounts.expires_in(), user=_me(user))


@router.get("/me", response_model=Me, responses={401: ERROR_RESPONSES[401]})
def me(user: Annotated[UserView, Depends(current_user)]) -> Me:
    """Who the token belongs to."""
    return _me(user)
