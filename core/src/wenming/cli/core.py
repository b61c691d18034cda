"""Core commands: ``init``, ``check`` and ``plugins``."""

from __future__ import annotations

from pathlib import Path

import click

from wenming.cli import State, echo_json, json_option
from wenming.errors import ConfigError, WenmingError


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--name", default=None, help="Deployment name (default: the folder's name).")
@click.option(
    "--database",
    default="sqlite:///wenming.db",
    show_default=True,
    help="Database URL; a relative SQLite path is next to the deployment file.",
)
@click.option("--region", default="suzhou", show_default=True, help="Region dataset to use.")
@click.option("--force", is_flag=True, help="Overwrite an existing deployment file.")
@json_option
@click.pass_obj
def init(
    state: State,
    directory: Path,
    name: str | None,
    database: str,
    region: str,
    force: bool,
    as_json: bool,
) -> None:
    """Create a deployment file in DIRECTORY, its secret and its database (or upgrade its schema).

    With an existing deployment file (and no --force) the file is kept and only the
    database schema is created or upgraded.
    """
    from wenming.deployment import DEFAULT_FILE, Deployment, render_config

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / DEFAULT_FILE
    if state.deployment_path.name != DEFAULT_FILE or state.deployment_path.parent != Path("."):
        path = state.deployment_path if directory == Path(".") else path
    created = False
    if force or not path.exists():
        config = render_config(name or directory.resolve().name, database, region)
        path.write_text(config, encoding="utf-8")
        created = True
    from wenming.secrets import SECRET_FILE, create_secret_file

    secret_written = create_secret_file(path.parent / SECRET_FILE)
    deployment = Deployment.from_file(path)
    deployment.storage.create()
    version = deployment.storage.check()
    result = {
        "deployment": str(path),
        "created": created,
        "secret": str(path.parent / SECRET_FILE),
        "secret_created": secret_written,
        "database": deployment.database_url,
        "schema_version": version,
        "plugins": [p.name for p in deployment.registry.plugins if p.ok],
    }
    if as_json:
        echo_json(result)
        return
    verb = "wrote" if created else "kept"
    click.echo(f"{verb} {path}")
    if secret_written:
        click.echo(
            f"wrote the deployment secret to {result['secret']} (owner-only; keep it out of version control)"
        )
    click.echo(f"database {deployment.database_url} at schema version {version}")
    click.echo(f"plugins: {', '.join(result['plugins'])}")


@click.command()
@json_option
@click.pass_obj
def check(state: State, as_json: bool) -> None:
    """Validate the deployment file, every plugin and the database.

    Exits 0 when everything is healthy, 1 when a plugin failed or the database is
    missing or out of date.
    """
    checks: list[dict[str, object]] = []
    try:
        deployment = state.deployment(required=True)
    except ConfigError as exc:
        checks.append({"check": "deployment file", "ok": False, "detail": str(exc)})
        deployment = None
    else:
        checks.append(
            {"check": "deployment file", "ok": True, "detail": str(state.deployment_path)}
        )
    if deployment is not None:
        for problem in deployment.selection_problems():
            checks.append({"check": "plugin selection", "ok": False, "detail": problem})
        for info in deployment.registry.plugins:
            if info.status == "disabled":
                continue
            detail = info.error or (f"{info.dist or 'built-in'} {info.version or ''}".strip())
            if info.warnings:
                detail += f" ({len(info.warnings)} warning(s): {'; '.join(info.warnings)})"
            checks.append({"check": f"plugin {info.name}", "ok": info.ok, "detail": detail})
        try:
            version = deployment.storage.check()
            checks.append({"check": "database", "ok": True, "detail": f"schema version {version}"})
        except WenmingError as exc:
            checks.append({"check": "database", "ok": False, "detail": str(exc)})
    healthy = all(c["ok"] for c in checks)
    if as_json:
        echo_json({"healthy": healthy, "checks": checks})
    else:
        for c in checks:
            mark = "ok  " if c["ok"] else "FAIL"
            click.echo(f"{mark} {c['check']}: {c['detail']}")
        click.echo("healthy" if healthy else "unhealthy")
    raise SystemExit(0 if healthy else 1)


@click.command()
@click.option("--all", "show_all", is_flag=True, help="Include disabled plugins.")
@json_option
@click.pass_obj
def plugins(state: State, show_all: bool, as_json: bool) -> None:
    """List plugins with version, hooks, contribution counts and health."""
    registry = state.deployment().registry
    infos = [i for i in registry.plugins if show_all or i.status != "disabled"]
    if as_json:
        echo_json([i.as_dict() for i in infos])
        return
    for info in infos:
        version = f"{info.dist} {info.version}" if info.dist else "(not installed)"
        click.echo(f"{info.name}  [{info.status}]  {version}")
        if info.error:
            click.echo(f"    error: {info.error}")
        if info.hooks:
            click.echo(f"    hooks: {', '.join(info.hooks)}")
        counts = ", ".join(f"{k} {v}" for k, v in info.counts.items() if v)
        if counts:
            click.echo(f"    contributes: {counts}")
        for warning in info.warnings:
            click.echo(f"    warning: {warning}")
