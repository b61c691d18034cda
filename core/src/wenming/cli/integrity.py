"""``wenming order verify`` / ``repair`` / ``grants``: the tamper-evident log's commands
(a thin layer over :mod:`wenming.orders.integrity` and :mod:`wenming.storage.grants`)."""

from __future__ import annotations

import click

from wenming.cli import State, echo_json, json_option


def _storage(state: State):
    deployment = state.deployment(required=True)
    deployment.storage.check()
    return deployment.storage


@click.command("verify")
@click.option("--order", "order_ids", type=int, multiple=True, help="Only these orders' rows.")
@click.option(
    "--anchor",
    default=None,
    metavar="LOG_SEQ:HASH",
    help="A head printed by an earlier verify (kept outside the database): it must still be there.",
)
@json_option
@click.pass_obj
def verify(state: State, order_ids: tuple[int, ...], anchor: str | None, as_json: bool) -> None:
    """Check the event log's hash chains, every derived table against the events, and
    orders whose rows or events vanished. Exit 1 when anything differs."""
    from wenming.orders.integrity import verify as run

    report = run(_storage(state), order_ids or None, anchor=anchor)
    head = f"{report.head[0]}:{report.head[1]}"
    lines = report.lines()
    if as_json:
        echo_json(
            {
                "ok": report.ok,
                "events": report.events,
                "head": head,
                "chain": report.chain,
                "orders": {str(k): v for k, v in sorted(report.orders.items())},
                "problems": lines,
            }
        )
    else:
        for line in lines:
            click.echo(line)
        if report.ok:
            click.echo(f"every order matches its events; the log's {report.events} event(s) verify")
        else:
            click.echo(f"{len(lines)} problem(s) in {len(report.orders)} order(s) and the log")
        click.echo(f"head {head}  (keep it outside the database: verify --anchor {head})")
    raise SystemExit(0 if report.ok else 1)


@click.command("repair")
@click.option("--order", "order_ids", type=int, multiple=True, help="Only these orders.")
@json_option
@click.pass_obj
def repair(state: State, order_ids: tuple[int, ...], as_json: bool) -> None:
    """Rebuild derived rows (orders, parts, dispatches, hours, evaluations, slots) of
    every order that differs from its events, from a log that verifies. Run it as the
    tables' owner."""
    from wenming.orders.repair import repair as run

    done = run(_storage(state), order_ids or None)
    if as_json:
        echo_json({"repaired": done})
        return
    click.echo(
        f"rebuilt {len(done)} order(s) from their events: {', '.join(map(str, done))}"
        if done
        else "nothing to repair: every order matches its events"
    )


@click.command("grants")
@click.argument("role")
@click.pass_obj
def grants(state: State, role: str) -> None:
    """Print the SQL that gives a PostgreSQL ROLE least privilege for the application:
    INSERT and SELECT on the event log, no UPDATE, DELETE or TRUNCATE there."""
    from wenming.storage.grants import app_role_statements

    for statement in app_role_statements(role):
        click.echo(statement + ";")
