"""Civilized units and their dynamic points: ``units`` and ``points`` — thin layers over
:mod:`wenming.reports.units`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from wenming.cli import State, echo_json, json_option
from wenming.cli.actors import actor_options
from wenming.cli.reports import _deployment, _exports, _fmt, _out, _table
from wenming.errors import WenmingError

if TYPE_CHECKING:
    from wenming.orders.roles import Actor
    from wenming.reports.units import Units


def _units(state: State) -> Units:
    from wenming.reports.units import Units

    return Units(_deployment(state))


# --------------------------------------------------------------------- units and points


@click.group()
def units() -> None:
    """文明单位: civilized units, their practice points and teams."""


@units.command("list")
@json_option
@click.pass_obj
def units_list(state: State, as_json: bool) -> None:
    """List the units."""
    found = _units(state).units()
    if as_json:
        echo_json(found)
        return
    mark = {True: " (synthetic)", False: ""}
    for u in found:
        click.echo(f"{u['code']}  {u['name']}{mark[bool(u['synthetic'])]}")
    click.echo(f"{len(found)} unit(s)")


@units.command("show")
@click.argument("code")
@json_option
@click.pass_obj
def units_show(state: State, code: str, as_json: bool) -> None:
    """A unit with its links, points balance and ledger."""
    svc = _units(state)
    unit = svc.unit(code)
    unit["balance"] = svc.balance(code)
    unit["ledger"] = svc.ledger(code)
    if as_json:
        echo_json(unit)
        return
    click.echo(f"{unit['code']}  {unit['name']}" + ("  (synthetic)" if unit["synthetic"] else ""))
    for link in unit["links"]:
        click.echo(f"  runs {link['kind']} {link['ref']}")
    click.echo(f"  balance this year: {_fmt(unit['balance'])} points")
    for e in unit["ledger"]:
        click.echo(f"  {e['period']:<8} {e['rule']:<20} {_fmt(e['points']):>6}  {e['reason']}")


@units.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--place", help="Division code where the unit is.")
@click.option("--department", help="The department the unit belongs to.")
@click.pass_obj
def units_add(state: State, code: str, name: str, place, department) -> None:
    """Add a civilized unit."""
    _units(state).add(code, name, place=place, department=department)
    click.echo(f"added unit {code}")


@units.command("link")
@click.argument("code")
@click.option("--site", help="A practice point's site code.")
@click.option("--resource", help="A resource key (venue, project or team).")
@click.pass_obj
def units_link(state: State, code: str, site, resource) -> None:
    """Link a unit to a practice point or resource (unit counters are recounted)."""
    _units(state).link(code, site=site, resource=resource)
    click.echo(f"linked unit {code} to {'site ' + site if site else 'resource ' + resource}")


@units.command("synthesize")
@click.option("--count", type=click.IntRange(1, 100_000), default=1143, show_default=True)
@click.option("--seed", type=int, default=2023, show_default=True)
@json_option
@click.pass_obj
def units_synthesize(state: State, count: int, seed: int, as_json: bool) -> None:
    """Write the seed's 1,143 units, synthetic and marked so, linked to practice points."""
    from wenming.reports.synthetic_units import synthesize_units

    result = synthesize_units(_deployment(state), count=count, seed=seed)
    if as_json:
        echo_json(result)
        return
    click.echo(f"wrote {result['units']:,} synthetic units with {result['links']:,} links")


@click.group()
def points() -> None:
    """文明单位动态积分: rules, claims with evidence, review, appeal, the ledger."""


@points.command("rules")
@json_option
@click.pass_obj
def points_rules(state: State, as_json: bool) -> None:
    """List the point rules (core's and the plugins')."""
    from wenming.reports.units import collect_rules

    rules = collect_rules(state.deployment())
    if as_json:
        echo_json([r.as_dict() for r in rules.values()])
        return
    _table(
        ["rule", "名称", "points", "cap", "per", "evidence", "carries"],
        [
            [
                r.name,
                r.name_zh,
                _fmt(r.points),
                _fmt(r.cap),
                r.period,
                r.evidence,
                "yes" if r.carry_over else "no",
            ]
            for r in rules.values()
        ],
    )


@points.command("submit")
@click.argument("unit")
@click.argument("rule")
@click.option(
    "--evidence",
    "files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file of evidence (PDF, PNG, JPEG, Office); repeat for more.",
)
@click.option("--quantity", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--note", default="")
@actor_options
@json_option
@click.pass_obj
def points_submit(
    state: State, unit: str, rule: str, files, quantity: int, note: str, actor: Actor, as_json: bool
) -> None:
    """A unit claims points for a rule, with evidence."""
    svc = _units(state)
    digests = []
    for f in files:
        try:
            content = f.read_bytes()
        except OSError as exc:
            raise WenmingError(f"{f}: {exc.strerror}") from None
        digests.append(svc.store_evidence(content, f.name))
    claim_id = svc.submit(actor, unit, rule, evidence=digests, quantity=quantity, note=note)
    if as_json:
        echo_json(svc.claim(claim_id))
        return
    click.echo(f"claim {claim_id} submitted for {unit}: {rule} × {quantity}")


@points.command("review")
@click.argument("claim_id", type=click.IntRange(1, 2**62))
@click.option("--approve/--reject", required=True)
@click.option("--reason", default="")
@actor_options
@json_option
@click.pass_obj
def points_review(
    state: State, claim_id: int, approve: bool, reason: str, actor: Actor, as_json: bool
) -> None:
    """The reviewer approves (points enter the ledger, up to the cap) or rejects."""
    result = _units(state).review(actor, claim_id, approve=approve, reason=reason)
    if as_json:
        echo_json(result)
        return
    extra = f", {_fmt(result['granted'])} points granted" if approve else ""
    click.echo(f"claim {claim_id} {result['state']}{extra}")


@points.command("appeal")
@click.argument("claim_id", type=click.IntRange(1, 2**62))
@click.option("--reason", required=True)
@actor_options
@click.pass_obj
def points_appeal(state: State, claim_id: int, reason: str, actor: Actor) -> None:
    """The unit appeals a rejection, once."""
    result = _units(state).appeal(actor, claim_id, reason)
    click.echo(f"claim {claim_id} {result['state']}")


@points.command("claims")
@click.option("--unit")
@click.option("--state", "claim_state")
@json_option
@click.pass_obj
def points_claims(state: State, unit, claim_state, as_json: bool) -> None:
    """List claims (by unit or state)."""
    found = _units(state).claims(unit=unit, state=claim_state)
    if as_json:
        echo_json(found)
        return
    for c in found:
        click.echo(
            f"{c['id']:>5}  {c['unit_code']}  {c['rule']:<20} {c['period']:<8} "
            f"× {c['quantity']}  {c['state']}"
        )


@points.command("standings")
@click.option("--year", type=int)
@click.option("--top", "limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@_exports
@json_option
@click.pass_obj
def points_standings(state: State, year, limit: int, csv_path, xlsx_path, as_json: bool) -> None:
    """Units by points balance (this year by default)."""
    from wenming.reports.names import names

    svc = _units(state)
    rows = svc.standings(year, limit)
    named = names(svc.deployment, "unit", [c for c, _ in rows])
    table = [[i, c, named[c], b] for i, (c, b) in enumerate(rows, start=1)]
    if as_json:
        echo_json([{"rank": r[0], "unit": r[1], "name": r[2], "points": r[3]} for r in table])
        return
    header = ["名次", "代码", "文明单位", "积分"]
    if not _out(header, table, csv_path, xlsx_path):
        _table(header, [[*r[:3], _fmt(r[3])] for r in table])
