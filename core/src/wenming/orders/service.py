"""The workflow's Python API: :class:`Workflow`. The CLI is a thin layer over it.

Every state change is one transaction that reads the order, checks the actor's role
and the state machine, asks the ``before_transition`` hooks (a veto writes nothing),
then writes with a conditional ``UPDATE wm_order … WHERE version = :seen``, the
changed parts and rows, and one append-only event per transition (``seq`` = the new
version). If the conditional update finds the order changed, the transaction is
retried on fresh state: when the action still applies it goes through (two teams
accepting two parts of one joint order both succeed); when it no longer applies the
caller lost a race and gets a :class:`ConflictError`. ``after_transition`` observers
run after the commit, one plugin at a time; one that raises is logged with its
plugin's name and the transition stands.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
from attrs import define, field
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from wenming.orders import roles, states
from wenming.orders.errors import (
    ConflictError,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Vetoed,
    WorkflowError,
)
from wenming.orders.roles import Actor
from wenming.orders.tables import Dispatch, Evaluation, Order, OrderEvent, OrderPart, ServiceHours
from wenming.orders.views import (
    BatchResult,
    DispatchView,
    EventView,
    OrderView,
    PartView,
    ResourceView,
)
from wenming.records import NAME_RE, RESOURCE_KINDS, Transition, Veto
from wenming.storage.tables import ResourceRow
from wenming.storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from wenming.deployment import Deployment

log = logging.getLogger("wenming.orders")

T_ORDER = Order.__table__
T_PART = OrderPart.__table__
T_DISPATCH = Dispatch.__table__
T_EVENT = OrderEvent.__table__
T_EVAL = Evaluation.__table__
T_HOURS = ServiceHours.__table__
T_RESOURCE = ResourceRow.__table__

_LABEL = {
    "categories": "category",
    "audiences": "audience",
    "templates": "template",
    "site_types": "site type",
}
#: The dispatch outcome each answer records.
_OUTCOME = {
    "accept": "accepted",
    "decline": "declined",
    "start": "in_service",
    "complete": "completed",
}
#: Dispatch outcomes that count as a resource's current load.
OPEN_OUTCOMES: tuple[str, ...] = ("open", "accepted", "in_service")
_CODE_RE = re.compile(r"^[0-9]{2,12}$")


class _Lost(Exception):
    """The conditional update found the order changed since it was read."""


@define
class _Snap:
    """An order and its parts as read in this transaction, changed in memory by plans."""

    order: dict[str, Any]
    parts: list[dict[str, Any]]
    seen_version: int
    seen_state: str

    def part(self, seq: int) -> dict[str, Any]:
        for p in self.parts:
            if p["seq"] == seq:
                return p
        raise NotFound(f"order {self.order['id']} has no part {seq} (parts: {self.seqs()})")

    def seqs(self) -> str:
        return ", ".join(
            f"{p['seq']} {p['department'] or 'any department'} {p['state']}" for p in self.parts
        )


@define
class _Step:
    """One transition a plan decided on: what the hooks see, what the event records."""

    transition: Transition
    part_seq: int | None
    data: dict[str, Any]
    write: Callable[[Session, dict[str, Any]], None] | None = None


@define
class Choice:
    """The resource chosen for a part: by hand, or a ranked candidate with the engine's
    explanation (its score, rank and per-rule breakdown)."""

    key: str
    part: int | None = None
    method: str = "hand"
    score: float | None = None
    rank: int | None = None
    explanation: dict[str, Any] = field(factory=dict)


class Workflow:
    """The order workflow of one deployment (its storage, registry, hooks and limits).

    ``clock`` returns the current UTC time (tests and benchmarks pass their own).
    """

    max_attempts = 20

    def __init__(
        self, deployment: Deployment, *, clock: Callable[[], dt.datetime] | None = None
    ) -> None:
        self.deployment = deployment
        self.storage = deployment.storage
        self.registry = deployment.registry
        self.pm = deployment.pm
        self.config = deployment.config.workflow
        self.clock = clock or utcnow
        #: Functions run inside the transaction that appends events (counters, records).
        self.event_observers: list[Callable[..., None]] = []
        hook = getattr(self.pm.hook, "register_event_observers", None)
        if hook is not None:
            for impl in reversed(hook.get_hookimpls()):
                impl.function(register=self.event_observers.append)

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
        if department is not None and department not in self.registry.departments:
            raise InvalidInput(
                f"department {department!r} is not installed "
                f"(installed: {', '.join(self.registry.departments) or 'none'})"
            )
        roles.may_publish(actor, department)
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise InvalidInput(f"name must be a lower-case identifier, got {name!r}")
        if kind not in RESOURCE_KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(RESOURCE_KINDS)}, got {kind!r}")
        if not name_zh.strip():
            raise InvalidInput("name_zh must not be empty")
        _check_code("place", place)
        for code in serves:
            _check_code("serves", code)
        if capacity < 1:
            raise InvalidInput(f"capacity must be at least 1, got {capacity}")
        for m in months:
            if not 1 <= m <= 12:
                raise InvalidInput(f"months must be 1–12, got {m}")
        if reach_km is not None and reach_km <= 0:
            raise InvalidInput(f"reach_km must be positive, got {reach_km}")
        own = department or "core"
        key = f"{department or 'unit'}.{name}"
        if key in self.registry.resources:
            raise InvalidInput(
                f"resource {key} is contributed by plugin {self.registry.owner(key)!r}; "
                "choose another name"
            )
        values = {
            "key": key,
            "kind": kind,
            "department": department,
            "name": name_zh,
            "name_en": name_en,
            "place_code": place,
            "template": self._qualify("templates", template, "template", own) if template else None,
            "site_type": (
                self._qualify("site_types", site_type, "site_type", own) if site_type else None
            ),
            "categories": [self._qualify("categories", c, "categories", own) for c in categories],
            "audiences": [self._qualify("audiences", a, "audiences", own) for a in audiences],
            "tags": list(tags),
            "skills": list(skills),
            "months": sorted(set(months)),
            "capacity": capacity,
            "members": members,
            "lng": lng,
            "lat": lat,
            "synthetic": False,
            "status": "published",
            "reach_km": reach_km,
            "extra": {
                "serves": list(serves),
                "schedule": schedule,
                "description": description,
                "publisher": actor.id,
                "published_at": self.clock().isoformat(),
            },
        }
        with self.storage.session() as s:
            existing = s.execute(
                select(T_RESOURCE.c.id, T_RESOURCE.c.status).where(T_RESOURCE.c.key == key)
            ).first()
            if existing is not None and existing.status == "published":
                raise InvalidInput(f"resource {key} is already published; withdraw it first")
            if existing is not None:
                s.execute(update(T_RESOURCE).where(T_RESOURCE.c.id == existing.id).values(**values))
            else:
                s.execute(insert(T_RESOURCE).values(**values))
        return self.resource(key)

    def withdraw(self, actor: Actor, key: str, reason: str = "") -> ResourceView:
        """Withdraw a published resource: it can no longer be ordered or dispatched.
        Dispatches already made stand."""
        with self.storage.session() as s:
            row = s.execute(select(T_RESOURCE).where(T_RESOURCE.c.key == key)).mappings().first()
            if row is None:
                if key in self.registry.resources:
                    raise InvalidInput(
                        f"resource {key} is contributed by plugin {self.registry.owner(key)!r}, "
                        "not published; exclude the plugin to stop offering it"
                    )
                raise NotFound(f"no published resource {key}")
            roles.may_publish(actor, row["department"])
            if row["status"] != "published":
                raise IllegalTransition(f"resource {key} is {row['status']}, not published")
            extra = dict(row["extra"] or {})
            extra.update(
                withdrawn_by=actor.id, withdrawn_at=self.clock().isoformat(), reason=reason
            )
            s.execute(
                update(T_RESOURCE)
                .where(T_RESOURCE.c.id == row["id"])
                .values(status="withdrawn", extra=extra)
            )
        return self.resource(key, include_withdrawn=True)

    def resource(self, key: str, *, include_withdrawn: bool = False) -> ResourceView:
        """A dispatchable resource by key: a published row, else a plugin's seed record."""
        with self.storage.session() as s:
            return self._resource(s, key, include_withdrawn=include_withdrawn)

    def _resource(self, s: Session, key: str, *, include_withdrawn: bool = False) -> ResourceView:
        row = s.execute(select(T_RESOURCE).where(T_RESOURCE.c.key == key)).mappings().first()
        if row is not None:
            if row["status"] != "published" and not include_withdrawn:
                raise NotFound(f"resource {key} is {row['status']}, not published")
            return _resource_view(row)
        if key not in self.registry.resources:
            raise NotFound(f"no resource {key}: neither published nor contributed by a plugin")
        return self._seed_view(key)

    def resources(
        self,
        *,
        department: str | None = None,
        kind: str | None = None,
        include_withdrawn: bool = False,
        include_plugins: bool = True,
    ) -> list[ResourceView]:
        """Published resources (and the plugins' seed resources), by key."""
        stmt = select(T_RESOURCE)
        if department is not None:
            stmt = stmt.where(T_RESOURCE.c.department == department)
        if kind is not None:
            stmt = stmt.where(T_RESOURCE.c.kind == kind)
        if not include_withdrawn:
            stmt = stmt.where(T_RESOURCE.c.status == "published")
        with self.storage.session() as s:
            found = {r["key"]: _resource_view(r) for r in s.execute(stmt).mappings()}
        if include_plugins:
            for key in self.registry.resources:
                if key in found:
                    continue
                view = self._seed_view(key)
                if (department is None or view.department == department) and (
                    kind is None or view.kind == kind
                ):
                    found[key] = view
        return [found[k] for k in sorted(found)]

    def _seed_view(self, key: str) -> ResourceView:
        seed = self.registry.resources[key]
        return ResourceView(
            key=key,
            kind=seed.kind,
            department=self.registry.department_of(key),
            name=seed.name_zh,
            place=seed.place,
            capacity=seed.capacity,
            categories=seed.categories,
            audiences=seed.audiences,
            months=seed.months,
            status="published",
            source="plugin",
            reach_km=seed.reach_km,
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
        """
        request, parts = self._normalise(
            place=place,
            start=start,
            end=end or start,
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
        )
        roles.may_submit(actor, site, place)
        direct: ResourceView | None = None
        if resource is not None:
            if len(parts) > 1:
                raise InvalidInput("a joint order is dispatched part by part, not ordered directly")
            direct = self.resource(resource)
            _check_direct(direct, request)
        request["resource"] = resource
        digest = _digest({**request, "requester": actor.id, "role": actor.role})
        if idempotency_key is not None:
            found = self._idempotent(idempotency_key, digest)
            if found is not None:
                return found
        try:
            return self._create(actor, request, parts, digest, idempotency_key, direct)
        except IntegrityError:
            if idempotency_key is None:
                raise
            found = self._idempotent(idempotency_key, digest)
            if found is None:
                raise
            return found

    def _idempotent(self, key: str, digest: str) -> OrderView | None:
        with self.storage.session() as s:
            row = s.execute(
                select(T_ORDER.c.id, T_ORDER.c.request_hash).where(T_ORDER.c.idempotency_key == key)
            ).first()
        if row is None:
            return None
        if row.request_hash != digest:
            raise InvalidInput(
                f"idempotency key {key!r} was used for order {row.id} with a different request"
            )
        return self.order(row.id)

    def _normalise(self, **req: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Check and qualify a request against the registry; return it and its parts."""
        tmpl = None
        own = "core"
        if req["template"] is not None:
            tid = self._qualify("templates", req["template"], "template", "core")
            tmpl = self.registry.templates[tid]
            req["template"] = tid
            own = self.registry.owner(tid)
        if req["category"] is None:
            if tmpl is None:
                raise InvalidInput("category is required (or give a template)")
            req["category"] = tmpl.category
        req["category"] = self._qualify("categories", req["category"], "category", own)
        if not req["audiences"] and tmpl is not None:
            req["audiences"] = tmpl.audiences
        req["audiences"] = [
            self._qualify("audiences", a, "audiences", own) for a in req["audiences"]
        ]
        if not req["tags"] and tmpl is not None:
            req["tags"] = tmpl.tags
        req["tags"] = [str(t) for t in req["tags"]]
        if req["channel"] not in states.CHANNELS:
            raise InvalidInput(
                f"channel must be one of {', '.join(states.CHANNELS)}, got {req['channel']!r}"
            )
        _check_code("place", req["place"])
        if req["site"] is not None:
            _check_code("site", req["site"])
        if not isinstance(req["headcount"], int) or req["headcount"] < 1:
            raise InvalidInput(
                f"headcount must be a positive whole number, got {req['headcount']!r}"
            )
        if req["end"] < req["start"]:
            raise InvalidInput(
                f"the time window ends ({req['end']}) before it starts ({req['start']})"
            )
        departments = list(dict.fromkeys(req.pop("departments")))
        for d in departments:
            if d not in self.registry.departments:
                raise InvalidInput(
                    f"departments: {d!r} is not installed "
                    f"(installed: {', '.join(self.registry.departments) or 'none'})"
                )
        if tmpl is not None and tmpl.is_joint:
            partners = [p.department for p in tmpl.parts]
            if departments and sorted(departments) != sorted(partners):
                raise InvalidInput(
                    f"template {req['template']} is co-delivered by {', '.join(partners)}; "
                    f"departments {', '.join(departments)} differ"
                )
            parts = [
                {
                    "seq": i,
                    "department": p.department,
                    "contribution": p.contribution_zh,
                    "resource_kinds": list(p.resource_kinds),
                }
                for i, p in enumerate(tmpl.parts, start=1)
            ]
        elif departments:
            parts = [
                {"seq": i, "department": d, "contribution": "", "resource_kinds": []}
                for i, d in enumerate(departments, start=1)
            ]
        else:
            parts = [{"seq": 1, "department": None, "contribution": "", "resource_kinds": []}]
        req["joint"] = len(parts) > 1
        return req, parts

    def _qualify(self, table: str, value: str, what: str, own: str) -> str:
        known: Mapping[str, Any] = getattr(self.registry, table)
        if "." in value:
            if value in known:
                return value
        else:
            for ns in (own, "core"):
                if f"{ns}.{value}" in known:
                    return f"{ns}.{value}"
            matches = [k for k in known if k.split(".", 1)[1] == value]
            if len(matches) == 1:
                return matches[0]
        raise InvalidInput(f"{what}: unknown {_LABEL[table]} {value!r}")

    def _create(
        self,
        actor: Actor,
        request: dict[str, Any],
        parts: list[dict[str, Any]],
        digest: str,
        idempotency_key: str | None,
        direct: ResourceView | None,
    ) -> OrderView:
        at = self.clock()
        data = {"order": _jsonable(request), "parts": parts}
        # The hooks see the submission before anything is written (order_id 0: no ID yet).
        draft = Transition(
            order_id=0,
            action="submit",
            from_state=None,
            to_state="submitted",
            actor=actor.id,
            role=actor.role,
            at=at,
            data=data,
        )
        self._before(draft)
        with self.storage.session() as s:
            order_id = s.execute(
                insert(T_ORDER)
                .values(
                    idempotency_key=idempotency_key,
                    request_hash=digest,
                    requester=actor.id,
                    requester_role=actor.role,
                    site_code=request["site"],
                    channel=request["channel"],
                    category=request["category"],
                    tags=request["tags"],
                    audiences=request["audiences"],
                    headcount=request["headcount"],
                    place_code=request["place"],
                    lng=request["lng"],
                    lat=request["lat"],
                    window_start=request["start"],
                    window_end=request["end"],
                    description=request["description"],
                    template=request["template"],
                    joint=request["joint"],
                    state="submitted",
                    version=1,
                    created_at=at,
                    updated_at=at,
                    state_since=at,
                )
                .returning(T_ORDER.c.id)
            ).scalar_one()
            rows = [
                {**p, "order_id": order_id, "state": "pending", "excluded": [], "state_since": at}
                for p in parts
            ]
            ids = s.execute(
                insert(T_PART).returning(T_PART.c.id, sort_by_parameter_order=True), rows
            )
            for row, (pid,) in zip(rows, ids, strict=True):
                row.update(id=pid, resource_key=None, dispatch_id=None, _dirty=False)
            submit = _Step(attrs.evolve(draft, order_id=order_id), None, data)
            first = _event(order_id, 1, submit, at)
            s.execute(insert(T_EVENT).values(**first))
            for observe in self.event_observers:
                observe(self.deployment, s, [first])
            steps = [submit]
            if direct is not None:
                snap = _Snap(
                    order={
                        "id": order_id,
                        "state": "submitted",
                        "version": 1,
                        "requester": actor.id,
                    },
                    parts=rows,
                    seen_version=1,
                    seen_state="submitted",
                )
                choice = Choice(key=direct.key, part=1, method="direct")
                more = self._plan_dispatch(actor, 1, choice, "ordered from supply", direct=True)(
                    s, snap, at
                )
                for step in more:
                    self._before(step.transition)
                self._write(s, snap, more, at)
                steps += more
        self._observe(steps)
        return self.order(order_id)

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
        if resource is not None:
            choice = Choice(key=resource, part=part, method="hand")
        else:
            choice = self._ranked_choice(actor, order_id, part, rank, engine)
        return self._run(order_id, self._plan_dispatch(actor, choice.part, choice, reason))

    def _plan_dispatch(
        self,
        actor: Actor,
        part_seq: int | None,
        choice: Choice,
        reason: str,
        *,
        direct: bool = False,
    ):
        def plan(s: Session, snap: _Snap, at: dt.datetime) -> list[_Step]:
            part = self._open_part(snap, part_seq, actor)
            res = self._resource(s, choice.key)
            roles.may_dispatch(actor, res.department, direct=direct)
            to = states.part_move(
                "dispatch", snap.order["id"], snap.order["state"], part["seq"], part["state"]
            )
            _fits(snap.order["id"], part, res)
            if not direct:  # a direct order was checked against its supply already
                _holds(snap.order, res)
            data = {
                "resource": res.key,
                "kind": res.kind,
                "resource_department": res.department,
                "method": choice.method,
                "score": choice.score,
                "rank": choice.rank,
            }
            step = self._part_step(snap, part, "dispatch", to, actor, at, reason, data)

            def write(s: Session, data: dict[str, Any]) -> None:
                did = s.execute(
                    insert(T_DISPATCH)
                    .values(
                        order_id=snap.order["id"],
                        part_id=part["id"],
                        resource_key=res.key,
                        resource_kind=res.kind,
                        department=res.department,
                        dispatcher=actor.id,
                        dispatcher_role=actor.role,
                        method=choice.method,
                        rank=choice.rank,
                        score=choice.score,
                        explanation=choice.explanation,
                        at=at,
                        outcome="open",
                        reason=reason,
                    )
                    .returning(T_DISPATCH.c.id)
                ).scalar_one()
                part["dispatch_id"] = did
                data["dispatch"] = did

            step.write = write
            part["resource_key"] = res.key
            return [step]

        return plan

    # ------------------------------------------------------------------ matching

    def engine(self) -> Any:
        """A matching engine over the registry's and the published resources, fed with
        the resources' reputation (evaluations) and load (open dispatches)."""
        engine_class = _engine_class()
        return engine_class.from_deployment(
            self.deployment, reputation=self.reputation(), load=self.load()
        )

    def demand(self, order: OrderView, part: PartView | None = None) -> Any:
        """The matching engine's view of an order (of one part, or of the whole joint order)."""
        from wenming.matching.demand import Demand

        if part is None:
            departments = tuple(p.department for p in order.parts if p.department)
            demand_id = str(order.id)
        else:
            departments = (part.department,) if part.department else ()
            demand_id = f"{order.id}.{part.seq}"
        return Demand(
            id=demand_id,
            category=order.category,
            tags=order.tags,
            audiences=order.audiences,
            headcount=order.headcount,
            place=order.place,
            lng=order.lng,
            lat=order.lat,
            start=order.start,
            end=order.end,
            template=order.template,
            departments=departments,
        )

    def candidates(
        self,
        order_id: int,
        *,
        part: int | None = None,
        k: int = 10,
        actor: Actor | None = None,
        engine: Any = None,
    ) -> list[Any]:
        """The matching engine's top ``k`` candidates for a part, each with its per-rule
        breakdown, leaving out what the part cannot take: resources that declined it,
        other departments' (a joint part, or a department dispatcher), other kinds."""
        order = self.order(order_id)
        view = _pick_open_part(order, part, actor)
        engine = engine if engine is not None else self.engine()
        ranking = engine.rank(self.demand(order, view), k=len(engine.keys), explain=True)
        own = (
            actor.department
            if actor is not None and actor.role == "department_dispatcher"
            else None
        )
        kept = [
            c
            for c in ranking.candidates
            if c.key not in view.excluded
            and (view.department is None or c.department == view.department)
            and (not view.resource_kinds or c.kind in view.resource_kinds)
            and (own is None or c.department == own)
        ]
        return kept[:k]

    def _ranked_choice(
        self, actor: Actor, order_id: int, part: int | None, rank: int, engine: Any
    ) -> Choice:
        if rank < 1:
            raise InvalidInput(f"rank must be 1 or more, got {rank}")
        order = self.order(order_id)
        view = _pick_open_part(order, part, actor)
        found = self.candidates(order_id, part=view.seq, k=rank, actor=actor, engine=engine)
        if len(found) < rank:
            excluded = f" (declined by {', '.join(view.excluded)})" if view.excluded else ""
            raise NotFound(
                f"the matching engine has {len(found)} candidate(s) for order {order_id} "
                f"part {view.seq}{excluded}; cannot take number {rank}"
            )
        c = found[rank - 1]
        return Choice(
            key=c.key,
            part=view.seq,
            method="ranked",
            score=c.score,
            rank=rank,
            explanation={"score": c.score, "rank": rank, "breakdown": dict(c.breakdown)},
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
        wanted = set(order_ids) if order_ids is not None else None
        with self.storage.session() as s:
            stmt = select(T_ORDER.c.id).where(T_ORDER.c.state.in_(("submitted", "declined")))
            ids = [
                i
                for i in s.execute(stmt.order_by(T_ORDER.c.id)).scalars()
                if wanted is None or i in wanted
            ]
        views: dict[int, OrderView | None] = {i: self.order(i) for i in ids}
        for missing in sorted((wanted or set()) - set(views)):
            views[missing] = None
        unassigned: dict[str, str] = {}
        parts: dict[str, tuple[OrderView, PartView]] = {}
        for order_id, order in views.items():
            if order is None:
                unassigned[str(order_id)] = f"order {order_id} is not waiting for dispatch"
                continue
            for p in order.parts:
                if p.state not in ("pending", "declined"):
                    continue
                if actor.role == "department_dispatcher" and p.department not in (
                    None,
                    actor.department,
                ):
                    continue
                parts[f"{order_id}.{p.seq}"] = (order, p)
        engine = engine if engine is not None else self.engine()
        free = [
            (o, p)
            for o, p in parts.values()
            if p.department is None and actor.role != "department_dispatcher"
        ]
        demands = [self.demand(o, p) for o, p in free]
        result = engine.batch(demands, method=method) if demands else None
        dispatched: dict[str, str] = {}
        for demand_id, (order, p) in parts.items():
            key = result.assignments.get(demand_id) if result else None
            try:
                if key is not None and _acceptable(self.resource(key), p, actor):
                    choice = Choice(
                        key=key,
                        part=p.seq,
                        method="batch",
                        score=result.scores[demand_id],
                        explanation={
                            "score": result.scores[demand_id],
                            "batch": {"method": result.method, "total": result.total},
                        },
                    )
                else:
                    if result is not None and demand_id in result.unassigned:
                        unassigned[demand_id] = result.unassigned[demand_id]
                        continue
                    choice = self._ranked_choice(actor, order.id, p.seq, 1, engine)
                self._run(order.id, self._plan_dispatch(actor, p.seq, choice, ""))
            except WorkflowError as exc:
                unassigned[demand_id] = str(exc)
                continue
            dispatched[demand_id] = choice.key
        return BatchResult(dispatched=dispatched, unassigned=unassigned, method=method)

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
        if proposal < 1:
            raise InvalidInput(f"proposal must be 1 or more, got {proposal}")
        order = self.order(order_id)
        open_parts = [p for p in order.parts if p.state in ("pending", "declined")]
        if not order.joint or not open_parts:
            raise IllegalTransition(
                f"order {order_id} has no joint parts waiting for dispatch "
                f"(parts: {', '.join(f'{p.seq} {p.state}' for p in order.parts)})"
            )
        engine = engine if engine is not None else self.engine()
        demand = self.demand(order)
        departments = [p.department for p in open_parts]
        excluded = sum(len(p.excluded) for p in open_parts)
        proposals = engine.joint(demand, departments=departments, k=proposal * (1 + excluded) + 4)
        usable = [
            prop
            for prop in proposals
            if all(prop.parts[p.department].key not in p.excluded for p in open_parts)
        ]
        if len(usable) < proposal:
            gaps = engine.joint_gaps(demand, departments)
            why = "; ".join(gaps.values()) or "no compatible combination within reach"
            raise NotFound(
                f"the matching engine has {len(usable)} joint proposal(s) for order {order_id}; "
                f"cannot take number {proposal}: {why}"
            )
        chosen = usable[proposal - 1]
        choices = [
            Choice(
                key=chosen.parts[p.department].key,
                part=p.seq,
                method="joint",
                score=chosen.parts[p.department].score,
                rank=proposal,
                explanation={
                    "score": chosen.parts[p.department].score,
                    "breakdown": dict(chosen.parts[p.department].breakdown),
                    "proposal": {"rank": proposal, "score": chosen.score},
                },
            )
            for p in open_parts
        ]

        def plan(s: Session, snap: _Snap, at: dt.datetime) -> list[_Step]:
            steps: list[_Step] = []
            for choice in choices:
                steps += self._plan_dispatch(actor, choice.part, choice, reason)(s, snap, at)
            return steps

        return self._run(order_id, plan)

    def _open_part(self, snap: _Snap, seq: int | None, actor: Actor) -> dict[str, Any]:
        if seq is not None:
            return snap.part(seq)
        if len(snap.parts) == 1:
            return snap.parts[0]
        open_parts = [p for p in snap.parts if p["state"] in ("pending", "declined")]
        if actor.role == "department_dispatcher":
            open_parts = [p for p in open_parts if p["department"] == actor.department]
        if len(open_parts) == 1:
            return open_parts[0]
        raise InvalidInput(
            f"order {snap.order['id']} is a joint order: name the part to dispatch "
            f"(parts: {snap.seqs()})"
        )

    # ------------------------------------------------------------------ accept (接单)

    def accept(self, actor: Actor, order_id: int, *, part: int | None = None) -> OrderView:
        """The dispatched team accepts its part; the order is accepted when every part is."""
        return self._run(order_id, self._plan_answer(actor, "accept", part, "", None))

    def decline(
        self, actor: Actor, order_id: int, reason: str, *, part: int | None = None
    ) -> OrderView:
        """The dispatched team declines with a reason; the part goes back to dispatch with
        that resource excluded from it."""
        if not reason or not reason.strip():
            raise InvalidInput("a decline needs a reason")
        return self._run(order_id, self._plan_answer(actor, "decline", part, reason, None))

    def start(self, actor: Actor, order_id: int, *, part: int | None = None) -> OrderView:
        """The team starts the service of its accepted part."""
        return self._run(order_id, self._plan_answer(actor, "start", part, "", None))

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
        served = list(volunteers.items() if isinstance(volunteers, Mapping) else volunteers)
        if not served:
            raise InvalidInput("a completion names the volunteers who served and their hours")
        seen: set[str] = set()
        for name, hours in served:
            if not str(name).strip():
                raise InvalidInput("volunteers: a volunteer has no name")
            if name in seen:
                raise InvalidInput(f"volunteers: {name!r} is listed twice")
            seen.add(name)
            if not isinstance(hours, int | float) or isinstance(hours, bool) or not 0 < hours <= 24:
                raise InvalidInput(f"volunteers: {name}: hours must be in (0, 24], got {hours!r}")
        return self._run(order_id, self._plan_answer(actor, "complete", part, note, served))

    def _plan_answer(
        self,
        actor: Actor,
        action: str,
        part_seq: int | None,
        reason: str,
        served: list[tuple[str, float]] | None,
    ):
        def plan(s: Session, snap: _Snap, at: dt.datetime) -> list[_Step]:
            part = _team_part(snap, actor, part_seq, action)
            if part["resource_key"] is None:  # nobody to answer for: the state says why
                states.part_move(
                    action, snap.order["id"], snap.order["state"], part["seq"], part["state"]
                )
            roles.may_answer(actor, action, part["resource_key"])
            to = states.part_move(
                action, snap.order["id"], snap.order["state"], part["seq"], part["state"]
            )
            key, did = part["resource_key"], part["dispatch_id"]
            data: dict[str, Any] = {"resource": key}
            if served is not None:
                data["volunteers"] = [{"volunteer": v, "hours": float(h)} for v, h in served]
            step = self._part_step(snap, part, action, to, actor, at, reason, data)
            if action == "decline":
                part["excluded"] = [*part["excluded"], key]
                part["resource_key"] = None
                part["dispatch_id"] = None
            outcome = _OUTCOME[action]

            def write(s: Session, data: dict[str, Any]) -> None:
                s.execute(
                    update(T_DISPATCH)
                    .where(T_DISPATCH.c.id == did)
                    .values(outcome=outcome, outcome_at=at, reason=reason or T_DISPATCH.c.reason)
                )
                if served:
                    s.execute(
                        insert(T_HOURS),
                        [
                            {
                                "order_id": snap.order["id"],
                                "part_id": part["id"],
                                "resource_key": key,
                                "department": part["department"] or _dept_of(self, key),
                                "volunteer": v,
                                "hours": float(h),
                                "at": at,
                            }
                            for v, h in served
                        ],
                    )

            step.write = write
            return [step]

        return plan

    # ------------------------------------------------------------------ evaluate (评单)

    def evaluate(self, actor: Actor, order_id: int, rating: int, comment: str = "") -> OrderView:
        """The requester rates the delivered service 1–5; every part's resource is credited
        (so every partner of a joint order earns the rating)."""
        if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
            raise InvalidInput(f"rating must be a whole number 1–5, got {rating!r}")

        def plan(s: Session, snap: _Snap, at: dt.datetime) -> list[_Step]:
            roles.may_evaluate(actor, snap.order["requester"])
            step = self._order_step(
                snap, "evaluate", actor, at, comment, {"rating": rating, "comment": comment}
            )

            def write(s: Session, data: dict[str, Any]) -> None:
                s.execute(
                    insert(T_EVAL),
                    [
                        {
                            "order_id": snap.order["id"],
                            "part_id": p["id"],
                            "resource_key": p["resource_key"],
                            "department": p["department"] or _dept_of(self, p["resource_key"]),
                            "rating": rating,
                            "comment": comment,
                            "rater": actor.id,
                            "at": at,
                        }
                        for p in snap.parts
                    ],
                )

            step.write = write
            return [step]

        return self._run(order_id, plan)

    # ------------------------------------------------------------------ cancel, expire

    def cancel(self, actor: Actor, order_id: int, reason: str) -> OrderView:
        """Withdraw an order before its service starts; open dispatches are cancelled."""
        if not reason or not reason.strip():
            raise InvalidInput("a cancellation needs a reason")

        def plan(s: Session, snap: _Snap, at: dt.datetime) -> list[_Step]:
            o = snap.order
            roles.may_cancel(actor, o["requester"], o["site_code"], o["place_code"])
            return [self._close(snap, "cancel", actor, at, reason)]

        return self._run(order_id, plan)

    def expire(self, actor: Actor, order_id: int, reason: str = "") -> OrderView:
        """Expire an order never accepted before its time window closed (plus the
        deployment's ``expire_after_days``)."""

        def plan(s: Session, snap: _Snap, at: dt.datetime) -> list[_Step]:
            roles.may_expire(actor)
            last = snap.order["window_end"] + dt.timedelta(days=self.config.expire_after_days)
            if at.date() <= last:
                raise IllegalTransition(
                    f"order {snap.order['id']} can be expired only after {last.isoformat()} "
                    f"(its window ends {snap.order['window_end'].isoformat()})"
                )
            text = reason or f"not accepted by {last.isoformat()}"
            return [self._close(snap, "expire", actor, at, text)]

        return self._run(order_id, plan)

    def expire_due(self, actor: Actor) -> list[int]:
        """Expire every order whose window (plus grace) closed before it was accepted."""
        roles.may_expire(actor)
        today = self.clock().date()
        cutoff = today - dt.timedelta(days=self.config.expire_after_days)
        with self.storage.session() as s:
            ids = list(
                s.execute(
                    select(T_ORDER.c.id)
                    .where(T_ORDER.c.state.in_(states.ORDER_ACTIONS["expire"][0]))
                    .where(T_ORDER.c.window_end < cutoff)
                    .order_by(T_ORDER.c.id)
                ).scalars()
            )
        done = []
        for order_id in ids:
            try:
                self.expire(actor, order_id)
            except (IllegalTransition, ConflictError) as exc:
                log.info("order %s not expired: %s", order_id, exc)
                continue
            done.append(order_id)
        return done

    def _close(self, snap: _Snap, action: str, actor: Actor, at: dt.datetime, reason: str) -> _Step:
        step = self._order_step(snap, action, actor, at, reason, {})
        for p in snap.parts:
            p["state"] = snap.order["state"]
            p["state_since"] = at
            p["_dirty"] = True
        outcome = snap.order["state"]
        order_id = snap.order["id"]

        def write(s: Session, data: dict[str, Any]) -> None:
            s.execute(
                update(T_DISPATCH)
                .where(T_DISPATCH.c.order_id == order_id, T_DISPATCH.c.outcome.in_(OPEN_OUTCOMES))
                .values(outcome=outcome, outcome_at=at, reason=reason)
            )

        step.write = write
        return step

    # ------------------------------------------------------------------ the machinery

    def _part_step(
        self,
        snap: _Snap,
        part: dict[str, Any],
        action: str,
        to: str,
        actor: Actor,
        at: dt.datetime,
        reason: str,
        data: dict[str, Any],
    ) -> _Step:
        before = snap.order["state"]
        part_from = part["state"]
        part["state"] = to
        part["state_since"] = at
        part["_dirty"] = True
        snap.order["state"] = states.derive([p["state"] for p in snap.parts])
        data = {
            "part": part["seq"],
            "department": part["department"],
            "part_from": part_from,
            "part_to": to,
            "requester": snap.order["requester"],
            **data,
        }
        transition = Transition(
            order_id=snap.order["id"],
            action=action,
            from_state=before,
            to_state=snap.order["state"],
            actor=actor.id,
            role=actor.role,
            at=at,
            reason=reason,
            part_id=part["id"],
            data=data,
        )
        return _Step(transition, part["seq"], data)

    def _order_step(
        self,
        snap: _Snap,
        action: str,
        actor: Actor,
        at: dt.datetime,
        reason: str,
        data: dict[str, Any],
    ) -> _Step:
        before = snap.order["state"]
        snap.order["state"] = states.order_move(action, snap.order["id"], before)
        data = {"requester": snap.order["requester"], **data}
        transition = Transition(
            order_id=snap.order["id"],
            action=action,
            from_state=before,
            to_state=snap.order["state"],
            actor=actor.id,
            role=actor.role,
            at=at,
            reason=reason,
            data=data,
        )
        return _Step(transition, None, dict(data))

    def _run(self, order_id: int, plan) -> OrderView:
        """Read, check, ask the hooks, write conditionally; retry on a lost race."""
        seen: int | None = None
        for _attempt in range(self.max_attempts):
            try:
                with self.storage.session() as s:
                    snap = self._snapshot(s, order_id)
                    if seen is None:
                        seen = snap.seen_version
                    try:
                        steps = plan(s, snap, self.clock())
                    except (IllegalTransition, PermissionDenied, InvalidInput) as exc:
                        if snap.seen_version != seen:
                            raise self._conflict(s, order_id, seen, exc) from None
                        raise
                    for step in steps:
                        self._before(step.transition)
                    self._write(s, snap, steps, steps[-1].transition.at)
            except _Lost:
                continue
            except OperationalError as exc:
                if "locked" in str(exc.orig) or "busy" in str(exc.orig):
                    continue
                raise
            except IntegrityError as exc:
                if "wm_order_event" in str(exc.orig) or "seq" in str(exc.orig):
                    continue
                raise
            self._observe(steps)
            return self._view(snap.order, snap.parts, self.clock())
        raise ConflictError(
            f"order {order_id} kept changing under {self.max_attempts} attempts; try again"
        )

    def _conflict(self, s: Session, order_id: int, seen: int, exc: Exception) -> ConflictError:
        last = s.execute(
            select(T_EVENT.c.action, T_EVENT.c.actor, T_EVENT.c.role, T_EVENT.c.seq)
            .where(T_EVENT.c.order_id == order_id, T_EVENT.c.seq > seen)
            .order_by(T_EVENT.c.seq.desc())
            .limit(1)
        ).first()
        who = f"{last.action} by {last.actor} ({last.role})" if last else "another writer"
        return ConflictError(
            f"order {order_id} changed while you acted ({who} came first); "
            f"now nothing was written: {exc}"
        )

    def _snapshot(self, s: Session, order_id: int) -> _Snap:
        row = s.execute(select(T_ORDER).where(T_ORDER.c.id == order_id)).mappings().first()
        if row is None:
            raise NotFound(f"no order {order_id}")
        parts = s.execute(
            select(T_PART).where(T_PART.c.order_id == order_id).order_by(T_PART.c.seq)
        ).mappings()
        return _Snap(
            order=dict(row),
            parts=[{**p, "excluded": list(p["excluded"]), "_dirty": False} for p in parts],
            seen_version=row["version"],
            seen_state=row["state"],
        )

    def _write(self, s: Session, snap: _Snap, steps: list[_Step], at: dt.datetime) -> None:
        o = snap.order
        version = snap.seen_version
        values: dict[str, Any] = {
            "version": version + len(steps),
            "state": o["state"],
            "updated_at": at,
        }
        if o["state"] != snap.seen_state:
            values["state_since"] = at
        done = s.execute(
            update(T_ORDER)
            .where(T_ORDER.c.id == o["id"], T_ORDER.c.version == version)
            .values(**values)
        )
        if done.rowcount != 1:
            raise _Lost
        o.update(values)
        events = []
        for i, step in enumerate(steps, start=1):
            if step.write is not None:
                step.write(s, step.data)
            events.append(_event(o["id"], version + i, step, at))
            s.execute(insert(T_EVENT).values(**events[-1]))
        for observe in self.event_observers:
            observe(self.deployment, s, events)
        for p in snap.parts:
            if p["_dirty"]:
                s.execute(
                    update(T_PART)
                    .where(T_PART.c.id == p["id"])
                    .values(
                        state=p["state"],
                        resource_key=p["resource_key"],
                        dispatch_id=p["dispatch_id"],
                        excluded=p["excluded"],
                        state_since=p["state_since"],
                    )
                )

    def _before(self, transition: Transition) -> None:
        """Ask each ``before_transition`` implementation in turn; the first veto (or a hook
        that raises) refuses the transition, naming the plugin."""
        for impl in reversed(self.pm.hook.before_transition.get_hookimpls()):
            if impl.hookwrapper or impl.wrapper:
                continue
            try:
                result = impl.function(
                    **{n: transition for n in impl.argnames if n == "transition"}
                )
            except Exception as exc:
                raise Vetoed(
                    impl.plugin_name,
                    transition.action,
                    transition.order_id or None,
                    f"its before_transition hook raised {type(exc).__name__}: {exc}",
                ) from exc
            if isinstance(result, Veto):
                raise Vetoed(
                    impl.plugin_name, transition.action, transition.order_id or None, result.reason
                )

    def _observe(self, steps: Sequence[_Step]) -> None:
        """Tell each ``after_transition`` observer, one plugin at a time."""
        impls = [
            i
            for i in reversed(self.pm.hook.after_transition.get_hookimpls())
            if not (i.hookwrapper or i.wrapper)
        ]
        for step in steps:
            for impl in impls:
                try:
                    impl.function(
                        **{n: step.transition for n in impl.argnames if n == "transition"}
                    )
                except Exception:
                    log.exception(
                        "after_transition observer of plugin %r raised on %s of order %s; "
                        "the transition stands",
                        impl.plugin_name,
                        step.transition.action,
                        step.transition.order_id,
                    )

    # ------------------------------------------------------------------ reading

    def order(self, order_id: int) -> OrderView:
        """One order with its parts and overdue flags."""
        with self.storage.session() as s:
            row = s.execute(select(T_ORDER).where(T_ORDER.c.id == order_id)).mappings().first()
            if row is None:
                raise NotFound(f"no order {order_id}")
            parts = s.execute(
                select(T_PART).where(T_PART.c.order_id == order_id).order_by(T_PART.c.seq)
            ).mappings()
            return self._view(row, list(parts), self.clock())

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
    ) -> list[OrderView]:
        """Orders, newest first, filtered by state, a part's department or resource, the
        requesting area (NBS prefix), the requester, or overdue flags."""
        if state is not None and state not in states.ORDER_STATES:
            raise InvalidInput(
                f"state must be one of {', '.join(states.ORDER_STATES)}, got {state!r}"
            )
        now = self.clock()
        stmt = select(T_ORDER)
        if state is not None:
            stmt = stmt.where(T_ORDER.c.state == state)
        if requester is not None:
            stmt = stmt.where(T_ORDER.c.requester == requester)
        if area is not None:
            stmt = stmt.where(
                or_(T_ORDER.c.site_code.startswith(area), T_ORDER.c.place_code.startswith(area))
            )
        if department is not None:
            stmt = stmt.where(
                T_ORDER.c.id.in_(select(T_PART.c.order_id).where(T_PART.c.department == department))
            )
        if resource is not None:
            stmt = stmt.where(
                T_ORDER.c.id.in_(select(T_PART.c.order_id).where(T_PART.c.resource_key == resource))
            )
        if overdue:
            stmt = stmt.where(self._overdue_clause(now))
        stmt = stmt.order_by(T_ORDER.c.id.desc()).limit(limit).offset(offset)
        with self.storage.session() as s:
            rows = list(s.execute(stmt).mappings())
            by_order: dict[int, list[Any]] = {r["id"]: [] for r in rows}
            if by_order:
                for p in s.execute(
                    select(T_PART)
                    .where(T_PART.c.order_id.in_(list(by_order)))
                    .order_by(T_PART.c.seq)
                ).mappings():
                    by_order[p["order_id"]].append(p)
            return [self._view(r, by_order[r["id"]], now) for r in rows]

    def overdue(self) -> list[OrderView]:
        """Orders waiting longer than the deployment's limits for dispatch or an answer."""
        return self.orders(overdue=True, limit=10_000)

    def _overdue_clause(self, now: dt.datetime):
        dispatch_cutoff = now - dt.timedelta(hours=self.config.dispatch_hours)
        accept_cutoff = now - dt.timedelta(hours=self.config.accept_hours)
        return or_(
            T_ORDER.c.state.in_(("submitted", "declined"))
            & (T_ORDER.c.state_since < dispatch_cutoff),
            T_ORDER.c.id.in_(
                select(T_PART.c.order_id).where(
                    T_PART.c.state == "dispatched", T_PART.c.state_since < accept_cutoff
                )
            ),
        )

    def _view(self, row: Mapping[str, Any], parts: list[Mapping[str, Any]], now) -> OrderView:
        flags = []
        dispatch_limit = dt.timedelta(hours=self.config.dispatch_hours)
        accept_limit = dt.timedelta(hours=self.config.accept_hours)
        if row["state"] in ("submitted", "declined") and now - row["state_since"] > dispatch_limit:
            flags.append("dispatch")
        if any(p["state"] == "dispatched" and now - p["state_since"] > accept_limit for p in parts):
            flags.append("accept")
        return OrderView(
            id=row["id"],
            state=row["state"],
            version=row["version"],
            requester=row["requester"],
            requester_role=row["requester_role"],
            site=row["site_code"],
            channel=row["channel"],
            category=row["category"],
            tags=tuple(row["tags"]),
            audiences=tuple(row["audiences"]),
            headcount=row["headcount"],
            place=row["place_code"],
            lng=row["lng"],
            lat=row["lat"],
            start=row["window_start"],
            end=row["window_end"],
            description=row["description"],
            template=row["template"],
            joint=row["joint"],
            created_at=row["created_at"],
            state_since=row["state_since"],
            parts=tuple(
                PartView(
                    id=p["id"],
                    seq=p["seq"],
                    department=p["department"],
                    contribution=p["contribution"],
                    resource_kinds=tuple(p["resource_kinds"]),
                    state=p["state"],
                    resource=p["resource_key"],
                    dispatch_id=p["dispatch_id"],
                    excluded=tuple(p["excluded"]),
                    state_since=p["state_since"],
                )
                for p in parts
            ),
            overdue=tuple(flags),
        )

    def timeline(self, order_id: int) -> list[EventView]:
        """Every event of an order, oldest first: who, when, what and why."""
        with self.storage.session() as s:
            if s.execute(select(T_ORDER.c.id).where(T_ORDER.c.id == order_id)).first() is None:
                raise NotFound(f"no order {order_id}")
            rows = s.execute(
                select(T_EVENT).where(T_EVENT.c.order_id == order_id).order_by(T_EVENT.c.seq)
            )
            return [
                EventView(
                    seq=r.seq,
                    at=r.at,
                    action=r.action,
                    part=r.part_seq,
                    from_state=r.from_state,
                    to_state=r.to_state,
                    part_from=r.part_from,
                    part_to=r.part_to,
                    actor=r.actor,
                    role=r.role,
                    reason=r.reason,
                    data=dict(r.data or {}),
                )
                for r in rows
            ]

    def dispatches(self, order_id: int) -> list[DispatchView]:
        """Every dispatch of an order, with the engine's explanation where there is one."""
        with self.storage.session() as s:
            seqs = dict(
                s.execute(
                    select(T_PART.c.id, T_PART.c.seq).where(T_PART.c.order_id == order_id)
                ).all()
            )
            rows = s.execute(
                select(T_DISPATCH)
                .where(T_DISPATCH.c.order_id == order_id)
                .order_by(T_DISPATCH.c.id)
            )
            return [
                DispatchView(
                    id=r.id,
                    order_id=r.order_id,
                    part=seqs[r.part_id],
                    resource=r.resource_key,
                    kind=r.resource_kind,
                    department=r.department,
                    dispatcher=r.dispatcher,
                    method=r.method,
                    rank=r.rank,
                    score=r.score,
                    explanation=dict(r.explanation or {}),
                    at=r.at,
                    outcome=r.outcome,
                    reason=r.reason,
                )
                for r in rows
            ]

    def reputation(self) -> dict[str, tuple[float, int]]:
        """Each evaluated resource's mean rating and number of ratings (for matching)."""
        with self.storage.session() as s:
            rows = s.execute(
                select(T_EVAL.c.resource_key, func.avg(T_EVAL.c.rating), func.count()).group_by(
                    T_EVAL.c.resource_key
                )
            )
            return {key: (float(mean), int(n)) for key, mean, n in rows}

    def load(self) -> dict[str, int]:
        """Each resource's open dispatches (awaiting an answer, accepted or in service)."""
        with self.storage.session() as s:
            rows = s.execute(
                select(T_DISPATCH.c.resource_key, func.count())
                .where(T_DISPATCH.c.outcome.in_(OPEN_OUTCOMES))
                .group_by(T_DISPATCH.c.resource_key)
            )
            return {key: int(n) for key, n in rows}


# ---------------------------------------------------------------------- helpers


def _engine_class() -> Any:
    try:
        from wenming.matching import Engine  # the published contract
    except ImportError:
        try:
            from wenming.matching.engine import Engine
        except ImportError as exc:
            raise WorkflowError(
                f"ranked dispatch needs the matching engine, which is unavailable: {exc}"
            ) from None
    return Engine


def _pick_open_part(order: OrderView, seq: int | None, actor: Actor | None) -> PartView:
    if seq is not None:
        for p in order.parts:
            if p.seq == seq:
                return p
        raise NotFound(f"order {order.id} has no part {seq}")
    if len(order.parts) == 1:
        return order.parts[0]
    waiting = [p for p in order.parts if p.state in ("pending", "declined")]
    if actor is not None and actor.role == "department_dispatcher":
        waiting = [p for p in waiting if p.department == actor.department]
    if len(waiting) == 1:
        return waiting[0]
    listing = ", ".join(f"{p.seq} {p.department} {p.state}" for p in order.parts)
    raise InvalidInput(f"order {order.id} is a joint order: name the part (parts: {listing})")


def _acceptable(res: ResourceView, part: PartView, actor: Actor) -> bool:
    """Whether a batch assignment respects the part's and the dispatcher's limits."""
    if res.key in part.excluded:
        return False
    if part.resource_kinds and res.kind not in part.resource_kinds:
        return False
    if part.department is not None and res.department != part.department:
        return False
    return not (actor.role == "department_dispatcher" and res.department != actor.department)


def _team_part(snap: _Snap, actor: Actor, seq: int | None, action: str) -> dict[str, Any]:
    if seq is not None:
        return snap.part(seq)
    if actor.role == "team_leader":
        mine = [p for p in snap.parts if p["resource_key"] == actor.team]
        due = states.PART_ACTIONS[action][0]
        ready = [p for p in mine if p["state"] in due]
        if ready:
            return ready[0]
        if mine:
            return mine[0]
    if len(snap.parts) == 1:
        return snap.parts[0]
    raise actor.deny(
        action,
        f"a team leader may {action} only its own team's dispatches; no part of order "
        f"{snap.order['id']} is dispatched to {actor.team or actor.id}",
    )


def _fits(order_id: int, part: Mapping[str, Any], res: ResourceView) -> None:
    """Structural rules of a dispatch that no role can override."""
    seq = part["seq"]
    if part["department"] is not None and res.department != part["department"]:
        raise InvalidInput(
            f"order {order_id} part {seq} is for department {part['department']}; "
            f"resource {res.key} belongs to {res.department or 'no department'}"
        )
    kinds = part["resource_kinds"]
    if kinds and res.kind not in kinds:
        raise InvalidInput(
            f"order {order_id} part {seq} needs a {' or '.join(kinds)}; {res.key} is a {res.kind}"
        )
    if res.key in part["excluded"]:
        raise IllegalTransition(
            f"resource {res.key} declined order {order_id} part {seq} already; "
            "it is excluded from re-dispatch"
        )


def _holds(order: Mapping[str, Any], res: ResourceView) -> None:
    """A resource is never sent to more people than it takes (by hand or by the engine)."""
    if order["headcount"] > res.capacity:
        raise InvalidInput(
            f"resource {res.key} takes {res.capacity} people; order {order['id']} asks for "
            f"{order['headcount']}"
        )


def _check_direct(res: ResourceView, request: Mapping[str, Any]) -> None:
    """Ordering straight from supply: the resource must serve the site, the headcount
    and the season."""
    where = request["site"] or request["place"]
    if res.serves and not any(where.startswith(code) for code in res.serves):
        raise InvalidInput(f"resource {res.key} serves {', '.join(res.serves)}; {where} is outside")
    if request["headcount"] > res.capacity:
        raise InvalidInput(
            f"resource {res.key} takes {res.capacity} people; the order asks for "
            f"{request['headcount']}"
        )
    if res.months:
        months = _months(request["start"], request["end"])
        if not months <= set(res.months):
            raise InvalidInput(
                f"resource {res.key} runs in months {', '.join(map(str, res.months))}; "
                f"the order's window {request['start']}–{request['end']} falls outside"
            )


def _months(start: dt.date, end: dt.date) -> set[int]:
    months: set[int] = set()
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month) and len(months) < 12:
        months.add(m)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _check_code(what: str, code: Any) -> None:
    if not isinstance(code, str) or not _CODE_RE.match(code):
        raise InvalidInput(f"{what} must be an administrative division code (digits), got {code!r}")


def _dept_of(workflow: Workflow, key: str | None) -> str | None:
    if key is None:
        return None
    dept = key.split(".", 1)[0]
    return dept if dept in workflow.registry.departments else None


def _resource_view(row: Mapping[str, Any]) -> ResourceView:
    extra = row["extra"] or {}
    return ResourceView(
        key=row["key"],
        kind=row["kind"],
        department=row["department"],
        name=row["name"],
        place=row["place_code"],
        capacity=row["capacity"],
        categories=tuple(row["categories"]),
        audiences=tuple(row["audiences"]),
        months=tuple(row["months"]),
        status=row["status"],
        source="published",
        serves=tuple(extra.get("serves") or ()),
        reach_km=row.get("reach_km") or extra.get("reach_km"),
    )


def _event(order_id: int, seq: int, step: _Step, at: dt.datetime) -> dict[str, Any]:
    t = step.transition
    return {
        "order_id": order_id,
        "seq": seq,
        "part_seq": step.part_seq,
        "action": t.action,
        "from_state": t.from_state,
        "to_state": t.to_state,
        "part_from": step.data.get("part_from"),
        "part_to": step.data.get("part_to"),
        "actor": t.actor,
        "role": t.role,
        "at": at,
        "reason": t.reason,
        "data": _jsonable(step.data),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _digest(request: Mapping[str, Any]) -> str:
    text = json.dumps(_jsonable(dict(request)), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
