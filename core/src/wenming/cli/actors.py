"""Who acts and who reads, as options every workflow command shares.

Who acts is the signed-in user (``WENMING_TOKEN`` or ``wenming users login``), or, for
the deployment's local operator only, ``--actor`` and ``--role`` (and the role's scope:
``--department``, ``--area`` or ``--team``) or the environment variables
``WENMING_ACTOR``, ``WENMING_ROLE``, ``WENMING_DEPARTMENT``, ``WENMING_AREA``,
``WENMING_TEAM`` — see :mod:`wenming.accounts.identity`. The Python API enforces the
role's rules; the CLI only passes them on.

The reading commands (``order list``, ``show``, ``overdue``) read as the signed-in user,
or as the actor given — and see what the role may see — and otherwise as the
deployment's local operator, who sees everything (the HTTP API always names its
reader). Their scope options are ``--actor-department`` and ``--actor-area``, since
``order list`` filters by ``--department`` and ``--area``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from wenming.cli import State
from wenming.orders.roles import ROLES as ROLE_CHOICES  # one list: the roles an Actor may have

if TYPE_CHECKING:
    from wenming.orders.service import Workflow


def actor_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add the who-acts options and pass an :class:`Actor` as ``actor``."""

    @click.option(
        "--actor", "actor_id", envvar="WENMING_ACTOR", help="Who acts (env WENMING_ACTOR)."
    )
    @click.option(
        "--role",
        type=click.Choice(ROLE_CHOICES),
        envvar="WENMING_ROLE",
        help="The actor's role (env WENMING_ROLE).",
    )
    @click.option(
        "--department",
        "actor_department",
        envvar="WENMING_DEPARTMENT",
        help="A department dispatcher's department.",
    )
    @click.option(
        "--area",
        "actor_area",
        envvar="WENMING_AREA",
        help="A station operator's area (division code).",
    )
    @click.option(
        "--team", "actor_team", envvar="WENMING_TEAM", help="A team leader's team (resource key)."
    )
    @click.option(
        "--unit", "actor_unit", envvar="WENMING_UNIT", help="A unit operator's civilized unit."
    )
    @functools.wraps(fn)
    def wrapper(
        *args: Any,
        actor_id: str | None,
        role: str | None,
        actor_department: str | None,
        actor_area: str | None,
        actor_team: str | None,
        actor_unit: str | None,
        **kwargs: Any,
    ) -> Any:
        from wenming.accounts.identity import resolve

        ctx = click.get_current_context()
        actor = resolve(
            ctx.find_object(State).deployment(required=True),
            actor_id=actor_id,
            role=role,
            department=actor_department,
            area=actor_area,
            team=actor_team,
            unit=actor_unit,
            command=command_line(ctx),
        )
        return fn(*args, actor=actor, **kwargs)

    return wrapper


def command_line(ctx: click.Context) -> str:
    """The command and its arguments, for the local operator's record."""
    given = " ".join(f"{k}={v}" for k, v in ctx.params.items() if v not in (None, (), False, ""))
    return f"{ctx.command_path} {given}".strip()


def viewer_options(fn: Callable[..., Any] | None = None, *, light: bool = False) -> Any:
    """Add optional who-reads options and pass ``viewer``: an :class:`Actor`, or ``None``
    for the local operator (no actor given), who reads everything. ``light``: a token is
    looked up on the command's light read connection (:meth:`State.reader`)."""
    if fn is None:
        return functools.partial(viewer_options, light=light)

    @click.option(
        "--actor",
        "actor_id",
        envvar="WENMING_ACTOR",
        help="Read as this actor (env WENMING_ACTOR).",
    )
    @click.option(
        "--role",
        type=click.Choice(ROLE_CHOICES),
        envvar="WENMING_ROLE",
        help="The reader's role (env WENMING_ROLE); without one, read as the local operator.",
    )
    @click.option(
        "--actor-department",
        envvar="WENMING_DEPARTMENT",
        help="A department dispatcher's department.",
    )
    @click.option(
        "--actor-area", envvar="WENMING_AREA", help="A station operator's area (division code)."
    )
    @click.option(
        "--team", "actor_team", envvar="WENMING_TEAM", help="A team leader's team (resource key)."
    )
    @click.option(
        "--unit", "actor_unit", envvar="WENMING_UNIT", help="A unit operator's civilized unit."
    )
    @functools.wraps(fn)
    def wrapper(
        *args: Any,
        actor_id: str | None,
        role: str | None,
        actor_department: str | None,
        actor_area: str | None,
        actor_team: str | None,
        actor_unit: str | None,
        **kwargs: Any,
    ) -> Any:
        from wenming.accounts.identity import resolve_viewer

        state = click.get_current_context().find_object(State)
        viewer = resolve_viewer(
            state.deployment(required=True),
            actor_id=actor_id,
            role=role,
            department=actor_department,
            area=actor_area,
            team=actor_team,
            unit=actor_unit,
            reader=state.reader() if light else None,
        )
        return fn(*args, viewer=viewer, **kwargs)

    return wrapper


#: The reader when no actor is named: the deployment's local operator, who may read
#: every order. Only the command line reads this way; the HTTP API names its reader.
LOCAL_OPERATOR = None


def workflow_for(state: State) -> Workflow:
    from wenming.accounts.identity import attach_operator
    from wenming.orders.service import Workflow

    deployment = state.deployment(required=True)
    deployment.storage.check()
    workflow = Workflow(deployment)
    attach_operator(workflow)  # a declared --actor/--role's events are recorded as such
    return workflow
