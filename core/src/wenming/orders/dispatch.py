"""派单 dispatch: by hand, the engine's ranked candidate, a batch (min-cost flow) and a
joint order's parts at once. Each is decided by the pure core
(:class:`~wenming.orders.decide.Dispatch`) and written through the journal; the
dispatch row itself is written in one place, :func:`write_dispatch`."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from attrs import define, field
from sqlalchemy import select

from wenming.orders import capacity
from wenming.orders import decide as core
from wenming.orders.context import Context
from wenming.orders.errors import IllegalTransition, InvalidInput, NotFound, WorkflowError
from wenming.orders.journal import Loaded, Writer
from wenming.orders.roles import Actor
from wenming.orders.sql import Driver
from wenming.orders.views import BatchResult, OrderView, PartView, ResourceView

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from wenming.orders.reads import Reads
    from wenming.orders.supply import Supply


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


def write_dispatch(
    sql: Driver,
    conn: Connection,
    event: core.Event,
    part_id: int | None,
    choice: Choice,
    *,
    registry: Any,
    day: dt.date,
    slots: int | None = None,
) -> int:
    """Insert the dispatch row a dispatch event projects to and claim its resource's
    daily slot on ``day`` (the order's first day); return the dispatch's ID. A fully
    booked day raises :class:`~wenming.orders.capacity.FullyBooked` and the whole
    transition rolls back."""
    data = event.data
    inserted = sql.insert_later(  # on PostgreSQL it goes with the claim, which names it
        conn,
        "wm_order_dispatch",
        {
            "order_id": event.order_id,
            "part_id": part_id,
            "resource_key": data["resource"],
            "resource_kind": data["kind"],
            "department": data["resource_department"],
            "dispatcher": event.actor,
            "dispatcher_role": event.role,
            "method": choice.method,
            "rank": choice.rank,
            "score": choice.score,
            "explanation": choice.explanation,
            "at": event.at,
            "outcome": "open",
            "reason": event.reason,
        },
    )
    capacity.claim(  # a daily slot, or FullyBooked: the database refuses overbooking
        sql,
        conn,
        registry,
        key=data["resource"],
        day=day,
        order_id=event.order_id,
        dispatch_id=inserted.rows[0][0] if inserted.rows else None,
        slots=slots,
    )
    return sql.rows(conn, inserted)[0][0]


class Dispatching:
    """Plans and runs dispatches; asks the matching engine for candidates."""

    def __init__(self, ctx: Context, supply: Supply, reads: Reads) -> None:
        self.ctx = ctx
        self.supply = supply
        self.reads = reads

    # ------------------------------------------------------------------ planning

    def step(
        self,
        conn: Connection,
        snap: core.Snapshot,
        actor: Actor,
        choice: Choice,
        reason: str,
        at: dt.datetime,
        *,
        direct: bool = False,
        sent: Any = None,
    ) -> tuple[core.Event, Writer]:
        """Decide one dispatch on ``snap``: the event and the writer of its row
        (``sent``: the resource's read sent ahead, :meth:`Supply.lookup_later`)."""
        part = core.open_part(snap, choice.part, actor)
        res, slots = self.supply.lookup_slots(conn, choice.key, sent=sent)
        command = core.Dispatch(
            actor,
            core.Offer(res.key, res.kind, res.department, res.capacity),
            part=part.seq,
            method=choice.method,
            score=choice.score,
            rank=choice.rank,
            reason=reason,
            direct=direct,
        )
        (event,) = core.decide(snap, command, at)

        def write(conn: Connection, event: core.Event, loaded: Loaded) -> dict[str, Any]:
            did = write_dispatch(
                self.ctx.journal.sql,
                conn,
                event,
                loaded.part_id(event.part_seq),
                choice,
                registry=self.ctx.registry,
                day=loaded.row["window_start"],
                slots=slots,
            )
            return {"dispatch": did}

        return event, write

    def run(self, actor: Actor, order_id: int, choices: list[Choice], reason: str) -> OrderView:
        """Dispatch ``choices`` in one transaction (all or none)."""

        reads: dict[str, Any] = {}

        def ahead(conn: Connection) -> None:  # the resources, in the order's round trip
            reads.clear()
            for choice in choices:
                if choice.key not in reads:
                    reads[choice.key] = self.supply.lookup_later(conn, choice.key)

        def plan(conn: Connection, loaded: Loaded, at: dt.datetime) -> list[Any]:
            snap = loaded.snapshot
            assert snap is not None
            steps = []
            for choice in choices:
                sent = reads.pop(choice.key, None)  # read once; a second use reads again
                event, write = self.step(conn, snap, actor, choice, reason, at, sent=sent)
                steps.append((event, write))
                snap = core.evolve(snap, event)
            return steps

        after = self.ctx.journal.run(order_id, plan, ahead=ahead)
        return self.reads.view(after.row, after.parts, self.ctx.now())

    # ------------------------------------------------------------------ by hand, ranked

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
        if resource is not None:
            choice = Choice(key=resource, part=part, method="hand")
        else:
            choice = self.ranked_choice(actor, order_id, part, rank, engine)
        return self.run(actor, order_id, [choice], reason)

    def engine(self) -> Any:
        return engine_class().from_deployment(
            self.ctx.deployment, reputation=self.reads.reputation(), load=self.reads.load()
        )

    def demand(self, order: OrderView, part: PartView | None = None) -> Any:
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
        viewer: Actor | None = None,
    ) -> list[Any]:
        order = self.reads.order(order_id, viewer=viewer)
        view = pick_open_part(order, part, actor)
        engine = engine if engine is not None else self.engine()
        ranking = engine.rank(self.demand(order, view), k=len(engine.keys), explain=True)
        own = (
            actor.department
            if actor is not None and actor.role == "department_dispatcher"
            else None
        )
        with self.ctx.storage.engine.connect() as conn:  # a fully booked day takes no more
            booked = capacity.full(
                conn, self.ctx.registry, order.start, [c.key for c in ranking.candidates]
            )
        kept = [
            c
            for c in ranking.candidates
            if c.key not in booked
            and c.key not in view.excluded
            and (view.department is None or c.department == view.department)
            and (not view.resource_kinds or c.kind in view.resource_kinds)
            and (own is None or c.department == own)
        ]
        return kept[:k]

    def ranked_choice(
        self, actor: Actor, order_id: int, part: int | None, rank: int, engine: Any
    ) -> Choice:
        if rank < 1:
            raise InvalidInput(f"rank must be 1 or more, got {rank}")
        order = self.reads.order(order_id)
        view = pick_open_part(order, part, actor)
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

    # ------------------------------------------------------------------ batch, joint

    def batch_dispatch(
        self,
        actor: Actor,
        order_ids: Iterable[int] | None = None,
        *,
        method: str = "optimal",
        engine: Any = None,
    ) -> BatchResult:
        from wenming.orders.reads import T_ORDER

        wanted = set(order_ids) if order_ids is not None else None
        with self.ctx.storage.engine.connect() as conn:
            stmt = select(T_ORDER.c.id).where(T_ORDER.c.state.in_(("submitted", "declined")))
            ids = [
                i
                for i in conn.execute(stmt.order_by(T_ORDER.c.id)).scalars()
                if wanted is None or i in wanted
            ]
        found = self.reads.by_ids(ids)
        views: dict[int, OrderView | None] = {i: found[i] for i in ids}
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
        result = None
        if demands:  # under the slots still free on each day (capacity.batch)
            with self.ctx.storage.engine.connect() as conn:
                result = capacity.batch(engine, conn, demands, method)
        dispatched: dict[str, str] = {}
        resource = functools.cache(self.supply.resource)  # unchanged during the batch
        for demand_id, (order, p) in parts.items():
            key = result.assignments.get(demand_id) if result else None
            try:
                if key is not None and acceptable(resource(key), p, actor):
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
                    choice = self.ranked_choice(actor, order.id, p.seq, 1, engine)
                self.run(actor, order.id, [choice], "")
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
        if proposal < 1:
            raise InvalidInput(f"proposal must be 1 or more, got {proposal}")
        order = self.reads.order(order_id)
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
        return self.run(actor, order_id, choices, reason)


def engine_class() -> Any:
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


def pick_open_part(order: OrderView, seq: int | None, actor: Actor | None) -> PartView:
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


def acceptable(res: ResourceView, part: PartView, actor: Actor) -> bool:
    """Whether a batch assignment respects the part's and the dispatcher's limits."""
    if res.key in part.excluded:
        return False
    if part.resource_kinds and res.kind not in part.resource_kinds:
        return False
    if part.department is not None and res.department != part.department:
        return False
    return not (actor.role == "department_dispatcher" and res.department != actor.department)
