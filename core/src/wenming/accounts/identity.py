"""Who acts on the command line: a signed-in user, or the deployment's local operator.

One helper for every CLI command that acts (``wenming order``, ``dispatch``, …):

- a user's token — ``WENMING_TOKEN`` or the one ``wenming users login`` stored for this
  deployment — acts as that user, under the same role rules as the HTTP API;
- ``--actor/--role`` (or ``WENMING_ACTOR``/``WENMING_ROLE``) declare an identity, which
  only the deployment's local operator may do: the one who can read the deployment's
  secret (``wenming.secret``, owner-only). Each such act is recorded in
  ``wm_operator_act`` with the operating-system account that ran it.
"""

from __future__ import annotations

import contextvars
import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wenming.errors import ConfigError, StorageError, WenmingError

if TYPE_CHECKING:
    from wenming.deployment import Deployment
    from wenming.orders.roles import Actor
    from wenming.storage.light import Reader

ENV_TOKEN = "WENMING_TOKEN"
ENV_CONFIG_DIR = "WENMING_CONFIG_DIR"
#: The local operator's declared act in this command (os user, actor, command), or None.
_OPERATOR: contextvars.ContextVar[tuple[str, Actor, str] | None] = contextvars.ContextVar(
    "wenming_operator", default=None
)
NOBODY = (
    "say who acts: --actor ID --role ROLE (or WENMING_ACTOR, WENMING_ROLE) as the local "
    "operator, or sign in with 'wenming users login NAME' (or WENMING_TOKEN)"
)


def login_file() -> Path:
    """Where ``wenming users login`` keeps tokens, one per deployment file."""
    base = os.environ.get(ENV_CONFIG_DIR)
    if base:
        return Path(base) / "tokens.json"
    xdg = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(xdg) / "wenming" / "tokens.json"


def _key(deployment_path: Path) -> str:
    return str(deployment_path.resolve())


def stored_tokens() -> dict[str, Any]:
    path = login_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, OSError):
        return {}
    return data if isinstance(data, dict) else {}


def store_token(deployment_path: Path, username: str, token: str) -> Path:
    """Keep ``token`` for this deployment, readable by the owner only."""
    path = login_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = stored_tokens()
    data[_key(deployment_path)] = {"username": username, "token": token}
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    tmp.replace(path)
    return path


def forget_token(deployment_path: Path) -> bool:
    data = stored_tokens()
    if data.pop(_key(deployment_path), None) is None:
        return False
    path = login_file()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    return True


def token_for(deployment_path: Path | None) -> str | None:
    """``WENMING_TOKEN``, else the token stored by ``wenming users login``."""
    token = os.environ.get(ENV_TOKEN)
    if token:
        return token.strip()
    if deployment_path is None:
        return None
    entry = stored_tokens().get(_key(deployment_path))
    return entry.get("token") if isinstance(entry, dict) else None


def require_operator(deployment: Deployment, what: str) -> None:
    """Refuse unless the caller can read the deployment's secret (owner-only)."""
    if deployment.path is None:
        return  # an in-memory deployment belongs to whoever made it
    try:
        deployment.secrets  # noqa: B018 - reading the secret is the check
    except ConfigError as exc:
        raise WenmingError(
            f"{what} is for the deployment's local operator, who can read its secret "
            f"({exc}); sign in instead: wenming users login NAME"
        ) from None


def resolve(
    deployment: Deployment,
    *,
    actor_id: str | None,
    role: str | None,
    department: str | None = None,
    area: str | None = None,
    team: str | None = None,
    command: str | None = None,
    unit: str | None = None,
) -> Actor:
    """The actor of one CLI command: the signed-in user, or the local operator's
    declared identity (recorded)."""
    from wenming.orders.roles import Actor

    _OPERATOR.set(None)
    token = token_for(deployment.path)
    declared = bool(actor_id or role)
    if declared and os.environ.get(ENV_TOKEN):
        raise WenmingError(
            f"{ENV_TOKEN} is set and --actor/--role are given: act as the signed-in user "
            f"(drop --actor/--role) or as the local operator (unset {ENV_TOKEN})"
        )
    if declared:
        if not actor_id or not role:
            raise WenmingError(NOBODY)
        try:
            actor = Actor(actor_id, role, department=department, area=area, team=team, unit=unit)
        except ValueError as exc:
            raise WenmingError(f"--role {role}: {exc}") from None
        require_operator(deployment, "--actor/--role")
        _record(deployment, actor, command)
        return actor
    if token:
        return _token_user(deployment, token)
    raise WenmingError(NOBODY)


def resolve_viewer(
    deployment: Deployment,
    *,
    actor_id: str | None,
    role: str | None,
    department: str | None = None,
    area: str | None = None,
    team: str | None = None,
    unit: str | None = None,
    reader: Reader | None = None,
) -> Actor | None:
    """Who reads on the command line: the signed-in user; else the actor the local
    operator names; else (``None``) the local operator, who reads everything. Only the
    owner of the deployment's secret reads without a token. A token is looked up on
    ``reader`` (a light read connection) when the command has one."""
    from wenming.orders.roles import Actor

    _OPERATOR.set(None)
    if not actor_id and not role:
        token = token_for(deployment.path)
        if token:
            return _token_user(deployment, token, reader)
        require_operator(deployment, "reading every order")
        return None
    if not actor_id or not role:
        raise WenmingError(
            "say who reads: both --actor ID and --role ROLE (or neither, as the local operator)"
        )
    require_operator(deployment, "--actor/--role")
    try:
        return Actor(actor_id, role, department=department, area=area, team=team, unit=unit)
    except ValueError as exc:
        raise WenmingError(f"--role {role}: {exc}") from None


def _token_user(deployment: Deployment, token: str, reader: Reader | None = None) -> Actor:
    """The actor a token signs in, looked up on the light ``reader`` (no SQLAlchemy) if
    given and working, else through :class:`~wenming.accounts.service.Accounts`."""
    from wenming.accounts import AuthError

    try:
        if reader is not None:
            try:
                return _light_token_user(deployment, token, reader)
            except reader.Error:
                pass  # the full path reports what is wrong with the database
        from wenming.accounts.service import Accounts

        return Accounts(deployment).authenticate(token).actor()
    except AuthError as exc:
        raise WenmingError(f"{exc} (wenming users login NAME)") from None


def _light_token_user(deployment: Deployment, token: str, reader: Reader) -> Actor:
    import time

    from wenming.accounts import tokens
    from wenming.accounts.views import user_view

    def find_user(*, digest: str | None = None, user_id: int | None = None) -> Any:
        if digest is not None:
            return reader.one(
                "SELECT u.* FROM wm_user u JOIN wm_api_token t ON t.user_id = u.id "
                "WHERE t.digest = :digest AND t.revoked_at IS NULL",
                {"digest": digest},
                table="wm_user",
            )
        return reader.one(
            "SELECT * FROM wm_user WHERE id = :uid", {"uid": user_id}, table="wm_user"
        )

    row = tokens.authenticate(
        token,
        find_user,
        lambda: deployment.secrets.key(tokens.PURPOSE),
        lambda: int(time.time()),
    )
    return user_view(row).actor()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def _record(deployment: Deployment, actor: Actor, command: str | None) -> None:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from wenming.accounts.service import Accounts
    from wenming.storage import database_error

    line = _redact(command if command is not None else " ".join(sys.argv[1:]))
    line = line.replace("\x00", "\\x00")  # a NUL is the input check's to refuse, not the record's
    os_user = _os_user()
    try:
        Accounts(deployment).record_operator_act(os_user, actor, line)
    except (OperationalError, ProgrammingError) as exc:
        if any(w in str(exc.orig) for w in ("locked", "busy")):  # another writer, not the schema
            raise StorageError(database_error(exc) or str(exc.orig)) from None
        raise StorageError(
            f"cannot record the operator's act ({exc.orig}); run 'wenming init' to upgrade "
            "the database"
        ) from None
    _OPERATOR.set((os_user, actor, line))


def attach_operator(workflow: Any) -> None:
    """Record each order event this command writes as the local operator's, in the
    event's own transaction (``wm_operator_act`` with the order and ``seq``), when the
    command acts under a declared ``--actor/--role``."""
    from sqlalchemy import insert

    from wenming.accounts.tables import OperatorAct

    table = OperatorAct.__table__

    def record(conn: Any, events: Any) -> None:
        declared = _OPERATOR.get()
        if declared is None or not events:
            return
        os_user, actor, line = declared
        conn.execute(
            insert(table),
            [
                {
                    "os_user": os_user[:64],
                    "actor": e.actor[:128],
                    "role": e.role,
                    "scope": actor.scope[:160],
                    "command": line[:256],
                    "order_id": e.order_id,
                    "seq": e.seq,
                    "at": e.at,
                }
                for e in events
            ],
        )

    workflow.journal.on_append(record)


def _redact(line: str) -> str:
    """Drop anything after a password or token option (never stored)."""
    words = line.split()
    out = []
    skip = False
    for w in words:
        if skip:
            out.append("***")
            skip = False
            continue
        lowered = w.lower()
        if any(s in lowered for s in ("password", "token")):
            if "=" in w:
                out.append(w.split("=", 1)[0] + "=***")
                continue
            skip = True
        out.append(w)
    return " ".join(out)
