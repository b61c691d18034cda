"""Browser sign-in for the console: the API's access token in a cookie, and CSRF.

The access token the API's ``POST /auth/token`` would return is kept in an HttpOnly,
SameSite=Strict cookie (script cannot read it; other sites' pages cannot send it).
Every form post carries a CSRF token that is an HMAC of the session cookie (or, before
sign-in, of a random per-browser nonce cookie) under a key derived from the
deployment's secret; a post whose token does not match is refused with 403.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

from wenming.accounts import AuthError

if TYPE_CHECKING:
    from fastapi import Request, Response

    from wenming.accounts.service import UserView

SESSION = "wm_session"
NONCE = "wm_nonce"
LANG = "lang"
PURPOSE = "console-csrf"
PATH = "/console"


def user_of(request: Request) -> UserView | None:
    """The signed-in user of the session cookie, or ``None`` (no cookie, expired,
    revoked)."""
    token = request.cookies.get(SESSION)
    if not token:
        return None
    try:
        return request.app.state.wenming.accounts.authenticate(token)
    except AuthError:
        return None


def _key(request: Request) -> bytes:
    services = request.app.state.wenming
    key = getattr(services, "_console_csrf_key", None)
    if key is None:
        key = services.deployment.secrets.key(PURPOSE)
        services._console_csrf_key = key
    return key


def _binding(request: Request) -> str:
    return request.cookies.get(SESSION) or request.cookies.get(NONCE) or ""


def csrf_token(request: Request, binding: str | None = None) -> str:
    """The CSRF token forms on this page must send back."""
    value = _binding(request) if binding is None else binding
    return hmac.new(_key(request), value.encode(), hashlib.sha256).hexdigest()


def csrf_ok(request: Request, sent: str | None) -> bool:
    """Whether a posted CSRF token matches this browser's session (or nonce)."""
    if not sent or not _binding(request):
        return False
    return hmac.compare_digest(csrf_token(request), sent)


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_nonce(request: Request, response: Response, nonce: str) -> None:
    response.set_cookie(
        NONCE, nonce, httponly=True, samesite="strict", path=PATH, secure=_secure(request)
    )


def sign_in(request: Request, response: Response, token: str, seconds: int) -> None:
    response.set_cookie(
        SESSION,
        token,
        max_age=seconds,
        httponly=True,
        samesite="strict",
        path=PATH,
        secure=_secure(request),
    )


def sign_out(response: Response) -> None:
    response.delete_cookie(SESSION, path=PATH, httponly=True, samesite="strict")
