"""Sign-in, sign-out, the home page by role, and the network map and the leaderboard
dashboard inside the console."""

from __future__ import annotations

import threading
import time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from wenming.accounts import AuthError
from wenming.console import session, web

router = APIRouter(prefix="/console", include_in_schema=False)

#: How long the console reuses a rendered map or dashboard (new data shows after this long).
MAP_SECONDS = 60.0
_map_lock = threading.Lock()


def home_of(role: str) -> str:
    """Where each role starts."""
    if role in web.DISPATCHERS:
        return "/console/queue"
    if role == "team_leader":
        return "/console/tasks"
    return "/console/orders"


def safe_next(value: str | None) -> str | None:
    """A redirect target inside the console only (never another site)."""
    if value and value.startswith("/console") and not value.startswith("//"):
        return value
    return None


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    user = web.require(request)
    response = web.see_other(home_of(user.role))
    web.remember_lang(request, response)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    user = session.user_of(request)
    if user is not None:
        return web.see_other(safe_next(next) or home_of(user.role))
    nonce = request.cookies.get(session.NONCE)
    fresh = nonce is None
    nonce = nonce or session.new_nonce()
    binding = request.cookies.get(session.SESSION) or nonce
    response = web.render(
        request, "login.html", user=None, next=safe_next(next) or "", csrf_binding=binding
    )
    if fresh:
        session.set_nonce(request, response, nonce)
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=512)] = "",
) -> Response:
    """Sign in with the API's own sign-in (rate limit included), keep the token in
    the session cookie."""
    from wenming.api.auth import Login
    from wenming.api.auth import login as api_login
    from wenming.api.problems import ApiProblem

    if not session.csrf_ok(request, csrf):
        return web.render(
            request,
            "login.html",
            user=None,
            status=403,
            next=next,
            error=web.i18n.translate("csrf_failed", web.lang(request)),
        )
    try:
        out = api_login(Login(username=username or "-", password=password or "-"), request)
    except AuthError:
        message = web.i18n.translate("login_failed", web.lang(request))
        return web.render(request, "login.html", user=None, status=401, next=next, error=message)
    except ApiProblem as exc:  # too many failed sign-ins
        return web.render(
            request, "login.html", user=None, status=exc.status, next=next, error=exc.detail
        )
    response = web.see_other(safe_next(next) or home_of(out.user.role))
    session.sign_in(request, response, out.access_token, out.expires_in)
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    if not session.csrf_ok(request, csrf):
        return web.render(
            request,
            "message.html",
            user=session.user_of(request),
            status=403,
            error=web.i18n.translate("csrf_failed", web.lang(request)),
        )
    response = web.see_other("/console/login")
    session.sign_out(response)
    return response


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request) -> Response:
    """The network map (``wenming.network.mapview``) in a frame of the console."""
    user = web.require(request)
    return web.render(request, "map.html", user=user)


@router.get("/map/frame", response_class=HTMLResponse)
def map_frame(request: Request) -> Response:
    """The map's one offline HTML page, rendered from the deployment's network."""
    web.require(request)
    services = web.services(request)
    now = time.monotonic()
    with _map_lock:
        cached: tuple[float, str] | None = getattr(services, "_console_map", None)
        if cached is None or now - cached[0] > MAP_SECONDS:
            from wenming.network.mapview import render_map

            cached = (now, render_map(services.network))
            services._console_map = cached
    response = HTMLResponse(cached[1])
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request) -> Response:
    """The leaderboard dashboard (``wenming.reports.dashboard``) in a frame of the console."""
    user = web.require(request)
    return web.render(request, "dashboard.html", user=user)


def _dashboard_html(services: Any) -> str:
    import tempfile
    from pathlib import Path

    from wenming.reports.counters import counters_of
    from wenming.reports.dashboard import write_dashboard

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dashboard.html"
        write_dashboard(counters_of(services.deployment), path)
        return path.read_text(encoding="utf-8")


@router.get("/dashboard/frame", response_class=HTMLResponse)
def dashboard_frame(request: Request) -> Response:
    """The dashboard's one offline HTML page, from the deployment's counters."""
    web.require(request)
    services = web.services(request)
    now = time.monotonic()
    with _map_lock:
        cached: tuple[float, str] | None = getattr(services, "_console_dashboard", None)
        if cached is None or now - cached[0] > MAP_SECONDS:
            cached = (now, _dashboard_html(services))
            services._console_dashboard = cached
    response = HTMLResponse(cached[1])
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response


def context_names(request: Request) -> dict[str, Any]:
    """Display names of categories, audiences and templates in the page's language."""
    registry = web.services(request).deployment.registry
    zh = web.lang(request) == "zh"

    def name(rec: Any) -> str:
        return rec.name_zh if zh else rec.name_en

    return {
        "categories": {k: name(v) for k, v in registry.categories.items()},
        "audiences": {k: name(v) for k, v in registry.audiences.items()},
        "templates": {k: name(v) for k, v in registry.templates.items()},
        "departments": {k: name(v) for k, v in registry.departments.items()},
    }
