"""``wenming volunteers``: the people side's commands — a thin layer over
:class:`wenming.people.service.People`.

Who acts is given like the workflow commands take it: ``--actor`` and ``--role`` (and
``--team`` for a team leader, ``--area`` for a station operator or a guide), or
``WENMING_ACTOR``, ``WENMING_ROLE``, ``WENMING_TEAM``, ``WENMING_AREA``,
``WENMING_DEPARTMENT``. A volunteer acting for themself is ``--role volunteer --actor
<their number>``. Reads without an actor are masked.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from wenming.cli import State, echo_json, json_option
from wenming.cli.actors import ROLE_CHOICES  # one list of roles
from wenming.errors import WenmingError

if TYPE_CHECKING:
    from wenming.orders.roles import Actor
    from wenming.people.service import People
    from wenming.people.views import ServiceRecordView, VolunteerView

STARS = "☆★"


def actor_options(*, required: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add the who-acts options and pass an :class:`Actor` (or ``None``) as ``actor``."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @click.option("--actor", "actor_id", envvar="WENMING_ACTOR", help="Who acts.")
        @click.option(
            "--role", type=click.Choice(ROLE_CHOICES), envvar="WENMING_ROLE", help="Their role."
        )
        @click.option("--team", "actor_team", envvar="WENMING_TEAM", help="A team leader's team.")
        @click.option(
            "--area", "actor_area", envvar="WENMING_AREA", help="A station's or guide's area."
        )
        @click.option(
            "--department", "actor_department", envvar="WENMING_DEPARTMENT", help="A sub-center."
        )
        @functools.wraps(fn)
        def wrapper(*args: Any, actor_id, role, actor_team, actor_area, actor_department, **kw):
            # the same identity rules as every other command (wenming.accounts.identity):
            # a signed-in user's token, or the local operator's declared (recorded) act
            from wenming.accounts.identity import require_operator, resolve, token_for
            from wenming.cli.actors import command_line
            from wenming.orders.roles import Actor

            ctx = click.get_current_context()
            deployment = ctx.find_object(State).deployment(required=True)
            if not required and not (actor_id or role) and not token_for(deployment.path):
                # the local operator reads the registry masked, like the city's system
                require_operator(deployment, "reading volunteers without signing in")
                actor = Actor("operator", "system")
            else:
                actor = resolve(
                    deployment,
                    actor_id=actor_id,
                    role=role,
                    department=actor_department,
                    area=actor_area,
                    team=actor_team,
                    command=command_line(ctx),
                )
            return fn(*args, actor=actor, **kw)

        return wrapper

    return decorate


def _people(state: State) -> People:
    from sqlalchemy import inspect

    from wenming.errors import StorageError
    from wenming.people.service import People

    deployment = state.deployment(required=True)
    deployment.storage.check()
    if not inspect(deployment.storage.engine).has_table("wm_volunteer"):
        raise StorageError(
            f"{deployment.storage!r} has no volunteer tables (it predates them); run "
            "'wenming init' on the deployment's folder to add them"
        )
    return People(deployment)


def _local(people: People, value: dt.datetime | None) -> str:
    if value is None:
        return "-"
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(people.deployment.config.timezone)).strftime("%Y-%m-%d %H:%M")


def _stars(level: int, top: int) -> str:
    return STARS[1] * level + STARS[0] * (top - level)


def _echo_volunteer(people: People, v: VolunteerView) -> None:
    tag = " (synthetic)" if v.synthetic else ""
    minor = " · minor" if v.minor else ""
    click.echo(f"volunteer {v.id}  {v.name}{tag}  {v.status}{minor}")
    age = f" · born {v.birth_date} (age {v.age})" if v.birth_date else ""
    click.echo(f"  ID {v.id_number or '-'} · phone {v.phone or '-'}{age}")
    click.echo(f"  station {v.station} · department {v.department or '-'}")
    click.echo(f"  teams: {', '.join(v.teams) or '-'}")
    for c in v.credentials:
        until = f" until {c.expires}" if c.expires else ""
        click.echo(f"  {c.kind}: {c.name}{until}{'' if c.valid else ' (expired)'}")
    click.echo(
        f"  {v.service_hours:g} service hours · {v.training_hours:g} training hours · "
        f"{_stars(v.star_level, people.ladder.top)} ({people.ladder_name})"
    )
    if v.guardian_consent:
        click.echo(f"  guardian consent recorded {v.guardian_consent}")


def _echo_record(people: People, r: ServiceRecordView) -> None:
    hours = "-" if r.hours is None else f"{r.hours:g} h"
    confirmed = "" if r.confirmed_hours is None else f" confirmed {r.confirmed_hours:g} h"
    click.echo(
        f"  volunteer {r.volunteer_id:>8}  order {r.order_id} part {r.part}  "
        f"in {_local(people, r.signin_at)} out {_local(people, r.signout_at)}  "
        f"{hours}{confirmed}  {r.status}"
    )


@click.group()
def volunteers() -> None:
    """志愿者: register, import, sign in and out, confirm hours, star levels.

    Personal data is shown masked unless the volunteer themself, their team leader or
    the data-protection officer asks with --unmasked.
    """


@volunteers.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@actor_options()
@json_option
@click.pass_obj
def import_(state: State, file: Path, actor: Actor, as_json: bool) -> None:
    """Import volunteers from a CSV or XLSX file, all or nothing."""
    report = _people(state).import_file(actor, file)
    if as_json:
        echo_json(report.as_dict())
        return
    click.echo(
        f"imported {report.volunteers} volunteers ({report.memberships} team memberships, "
        f"{report.credentials} skills and certifications) in {report.seconds:.1f} s"
    )


@volunteers.command()
@click.option("--count", type=int, default=None, help="How many (default: the seed's 2,914,600).")
@click.option("--seed", type=int, default=None, help="Random seed (default: 20230330).")
@json_option
@click.pass_obj
def synthesize(state: State, count: int | None, seed: int | None, as_json: bool) -> None:
    """Generate the seed-scale synthetic population over the loaded stations (once)."""
    from wenming.people import synthetic

    report = synthetic.synthesize(
        _people(state),
        synthetic.SEED_VOLUNTEERS if count is None else count,
        seed=synthetic.DEFAULT_SEED if seed is None else seed,
    )
    if as_json:
        echo_json(report.as_dict())
        return
    click.echo(
        f"generated {report.volunteers} synthetic volunteers ({report.memberships} in teams) "
        f"in {report.seconds:.1f} s"
    )


@volunteers.command()
@click.option("--name", required=True)
@click.option("--id-number", required=True, help="Resident ID number (checked, then encrypted).")
@click.option("--station", required=True, help="Home station (division code).")
@click.option("--phone")
@click.option("--join", "teams", multiple=True, help="A team (resource key); repeatable.")
@click.option("--skill", "skills", multiple=True)
@click.option("--cert", "certs", multiple=True, help="NAME or NAME:YYYY-MM-DD (expiry).")
@click.option("--guardian-consent", type=click.DateTime(["%Y-%m-%d"]))
@actor_options()
@json_option
@click.pass_obj
def register(state: State, actor: Actor, as_json: bool, **kw: Any) -> None:
    """Register one volunteer."""
    certs: dict[str, dt.date | None] = {}
    for item in kw.pop("certs"):
        name, _, until = item.partition(":")
        try:
            certs[name] = dt.date.fromisoformat(until) if until else None
        except ValueError:
            raise WenmingError(f"--cert {item}: not NAME:YYYY-MM-DD") from None
    consent = kw.pop("guardian_consent")
    people = _people(state)
    v = people.register(
        actor,
        certifications=certs,
        guardian_consent=consent.date() if consent else None,
        **kw,
    )
    echo_json(v.as_dict()) if as_json else _echo_volunteer(people, v)


@volunteers.command()
@click.argument("volunteer_id", type=int, required=False)
@click.option("--id-number", help="Find by ID number instead (looked up by its keyed hash).")
@click.option("--unmasked", is_flag=True, help="Show personal data (if the rules allow).")
@click.option("--record", is_flag=True, help="The whole record in its five classes.")
@actor_options(required=False)
@json_option
@click.pass_obj
def show(state, volunteer_id, id_number, unmasked, record, actor, as_json) -> None:
    """One volunteer (masked unless --unmasked is allowed)."""
    people = _people(state)
    if id_number:
        volunteer_id = people.find(actor, id_number).id
    if volunteer_id is None:
        raise WenmingError("name a volunteer: VOLUNTEER_ID or --id-number")
    if record:
        data = people.record(actor, volunteer_id, unmasked=unmasked)
        if as_json:
            echo_json(data)
            return
        click.echo(f"{data['title']} ({data['kind']})")
        _echo_volunteer(people, people.volunteer(actor, volunteer_id, unmasked=unmasked))
        for r in data["service"]["records"]:
            click.echo(
                f"  service: order {r['order_id']} part {r['part']} {r['team']} "
                f"{r['confirmed_hours'] if r['confirmed_hours'] is not None else '-'} h "
                f"{r['status']}"
            )
        for c in data["training"]["courses"]:
            click.echo(f"  training: {c['name']} {c['day']} {c['hours']:g} h")
        for a in data["awards"]:
            click.echo(f"  award: {a.get('title')} ({a['at'][:10]})")
        for e in data["evaluation"]:
            click.echo(f"  evaluation: order {e['order']} {e.get('rating')}/5 {e.get('comment')}")
        return
    v = people.volunteer(actor, volunteer_id, unmasked=unmasked)
    echo_json(v.as_dict()) if as_json else _echo_volunteer(people, v)


@volunteers.command("list")
@click.option("--station", help="Division-code prefix of the home station.")
@click.option("--member-of", "team", help="Members of this team (resource key).")
@click.option("--level", type=int)
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--offset", type=int, default=0)
@actor_options(required=False)
@json_option
@click.pass_obj
def list_(state, station, team, level, limit, offset, actor, as_json) -> None:
    """Volunteers (masked), by number."""
    people = _people(state)
    found = people.volunteers(
        actor, station=station, team=team, level=level, limit=limit, offset=offset
    )
    if as_json:
        echo_json([v.as_dict() for v in found])
        return
    for v in found:
        click.echo(
            f"{v.id:>8}  {v.name:<6} {v.id_number}  {v.station}  "
            f"{v.service_hours:>7g} h  {_stars(v.star_level, people.ladder.top)}"
            f"{'  minor' if v.minor else ''}"
        )


@volunteers.command()
@json_option
@click.pass_obj
def stars(state: State, as_json: bool) -> None:
    """Star levels (星级志愿者): how many volunteers at each, by county and department."""
    people = _people(state)
    dist = people.stars()
    if as_json:
        echo_json(dist.as_dict())
        return
    levels = range(people.ladder.top + 1)
    starred = sum(n for lv, n in dist.by_level.items() if lv > 0)
    click.echo(
        f"{dist.total} volunteers, {starred} with a star · ladder {dist.ladder} "
        f"({' / '.join(f'{t:g}' for t in dist.thresholds)} h)"
    )
    for lv in levels:
        click.echo(f"  {_stars(lv, people.ladder.top)}  {dist.by_level.get(lv, 0):>10}")
    header = "".join(f"{lv:>9}★" for lv in levels)
    for title, table in (("county", dist.by_county), ("department", dist.by_department)):
        click.echo(f"\n{'by ' + title:<20}{header}")
        for key, row in table.items():
            click.echo(
                f"  {key or '(none)':<18}" + "".join(f"{row.get(lv, 0):>10}" for lv in levels)
            )


@volunteers.command()
@click.argument("volunteer_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@actor_options()
@json_option
@click.pass_obj
def export(state, volunteer_id, fmt, output, actor, as_json) -> None:
    """A volunteer's own record, unmasked, as JSON or CSV (PIPL art. 45)."""
    text = _people(state).export(actor, volunteer_id, "json" if as_json else fmt)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)


@volunteers.command()
@click.argument("volunteer_id", type=int)
@click.option("--reason", default="")
@actor_options()
@json_option
@click.pass_obj
def delete(state, volunteer_id, reason, actor, as_json) -> None:
    """Delete a volunteer's personal data; hours and counts stay (anonymised)."""
    v = _people(state).anonymise(actor, volunteer_id, reason)
    echo_json(v.as_dict()) if as_json else click.echo(f"volunteer {v.id} anonymised")


def _when(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise WenmingError(f"--at {value.isoformat()}: give a time zone (e.g. +08:00)")
    return value


def _sign(action: str) -> click.Command:
    @click.argument("volunteer_id", type=int)
    @click.argument("order_id", type=int)
    @click.option("--part", type=int)
    @click.option("--at", "at", help="ISO time with zone (default: now).")
    @click.option("--lng", type=float)
    @click.option("--lat", type=float)
    @actor_options()
    @json_option
    @click.pass_obj
    def command(state, volunteer_id, order_id, part, at, lng, lat, actor, as_json) -> None:
        people = _people(state)
        try:
            when = _when(dt.datetime.fromisoformat(at)) if at else None
        except ValueError:
            raise WenmingError(f"--at {at}: not an ISO time") from None
        position = (lng, lat) if lng is not None and lat is not None else None
        method = people.sign_in if action == "signin" else people.sign_out
        rec = method(actor, volunteer_id, order_id, part=part, at=when, position=position)
        echo_json(rec.as_dict()) if as_json else _echo_record(people, rec)

    command.__doc__ = (
        "Sign a volunteer in to an order part (time, optional position)."
        if action == "signin"
        else "Sign a volunteer out; minutes round to hours by the deployment's rule."
    )
    return volunteers.command(action)(command)


signin = _sign("signin")
signout = _sign("signout")


@volunteers.command()
@click.argument("order_id", type=int)
@json_option
@click.pass_obj
def hours(state: State, order_id: int, as_json: bool) -> None:
    """Who signed in to an order, and their hours."""
    people = _people(state)
    found = people.service_records(order_id=order_id)
    if as_json:
        echo_json([r.as_dict() for r in found])
        return
    for r in found:
        _echo_record(people, r)


@volunteers.command()
@click.argument("order_id", type=int)
@click.option("--part", type=int)
@click.option("--volunteer", "volunteer_ids", type=int, multiple=True, help="Only these.")
@actor_options()
@json_option
@click.pass_obj
def confirm(state, order_id, part, volunteer_ids, actor, as_json) -> None:
    """The team leader confirms the signed-out volunteers' hours on a part."""
    people = _people(state)
    done = people.confirm(actor, order_id, part=part, volunteers=list(volunteer_ids) or None)
    if as_json:
        echo_json([r.as_dict() for r in done])
        return
    for r in done:
        _echo_record(people, r)


@volunteers.command()
@click.argument("volunteer_id", type=int)
@click.argument("order_id", type=int)
@click.option("--hours", "new_hours", type=float, required=True)
@click.option("--reason", required=True)
@click.option("--part", type=int)
@actor_options()
@json_option
@click.pass_obj
def correct(state, volunteer_id, order_id, new_hours, reason, part, actor, as_json) -> None:
    """Correct confirmed hours (a new event; nothing is edited)."""
    people = _people(state)
    rec = people.correct(actor, volunteer_id, order_id, new_hours, reason, part=part)
    echo_json(rec.as_dict()) if as_json else _echo_record(people, rec)


@volunteers.command()
@click.argument("course_key")
@click.option("--volunteer", "volunteer_ids", type=int, multiple=True, required=True)
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), required=True)
@actor_options()
@json_option
@click.pass_obj
def attend(state, course_key, volunteer_ids, day, actor, as_json) -> None:
    """A practice guide records course attendance (training hours, certificates)."""
    n = _people(state).attend(actor, course_key, list(volunteer_ids), day.date())
    echo_json({"course": course_key, "attended": n}) if as_json else click.echo(
        f"{n} attendance(s) recorded for {course_key}"
    )


@volunteers.command()
@click.argument("key", required=False)
@click.option("--name")
@click.option("--type", "course_type", default="onsite", show_default=True)
@click.option("--hours", "course_hours", type=float)
@click.option("--certificate", help="The certification the course grants.")
@click.option("--valid-days", type=int, help="How long the certificate is valid.")
@click.option("--owner", "department", help="The department keeping the course.")
@actor_options(required=False)
@json_option
@click.pass_obj
def courses(
    state, key, name, course_type, course_hours, certificate, valid_days, department, actor, as_json
) -> None:
    """List training courses, or add one (KEY with --name and --hours)."""
    people = _people(state)
    if key:
        if not name or course_hours is None:
            raise WenmingError("a new course needs --name and --hours")
        people.add_course(
            actor,
            key,
            name,
            course_type=course_type,
            hours=course_hours,
            certificate=certificate,
            valid_days=valid_days,
            department=department,
        )
    found = people.courses()
    if as_json:
        echo_json(found)
        return
    for c in found:
        cert = f" → {c['certificate']}" if c["certificate"] else ""
        click.echo(f"{c['key']:<28} {c['type']:<7} {c['hours']:>5g} h  {c['name']}{cert}")


@volunteers.command()
@click.argument("guide_id", required=False)
@click.option("--name")
@click.option("--guide-area", help="The division code the guide covers.")
@actor_options(required=False)
@json_option
@click.pass_obj
def guides(state, guide_id, name, guide_area, actor, as_json) -> None:
    """List practice guides (指导员), or appoint one (GUIDE_ID --name --guide-area)."""
    people = _people(state)
    if guide_id:
        if not name or not guide_area:
            raise WenmingError("a new guide needs --name and --guide-area")
        people.appoint_guide(actor, guide_id, name, guide_area)
    found = people.guides()
    if as_json:
        echo_json(found)
        return
    for g in found:
        click.echo(f"{g['id']:<20} {g['name']:<8} {g['area']}")
