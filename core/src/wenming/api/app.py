"""The app factory: ``create_app(deployment)`` → a FastAPI application.

One set of services per app (the workflow, the network, the accounts, the sign-in
limiter), routers per resource, plugins' routers under ``/plugins/<plugin>`` (hook
``register_routes``), one error mapping (problem+json), a request size limit, and CORS
only for the origins the deployment names (``[api] cors_origins``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wenming import __version__
from wenming.api import problems
from wenming.api.auth import LoginLimiter, current_actor
from wenming.deployment import ApiConfig
from wenming.errors import PluginError, WenmingError

if TYPE_CHECKING:
    from wenming.accounts.service import Accounts
    from wenming.deployment import Deployment
    from wenming.network.service import Network
    from wenming.orders import Actor
    from wenming.orders.service import Workflow
    from wenming.people.service import People

log = logging.getLogger("wenming.api")

#: How long a read may use the same matching engine (new supply and ratings wait this long).
ENGINE_SECONDS = 5.0

DESCRIPTION = """\
The HTTP API of a wenming deployment: the practice network, supply (供单), orders (点单,
派单, 接单, 评单), joint orders (拼单), matching, free-text intake, statistics and
leaderboards (排行榜), and civilized units' points (动态积分), over the same Python API as
the command line.

Sign in with `POST /auth/token` (or use an API token from `wenming users token`) and
send `Authorization: Bearer <token>`. The workflow's role rules decide every write, and
reads are scoped the same way. Errors are `application/problem+json` with a one-line
`detail`. Lists are paged (`limit`, `offset`, `next_offset`). `POST /orders` takes an
`Idempotency-Key`; an order's `ETag` is its version, and a write with a stale
`If-Match` is a 409 naming who came first. Volunteers' personal data is masked unless
the caller's role may see it.
"""


class Services:
    """What the routes call: built once per app, shared by every request."""

    def __init__(
        self,
        deployment: Deployment,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        hasher: Any = None,
    ) -> None:
        from wenming.accounts.service import Accounts
        from wenming.orders.service import Workflow

        self.deployment = deployment
        self.config: ApiConfig = getattr(deployment.config, "api", None) or ApiConfig()
        self.workflow: Workflow = Workflow(deployment, clock=clock)
        self.accounts: Accounts = Accounts(deployment, clock=clock, hasher=hasher)
        self.limiter = LoginLimiter(self.config.login_attempts, self.config.login_window_seconds)
        from wenming.api.routers.common import version_guard

        self.workflow.journal.on_append(version_guard)  # If-Match, inside each write
        self._network: Network | None = None
        self._people: People | None = None
        self.clock = clock
        self._engine: tuple[float, Any] | None = None
        self._engine_lock = threading.Lock()

    @property
    def people(self) -> People:
        """The people side (volunteers, hours, stars), over the same workflow."""
        if self._people is None:
            from wenming.people.service import People

            self._people = People(self.deployment, clock=self.clock, workflow=self.workflow)
        return self._people

    @property
    def network(self) -> Network:
        if self._network is None:
            from wenming.network.service import Network

            self._network = Network.from_deployment(self.deployment)
        return self._network

    def engine(self) -> Any:
        """The matching engine for reads (rank, candidates, proposals), rebuilt when older
        than ``ENGINE_SECONDS`` so new supply, ratings and load show up soon; dispatch
        itself always ranks with a fresh one."""
        now = time.monotonic()
        with self._engine_lock:
            if self._engine is None or now - self._engine[0] > ENGINE_SECONDS:
                self._engine = (now, self.workflow.engine())
            return self._engine[1]


#: Who may send a path's larger body: the actor of the request's bearer token → yes or no.
MaySend = Callable[["Actor"], bool]


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, whether declared in
    ``Content-Length`` or streamed: the body is read (up to the limit) before the app
    sees it. ``larger`` names paths allowed more (an upload of evidence, a volunteer
    file), each with who may send it: the bearer token is resolved first (``actor_of``,
    in a worker thread), so a large body is read only for a role the route accepts —
    anyone else is held to ``limit``."""

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        larger: dict[str, tuple[int, MaySend]] | None = None,
        actor_of: Callable[[str], Actor | None] | None = None,
    ) -> None:
        self.app = app
        self.default = limit
        self.larger = dict(larger or {})
        self.actor_of = actor_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", ())
        limit = await self._limit(scope.get("path", ""), headers)
        for name, value in headers:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = limit + 1
                if declared > limit:
                    await self._refuse(scope, receive, send, limit)
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(scope, receive, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _limit(self, path: str, headers: Any) -> int:
        """The path's larger limit for an actor allowed to send it; else the default
        (no one signed in, an unknown or expired token, another role)."""
        larger = self.larger.get(path)
        if larger is None or self.actor_of is None:
            return self.default
        most, may = larger
        auth = next((v for n, v in headers if n == b"authorization"), b"")
        scheme, _, token = auth.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return self.default
        from starlette.concurrency import run_in_threadpool

        actor = await run_in_threadpool(self.actor_of, token.strip())
        return most if actor is not None and may(actor) else self.default

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problems.problem(
            413,
            f"the request body is larger than {limit} bytes",
            instance=scope.get("path"),
        )
        await response(scope, receive, send)


def create_app(
    deployment: Deployment,
    *,
    clock: Callable[[], dt.datetime] | None = None,
    hasher: Any = None,
) -> FastAPI:
    """The HTTP API of ``deployment``. ``clock`` and ``hasher`` are for tests (a fixed
    clock, a cheaper password hasher)."""
    from wenming.api.auth import router as auth_router
    from wenming.api.routers import ROUTERS

    services = Services(deployment, clock=clock, hasher=hasher)
    app = FastAPI(
        title=f"wenming — {deployment.config.name}",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=[
            {"name": "auth", "description": "Sign in; who am I."},
            {"name": "network", "description": "The practice network (double chessboard)."},
            {"name": "supply", "description": "供单: published venues, projects, teams."},
            {"name": "orders", "description": "点单 · 派单 · 接单 · 评单: the order workflow."},
            {"name": "joint", "description": "拼单: joint templates, proposals, dispatch."},
            {"name": "match", "description": "The matching engine's ranking, explained."},
            {
                "name": "volunteers",
                "description": "志愿者: volunteers, sign-in and hours, star levels, courses.",
            },
            {"name": "intake", "description": "点单 in the requester's own words, explained."},
            {"name": "statistics", "description": "排行榜, statistics, rankings of volunteers."},
            {"name": "units", "description": "文明单位 and their dynamic points (动态积分)."},
            {"name": "plugins", "description": "Routes contributed by plugins."},
        ],
    )
    app.state.wenming = services
    app.add_exception_handler(problems.ApiProblem, problems.on_api_problem)
    app.add_exception_handler(WenmingError, problems.on_wenming_error)
    app.add_exception_handler(RequestValidationError, problems.on_validation_error)
    app.add_exception_handler(StarletteHTTPException, problems.on_http_error)
    app.add_exception_handler(OperationalError, problems.on_database_error)
    app.add_exception_handler(Exception, problems.on_unexpected)

    @app.get("/health", tags=["auth"], include_in_schema=True)
    def health() -> dict[str, str]:
        """Liveness: the server answers (no sign-in needed)."""
        return {"status": "ok", "version": __version__}

    app.include_router(auth_router)
    for router in ROUTERS:
        app.include_router(router)
    for plugin, router in collect_routes(deployment):
        app.include_router(
            router,
            prefix=f"/plugins/{plugin}",
            tags=[f"plugin {plugin}"],
            dependencies=[Depends(current_actor)],
        )
    from wenming.console import mount_console

    mount_console(app)  # the web console under /console (not in the OpenAPI schema)
    if services.config.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(services.config.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key"],
            expose_headers=["ETag", "Location", "Retry-After"],
        )
    from wenming.api.routers.people import IMPORT_FILE_BYTES, IMPORT_FILE_PATH, may_import
    from wenming.api.routers.units import EVIDENCE_BODY_BYTES, EVIDENCE_PATH, may_store_evidence

    most = services.config.max_body_bytes

    def actor_of(token: str) -> Actor | None:
        try:
            return services.accounts.authenticate(token).actor()
        except WenmingError:  # unknown, expired or revoked: the route says so
            return None

    app.add_middleware(
        BodyLimit,
        limit=most,
        larger={
            EVIDENCE_PATH: (max(EVIDENCE_BODY_BYTES, most), may_store_evidence),
            IMPORT_FILE_PATH: (max(IMPORT_FILE_BYTES, most), may_import),
        },
        actor_of=actor_of,
    )
    return app


def app_from_environment() -> FastAPI:
    """The app of the deployment file ``WENMING_DEPLOYMENT`` names: each worker process
    of ``wenming serve --workers N`` builds its own."""
    from wenming.deployment import Deployment, default_path

    return create_app(Deployment.from_file(default_path()))


def collect_routes(deployment: Deployment) -> list[tuple[str, Any]]:
    """The routers each loaded plugin registers (hook ``register_routes``), plugin by
    plugin so a failure is pinned on its plugin: skipped and logged, or raised when
    the deployment is strict."""
    from fastapi import APIRouter

    loaded = deployment.loaded
    found: list[tuple[str, Any]] = []
    for name in loaded.ok_plugins():
        impl = getattr(loaded.pm.get_plugin(name), "register_routes", None)
        if impl is None or getattr(impl, "wenming_impl", None) is None:
            continue
        routers: list[Any] = []
        try:
            impl(register=routers.append)
            for router in routers:
                if not isinstance(router, APIRouter):
                    raise TypeError(f"register_routes expects a fastapi.APIRouter, got {router!r}")
        except Exception as exc:
            error = PluginError(name, f"register_routes failed: {exc}")
            if deployment.strict:
                raise error from exc
            log.error("%s; its routes are not served", error)
            continue
        found += [(name, r) for r in routers]
    return found
