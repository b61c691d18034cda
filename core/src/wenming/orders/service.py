"""The workflow's Python API: :class:`Workflow`, one object the CLI (and the HTTP API)
call. It is a thin facade: each method hands over to the service that does the job —

- :mod:`~wenming.orders.supply` publishes, withdraws and looks up resources (供单)
- :mod:`~wenming.orders.submit` normalises, de-duplicates and submits orders (点单)
- :mod:`~wenming.orders.dispatch` dispatches by hand, ranked, in batches, jointly (派单)
- :mod:`~wenming.orders.answers` accept, decline, start, complete, evaluate, cancel, expire
- :mod:`~wenming.orders.reads` reads orders, scoped to the viewer's role
- :mod:`~wenming.orders.journal` snapshots, appends events under optimistic versions,
  asks the vetoes and tells the observers
- :mod:`~wenming.orders.decide` the pure state machine every write is decided by

Reads take a keyword-only ``viewer``: ``None`` reads everything (internal use and the
deployment's local operator), an :class:`~wenming.orders.roles.Actor` sees what its
role may see (:mod:`~wenming.orders.reads`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wenming.orders.answers import Answers
from wenming.orders.context import Context
from wenming.orders.dispatch import Choice, Dispatching
from wenming.orders.journal import Journal
from wenming.orders.reads import OPEN_OUTCOMES, Reads
from wenming.orders.roles import Actor
from wenming.orders.submit import Intake
from wenming.orders.supply import Supply
from wenming.orders.views import (
    BatchResult,
    DispatchView,
    EventView,
    OrderView,
    PartView,
    ResourceView,
)
from wenming.storage.types import utcnow

if TYPE_CHECKING:
    from wenming.deployment import Deployment

__all__ = ["OPEN_OUTCOMES", "Choice", "Workflow"]


class Workflow:
    """The order workflow of one deployment (its storage, registry, hooks and limits).

    ``clock`` returns the current UTC time (tests and benchmarks pass their own).
    ``journal.on_append(fn)`` runs ``fn(connection, events)`` inside every writing
    transaction (see :meth:`wenming.orders.journal.Journal.on_append`).
    """

    def __init__(
        self, deployment: Deployment, *, clock: Callable[[], dt.datetime] | None = None
    ) -> None:
        self.deployment = deployment
        self.storage = deployment.storage
        self.registry = deployment.registry
        self.pm = deployment.pm
        self.config = deployment.config.workflow
        self.clock = clock or utcnow
        self.journal = Journal(self.storage, self.pm, self.clock)
        # what plugins count with the events (core's leaderboard counters among them)
        hook = getattr(self.pm.hook, "register_event_observers", None)
        for impl in reversed(hook.get_hookimpls() if hook is not None else []):
            impl.function(register=self._observe_events)
        ctx = Context(deployment, self.journal)
        self.reads = Reads(ctx)
        self.supply = Supply(ctx)
        self.dispatching = Dispatching(ctx, self.supply, self.reads)
        self.intake = Intake(ctx, self.supply, self.dispatching, self.reads)
        self.answers = Answers(ctx, self.reads)

    def _observe_events(self, fn: Callable[..., None]) -> None:
        """Run a plugin's ``fn(deployment, connection, events)`` in the journal's
        transactions (see the ``register_event_observers`` hook), and its
        ``fn.prefetch(deployment, connection, events)`` if it has one."""
        deployment = self.deployment
        early = getattr(fn, "prefetch", None)
        self.journal.on_append(
            lambda conn, events: fn(deployment, conn, events),
            prefetch=None
            if early is None
            else lambda conn, events: early(deployment, conn, events),
        )

    @property
    def max_attempts(self) -> int:
        """How often a transition is retried on a lost race before a conflict."""
        return self.journal.max_attempts

    @max_attempts.setter
    def max_attempts(self, value: int) -> None:
        self.journal.max_attempts = value

    # ------------------------------------------------------------------ supply (供单)

    def publish(
        self,
        actor: Actor,
        *,
        name: str,
        kind: str,
        name_zh: str,
        place: str,
        department: str | None = None,
        name_en: str | None = None,
        categories: Sequence[str] = (),
        audiences: Sequence[str] = (),
        tags: Sequence[str] = (),
        skills: Sequence[str] = (),
        capacity: int = 30,
        members: int = 0,
        months: Sequence[int] = (),
        template: str | None = None,
        site_type: str | None = None,
        lng: float | None = None,
        lat: float | None = None,
        reach_km: float | None = None,
        serves: Sequence[str] = (),
        schedule: str = "",
        description: str = "",
    ) -> ResourceView:
        """Publish a venue, project or team (供单) so stations can order it and dispatchers
        assign it. Its key is ``<department>.<name>`` (``unit.<name>`` for a civilized
        unit's resource without a department). Re-publishing a withdrawn key replaces it.
        """
        return self.supply.publish(
            actor,
            name=name,
            kind=kind,
            name_zh=name_zh,
            place=place,
            department=department,
            name_en=name_en,
            categories=categories,
            audiences=audiences,
            tags=tags,
            skills=skills,
            capacity=capacity,
            members=members,
            months=months,
            template=template,
            site_type=site_type,
            lng=lng,
            lat=lat,
            reach_km=reach_km,
            serves=serves,
            schedule=schedule,
            description=description,
        )

    def withdraw(self, actor: Actor, key: str, reason: str = "") -> ResourceView:
        """Withdraw a published resource: it can no longer be ordered or dispatched.
        Dispatches already made stand."""
        return self.supply.withdraw(actor, key, reason)

    def resource(self, key: str, *, include_withdrawn: bool = False) -> ResourceView:
        """A dispatchable resource by key: a published row, else a plugin's seed record."""
        return self.supply.resource(key, include_withdrawn=include_withdrawn)

    def resources(
        self,
        *,
        department: str | None = None,
        kind: str | None = None,
        include_withdrawn: bool = False,
        include_plugins: bool = True,
    ) -> list[ResourceView]:
        """Published resources (and the plugins' seed resources), by key."""
        return self.supply.resources(
            department=department,
            kind=kind,
            include_withdrawn=include_withdrawn,
            include_plugins=include_plugins,
        )

    # ------------------------------------------------------------------ order (点单)

    def submit(
        self,
        actor: Actor,
        *,
        place: str,
        start: dt.date,
        end: dt.date | None = None,
        category: str | None = None,
        headcount: int = 1,
        tags: Sequence[str] = (),
        audiences: Sequence[str] = (),
        site: str | None = None,
        channel: str = "platform",
        description: str = "",
        lng: float | None = None,
        lat: float | None = None,
        template: str | None = None,
        departments: Sequence[str] = (),
        resource: str | None = None,
        idempotency_key: str | None = None,
    ) -> OrderView:
        """Submit a demand (点单). With ``resource`` the order goes straight to that
        published resource (ordering from supply, 供单). A joint template or two or more
        ``departments`` make a joint order (拼单), one part per department. The same
        ``idempotency_key`` again returns the first order instead of a second one.
        ``description`` keeps the requester's own words with the order.
        """
        return self.intake.submit(
            actor,
            place=place,
            start=start,
            end=end,
            category=category,
            headcount=headcount,
            tags=tags,
            audiences=audiences,
            site=site,
            channel=channel,
            description=description,
            lng=lng,
            lat=lat,
            template=template,
            departments=departments,
            resource=resource,
            idempotency_key=idempotency_key,
        )

    # ------------------------------------------------------------------ dispatch (派单)

    def dispatch(
        self,
        actor: Actor,
        order_id: int,
        resource: str | None = None,
        *,
        part: int | None = None,
        rank: int = 1,
        reason: str = "",
        engine: Any = None,
    ) -> OrderView:
        """Assign a part of an order to a resource (派单).

        By hand with ``resource``; without it, the ``rank``-th candidate the matching
        engine ranks for the part is taken (declined candidates excluded, a department
        dispatcher's own department only) and its explanation stored on the dispatch.
        """
        return self.dispatching.dispatch(
            actor, order_id, resource, part=part, rank=rank, reason=reason, engine=engine
        )

    def engine(self) -> Any:
        """A matching engine over the registry's and the published resources, fed with
        the resources' reputation (evaluations) and load (open dispatches)."""
        return self.dispatching.engine()

    def demand(self, order: OrderView, part: PartView | None = None) -> Any:
        """The matching engine's view of an order (of one part, or of the whole joint order)."""
        return self.dispatching.demand(order, part)

    def candidates(
        self,
        order_id: int,
        *,
        part: int | None = None,
        k: int = 10,
        actor: Actor | None = None,
        engine: Any = None,
        viewer: Actor | None = None,
    ) -> list[Any]:
        """The matching engine's top ``k`` candidates for a part, each with its per-rule
        breakdown, leaving out what the part cannot take: resources that declined it,
        other departments' (a joint part, or a department dispatcher ``actor``), other
        kinds, and resources fully booked on the order's day. ``viewer`` must be allowed
        to read the order."""
        return self.dispatching.candidates(
            order_id, part=part, k=k, actor=actor, engine=engine, viewer=viewer
        )

    def batch_dispatch(
        self,
        actor: Actor,
        order_ids: Iterable[int] | None = None,
        *,
        method: str = "optimal",
        engine: Any = None,
    ) -> BatchResult:
        """Dispatch many waiting parts at once with the engine's batch assignment (optimal:
        a min-cost flow under each resource's daily slots).

        The batch assignment knows no per-demand department limits, so parts that have
        one (a joint order's parts, every part for a department dispatcher) are given
        their best ranked candidate within the limit instead, after the batch; so is a
        part the batch gives a resource that declined it. Each dispatch is its own
        transition; ``unassigned`` says why a part was not dispatched.
        """
        return self.dispatching.batch_dispatch(actor, order_ids, method=method, engine=engine)

    def dispatch_joint(
        self,
        actor: Actor,
        order_id: int,
        *,
        proposal: int = 1,
        reason: str = "",
        engine: Any = None,
    ) -> OrderView:
        """Dispatch every waiting part of a joint order at once, from the engine's
        ``proposal``-th best combination of one resource per department (declined
        resources left out). All parts are dispatched in one transaction, or none."""
        return self.dispatching.dispatch_joint(
            actor, order_id, proposal=proposal, reason=reason, engine=engine
        )

    # ------------------------------------------------------------------ accept (接单)

    def accept(self, actor: Actor, order_id: int, *, part: int | None = None) -> OrderView:
        """The dispatched team accepts its part; the order is accepted when every part is."""
        return self.answers.answer(actor, "accept", order_id, part=part)

    def decline(
        self, actor: Actor, order_id: int, reason: str, *, part: int | None = None
    ) -> OrderView:
        """The dispatched team declines with a reason; the part goes back to dispatch with
        that resource excluded from it."""
        return self.answers.decline(actor, order_id, reason, part=part)

    def start(self, actor: Actor, order_id: int, *, part: int | None = None) -> OrderView:
        """The team starts the service of its accepted part."""
        return self.answers.answer(actor, "start", order_id, part=part)

    def complete(
        self,
        actor: Actor,
        order_id: int,
        volunteers: Mapping[str, float] | Iterable[tuple[str, float]],
        *,
        part: int | None = None,
        note: str = "",
    ) -> OrderView:
        """The team records its part delivered, with each volunteer's hours."""
        return self.answers.complete(actor, order_id, volunteers, part=part, note=note)

    # ------------------------------------------------------------------ evaluate (评单)

    def evaluate(self, actor: Actor, order_id: int, rating: int, comment: str = "") -> OrderView:
        """The requester rates the delivered service 1–5; every part's resource is credited
        (so every partner of a joint order earns the rating)."""
        return self.answers.evaluate(actor, order_id, rating, comment)

    # ------------------------------------------------------------------ cancel, expire

    def cancel(self, actor: Actor, order_id: int, reason: str) -> OrderView:
        """Withdraw an order before its service starts; open dispatches are cancelled."""
        return self.answers.cancel(actor, order_id, reason)

    def expire(self, actor: Actor, order_id: int, reason: str = "") -> OrderView:
        """Expire an order never accepted before its time window closed (plus the
        deployment's ``expire_after_days``)."""
        return self.answers.expire(actor, order_id, reason)

    def expire_due(self, actor: Actor) -> list[int]:
        """Expire every order whose window (plus grace) closed before it was accepted."""
        return self.answers.expire_due(actor)

    # ------------------------------------------------------------------ reading

    def order(self, order_id: int, *, viewer: Actor | None = None) -> OrderView:
        """One order with its parts and overdue flags. A ``viewer`` who may not see it
        gets :class:`~wenming.orders.errors.PermissionDenied`."""
        return self.reads.order(order_id, viewer=viewer)

    def orders(
        self,
        *,
        state: str | None = None,
        department: str | None = None,
        area: str | None = None,
        requester: str | None = None,
        resource: str | None = None,
        overdue: bool = False,
        limit: int = 100,
        offset: int = 0,
        viewer: Actor | None = None,
    ) -> list[OrderView]:
        """Orders, newest first, filtered by state, a part's department or resource, the
        requesting area (NBS prefix), the requester, or overdue flags — and to what
        ``viewer`` may see."""
        return self.reads.orders(
            state=state,
            department=department,
            area=area,
            requester=requester,
            resource=resource,
            overdue=overdue,
            limit=limit,
            offset=offset,
            viewer=viewer,
        )

    def overdue(self, *, viewer: Actor | None = None) -> list[OrderView]:
        """Orders waiting longer than the deployment's limits for dispatch or an answer."""
        return self.reads.orders(overdue=True, limit=10_000, viewer=viewer)

    def timeline(self, order_id: int, *, viewer: Actor | None = None) -> list[EventView]:
        """Every event of an order, oldest first: who, when, what and why."""
        return self.reads.timeline(order_id, viewer=viewer)

    def dispatches(self, order_id: int, *, viewer: Actor | None = None) -> list[DispatchView]:
        """Every dispatch of an order, with the engine's explanation where there is one."""
        return self.reads.dispatches(order_id, viewer=viewer)

    def reputation(self) -> dict[str, tuple[float, int]]:
        """Each evaluated resource's mean rating and number of ratings (for matching)."""
        return self.reads.reputation()

    def load(self) -> dict[str, int]:
        """Each resource's open dispatches (awaiting an answer, accepted or in service)."""
        return self.reads.load()
