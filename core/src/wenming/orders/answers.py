"""接单 and after: the dispatched team accepts or declines its part, starts and
completes it (with the volunteers' hours); the requester evaluates; orders are
cancelled or expire. Each is decided by the pure core and written through the
journal, with the rows it projects to: the dispatch's outcome, the hours, the ratings.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from wenming.orders import capacity, inputs, roles, states
from wenming.orders import decide as core
from wenming.orders.context import Context
from wenming.orders.errors import ConflictError, IllegalTransition, InvalidInput
from wenming.orders.inputs import department_of
from wenming.orders.journal import Loaded, Writer
from wenming.orders.reads import OPEN_OUTCOMES, T_ORDER
from wenming.orders.roles import Actor
from wenming.orders.views import OrderView

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from wenming.orders.reads import Reads

log = logging.getLogger("wenming.orders")

#: The dispatch outcome each answer records.
OUTCOME = {
    "accept": "accepted",
    "decline": "declined",
    "start": "in_service",
    "complete": "completed",
}
_ANSWERED = (
    "UPDATE wm_order_dispatch SET outcome = :outcome, outcome_at = :outcome_at WHERE id = :did"
)
_ANSWERED_WHY = (
    "UPDATE wm_order_dispatch SET outcome = :outcome, outcome_at = :outcome_at,"
    " reason = :reason WHERE id = :did"
)
_CLOSED = (
    "UPDATE wm_order_dispatch SET outcome = :outcome, outcome_at = :outcome_at,"
    " reason = :reason WHERE order_id = :oid AND outcome IN ("
    + ", ".join(f"'{o}'" for o in OPEN_OUTCOMES)  # fixed identifiers, not input
    + ")"
)


class Answers:
    """Answers, evaluation, cancellation and expiry."""

    def __init__(self, ctx: Context, reads: Reads) -> None:
        self.ctx = ctx
        self.reads = reads

    def _run(self, order_id: int, plan: Any) -> OrderView:
        after = self.ctx.journal.run(order_id, plan)
        return self.reads.view(after.row, after.parts, self.ctx.now())

    # ------------------------------------------------------------------ the team

    def answer(
        self,
        actor: Actor,
        action: str,
        order_id: int,
        *,
        part: int | None = None,
        reason: str = "",
        served: list[tuple[str, float]] | None = None,
    ) -> OrderView:
        command = core.Answer(actor, action, part, reason, tuple(served or ()))
        registry = self.ctx.registry
        sql = self.ctx.journal.sql

        def write(conn: Connection, event: core.Event, loaded: Loaded) -> None:
            assert loaded.snapshot is not None
            before = loaded.snapshot.parts[event.part_seq]  # type: ignore[index]
            at = event.at
            args = {"did": before.dispatch_id, "outcome": OUTCOME[action], "outcome_at": at}
            if reason:
                sql.later(conn, _ANSWERED_WHY, {**args, "reason": reason})
            else:
                sql.later(conn, _ANSWERED, args)
            if action == "decline":  # the day's slot is free again
                capacity.release(sql, conn, dispatch_id=before.dispatch_id)
            if served:
                key = before.resource
                dept = before.department or department_of(registry, key)
                sql.insert_many(
                    conn,
                    "wm_order_service",
                    [
                        {
                            "order_id": event.order_id,
                            "part_id": before.id,
                            "resource_key": key,
                            "department": dept,
                            "volunteer": v,
                            "hours": float(h),
                            "at": at,
                        }
                        for v, h in served
                    ],
                )

        return self._run(order_id, _plan(command, write))

    def decline(
        self, actor: Actor, order_id: int, reason: str, *, part: int | None = None
    ) -> OrderView:
        if not reason or not reason.strip():
            raise InvalidInput("a decline needs a reason")
        inputs.texts(reason=reason)
        return self.answer(actor, "decline", order_id, part=part, reason=reason)

    def complete(
        self,
        actor: Actor,
        order_id: int,
        volunteers: Mapping[str, float] | Iterable[tuple[str, float]],
        *,
        part: int | None = None,
        note: str = "",
    ) -> OrderView:
        served = list(volunteers.items() if isinstance(volunteers, Mapping) else volunteers)
        if not served:
            raise InvalidInput("a completion names the volunteers who served and their hours")
        inputs.volunteers(served)
        inputs.texts(reason=note)
        seen: set[str] = set()
        for name, hours in served:
            if not str(name).strip():
                raise InvalidInput("volunteers: a volunteer has no name")
            if name in seen:
                raise InvalidInput(f"volunteers: {name!r} is listed twice")
            seen.add(name)
            if not isinstance(hours, int | float) or isinstance(hours, bool) or not 0 < hours <= 24:
                raise InvalidInput(f"volunteers: {name}: hours must be in (0, 24], got {hours!r}")
        return self.answer(actor, "complete", order_id, part=part, reason=note, served=served)

    # ------------------------------------------------------------------ the requester

    def evaluate(self, actor: Actor, order_id: int, rating: int, comment: str = "") -> OrderView:
        if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
            raise InvalidInput(f"rating must be a whole number 1–5, got {rating!r}")
        inputs.texts(comment=comment)
        registry = self.ctx.registry
        sql = self.ctx.journal.sql

        def write(conn: Connection, event: core.Event, loaded: Loaded) -> None:
            assert loaded.snapshot is not None
            sql.insert_many(
                conn,
                "wm_order_evaluation",
                [
                    {
                        "order_id": event.order_id,
                        "part_id": p.id,
                        "resource_key": p.resource,
                        "department": p.department or department_of(registry, p.resource),
                        "rating": rating,
                        "comment": comment,
                        "rater": event.actor,
                        "at": event.at,
                    }
                    for p in loaded.snapshot.parts.values()
                ],
            )

        return self._run(order_id, _plan(core.Evaluate(actor, rating, comment), write))

    # ------------------------------------------------------------------ closing

    def cancel(self, actor: Actor, order_id: int, reason: str) -> OrderView:
        if not reason or not reason.strip():
            raise InvalidInput("a cancellation needs a reason")
        inputs.texts(reason=reason)
        return self._run(order_id, _plan(core.Cancel(actor, reason), self._close))

    def expire(self, actor: Actor, order_id: int, reason: str = "") -> OrderView:
        command = core.Expire(actor, reason, self.ctx.config.expire_after_days)
        return self._run(order_id, _plan(command, self._close))

    def _close(self, conn: Connection, event: core.Event, loaded: Loaded) -> None:
        """Cancel and expire close the order's open dispatches with the same outcome and
        free the daily slots they held."""
        self.ctx.journal.sql.later(
            conn,
            _CLOSED,
            {
                "oid": event.order_id,
                "outcome": event.to_state,
                "outcome_at": event.at,
                "reason": event.reason,
            },
        )
        capacity.release(
            self.ctx.journal.sql, conn, order_id=event.order_id
        )  # every slot the order held

    def expire_due(self, actor: Actor) -> list[int]:
        roles.may_expire(actor)
        today = self.ctx.now().date()
        cutoff = today - dt.timedelta(days=self.ctx.config.expire_after_days)
        with self.ctx.storage.engine.connect() as conn:
            ids = list(
                conn.execute(
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


def _plan(command: core.Command, write: Writer) -> Any:
    def plan(conn: Connection, loaded: Loaded, at: dt.datetime) -> list[Any]:
        return [(e, write) for e in core.decide(loaded.snapshot, command, at)]

    return plan
