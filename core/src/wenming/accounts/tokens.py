"""Access tokens: short-lived, signed, stateless apart from the user's generation.

``wma.<payload>.<signature>``: the payload is base64url JSON (user ID, generation,
issue and expiry times, in UNIX seconds) and the signature HMAC-SHA256 under the
deployment's ``api.tokens`` key (:meth:`wenming.secrets.Secrets.key`). A token is good
until it expires, or until the user's ``generation`` moves on (a password reset, a
role change, a revocation). Tokens carry no password and no personal data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets as _random
from collections.abc import Callable, Mapping
from typing import Any

from wenming.accounts import AuthError

PURPOSE = "api.tokens"
ACCESS_PREFIX = "wma."
API_PREFIX = "wmk_"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, user_id: int, generation: int, issued: int, expires: int) -> str:
    """A signed access token for one user and generation, valid until ``expires``."""
    payload = json.dumps(
        {"sub": user_id, "gen": generation, "iat": issued, "exp": expires},
        separators=(",", ":"),
    ).encode("ascii")
    body = _b64(payload)
    mac = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()
    return f"{ACCESS_PREFIX}{body}.{_b64(mac)}"


def verify(key: bytes, token: str, now: int) -> dict[str, Any]:
    """The payload of a valid, unexpired access token; :class:`AuthError` otherwise."""
    if not token.startswith(ACCESS_PREFIX):
        raise AuthError("not an access token")
    body, sep, mac = token[len(ACCESS_PREFIX) :].partition(".")
    if not sep:
        raise AuthError("malformed access token")
    expected = _b64(hmac.new(key, body.encode("ascii", "replace"), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, mac):
        raise AuthError("invalid access token")
    try:
        payload = json.loads(_unb64(body))
        user_id, generation, expires = int(payload["sub"]), int(payload["gen"]), int(payload["exp"])
    except (ValueError, KeyError, TypeError):
        raise AuthError("malformed access token") from None
    if expires <= now:
        raise AuthError("access token expired; sign in again")
    return {"sub": user_id, "gen": generation, "exp": expires}


def new_api_token() -> str:
    """A random API token (256 bits); shown once, stored only as its digest."""
    return API_PREFIX + _b64(_random.token_bytes(32))


def digest(token: str) -> str:
    """SHA-256 of an API token: enough for 256 random bits, and fast to look up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


#: Looks a user's row up by an unrevoked API token's digest (``digest=``) or by ID
#: (``user_id=``); ``None`` if there is none.
FindUser = Callable[..., Mapping[str, Any] | None]


def authenticate(
    token: Any, find_user: FindUser, key: Callable[[], bytes], now: Callable[[], int]
) -> Mapping[str, Any]:
    """The ``wm_user`` row of the active user a bearer token (access or API) belongs
    to; :class:`AuthError` for a wrong, expired or revoked one. The rules, whichever
    connection ``find_user`` reads with (:meth:`wenming.accounts.service.Accounts.authenticate`,
    or the command line's light read: :mod:`wenming.accounts.identity`); ``key`` gives
    the signing key and ``now`` the time in UNIX seconds, when an access token needs them."""
    if not isinstance(token, str) or not token:
        raise AuthError("no token")
    if token.startswith(API_PREFIX):
        row = find_user(digest=digest(token))
        if row is None:
            raise AuthError("unknown or revoked API token")
    else:
        claims = verify(key(), token, now())
        row = find_user(user_id=claims["sub"])
        if row is None or row["generation"] != claims["gen"]:
            raise AuthError("access token no longer valid; sign in again")
    if not row["active"]:
        raise AuthError(f"user {row['username']} is revoked")
    return row
