"""``wenming serve``: the HTTP API over the deployment (FastAPI on uvicorn).

FastAPI and uvicorn are imported here, when the command runs, never at CLI start-up.
"""

from __future__ import annotations

import click

from wenming.cli import State


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes (one per core); each signs in and rate-limits on its own.",
)
@click.pass_obj
def serve(state: State, host: str, port: int, log_level: str, workers: int) -> None:
    """Serve the HTTP API (OpenAPI at /docs and /openapi.json) until stopped.

    Every request signs in with a user's token (POST /auth/token, or an API token from
    'wenming users token'); the workflow's role rules decide every read and write.
    """
    import os

    import uvicorn

    from wenming.api import create_app

    deployment = state.deployment(required=True)
    deployment.storage.check()
    app = create_app(deployment)  # built here too, so a broken deployment stops at once
    app.state.wenming.accounts.check_schema()
    click.echo(f"serving {deployment.config.name} on http://{host}:{port} (Ctrl-C stops)")
    options = {"host": host, "port": port, "log_level": log_level, "server_header": False}
    if workers == 1:
        uvicorn.run(app, **options)
        return
    os.environ["WENMING_DEPLOYMENT"] = str(state.deployment_path.resolve())
    uvicorn.run("wenming.api.app:app_from_environment", factory=True, workers=workers, **options)
