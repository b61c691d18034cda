"""The ``wenming`` command: a thin layer over the Python API.

Core subcommands live in sibling modules and are imported only when invoked (see
:data:`SUBCOMMANDS`), so ``wenming --help`` does not import SQLAlchemy or NumPy.
Plugins add commands through ``register_commands``. A :class:`WenmingError` becomes
one line on stderr and a non-zero exit, never a traceback; so does a database error
the user can act on (a lock another writer held too long, a value the database refuses).
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any, TypeVar

import click

from wenming import __version__
from wenming.errors import WenmingError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from wenming.deployment import Deployment
    from wenming.storage.light import Reader

T = TypeVar("T")

#: Core subcommands: name → "module:attribute" (imported on use) and a one-line help.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "init": ("wenming.cli.core:init", "Create a deployment file and its database."),
    "check": ("wenming.cli.core:check", "Validate the deployment, its plugins and database."),
    "plugins": ("wenming.cli.core:plugins", "List plugins, their hooks, contributions and health."),
    "network": ("wenming.cli.network:network", "The practice network: load, query, pair, map."),
    "match": (
        "wenming.cli.match:match",
        "Rank candidates for a demand, compose joint orders, batch-assign.",
    ),
    "supply": ("wenming.cli.supply:supply", "供单: publish or withdraw venues, projects, teams."),
    "order": (
        "wenming.cli.orders:order",
        "点单: submit, list, show, start, cancel, expire; verify, repair.",
    ),
    "dispatch": ("wenming.cli.orders:dispatch", "派单: assign by hand, by rank or in batch."),
    "accept": ("wenming.cli.orders:accept", "接单: the dispatched team accepts its part."),
    "decline": ("wenming.cli.orders:decline", "The dispatched team declines, with a reason."),
    "complete": ("wenming.cli.orders:complete", "Record a part delivered, with volunteers' hours."),
    "evaluate": ("wenming.cli.orders:evaluate", "评单: the requester rates the service 1–5."),
    "joint": ("wenming.cli.orders:joint", "拼单: joint templates, joint orders and proposals."),
    "leaderboard": (
        "wenming.cli.reports:leaderboard",
        "排行榜: rank regions, departments, teams, units.",
    ),
    "stats": (
        "wenming.cli.reports:stats",
        "Metrics and counters: table, rebuild, verify, dashboard.",
    ),
    "units": ("wenming.cli.units:units", "文明单位: civilized units and their practice points."),
    "points": ("wenming.cli.units:points", "文明单位动态积分: claims, review, appeal, ledger."),
    "ranking": ("wenming.cli.reports:ranking", "Volunteers' rankings: opt-in, masked, recorded."),
    "volunteers": ("wenming.cli.people:volunteers", "志愿者: import, sign in, hours, star levels."),
    "plugin": ("wenming.cli.plugin:plugin", "Plugin authors: write a new plugin to start from."),
    "vocabulary": ("wenming.cli.vocabulary:vocabulary", "Categories, audiences, tags, rule kinds."),
    "serve": ("wenming.cli.serve:serve", "Serve the HTTP API (accounts, roles, OpenAPI)."),
    "users": ("wenming.cli.users:users", "Accounts: add, list, set-role, revoke, login."),
}


class State:
    """Per-invocation state: where the deployment file is, and the loaded deployment."""

    def __init__(self, deployment_path: Path) -> None:
        self.deployment_path = deployment_path
        self._deployment: Deployment | None = None
        self._reader: Reader | bool | None = False  # False: not tried yet

    def deployment(self, *, required: bool = False) -> Deployment:
        """Load the deployment file, or (unless ``required``) an in-memory default."""
        if self._deployment is None:
            from wenming.deployment import Deployment, DeploymentConfig

            if self.deployment_path.exists() or required:
                self._deployment = Deployment.from_file(self.deployment_path)
            else:
                self._deployment = Deployment(
                    DeploymentConfig(name="(no deployment file)", database="sqlite://")
                )
        return self._deployment

    def reader(self) -> Reader | None:
        """The deployment's database on a light read connection (the driver alone, no
        SQLAlchemy: :mod:`wenming.storage.light`), or ``None`` where only the full path
        can answer. Opened once per command and closed with it."""
        if self._reader is False:
            from wenming.storage.light import open_reader

            reader = open_reader(self.deployment(required=True).database_url)
            ctx = click.get_current_context(silent=True)
            if reader is not None and ctx is not None:
                ctx.call_on_close(reader.close)
            self._reader = reader
        return self._reader or None

    def read(self, light: Callable[[Reader], T], full: Callable[[], T]) -> T:
        """``light(reader)`` on the light read connection; ``full()`` where there is none,
        or when the driver fails (the full path then reports the error as it always has)."""
        reader = self.reader()
        if reader is not None:
            try:
                return light(reader)
            except reader.Error:
                pass
        return full()

    @property
    def timezone(self) -> str:
        """The deployment's time zone name (times are shown in it; stored in UTC)."""
        return self.deployment().config.timezone


def show_time(value: Any) -> str:
    """A stored (UTC) time as the invoked deployment's people read it: local, with offset."""
    from wenming.times import DEFAULT_TIMEZONE, show

    ctx = click.get_current_context(silent=True)
    state = ctx.find_object(State) if ctx is not None else None
    return show(value, state.timezone if state is not None else DEFAULT_TIMEZONE)


def _plugin_commands(ctx: click.Context) -> dict[str, Any]:
    """Commands contributed by the deployment's plugins.

    Only the plugins' ``register_commands`` hooks run here, and the deployment file is
    read for its plugin selection alone, so listing commands stays cheap.
    """
    if "_wenming_plugin_commands" in ctx.meta:
        return ctx.meta["_wenming_plugin_commands"]
    from wenming.plugins import collect_commands, load_plugins, read_selection

    path = ctx.params.get("deployment_path") or "wenming.toml"
    try:
        only, exclude = read_selection(path)
        loaded = load_plugins(only=only, exclude=exclude)
        found = collect_commands(loaded)
    except WenmingError:
        found = {}
    commands = {name: entry.command for name, entry in found.items() if name not in SUBCOMMANDS}
    ctx.meta["_wenming_plugin_commands"] = commands
    return commands


class WenmingGroup(click.Group):
    """Lazily imports core subcommands and adds the plugins' commands."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(SUBCOMMANDS) | set(_plugin_commands(ctx)))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in SUBCOMMANDS:
            module, attr = SUBCOMMANDS[cmd_name][0].split(":")
            return getattr(importlib.import_module(module), attr)
        return _plugin_commands(ctx).get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_) for name, (_, help_) in sorted(SUBCOMMANDS.items())]
        plugin_rows = [
            (name, cmd.get_short_help_str(60))
            for name, cmd in sorted(_plugin_commands(ctx).items())
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
        if plugin_rows:
            with formatter.section("Plugin commands"):
                formatter.write_dl(plugin_rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WenmingError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except RecursionError:
            click.echo("error: the input is nested too deeply to read", err=True)
            ctx.exit(1)
        except Exception as exc:
            # a database error the user can act on (a lock held too long …) is one line
            if "sqlalchemy" not in sys.modules:
                raise
            from wenming.storage import database_error

            line = database_error(exc)
            if line is None:
                raise
            click.echo(f"error: {line}", err=True)
            ctx.exit(1)


@click.group(cls=WenmingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wenming")
@click.option(
    "-d",
    "--deployment",
    "deployment_path",
    type=click.Path(dir_okay=False),
    envvar="WENMING_DEPLOYMENT",
    default="wenming.toml",
    show_default=True,
    help="The deployment file (env WENMING_DEPLOYMENT).",
)
@click.pass_context
def cli(ctx: click.Context, deployment_path: str) -> None:
    """wenming: run a city's New Era Civilization Practice volunteer-service network.

    Every command prints for people by default and takes --json for scripts.
    """
    from pathlib import Path  # not at the top: `wenming --help` never needs it

    ctx.obj = State(Path(deployment_path))


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="wenming")


def echo_json(data: Any) -> None:
    """Print ``data`` as JSON (UTF-8, not ASCII-escaped: names are Chinese)."""
    import json

    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def place_value(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback for ``--place``: a division code, or a name that fits one division.

    Checked against the deployment's region data, so an unknown code or an ambiguous
    name is a one-line error naming the candidates and their codes.
    """
    if value is None:
        return None
    from wenming.network.names import resolve_place
    from wenming.network.regions import read_region

    state = ctx.find_object(State)
    deployment = state.deployment() if state is not None else None
    region = deployment.config.region if deployment is not None else "suzhou"
    if deployment is not None and deployment.path is not None:
        folder = deployment.path.parent / region
        region = str(folder) if folder.is_dir() else region
    try:
        data = read_region(region)
    except WenmingError:
        if value.strip().isdigit():
            return value.strip()  # a network built from files alone: no divisions to check
        raise
    return resolve_place(value, data)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
