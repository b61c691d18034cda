"""The web console: Chinese-first, mobile-first pages for station operators, team
leaders and dispatchers, served by ``wenming serve`` under ``/console``.

Server-rendered Jinja2 templates and a little script of our own, with every asset in
this package (no CDN: it works offline on an intranet). Pages sign in with the API's
accounts (the access token in an HttpOnly cookie) and call the same services the API
calls, so the workflow's role rules decide every read and write here too.

- :mod:`~wenming.console.session` — the sign-in cookie and CSRF tokens
- :mod:`~wenming.console.web` — templates, language, refusals, redirects
- :mod:`~wenming.console.pages` — sign-in, home, map, leaderboard
- :mod:`~wenming.console.orders` — filing, following, dispatching, answering, evaluating
- :mod:`~wenming.console.wish` — filing in the requester's own words (free-text intake)
- :mod:`~wenming.console.batch` — batch dispatch, optimal beside greedy
- :mod:`~wenming.console.crew` — signing volunteers in and out (the people service)
- :mod:`~wenming.console.i18n` — the message catalogue (中文 / English)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["mount_console"]


def mount_console(app: FastAPI) -> None:
    """Serve the console under ``/console`` (and its assets under ``/console/static``)
    on the API's app; left out of the OpenAPI schema."""
    from fastapi.staticfiles import StaticFiles

    from wenming.console import batch, crew, orders, pages, web, wish

    async def redirect(request, exc: web.Redirect):
        return web.see_other(exc.url)

    app.add_exception_handler(web.Redirect, redirect)
    app.mount("/console/static", StaticFiles(directory=web.HERE / "static"), name="console-static")
    app.include_router(pages.router)
    app.include_router(orders.router)
    app.include_router(batch.router)
    app.include_router(wish.router)
    app.include_router(crew.router)
