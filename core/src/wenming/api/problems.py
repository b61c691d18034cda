"""Errors as ``application/problem+json`` (RFC 9457), one mapping for the whole API.

Every refusal carries the same one-line message the CLI prints (``detail``); a
permission refusal adds the role and the rule, a conflict the order's current version.
Anything unexpected is a 500 with an incident number and no traceback: the server logs
the traceback (logger ``wenming.api``) with that number.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from wenming.accounts import AccountError, AuthError
from wenming.errors import StorageError, WenmingError
from wenming.orders.errors import (
    ConflictError,
    FullyBooked,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Vetoed,
)

log = logging.getLogger("wenming.api")

MEDIA_TYPE = "application/problem+json"

#: Exception class → (status, type slug, title); the first match in order wins.
MAPPING: list[tuple[type[BaseException], int, str, str]] = [
    (AuthError, 401, "unauthenticated", "Not signed in"),
    (PermissionDenied, 403, "permission-denied", "Permission denied"),
    (NotFound, 404, "not-found", "Not found"),
    (ConflictError, 409, "conflict", "Conflict"),
    (FullyBooked, 409, "fully-booked", "Fully booked"),
    (IllegalTransition, 409, "illegal-transition", "Illegal transition"),
    (Vetoed, 422, "vetoed", "Vetoed by a plugin"),
    (InvalidInput, 422, "invalid-input", "Invalid input"),
    (AccountError, 422, "invalid-input", "Invalid input"),
    (StorageError, 503, "storage", "Storage unavailable"),
    (WenmingError, 400, "bad-request", "Bad request"),
]

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Permission denied",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


class Problem(BaseModel):
    """An error (RFC 9457): ``detail`` is the one-line message to show a person."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None


def problem(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": f"/problems/{slug or title_slug(status)}",
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": one_line(detail),
        "instance": instance,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def title_slug(status: int) -> str:
    return TITLES.get(status, "error").lower().replace(" ", "-")


def one_line(text: str) -> str:
    return " ".join(str(text).split())[:2000]


class ApiProblem(Exception):
    """Raised by routes for HTTP-level refusals (a stale If-Match, a rate limit)."""

    def __init__(
        self, status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers
        self.extra = extra


def _path(request: Request) -> str:
    return request.url.path


async def on_wenming_error(request: Request, exc: Exception) -> JSONResponse:
    for cls, status, slug, title in MAPPING:
        if isinstance(exc, cls):
            extra: dict[str, Any] = {}
            headers = None
            if isinstance(exc, PermissionDenied):
                extra = {"role": exc.role, "action": exc.action, "rule": exc.rule}
            elif isinstance(exc, Vetoed):
                extra = {"plugin": exc.plugin, "reason": exc.reason}
            elif isinstance(exc, AuthError):
                headers = {"WWW-Authenticate": "Bearer"}
            return problem(
                status,
                str(exc),
                slug=slug,
                title=title,
                instance=_path(request),
                headers=headers,
                **extra,
            )
    return await on_unexpected(request, exc)


async def on_api_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem(
        exc.status, exc.detail, instance=_path(request), headers=exc.headers, **exc.extra
    )


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no such endpoint: {request.method} {_path(request)}"
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {_path(request)}"
    return problem(
        exc.status_code,
        detail,
        instance=_path(request),
        headers=getattr(exc, "headers", None),
    )


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    lines = []
    for err in exc.errors()[:10]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        lines.append(f"{where}: {err.get('msg', 'invalid')}")
    return problem(
        422,
        "; ".join(lines) or "invalid request",
        slug="invalid-input",
        instance=_path(request),
    )


async def on_database_error(request: Request, exc: Exception) -> JSONResponse:
    """A database that is busy (SQLite's single writer held past its timeout) is a 503
    to try again, not a server error; anything else from the database is unexpected."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "locked" in text or "busy" in text:
        log.warning("%s %s: database busy: %s", request.method, _path(request), text)
        return problem(
            503,
            "the database is busy with other writers; nothing was written: try again",
            slug="busy",
            instance=_path(request),
            headers={"Retry-After": "1"},
        )
    return await on_unexpected(request, exc)


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    incident = secrets.token_hex(6)
    log.error("incident %s: %s %s failed", incident, request.method, _path(request), exc_info=exc)
    return problem(
        500,
        f"internal error (incident {incident}); the server's log has the details",
        instance=_path(request),
        incident=incident,
    )


#: Responses every route may give, for the OpenAPI schema.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": TITLES[status], "content": {MEDIA_TYPE: {}}}
    for status in (401, 403, 404, 409, 422)
}
