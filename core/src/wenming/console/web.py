"""What every console page shares: templates, language, the signed-in user, CSRF,
redirects, and refusals shown with the service's own one-line message."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from wenming.console import i18n, session

if TYPE_CHECKING:
    from fastapi import Request
    from fastapi.responses import HTMLResponse

    from wenming.accounts.service import UserView

HERE = Path(__file__).parent
DISPATCHERS = ("city_dispatcher", "department_dispatcher")
FILERS = ("station_operator", "requester", "city_dispatcher")


class Redirect(Exception):
    """Raised by a page to send the browser elsewhere (303 See Other)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


@cache
def environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local"] = local_time
    return env


def local_time(value: dt.datetime | str | None, zone: str) -> str:
    """``value`` (stored in UTC, or its ISO text) in the deployment's time zone
    (``timezone`` in the deployment file), to the minute."""
    from wenming.times import local

    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return local(value, zone).strftime("%Y-%m-%d %H:%M")


def lang(request: Request) -> str:
    return i18n.lang_of(request.query_params.get("lang") or request.cookies.get(session.LANG))


def services(request: Request) -> Any:
    return request.app.state.wenming


def require(request: Request) -> UserView:
    """The signed-in user, or a redirect to the sign-in page that comes back here."""
    user = session.user_of(request)
    if user is None:
        from urllib.parse import quote

        target = request.url.path
        if request.method == "GET" and request.url.query:
            target += "?" + request.url.query
        raise Redirect(f"/console/login?next={quote(target, safe='')}")
    return user


def render(
    request: Request,
    name: str,
    *,
    user: UserView | None,
    status: int = 200,
    csrf_binding: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page from template ``name`` in the request's language."""
    from fastapi.responses import HTMLResponse

    context.setdefault("error", None)
    code = lang(request)
    other = "en" if code == "zh" else "zh"
    # the language switch keeps a page's query; a page answering a form post has no
    # address of its own to reload, so it switches on the home page
    if request.method == "GET":
        query = {k: v for k, v in request.query_params.items() if k not in ("lang", "done")}
        switch = request.url.path + "?" + urlencode({**query, "lang": other})
    else:
        switch = "/console/?lang=" + other
    html = (
        environment()
        .get_template(name)
        .render(
            request=request,
            user=user,
            lang=code,
            other_lang=other,
            lang_switch=switch,
            t=lambda key: i18n.translate(key, code),
            csrf=session.csrf_token(request, csrf_binding),
            path=request.url.path,
            deployment=services(request).deployment.config.name,
            zone=services(request).deployment.config.timezone,
            dispatchers=DISPATCHERS,
            filers=FILERS,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Referrer-Policy"] = "same-origin"
    remember_lang(request, response)
    return response


def remember_lang(request: Request, response: Any) -> None:
    """Keep a language chosen with ``?lang=`` in the ``lang`` cookie."""
    chosen = request.query_params.get("lang")
    if chosen in i18n.LANGS:
        response.set_cookie(
            session.LANG, chosen, max_age=365 * 86400, samesite="strict", path=session.PATH
        )


def status_of(exc: BaseException) -> int:
    """The HTTP status the API gives the same refusal (one mapping for both)."""
    from wenming.api.problems import MAPPING

    for kind, status, _slug, _title in MAPPING:
        if isinstance(exc, kind):
            return status
    return 400


def see_other(url: str) -> Any:
    from fastapi.responses import RedirectResponse

    return RedirectResponse(url, status_code=303)
