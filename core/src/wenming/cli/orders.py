"""The workflow commands: ``order``, ``dispatch``, ``accept``, ``decline``,
``complete``, ``evaluate`` and ``joint`` — each a thin layer over
:class:`wenming.orders.service.Workflow`. Who acts and who reads:
:mod:`wenming.cli.actors`; supply: :mod:`wenming.cli.supply`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from wenming.cli import State, echo_json, json_option, place_value, show_time
from wenming.cli.actors import actor_options, viewer_options
from wenming.cli.actors import workflow_for as _workflow
from wenming.cli.intake import today_option
from wenming.errors import WenmingError

if TYPE_CHECKING:
    from wenming.orders.roles import Actor
    from wenming.orders.views import DispatchView, EventView, OrderView
    from wenming.storage.light import Reader

    Shown = tuple[OrderView, list[DispatchView], list[EventView]]

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _when(value: dt.datetime) -> str:
    return show_time(value)


def _echo_order(order: OrderView) -> None:
    joint = (
        " joint: " + " + ".join(p.department or "any" for p in order.parts) if order.joint else ""
    )
    click.echo(f"order {order.id}  {order.state}{joint}  (version {order.version})")
    who = f"{order.requester} ({order.requester_role})"
    site = f", site {order.site}" if order.site else ""
    click.echo(f"  requested by {who} via {order.channel}{site}, place {order.place}")
    window = order.start.isoformat() + (
        "" if order.end == order.start else f" – {order.end.isoformat()}"
    )
    extra = f" · template {order.template}" if order.template else ""
    click.echo(f"  {order.category} · {order.headcount} people · {window}{extra}")
    if order.tags or order.audiences:
        click.echo(
            f"  tags: {', '.join(order.tags) or '-'} · for: {', '.join(order.audiences) or '-'}"
        )
    if order.description:
        click.echo(f"  {order.description}")
    for p in order.parts:
        dept = p.department or "any department"
        line = f"  part {p.seq}  {dept:<16} {p.state:<11} {p.resource or '-'}"
        if p.excluded:
            line += f"  (declined by {', '.join(p.excluded)})"
        click.echo(line)
    if order.overdue:
        click.echo(f"  OVERDUE waiting for {' and '.join(order.overdue)}")


def _echo_line(order: OrderView) -> None:
    parts = ", ".join(f"{p.seq}:{p.state}:{p.resource or '-'}" for p in order.parts)
    flag = f"  overdue: {'+'.join(order.overdue)}" if order.overdue else ""
    click.echo(
        f"{order.id:>6}  {order.state:<11} {order.category:<28} {order.place:<13} "
        f"{order.start.isoformat()}  [{parts}]{flag}"
    )


def _done(order: OrderView, as_json: bool, verb: str) -> None:
    if as_json:
        echo_json(order.as_dict())
        return
    click.echo(f"{verb}: order {order.id} is now {order.state}")
    for p in order.parts:
        click.echo(f"  part {p.seq} {p.department or ''} {p.state} {p.resource or ''}".rstrip())


# ---------------------------------------------------------------------- order


@click.group()
def order() -> None:
    """点单: submit, list and show orders; start, cancel, expire; verify and repair the event log."""


@order.command("submit")
@click.option(
    "--text",
    default=None,
    help="The wish in the requester's own words: read, shown and confirmed; kept with the "
    "order. Options given beside it win.",
)
@click.option("--yes", is_flag=True, help="With --text: submit without asking to confirm.")
@today_option
@click.option(
    "--place",
    default=None,
    callback=place_value,
    help="Division code (or unambiguous name) where the service is wanted.",
)
@click.option("--start", "start", type=DATE, default=None, help="First day (YYYY-MM-DD).")
@click.option("--end", "end", type=DATE, default=None, help="Last day (default: the first).")
@click.option("--category", default=None, help="Service category (default: the template's).")
@click.option("--headcount", type=int, default=1, show_default=True)
@click.option("--tag", "tags", multiple=True)
@click.option("--audience", "audiences", multiple=True)
@click.option("--site", default=None, help="The requesting site's code.")
@click.option("--channel", type=click.Choice(["platform", "visit", "mailbox"]), default="platform")
@click.option("--description", default="")
@click.option("--template", default=None)
@click.option(
    "--with", "departments", multiple=True, help="A department the service needs (repeat: joint)."
)
@click.option("--resource", default=None, help="Order straight from this published resource.")
@click.option(
    "--key",
    "idempotency_key",
    default=None,
    help="Idempotency key: resubmitting returns the first order.",
)
@click.option("--lng", type=float, default=None)
@click.option("--lat", type=float, default=None)
@actor_options
@json_option
@click.pass_obj
def order_submit(
    state: State,
    actor: Actor,
    as_json: bool,
    text: str | None,
    yes: bool,
    today: str | None,
    **values: Any,
) -> None:
    """Submit a demand: as options, or as the requester's words (--text)."""
    values["start"] = values["start"].date() if values["start"] else None
    values["end"] = values["end"].date() if values["end"] else None
    if text is not None:
        from wenming.cli.intake import submit_values

        values = submit_values(state, text, values, yes=yes, today=today, as_json=as_json)
    elif values["place"] is None or values["start"] is None:
        raise WenmingError("give --place and --start, or the wish in words with --text")
    result = _workflow(state).submit(actor, **values)
    _done(result, as_json, "submitted")


@order.command("list")
@click.option("--state", "order_state", default=None, help="Only orders in this state.")
@click.option("--department", default=None, help="Only orders with a part for this department.")
@click.option("--area", default=None, help="Only orders requested inside this division code.")
@click.option("--requester", default=None)
@click.option("--resource", default=None, help="Only orders dispatched to this resource.")
@click.option("--overdue", is_flag=True, help="Only orders waiting too long.")
@click.option("--limit", type=int, default=50, show_default=True)
@viewer_options
@json_option
@click.pass_obj
def order_list(
    state: State, order_state: str | None, viewer: Actor | None, as_json: bool, **filters: Any
) -> None:
    """List orders, newest first (those the reader may see)."""
    found = _workflow(state).orders(state=order_state, viewer=viewer, **filters)
    if as_json:
        echo_json([o.as_dict() for o in found])
        return
    for o in found:
        _echo_line(o)
    if not found:
        click.echo("no orders")


@order.command("show")
@click.argument("order_id", type=int)
@viewer_options(light=True)
@json_option
@click.pass_obj
def order_show(state: State, order_id: int, viewer: Actor | None, as_json: bool) -> None:
    """Show ORDER_ID with its parts, dispatches and timeline (times in the deployment's zone)."""

    def light(reader: Reader) -> Shown:  # the driver alone: no SQLAlchemy (start-up)
        from wenming.orders.lightreads import LightReads

        config = state.deployment(required=True).config.workflow
        return LightReads(reader, config).show(order_id, viewer=viewer)

    def full() -> Shown:
        wf = _workflow(state)
        view = wf.order(order_id, viewer=viewer)
        events = wf.timeline(order_id, viewer=viewer)
        return view, wf.dispatches(order_id, viewer=viewer), events

    view, dispatches, events = state.read(light, full)
    if as_json:
        echo_json(
            {
                "order": view.as_dict(),
                "dispatches": [d.as_dict() for d in dispatches],
                "timeline": [e.as_dict() for e in events],
            }
        )
        return
    _echo_order(view)
    if dispatches:
        click.echo("dispatches:")
        for d in dispatches:
            how = d.method + (f" #{d.rank}" if d.rank else "")
            score = f", score {d.score:.2f}" if d.score is not None else ""
            click.echo(
                f"  part {d.part} → {d.resource} by {d.dispatcher} ({how}{score}): {d.outcome}"
                + (f" — {d.reason}" if d.reason else "")
            )
            breakdown = d.explanation.get("breakdown") or {}
            top = sorted(breakdown.items(), key=lambda kv: -kv[1])[:4]
            if top:
                click.echo("      " + ", ".join(f"{rule} {value:.2f}" for rule, value in top))
    click.echo(f"timeline ({state.timezone}):")
    for e in events:
        click.echo("  " + timeline_line(e))


def timeline_line(e: Any) -> str:
    """One readable line of an order's timeline."""
    what = e.action
    if e.part is not None:
        what += f" part {e.part}"
    move = f"{e.from_state or '·'} → {e.to_state}"
    detail = ""
    if e.action == "dispatch":
        method = e.data.get("method", "")
        detail = f" to {e.data.get('resource')} ({method})"
    elif e.action == "complete":
        served = e.data.get("volunteers", [])
        detail = f": {len(served)} volunteer(s), {sum(v['hours'] for v in served):g} h"
    elif e.action == "evaluate":
        detail = f": {e.data.get('rating')}/5"
    why = f' — "{e.reason}"' if e.reason else ""
    return f"{_when(e.at)}  {what:<18} {move:<26} by {e.actor} ({e.role}){detail}{why}"


@order.command("start")
@click.argument("order_id", type=int)
@click.option("--part", type=int, default=None)
@actor_options
@json_option
@click.pass_obj
def order_start(state: State, order_id: int, part: int | None, actor: Actor, as_json: bool) -> None:
    """The team starts the service of its accepted part."""
    _done(_workflow(state).start(actor, order_id, part=part), as_json, "started")


@order.command("cancel")
@click.argument("order_id", type=int)
@click.option("--reason", required=True)
@actor_options
@json_option
@click.pass_obj
def order_cancel(state: State, order_id: int, reason: str, actor: Actor, as_json: bool) -> None:
    """Cancel an order before its service starts."""
    _done(_workflow(state).cancel(actor, order_id, reason), as_json, "cancelled")


@order.command("expire")
@click.argument("order_ids", type=int, nargs=-1)
@actor_options
@json_option
@click.pass_obj
def order_expire(state: State, order_ids: tuple[int, ...], actor: Actor, as_json: bool) -> None:
    """Expire the given orders, or every order whose window closed unaccepted."""
    wf = _workflow(state)
    done = [wf.expire(actor, i).id for i in order_ids] if order_ids else wf.expire_due(actor)
    if as_json:
        echo_json({"expired": done})
        return
    click.echo(f"expired {len(done)} order(s)" + (f": {', '.join(map(str, done))}" if done else ""))


@order.command("overdue")
@viewer_options
@json_option
@click.pass_obj
def order_overdue(state: State, viewer: Actor | None, as_json: bool) -> None:
    """Orders waiting longer than the deployment's [workflow] limits."""
    found = _workflow(state).overdue(viewer=viewer)
    if as_json:
        echo_json([o.as_dict() for o in found])
        return
    for o in found:
        _echo_line(o)
    if not found:
        click.echo("nothing overdue")


@order.command("candidates")
@click.argument("order_id", type=int)
@click.option("--part", type=int, default=None)
@click.option("-k", "k", type=int, default=10, show_default=True)
@actor_options
@json_option
@click.pass_obj
def order_candidates(
    state: State, order_id: int, part: int | None, k: int, actor: Actor, as_json: bool
) -> None:
    """The matching engine's ranked candidates for a part, with each rule's share."""
    found = _workflow(state).candidates(order_id, part=part, k=k, actor=actor, viewer=actor)
    if as_json:
        echo_json([c.as_dict() for c in found])
        return
    for i, c in enumerate(found, start=1):
        top = sorted(c.breakdown.items(), key=lambda kv: -kv[1])[:3]
        reasons = ", ".join(f"{rule} {value:.2f}" for rule, value in top)
        click.echo(f"{i:>3}. {c.key:<40} {c.score:6.2f}  {reasons}")


def _integrity_commands() -> None:
    from wenming.cli.integrity import grants, repair, verify

    for command in (verify, repair, grants):
        order.add_command(command)


_integrity_commands()


# ---------------------------------------------------------------------- dispatch & answers


@click.command()
@click.argument("order_ids", type=int, nargs=-1)
@click.option("--resource", default=None, help="Dispatch by hand to this resource.")
@click.option("--part", type=int, default=None, help="The part of a joint order.")
@click.option(
    "--rank", type=int, default=1, show_default=True, help="Take the N-th ranked candidate."
)
@click.option("--reason", default="")
@click.option(
    "--batch", is_flag=True, help="Assign many waiting orders at once (all if none given)."
)
@click.option("--method", type=click.Choice(["optimal", "greedy"]), default="optimal")
@actor_options
@json_option
@click.pass_obj
def dispatch(
    state: State,
    order_ids: tuple[int, ...],
    resource: str | None,
    part: int | None,
    rank: int,
    reason: str,
    batch: bool,
    method: str,
    actor: Actor,
    as_json: bool,
) -> None:
    """派单: assign an order to a resource — by hand, the engine's ranked choice, or a batch."""
    wf = _workflow(state)
    if batch:
        result = wf.batch_dispatch(actor, order_ids or None, method=method)
        if as_json:
            echo_json(result.as_dict())
            return
        for demand, key in result.dispatched.items():
            click.echo(f"dispatched {demand} → {key}")
        for demand, why in result.unassigned.items():
            click.echo(f"not dispatched {demand}: {why}")
        return
    if len(order_ids) != 1:
        raise WenmingError("give one ORDER_ID (or --batch for many)")
    result_order = wf.dispatch(actor, order_ids[0], resource, part=part, rank=rank, reason=reason)
    _done(result_order, as_json, "dispatched")


@click.command()
@click.argument("order_id", type=int)
@click.option("--part", type=int, default=None)
@actor_options
@json_option
@click.pass_obj
def accept(state: State, order_id: int, part: int | None, actor: Actor, as_json: bool) -> None:
    """接单: the dispatched team accepts."""
    _done(_workflow(state).accept(actor, order_id, part=part), as_json, "accepted")


@click.command()
@click.argument("order_id", type=int)
@click.option("--reason", required=True)
@click.option("--part", type=int, default=None)
@actor_options
@json_option
@click.pass_obj
def decline(
    state: State, order_id: int, reason: str, part: int | None, actor: Actor, as_json: bool
) -> None:
    """The dispatched team declines; the part goes back to dispatch without it."""
    _done(_workflow(state).decline(actor, order_id, reason, part=part), as_json, "declined")


def _volunteer(value: str) -> tuple[str, float]:
    name, sep, hours = value.rpartition("=")
    if not sep or not name.strip():
        raise WenmingError(f"--volunteer {value!r}: write NAME=HOURS, e.g. 张三=2.5")
    try:
        return name.strip(), float(hours)
    except ValueError:
        raise WenmingError(f"--volunteer {value!r}: hours must be a number") from None


@click.command()
@click.argument("order_id", type=int)
@click.option(
    "--volunteer", "volunteers", multiple=True, required=True, help="NAME=HOURS (repeat)."
)
@click.option("--part", type=int, default=None)
@click.option("--note", default="")
@actor_options
@json_option
@click.pass_obj
def complete(
    state: State,
    order_id: int,
    volunteers: tuple[str, ...],
    part: int | None,
    note: str,
    actor: Actor,
    as_json: bool,
) -> None:
    """The team records its part delivered, with the volunteers and their hours."""
    served = [_volunteer(v) for v in volunteers]
    _done(
        _workflow(state).complete(actor, order_id, served, part=part, note=note),
        as_json,
        "completed",
    )


@click.command()
@click.argument("order_id", type=int)
@click.option("--rating", type=int, required=True, help="1–5.")
@click.option("--comment", default="")
@actor_options
@json_option
@click.pass_obj
def evaluate(
    state: State, order_id: int, rating: int, comment: str, actor: Actor, as_json: bool
) -> None:
    """评单: the requester rates the delivered service."""
    _done(_workflow(state).evaluate(actor, order_id, rating, comment), as_json, "evaluated")


# ---------------------------------------------------------------------- joint


@click.group()
def joint() -> None:
    """拼单: joint orders co-delivered by several departments, one part each."""


@joint.command("templates")
@json_option
@click.pass_obj
def joint_templates(state: State, as_json: bool) -> None:
    """The deployment's joint templates and their partner departments."""
    registry = state.deployment().registry
    found = registry.joint_templates
    if as_json:
        echo_json(
            [
                {
                    "id": tid,
                    "name_zh": t.name_zh,
                    "name_en": t.name_en,
                    "category": t.category,
                    "parts": [
                        {
                            "department": p.department,
                            "contribution": p.contribution_zh,
                            "kinds": list(p.resource_kinds),
                        }
                        for p in t.parts
                    ],
                }
                for tid, t in found.items()
            ]
        )
        return
    for tid, t in found.items():
        partners = " + ".join(f"{p.department} ({p.contribution_zh})" for p in t.parts)
        click.echo(f"{tid:<44} {t.name_zh}  {partners}")
    for u in registry.unavailable:
        click.echo(f"unavailable: {u.id}: {u.reason}")


@joint.command("submit")
@click.option("--template", default=None, help="A joint template.")
@click.option(
    "--with", "departments", multiple=True, help="A partner department (repeat, at least two)."
)
@click.option("--place", required=True, callback=place_value, help="Division code or name.")
@click.option("--start", "start", type=DATE, required=True)
@click.option("--end", "end", type=DATE, default=None)
@click.option("--category", default=None)
@click.option("--headcount", type=int, default=1, show_default=True)
@click.option("--tag", "tags", multiple=True)
@click.option("--audience", "audiences", multiple=True)
@click.option("--site", default=None)
@click.option("--channel", type=click.Choice(["platform", "visit", "mailbox"]), default="platform")
@click.option("--description", default="")
@click.option("--key", "idempotency_key", default=None)
@actor_options
@json_option
@click.pass_obj
def joint_submit(state: State, actor: Actor, as_json: bool, **values: Any) -> None:
    """Submit a joint order from a joint template or naming the partner departments."""
    if values["template"] is None and len(values["departments"]) < 2:
        raise WenmingError("a joint order needs --template or at least two --with departments")
    values["start"] = values["start"].date()
    values["end"] = values["end"].date() if values["end"] else None
    result = _workflow(state).submit(actor, **values)
    if not result.joint:
        raise WenmingError(
            f"template {values['template']} is not a joint template; use 'order submit'"
        )
    _done(result, as_json, "submitted")


@joint.command("proposals")
@click.argument("order_id", type=int)
@click.option("-k", "k", type=int, default=5, show_default=True)
@viewer_options
@json_option
@click.pass_obj
def joint_proposals(
    state: State, order_id: int, k: int, viewer: Actor | None, as_json: bool
) -> None:
    """The engine's best combinations of one resource per waiting part's department."""
    wf = _workflow(state)
    view = wf.order(order_id, viewer=viewer)
    waiting = [p.department for p in view.parts if p.state in ("pending", "declined")]
    if not waiting:
        raise WenmingError(f"order {order_id} has no part waiting for dispatch")
    engine = wf.engine()
    proposals = engine.joint(wf.demand(view), departments=waiting, k=k)
    if as_json:
        echo_json([p.as_dict() for p in proposals])
        return
    for i, p in enumerate(proposals, start=1):
        parts = ", ".join(f"{dept}: {c.key}" for dept, c in p.parts.items())
        click.echo(f"{i:>3}. {p.score:6.2f}  {parts}")
    if not proposals:
        for dept, why in engine.joint_gaps(wf.demand(view), waiting).items():
            click.echo(f"no proposal: {dept}: {why}")


@joint.command("dispatch")
@click.argument("order_id", type=int)
@click.option("--proposal", type=int, default=1, show_default=True, help="Take the N-th proposal.")
@click.option("--reason", default="")
@actor_options
@json_option
@click.pass_obj
def joint_dispatch(
    state: State, order_id: int, proposal: int, reason: str, actor: Actor, as_json: bool
) -> None:
    """Dispatch every waiting part at once from the engine's joint proposal."""
    result = _workflow(state).dispatch_joint(actor, order_id, proposal=proposal, reason=reason)
    _done(result, as_json, "dispatched")
