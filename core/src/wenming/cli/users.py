"""``wenming users``: accounts for the people and machines that use the HTTP API and
the command line — a thin layer over :class:`wenming.accounts.service.Accounts`.

Managing users is the deployment's local operator's job (who can read the deployment's
secret); ``login`` and ``whoami`` are for everyone. Passwords are read from a hidden
prompt or, for scripts, one line of standard input (``--password-stdin``); never from
an option, so they stay out of shell history and process lists.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from wenming.cli import State, echo_json, json_option
from wenming.errors import WenmingError
from wenming.orders.roles import ROLES as ROLE_CHOICES  # every role an account may have

if TYPE_CHECKING:
    from wenming.accounts.service import Accounts


def _accounts(state: State, *, operator: bool = True) -> Accounts:
    from wenming.accounts.identity import require_operator
    from wenming.accounts.service import Accounts

    deployment = state.deployment(required=True)
    deployment.storage.check()
    if operator:
        require_operator(deployment, "managing users")
    accounts = Accounts(deployment)
    accounts.check_schema()
    return accounts


def _password(stdin: bool, prompt: str = "Password") -> str:
    if stdin:
        line = sys.stdin.readline()
        if not line:
            raise WenmingError("--password-stdin: no password on standard input")
        return line.rstrip("\r\n")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=True)


def scope_options(fn: Any) -> Any:
    for option in reversed(
        (
            click.option("--role", type=click.Choice(ROLE_CHOICES), required=True),
            click.option("--department", default=None, help="A department dispatcher's."),
            click.option("--area", default=None, help="A station operator's division code."),
            click.option("--team", default=None, help="A team leader's team (resource key)."),
            click.option(
                "--unit", default=None, help="A unit operator's civilized unit (its code)."
            ),
        )
    ):
        fn = option(fn)
    return fn


password_stdin = click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (scripts)."
)


@click.group()
def users() -> None:
    """Accounts: users with a role and its scope, API tokens for machines, sign-in."""


@users.command("add")
@click.argument("username")
@scope_options
@password_stdin
@json_option
@click.pass_obj
def add(state: State, username: str, password_stdin: bool, as_json: bool, **scope: Any) -> None:
    """Create USERNAME with a role and its scope (asks for a password)."""
    accounts = _accounts(state)
    user = accounts.add(username, password=_password(password_stdin), **scope)
    if as_json:
        echo_json(user.as_dict())
        return
    click.echo(f"added {user.username}: {user.role}" + (f" ({user.scope})" if user.scope else ""))


@users.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include revoked users.")
@click.option("--tokens", "show_tokens", is_flag=True, help="List API tokens too.")
@json_option
@click.pass_obj
def list_(state: State, show_all: bool, show_tokens: bool, as_json: bool) -> None:
    """List users with their role and scope."""
    accounts = _accounts(state)
    found = accounts.users(include_revoked=show_all)
    tokens = accounts.api_tokens() if show_tokens else []
    if as_json:
        data: dict[str, Any] = {"users": [u.as_dict() for u in found]}
        if show_tokens:
            data["tokens"] = [t.as_dict() for t in tokens]
        echo_json(data)
        return
    for u in found:
        flag = "" if u.active else "  [revoked]"
        click.echo(f"{u.username:<24} {u.role:<22} {u.scope}{flag}")
    if not found:
        click.echo("no users")
    for t in tokens:
        flag = f"  [revoked {t.revoked_at:%Y-%m-%d}]" if t.revoked_at else ""
        click.echo(f"token {t.id:>4}  {t.prefix}…  {t.username:<24} {t.name}{flag}")


@users.command("set-role")
@click.argument("username")
@scope_options
@json_option
@click.pass_obj
def set_role(state: State, username: str, as_json: bool, **scope: Any) -> None:
    """Give USERNAME another role or scope; its access tokens stop working."""
    user = _accounts(state).set_role(username, **scope)
    if as_json:
        echo_json(user.as_dict())
        return
    click.echo(f"{user.username} is now {user.role}" + (f" ({user.scope})" if user.scope else ""))


@users.command("revoke")
@click.argument("username", required=False)
@click.option("--token", "token_id", type=int, default=None, help="Revoke one API token instead.")
@json_option
@click.pass_obj
def revoke(state: State, username: str | None, token_id: int | None, as_json: bool) -> None:
    """Revoke USERNAME (every token at once), or one API token with --token ID."""
    accounts = _accounts(state)
    if (username is None) == (token_id is None):
        raise WenmingError("give a USERNAME or --token ID")
    if token_id is not None:
        token = accounts.revoke_token(token_id)
        if as_json:
            echo_json(token.as_dict())
            return
        click.echo(f"revoked API token {token.id} ({token.name}) of {token.username}")
        return
    user = accounts.revoke(username or "")
    if as_json:
        echo_json(user.as_dict())
        return
    click.echo(f"revoked {user.username}: its access and API tokens no longer work")


@users.command("reset-password")
@click.argument("username")
@password_stdin
@click.pass_obj
def reset_password(state: State, username: str, password_stdin: bool) -> None:
    """Set a new password for USERNAME; its access tokens stop working."""
    accounts = _accounts(state)
    accounts.user(username)  # fail before asking for a password
    accounts.reset_password(username, _password(password_stdin, "New password"))
    click.echo(f"new password set for {username}")


@users.command("token")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for, e.g. the integrator's app.")
@json_option
@click.pass_obj
def token(state: State, username: str, name: str, as_json: bool) -> None:
    """Create a revocable API token for a machine acting as USERNAME (shown once)."""
    secret, view = _accounts(state).create_api_token(username, name)
    if as_json:
        echo_json({**view.as_dict(), "token": secret})
        return
    click.echo(f"API token {view.id} for {view.username} ({view.name}); shown only now:")
    click.echo(secret)


@users.command("login")
@click.argument("username")
@password_stdin
@click.pass_obj
def login(state: State, username: str, password_stdin: bool) -> None:
    """Sign in as USERNAME; later commands act as that user (under its role's rules)."""
    from wenming.accounts.identity import store_token

    accounts = _accounts(state, operator=False)
    password = _password(True) if password_stdin else click.prompt("Password", hide_input=True)
    token_text, user = accounts.login(username, password)
    path = store_token(state.deployment_path, user.username, token_text)
    minutes = accounts.access_minutes
    click.echo(
        f"signed in as {user.username} ({user.role}) for {minutes:g} minutes; token kept in {path}"
    )


@users.command("logout")
@click.pass_obj
def logout(state: State) -> None:
    """Forget the token stored for this deployment."""
    from wenming.accounts.identity import forget_token

    forgotten = forget_token(state.deployment_path)
    click.echo("signed out" if forgotten else "not signed in")


@users.command("whoami")
@json_option
@click.pass_obj
def whoami(state: State, as_json: bool) -> None:
    """Who the CLI acts as: the user of WENMING_TOKEN or of the stored login."""
    from wenming.accounts.identity import token_for

    accounts = _accounts(state, operator=False)
    token_text = token_for(state.deployment_path)
    if not token_text:
        raise WenmingError("not signed in: wenming users login NAME (or set WENMING_TOKEN)")
    user = accounts.authenticate(token_text)
    if as_json:
        echo_json(user.as_dict())
        return
    click.echo(f"{user.username} ({user.role}" + (f", {user.scope})" if user.scope else ")"))
