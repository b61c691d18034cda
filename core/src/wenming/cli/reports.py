"""Statistics, leaderboards and rankings of people: ``stats``, ``leaderboard`` and
``ranking`` — thin layers over :mod:`wenming.reports` (units and points: ``cli/units.py``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from wenming.cli import State, echo_json, json_option, show_time
from wenming.cli.actors import actor_options

if TYPE_CHECKING:
    from wenming.orders.roles import Actor
    from wenming.reports.counters import Counters

DATE = click.DateTime(formats=["%Y-%m-%d"])
BY = click.Choice(["city", "county", "town", "station", "department", "team", "unit"])
DEFAULT_TABLE = (
    "orders_received,orders_dispatched,orders_accepted,orders_completed,completion_rate,"
    "on_time_rate,evaluation,volunteer_hours"
)


def _deployment(state: State):
    deployment = state.deployment(required=True)
    deployment.storage.check()
    return deployment


def _counters(state: State) -> Counters:
    from wenming.reports.counters import counters_of

    return counters_of(_deployment(state))


def _when(
    counters: Counters, period: str | None, start: dt.datetime | None, end: dt.datetime | None
) -> dict:
    from wenming.reports import boards, periods

    today = periods.local_date(dt.datetime.now(dt.UTC), counters.tz)
    return boards.when(
        period, start.date() if start else None, end.date() if end else None, today=today
    )


def _out(
    header: list[str], rows: list[list[Any]], csv_path: Path | None, xlsx_path: Path | None
) -> bool:
    from wenming.export import write_table

    if csv_path:
        write_table(csv_path, header, rows, fmt="csv")
        click.echo(f"wrote {csv_path} ({len(rows)} rows, UTF-8 with BOM for Excel)")
    if xlsx_path:
        write_table(xlsx_path, header, rows, fmt="xlsx", sheet="wenming")
        click.echo(f"wrote {xlsx_path} ({len(rows)} rows)")
    return bool(csv_path or xlsx_path)


def _table(header: list[str], rows: list[list[Any]]) -> None:
    from wenming.tables import render

    for line in render(header, rows):
        click.echo(line)


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


export_options = [
    click.option(
        "--csv",
        "csv_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also write the table as CSV (UTF-8 with BOM, opens in Excel).",
    ),
    click.option(
        "--xlsx",
        "xlsx_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also write the table as an Excel workbook.",
    ),
]


def _exports(fn):
    for option in reversed(export_options):
        fn = option(fn)
    return fn


period_options = [
    click.option(
        "--period",
        help="A month (2027-08), quarter (2027-Q3) or year (2027); "
        "default this year in the deployment's time zone.",
    ),
    click.option("--from", "start", type=DATE, help="Start of a range (whole months)."),
    click.option("--to", "end", type=DATE, help="End of a range."),
]


def _periods(fn):
    for option in reversed(period_options):
        fn = option(fn)
    return fn


# --------------------------------------------------------------------- leaderboard


@click.command()
@click.option(
    "--metric",
    default="orders_completed",
    show_default=True,
    help="What to rank by (wenming stats metrics lists them).",
)
@click.option("--by", type=BY, default="county", show_default=True, help="What to rank.")
@_periods
@click.option("--within", help="Only keys under a division code (towns of one county…).")
@click.option("--top", "limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@_exports
@json_option
@click.pass_obj
def leaderboard(
    state: State,
    metric: str,
    by: str,
    period: str | None,
    start,
    end,
    within: str | None,
    limit: int,
    csv_path,
    xlsx_path,
    as_json: bool,
) -> None:
    """排行榜: rank counties, towns, stations, departments, teams or units by a metric."""
    from wenming.reports import boards

    counters = _counters(state)
    m = counters.metric(metric)
    when = _when(counters, period, start, end) if m.kind != "gauge" else {}
    board = boards.leaderboard(counters, metric, by, when, within=within, limit=limit)
    if as_json:
        echo_json(board)
        return
    label = board["period"]
    table = [[r["rank"], r["key"], r["name"], r["value"], r["n"]] for r in board["rows"]]
    header = ["名次", "代码", "名称", m.name_zh, "计数"]
    if _out(header, table, csv_path, xlsx_path):
        return
    click.echo(f"{m.name_zh} ({m.name_en}) by {by}, {label}")
    if not table:
        click.echo("  nothing counted yet")
        return
    _table(header, [[r[0], r[1], r[2], _fmt(r[3]), r[4]] for r in table])


# --------------------------------------------------------------------- stats


@click.group()
def stats() -> None:
    """Statistics: metrics, their counters, rebuild and check against the event log."""


@stats.command("metrics")
@json_option
@click.pass_obj
def stats_metrics(state: State, as_json: bool) -> None:
    """List the metrics (core and the plugins') with their kind and dimensions."""
    from wenming.reports.counters import collect_metrics

    found = collect_metrics(state.deployment())
    if as_json:
        echo_json([m.as_dict() for m in found.values()])
        return
    _table(
        ["metric", "名称", "kind", "by"],
        [[m.name, m.name_zh, m.kind, ",".join(m.dimensions)] for m in found.values()],
    )


@stats.command("rebuild")
@json_option
@click.pass_obj
def stats_rebuild(state: State, as_json: bool) -> None:
    """Recompute every counter from the event log (in one transaction)."""
    result = _counters(state).rebuild()
    if as_json:
        echo_json(result)
        return
    click.echo(
        f"rebuilt {result['counters']:,} counters and {result['members']:,} "
        "distinct members from the event log"
    )


@stats.command("verify")
@json_option
@click.pass_obj
def stats_verify(state: State, as_json: bool) -> None:
    """Compare the counters with a recount from the event log; exit 1 on a difference."""
    problems = _counters(state).compare()
    if as_json:
        echo_json({"ok": not problems, "problems": problems})
    else:
        for p in problems[:50]:
            click.echo(p)
        click.echo(
            "counters equal the event log"
            if not problems
            else f"{len(problems)} difference(s): run 'wenming stats rebuild'"
        )
    raise SystemExit(1 if problems else 0)


@stats.command("table")
@click.option(
    "--metrics",
    "names_",
    default=DEFAULT_TABLE,
    show_default=True,
    help="Comma-separated metrics (columns).",
)
@click.option("--by", type=BY, default="county", show_default=True)
@_periods
@_exports
@json_option
@click.pass_obj
def stats_table(
    state: State, names_: str, by: str, period, start, end, csv_path, xlsx_path, as_json: bool
) -> None:
    """Several metrics side by side for every key of one dimension (for Excel)."""
    from wenming.reports import boards

    counters = _counters(state)
    when = _when(counters, period, start, end)
    wanted = [n.strip() for n in names_.split(",") if n.strip()]
    table = boards.side_by_side(counters, wanted, by, when)
    if as_json:
        echo_json(table)
        return
    columns, rows = table["columns"], table["rows"]
    header = ["代码", "名称", *[counters.metrics[n].name_zh for n in columns]]
    if _out(header, rows, csv_path, xlsx_path):
        return
    _table(header, [[*r[:2], *["-" if v is None else _fmt(v) for v in r[2:]]] for r in rows])


@stats.command("dashboard")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--metric",
    default="orders_completed",
    show_default=True,
    help="The metric the counties are shaded by at first.",
)
@click.option("--year", type=int, help="The year shown (default: this year).")
@json_option
@click.pass_obj
def stats_dashboard(state: State, path: Path, metric: str, year: int | None, as_json: bool) -> None:
    """Write the offline dashboard: one HTML file, no network (trend, top, county shading)."""
    from wenming.reports.dashboard import write_dashboard

    result = write_dashboard(_counters(state), path, metric=metric, year=year)
    if as_json:
        echo_json(result)
        return
    click.echo(
        f"wrote {path} ({result['bytes'] / 1024:.0f} KB); open it in a browser: "
        f"file://{path.resolve()}"
    )


# --------------------------------------------------------------------- people


@click.group()
def ranking() -> None:
    """Rankings of volunteers: opt-in, masked names, no minors, each publication recorded."""


@ranking.command("consent")
@click.argument("volunteer_id", type=click.IntRange(1, 2**62))
@click.option("--yes/--no", "given", default=True, help="Opt in (default) or out.")
@actor_options
@click.pass_obj
def ranking_consent(state: State, volunteer_id: int, given: bool, actor: Actor) -> None:
    """The volunteer opts in to (or out of) public rankings (--role volunteer --actor ID)."""
    from wenming.reports.ranking import Ranking

    Ranking(_deployment(state)).consent(actor, volunteer_id, given)
    click.echo(f"volunteer {volunteer_id} {'opted in to' if given else 'opted out of'} rankings")


@ranking.command("publish")
@_periods
@click.option("--within", help="Only hours served under this division code.")
@click.option(
    "--served-with", "team", help="Only hours served with this team (--team is the actor's)."
)
@click.option("--top", "limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@actor_options
@_exports
@json_option
@click.pass_obj
def ranking_publish(
    state: State,
    period,
    start,
    end,
    within,
    team,
    limit: int,
    actor: Actor,
    csv_path,
    xlsx_path,
    as_json: bool,
) -> None:
    """Publish the ranking of opted-in adult volunteers by confirmed hours (recorded)."""
    from wenming.reports.ranking import Ranking

    result = Ranking(_deployment(state)).publish(
        actor,
        period=period,
        start=start.date() if start else None,
        end=end.date() if end else None,
        within=within,
        team=team,
        limit=limit,
    )
    if as_json:
        echo_json(result)
        return
    rows = [[r["rank"], r["name"], r["hours"]] for r in result["rows"]]
    header = ["名次", "志愿者", "确认服务时长"]
    if _out(header, rows, csv_path, xlsx_path):
        return
    click.echo(
        f"志愿者排行 {result['period']} ({result['scope']}), published by "
        f"{result['published_by']} and recorded"
    )
    _table(header, [[r[0], r[1], _fmt(r[2])] for r in rows])


@ranking.command("published")
@json_option
@click.pass_obj
def ranking_published(state: State, as_json: bool) -> None:
    """Who published which ranking of people, when (PIPL art. 55)."""
    from wenming.reports.ranking import Ranking

    found = Ranking(_deployment(state)).published()
    if as_json:
        echo_json(found)
        return
    for r in found:
        click.echo(
            f"{show_time(r['at'])}  {r['actor']} ({r['role']})  {r['metric']} "
            f"{r['period']}  {r['scope']}  {r['entries']} named"
        )
