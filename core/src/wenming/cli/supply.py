"""供单: publish or withdraw venues, projects and teams; list what can be ordered —
a thin layer over :class:`wenming.orders.service.Workflow` (who acts:
:mod:`wenming.cli.actors`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from wenming.cli import State, echo_json, json_option, place_value
from wenming.cli.actors import actor_options
from wenming.cli.actors import workflow_for as _workflow

if TYPE_CHECKING:
    from wenming.orders.roles import Actor


@click.group()
def supply() -> None:
    """供单: publish and withdraw venues, projects and teams that stations can order."""


@supply.command("publish")
@click.argument("name")
@click.option("--kind", type=click.Choice(["venue", "project", "team"]), required=True)
@click.option("--name-zh", required=True, help="The resource's Chinese name.")
@click.option("--name-en", default=None)
@click.option(
    "--place", required=True, callback=place_value, help="Division code or name where it is."
)
@click.option(
    "--owner", "department", default=None, help="Owning department (none: a civilized unit's)."
)
@click.option("--category", "categories", multiple=True, help="Service category (repeat).")
@click.option("--audience", "audiences", multiple=True, help="Key population served (repeat).")
@click.option("--tag", "tags", multiple=True)
@click.option("--skill", "skills", multiple=True)
@click.option("--capacity", type=int, default=30, show_default=True)
@click.option("--members", type=int, default=0)
@click.option(
    "--month", "months", type=click.IntRange(1, 12), multiple=True, help="Season month (repeat)."
)
@click.option("--serves", multiple=True, help="Division code of a site it serves (repeat).")
@click.option("--reach-km", type=float, default=None)
@click.option("--schedule", default="", help="When it is open or available, as text.")
@click.option("--template", default=None)
@click.option("--site-type", default=None)
@click.option("--description", default="")
@actor_options
@json_option
@click.pass_obj
def publish(state: State, name: str, actor: Actor, as_json: bool, **values: Any) -> None:
    """Publish resource NAME (key: DEPARTMENT.NAME, or unit.NAME)."""
    res = _workflow(state).publish(actor, name=name, **values)
    if as_json:
        echo_json(res.as_dict())
        return
    click.echo(f"published {res.key} ({res.kind}, {res.name}) at {res.place}")


@supply.command("withdraw")
@click.argument("key")
@click.option("--reason", default="")
@actor_options
@json_option
@click.pass_obj
def withdraw(state: State, key: str, reason: str, actor: Actor, as_json: bool) -> None:
    """Withdraw published resource KEY; dispatches already made stand."""
    res = _workflow(state).withdraw(actor, key, reason)
    if as_json:
        echo_json(res.as_dict())
        return
    click.echo(f"withdrew {res.key}")


@supply.command("list")
@click.option("--department", default=None)
@click.option("--kind", type=click.Choice(["venue", "project", "team"]), default=None)
@click.option("--all", "show_all", is_flag=True, help="Include withdrawn resources.")
@click.option("--published-only", is_flag=True, help="Leave out the plugins' seed resources.")
@json_option
@click.pass_obj
def supply_list(
    state: State,
    department: str | None,
    kind: str | None,
    show_all: bool,
    published_only: bool,
    as_json: bool,
) -> None:
    """List resources that can be ordered or dispatched."""
    found = _workflow(state).resources(
        department=department,
        kind=kind,
        include_withdrawn=show_all,
        include_plugins=not published_only,
    )
    if as_json:
        echo_json([r.as_dict() for r in found])
        return
    for r in found:
        status = "" if r.status == "published" else f"  [{r.status}]"
        click.echo(f"{r.key:<40} {r.kind:<8} {r.capacity:>4}  {r.place:<12} {r.name}{status}")
