"""The accounts' Python API: :class:`Accounts`. ``wenming users`` and the HTTP API's
sign-in are thin layers over it.

Passwords are hashed with argon2id (argon2-cffi's defaults, the RFC 9106 low-memory
profile, ≈ 50–200 ms a hash): sign in once and use the access token it returns. A
failed sign-in for an unknown user still spends one hash, so timing does not tell
which usernames exist. Nothing here logs a password or a token.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from attrs import frozen
from sqlalchemy import insert, select, update

from wenming.accounts import AccountError, AuthError, tokens
from wenming.accounts.tables import ApiToken, OperatorAct, User
from wenming.accounts.views import UserView
from wenming.accounts.views import user_view as _user_view
from wenming.orders.roles import _SCOPE, ROLES, Actor
from wenming.storage.types import utcnow

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from wenming.deployment import Deployment

T_USER = User.__table__
T_TOKEN = ApiToken.__table__
T_ACT = OperatorAct.__table__

#: 1–64 characters: a volunteer signs in under their volunteer number, which may be "7".
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 10
#: How long an access token lives unless the deployment says otherwise (``[api]``).
ACCESS_MINUTES = 60


@frozen
class TokenView:
    """An API token's record: its name, its first characters, whether it is revoked."""

    id: int
    username: str
    name: str
    prefix: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "name": self.name,
            "prefix": self.prefix,
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


def default_hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()


class Accounts:
    """The users of one deployment and their tokens."""

    def __init__(
        self,
        deployment: Deployment,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.deployment = deployment
        self.storage = deployment.storage
        self.clock = clock or utcnow
        self._hasher = hasher
        self._key: bytes | None = None
        api = getattr(deployment.config, "api", None)
        self.access_minutes = getattr(api, "access_token_minutes", ACCESS_MINUTES)

    def check_schema(self) -> None:
        """Refuse, with the fix, a database created before accounts existed."""
        from sqlalchemy import inspect

        from wenming.errors import StorageError

        if not inspect(self.storage.engine).has_table(T_USER.name):
            raise StorageError(
                f"{self.storage!r} has no accounts tables yet; run 'wenming init' in the "
                "deployment's folder to upgrade it"
            )

    @property
    def hasher(self) -> PasswordHasher:
        if self._hasher is None:
            self._hasher = default_hasher()
        return self._hasher

    @property
    def key(self) -> bytes:
        """The token-signing key, derived from the deployment's secret for this purpose."""
        if self._key is None:
            self._key = self.deployment.secrets.key(tokens.PURPOSE)
        return self._key

    # ------------------------------------------------------------------ users

    def _check(
        self,
        role: str,
        department: str | None,
        area: str | None,
        team: str | None,
        unit: str | None = None,
    ) -> dict[str, Any]:
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        registry = self.deployment.registry
        if department is not None and department not in registry.departments:
            raise AccountError(
                f"department {department!r} is not installed "
                f"(installed: {', '.join(registry.departments) or 'none'})"
            )
        if area is not None and not re.fullmatch(r"[0-9]{2,12}", area):
            raise AccountError(f"area must be a division code (digits), got {area!r}")
        scope = {"department": department, "area": area, "team": team, "unit": unit}
        try:
            Actor("check", role, **scope)
        except ValueError as exc:
            raise AccountError(str(exc).replace(" (actor 'check')", "")) from None
        # keep only the scope the role uses, so a role change leaves no stale scope
        needed = _SCOPE[role]
        if needed == "unit":
            self._check_unit(unit or "")
        return {k: (v if k == needed else None) for k, v in scope.items()}

    def _check_unit(self, code: str) -> None:
        """A unit operator's unit must be one of the deployment's civilized units."""
        from wenming.reports.tables import Unit

        table = Unit.__table__
        with self.storage.session() as s:
            if s.execute(select(table.c.id).where(table.c.code == code)).first() is None:
                raise AccountError(
                    f"unit {code!r} is not a civilized unit of this deployment "
                    "(wenming units list; add it with wenming units add)"
                )

    def _password(self, password: str) -> str:
        if not isinstance(password, str) or len(password) < MIN_PASSWORD:
            raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
        return self.hasher.hash(password)

    def add(
        self,
        username: str,
        role: str,
        password: str,
        *,
        department: str | None = None,
        area: str | None = None,
        team: str | None = None,
        unit: str | None = None,
    ) -> UserView:
        """Create a user with a role and its scope (a unit operator's ``unit`` must exist)."""
        if not isinstance(username, str) or not USERNAME_RE.match(username):
            raise AccountError(
                f"username must be 1–64 letters, digits or . _ @ -, got {username!r}"
            )
        scope = self._check(role, department, area, team, unit)
        hashed = self._password(password)
        now = self.clock()
        with self.storage.session() as s:
            if s.execute(select(T_USER.c.id).where(T_USER.c.username == username)).first():
                raise AccountError(f"user {username} exists already")
            s.execute(
                insert(T_USER).values(
                    username=username,
                    role=role,
                    password_hash=hashed,
                    active=True,
                    generation=0,
                    created_at=now,
                    changed_at=now,
                    **scope,
                )
            )
        return self.user(username)

    def user(self, username: str) -> UserView:
        with self.storage.session() as s:
            row = s.execute(select(T_USER).where(T_USER.c.username == username)).mappings().first()
        if row is None:
            raise AccountError(f"no user {username}")
        return _user_view(row)

    def users(self, *, include_revoked: bool = False) -> list[UserView]:
        stmt = select(T_USER).order_by(T_USER.c.username)
        if not include_revoked:
            stmt = stmt.where(T_USER.c.active.is_(True))
        with self.storage.session() as s:
            return [_user_view(r) for r in s.execute(stmt).mappings()]

    def _change(self, username: str, **values: Any) -> UserView:
        with self.storage.session() as s:
            done = s.execute(
                update(T_USER)
                .where(T_USER.c.username == username)
                .values(generation=T_USER.c.generation + 1, changed_at=self.clock(), **values)
            )
            if done.rowcount == 0:
                raise AccountError(f"no user {username}")
        return self.user(username)

    def set_role(
        self,
        username: str,
        role: str,
        *,
        department: str | None = None,
        area: str | None = None,
        team: str | None = None,
        unit: str | None = None,
    ) -> UserView:
        """Give a user another role or scope; access tokens signed before stop working."""
        scope = self._check(role, department, area, team, unit)
        return self._change(username, role=role, **scope)

    def reset_password(self, username: str, password: str) -> UserView:
        """Set a new password; access tokens signed before stop working."""
        return self._change(username, password_hash=self._password(password))

    def revoke(self, username: str) -> UserView:
        """Disable a user: its access and API tokens stop working at once."""
        now = self.clock()
        view = self._change(username, active=False)
        with self.storage.session() as s:
            s.execute(
                update(T_TOKEN)
                .where(T_TOKEN.c.user_id == view.id, T_TOKEN.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        return view

    def restore(self, username: str) -> UserView:
        """Enable a revoked user again (its old tokens stay revoked)."""
        return self._change(username, active=True)

    # ------------------------------------------------------------------ tokens

    def login(self, username: str, password: str) -> tuple[str, UserView]:
        """Check a password and return a new access token and the user."""
        with self.storage.session() as s:
            row = s.execute(select(T_USER).where(T_USER.c.username == username)).mappings().first()
        from argon2.exceptions import InvalidHashError, VerificationError

        if row is None or not row["password_hash"]:
            self._dummy_verify(password)
            raise AuthError("wrong username or password")
        try:
            self.hasher.verify(row["password_hash"], password)
        except (VerificationError, InvalidHashError):
            raise AuthError("wrong username or password") from None
        if not row["active"]:
            raise AuthError(f"user {username} is revoked")
        if self.hasher.check_needs_rehash(row["password_hash"]):
            with self.storage.session() as s:
                s.execute(
                    update(T_USER)
                    .where(T_USER.c.id == row["id"])
                    .values(password_hash=self.hasher.hash(password))
                )
        view = _user_view(row)
        return self.access_token(view), view

    def _dummy_verify(self, password: str) -> None:
        from argon2.exceptions import VerificationError

        if not hasattr(self, "_dummy"):
            self._dummy = self.hasher.hash("not a password of anyone")
        with contextlib.suppress(VerificationError):
            self.hasher.verify(self._dummy, password)

    def access_token(self, user: UserView, minutes: float | None = None) -> str:
        """A signed access token for ``user``, valid ``minutes`` (the deployment's default)."""
        now = int(self.clock().timestamp())
        life = int(60 * (minutes if minutes is not None else self.access_minutes))
        return tokens.sign(self.key, user.id, user.generation, now, now + life)

    def expires_in(self) -> int:
        return int(60 * self.access_minutes)

    def create_api_token(self, username: str, name: str) -> tuple[str, TokenView]:
        """A new revocable API token for a machine acting as ``username``; the token is
        returned once and only its digest is stored."""
        if not isinstance(name, str) or not name.strip() or len(name) > 64:
            raise AccountError("an API token needs a name (1–64 characters)")
        user = self.user(username)
        if not user.active:
            raise AccountError(f"user {username} is revoked")
        token = tokens.new_api_token()
        with self.storage.session() as s:
            s.execute(
                insert(T_TOKEN).values(
                    user_id=user.id,
                    name=name.strip(),
                    digest=tokens.digest(token),
                    prefix=token[:12],
                    created_at=self.clock(),
                )
            )
        found = [t for t in self.api_tokens(username) if t.prefix == token[:12]]
        return token, found[-1]

    def api_tokens(self, username: str | None = None) -> list[TokenView]:
        stmt = (
            select(T_TOKEN, T_USER.c.username)
            .join(T_USER, T_USER.c.id == T_TOKEN.c.user_id)
            .order_by(T_TOKEN.c.id)
        )
        if username is not None:
            stmt = stmt.where(T_USER.c.username == username)
        with self.storage.session() as s:
            return [
                TokenView(
                    id=r["id"],
                    username=r["username"],
                    name=r["name"],
                    prefix=r["prefix"],
                    created_at=r["created_at"],
                    revoked_at=r["revoked_at"],
                )
                for r in s.execute(stmt).mappings()
            ]

    def revoke_token(self, token_id: int) -> TokenView:
        """Revoke one API token at once."""
        with self.storage.session() as s:
            done = s.execute(
                update(T_TOKEN)
                .where(T_TOKEN.c.id == token_id, T_TOKEN.c.revoked_at.is_(None))
                .values(revoked_at=self.clock())
            )
            if done.rowcount == 0:
                raise AccountError(f"no API token {token_id} that is not revoked already")
        return next(t for t in self.api_tokens() if t.id == token_id)

    def authenticate(self, token: str) -> UserView:
        """The active user a bearer token (access or API) belongs to; :class:`AuthError`
        for a wrong, expired or revoked one (the rules: :func:`tokens.authenticate`)."""

        def find_user(*, digest: str | None = None, user_id: int | None = None) -> Any:
            if digest is not None:
                stmt = (
                    select(T_USER)
                    .join(T_TOKEN, T_TOKEN.c.user_id == T_USER.c.id)
                    .where(T_TOKEN.c.digest == digest, T_TOKEN.c.revoked_at.is_(None))
                )
            else:
                stmt = select(T_USER).where(T_USER.c.id == user_id)
            with self.storage.engine.connect() as conn:  # every request: no ORM session
                return conn.execute(stmt).mappings().first()

        row = tokens.authenticate(
            token, find_user, lambda: self.key, lambda: int(self.clock().timestamp())
        )
        return _user_view(row)

    # ------------------------------------------------------------------ the local operator

    def record_operator_act(self, os_user: str, actor: Actor, command: str) -> None:
        """Record that the local operator acted under a declared identity."""
        with self.storage.session() as s:
            s.execute(
                insert(T_ACT).values(
                    os_user=os_user[:64],
                    actor=actor.id[:128],
                    role=actor.role,
                    scope=actor.scope[:160],
                    command=command[:256],
                    at=self.clock(),
                )
            )

    def operator_acts(self, limit: int = 100) -> list[dict[str, Any]]:
        with self.storage.session() as s:
            rows = s.execute(select(T_ACT).order_by(T_ACT.c.id.desc()).limit(limit)).mappings()
            return [{**r, "at": r["at"].isoformat()} for r in rows]
