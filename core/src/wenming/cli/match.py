"""``wenming match``: rank candidates for one demand, compose a joint order, or
assign a batch of demands — a thin layer over :class:`wenming.matching.Engine`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from wenming.cli import State, echo_json, json_option, place_value
from wenming.cli.intake import today_option
from wenming.errors import WenmingError


def _demand(file: Path | None, fields: dict[str, Any]) -> Any:
    """One demand from a JSON file, overridden by any options given."""
    import json

    from wenming.matching.demand import Demand

    data: dict[str, Any] = {}
    if file is not None:
        try:
            data = json.loads(file.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise WenmingError(f"{file}: no such file") from None
        except json.JSONDecodeError as exc:
            raise WenmingError(f"{file}: invalid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise WenmingError(f"{file}: expected one demand object")
    for name, value in fields.items():
        if value not in (None, ()):
            data[name] = list(value) if isinstance(value, tuple) else value
    data.setdefault("id", "demand")
    return Demand.from_mapping(data, source=str(file) if file else "options")


def _describe(demand: Any) -> str:
    parts = [demand.category or "any category"]
    if demand.headcount:
        parts.append(f"{demand.headcount} people")
    parts.append(demand.place or f"{demand.lng:.4f},{demand.lat:.4f}")
    if demand.start:
        when = demand.start.isoformat()
        if demand.end and demand.end != demand.start:
            when += f"..{demand.end.isoformat()}"
        parts.append(when)
    return ", ".join(parts)


def _title(demand_id: str) -> str:
    """``demand d0042`` for a demand from a file; just ``demand`` for one given as options."""
    return "demand" if demand_id == "demand" else f"demand {demand_id}"


def unassigned_summary(unassigned: dict[str, str]) -> str:
    """Why a batch left demands unassigned, in one line: booked out, or refused by a rule."""
    from collections import Counter

    booked = sum(1 for why in unassigned.values() if "fully booked" in why)
    refused = Counter(
        why.split("(", 1)[1].split(" refused", 1)[0]
        for why in unassigned.values()
        if why.startswith("no resource passes the rules (")
    )
    other = len(unassigned) - booked - sum(refused.values())
    parts = []
    if booked:
        parts.append(f"{booked} found every suitable resource fully booked that day")
    if refused:
        top = ", ".join(f"{rule} {n}" for rule, n in refused.most_common(4))
        parts.append(
            f"{sum(refused.values())} had no resource passing the rules (refused most by: {top})"
        )
    if other:
        parts.append(f"{other} for other reasons")
    return f"{len(unassigned)} unassigned: " + "; ".join(parts)


def _print_candidate(rank: int, c: Any, explain: bool, indent: str = "") -> None:
    where = f"{c.kind}, {c.department or 'core'}"
    mark = "  [synthetic]" if c.synthetic else ""
    click.echo(f"{indent}{rank:>3}  {c.score:6.3f}  {c.key}  ({where})  {c.name}{mark}")
    if explain:
        shares = " · ".join(f"{rule} {value:.3f}" for rule, value in c.breakdown.items())
        click.echo(f"{indent}           {shares}")


@click.command()
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A JSON file with one demand (options below override its fields).",
)
@click.option(
    "--text",
    default=None,
    help="The demand in the requester's own words (点单原话), read field by field; "
    "options given beside it win.",
)
@today_option
@click.option("--id", "demand_id", default=None, help="Demand ID (default: 'demand').")
@click.option(
    "--category", default=None, help="Service category: science, core.science or 科学普及."
)
@click.option(
    "--tag",
    "tags",
    multiple=True,
    help="A subject: a tag ID, its Chinese name or a synonym, e.g. 节水 (repeatable).",
)
@click.option(
    "--audience", "audiences", multiple=True, help="A key population, e.g. minors or 老年人."
)
@click.option("--headcount", type=int, default=None, help="People to serve.")
@click.option(
    "--place",
    default=None,
    callback=place_value,
    help="Division code of the place (village, town, county), or its unambiguous name.",
)
@click.option("--lng", type=float, default=None, help="Longitude (WGS-84), refines --place.")
@click.option("--lat", type=float, default=None, help="Latitude (WGS-84), refines --place.")
@click.option("--date", "day", default=None, help="The day (YYYY-MM-DD); same as --start = --end.")
@click.option("--start", default=None, help="First possible day (YYYY-MM-DD).")
@click.option("--end", default=None, help="Last possible day (YYYY-MM-DD).")
@click.option("--template", default=None, help="Project template; fills category, audiences, tags.")
@click.option(
    "--department",
    "departments",
    multiple=True,
    help="A department needed for a joint order (repeatable).",
)
@click.option(
    "--k",
    "k",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="How many candidates (or joint proposals) to show.",
)
@click.option("--explain", is_flag=True, help="Show each rule's contribution to the score.")
@click.option(
    "--excluded",
    is_flag=True,
    help="Also list refused resources and why (for --joint: per part).",
)
@click.option(
    "--joint",
    is_flag=True,
    help=(
        "Compose a joint order: one resource per department (拼单); without --department "
        "or --template, from the joint templates that fit the demand's words."
    ),
)
@click.option(
    "--batch",
    "batch_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Assign every demand of a CSV or JSON file at once.",
)
@click.option(
    "--method",
    type=click.Choice(["optimal", "greedy"]),
    default="optimal",
    show_default=True,
    help="Batch method; greedy is a baseline for comparison.",
)
@json_option
@click.pass_obj
def match(
    state: State,
    file: Path | None,
    text: str | None,
    today: str | None,
    demand_id: str | None,
    category: str | None,
    tags: tuple[str, ...],
    audiences: tuple[str, ...],
    headcount: int | None,
    place: str | None,
    lng: float | None,
    lat: float | None,
    day: str | None,
    start: str | None,
    end: str | None,
    template: str | None,
    departments: tuple[str, ...],
    k: int,
    explain: bool,
    excluded: bool,
    joint: bool,
    batch_file: Path | None,
    method: str,
    as_json: bool,
) -> None:
    """Rank the candidates for one demand, with the reasons for each score.

    Give the demand as options or --file demand.json; --joint composes a joint order
    across --department (or a joint --template) instead — or, with neither, across the
    joint templates that fit the demand's category, tags and audiences. With --batch FILE, assign
    every demand of a CSV or JSON file at once (optimal min-cost flow by default).
    """
    from wenming.matching import Engine

    fields = {
        "id": demand_id,
        "category": category,
        "tags": tags,
        "audiences": audiences,
        "headcount": headcount,
        "place": place,
        "lng": lng,
        "lat": lat,
        "date": day,
        "start": start,
        "end": end,
        "template": template,
        "departments": departments,
    }
    if batch_file is not None:
        given = [f"--{n}" for n, v in fields.items() if v not in (None, ())]
        given += ["--file"] if file else []
        given += ["--text"] if text is not None else []
        if given or joint:
            raise WenmingError(
                "--batch reads every demand from its file; drop "
                + ", ".join(given + (["--joint"] if joint else []))
            )
        _batch(state, batch_file, method, as_json)
        return
    understood = None
    if text is not None and file is not None:
        raise WenmingError("give the demand as --text or as --file, not both")
    if text is not None:
        from wenming.cli.intake import match_demand

        demand, understood = match_demand(state, text, fields, today, as_json)
        joint = joint or bool(demand.departments)
    else:
        demand = _demand(file, fields)
    engine = Engine.from_deployment(state.deployment())
    extra = {"understood": understood.as_dict()} if understood is not None else {}
    demand = _words(engine, demand)
    if joint:
        _joint(engine, demand, k, explain, excluded, as_json, extra)
        return
    ranking = engine.rank(demand, k=k, explain=explain or as_json, include_excluded=excluded)
    if as_json:
        echo_json({**ranking.as_dict(), **extra})
        return
    click.echo(
        f"{_title(ranking.demand.id)}: {_describe(ranking.demand)} — "
        f"{ranking.passed} of {ranking.considered} resources pass"
    )
    for i, c in enumerate(ranking.candidates, start=1):
        _print_candidate(i, c, explain)
    if not ranking.candidates:
        click.echo("no candidate passes the rules" + ("" if excluded else " (see --excluded)"))
    own = {engine.keys[i] for i in engine._own_resources(ranking.demand.template)}
    served = bool(ranking.candidates) and ranking.candidates[0].key in own
    shown = [] if served else ranking.template_refusals[:5]
    for e in shown:
        click.echo(
            f"  template {ranking.demand.template}: {e.key} refused by {e.rule_id}: {e.reason}"
        )
    if shown and len(ranking.template_refusals) > len(shown):
        more = len(ranking.template_refusals) - len(shown)
        click.echo(f"  … and {more} more of the template's own resources (see --json)")
    for e in ranking.excluded:
        click.echo(f"  excluded {e.key} by {e.rule_id}: {e.reason}")


def _words(engine: Any, demand: Any) -> Any:
    """The demand with its tag words read through the vocabulary: IDs, Chinese names
    and synonyms become tag IDs; an unknown word is refused with the closest ones."""
    from attrs import evolve

    from wenming.matching.vocabulary import vocabulary

    if not demand.tags:
        return demand
    words = vocabulary(engine.registry)
    known = engine.vocab["tags"].index
    tags, unknown = words.resolve_tags(demand.tags, extra=known)
    if unknown:
        raise WenmingError(words.unknown_message("tag", unknown[0], extra=known))
    return evolve(demand, tags=tags)


def _joint(
    engine: Any,
    demand: Any,
    k: int,
    explain: bool,
    excluded: bool,
    as_json: bool,
    extra: Any = None,
) -> None:
    proposals = engine.joint(demand, k=k)
    gaps = engine.joint_gaps(demand) if not proposals else {}
    refusals = engine.joint_refusals(demand) if excluded else {}
    if as_json:
        echo_json(
            {
                "proposals": [p.as_dict() for p in proposals],
                "gaps": gaps,
                "excluded": {d: [e.as_dict() for e in es] for d, es in refusals.items()},
                **(extra or {}),
            }
        )
        return
    for dept, refused in refusals.items():
        for e in refused:
            click.echo(f"  excluded from {dept}: {e.key} by {e.rule_id}: {e.reason}")
    if not proposals:
        why = "; ".join(gaps.values()) or "no parts are within reach of each other"
        click.echo(f"no joint proposal: {why}")
        return
    for i, p in enumerate(proposals, start=1):
        flag = "" if p.exact else "  (heuristic)"
        what = f"  {p.template}" if p.template else ""
        if p.fit is not None:
            what += f" (fit {p.fit.score:.3f})"
        click.echo(f"{i:>3}  {p.score:6.3f}{what}{flag}")
        if explain and p.fit is not None:
            fit = " · ".join(f"{rule} {value:.3f}" for rule, value in p.fit.breakdown.items())
            click.echo(f"       template fit: {fit}")
        for dept, c in p.parts.items():
            mark = "  [synthetic]" if c.synthetic else ""
            click.echo(f"       {dept}: {c.key} ({c.score:.3f})  {c.name}{mark}")
        if explain:
            shares = " · ".join(f"{rule} {value:.3f}" for rule, value in p.breakdown.items())
            click.echo(f"       {shares}")


def _batch(state: State, path: Path, method: str, as_json: bool) -> None:
    from wenming.matching import Engine, read_demands

    demands = read_demands(path)
    engine = Engine.from_deployment(state.deployment())
    result = engine.batch(demands, method=method)
    if as_json:
        echo_json(result.as_dict())
        return
    width = max((len(d) for d in (*result.assignments, *result.unassigned)), default=6)
    for d, key in result.assignments.items():
        click.echo(f"{d:<{width}}  →  {key}  {result.scores[d]:.3f}")
    for d, why in result.unassigned.items():
        click.echo(f"{d:<{width}}  –  unassigned: {why}")
    if result.unassigned:
        click.echo(unassigned_summary(result.unassigned))
    click.echo(
        f"{method}: {len(result.assignments)} of {len(demands)} demands assigned, "
        f"total score {result.total:.3f}, {result.arcs} feasible pairs"
    )
