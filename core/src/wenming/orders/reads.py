"""Reading orders, role-scoped: what each viewer may see, filtered in SQL.

``viewer=None`` reads everything: internal use, and the deployment's local operator
(the command line without ``--actor``). With an :class:`~wenming.orders.roles.Actor`:

=====================  =================================================================
viewer                 sees
=====================  =================================================================
city_dispatcher        every order (so does ``system``, the scheduled jobs)
department_dispatcher  orders with a part of its department, and only those parts: parts
                       for the department, and parts open to any department that are not
                       dispatched to another department's resource
station_operator       orders of its area: the site's division code (the place's, for an
                       order without a site) starts with the area, as for cancelling
team_leader            orders dispatched to its team at some time (declined ones too)
requester              its own orders
=====================  =================================================================

A single-order read of an order the viewer may not see raises the same
:class:`~wenming.orders.errors.PermissionDenied` the writes raise, naming the role and
the rule; a list leaves such orders out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, or_, select, text

from wenming.orders import inputs, states
from wenming.orders.context import Context
from wenming.orders.errors import InvalidInput, NotFound
from wenming.orders.lightreads import order_condition, part_condition
from wenming.orders.roles import Actor, read_rule
from wenming.orders.statements import order_sql
from wenming.orders.tables import Dispatch, Evaluation, Order, OrderEvent, OrderPart
from wenming.orders.views import (
    DispatchView,
    EventView,
    OrderView,
    dispatch_view,
    event_view,
    order_view,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

T_ORDER = Order.__table__
T_PART = OrderPart.__table__
T_DISPATCH = Dispatch.__table__
T_EVENT = OrderEvent.__table__
T_EVAL = Evaluation.__table__

#: Dispatch outcomes that count as a resource's current load.
OPEN_OUTCOMES: tuple[str, ...] = ("open", "accepted", "in_service")

_ORDER = select(T_ORDER).where(T_ORDER.c.id == bindparam("oid"))
_PARTS = select(T_PART).where(T_PART.c.order_id == bindparam("oid")).order_by(T_PART.c.seq)


# ---------------------------------------------------------------------- scope


def part_clause(viewer: Actor | None) -> Any:
    """The parts a viewer may see, as a SQL condition (``None``: every part). The
    condition itself is written once, in plain SQL, for both read paths
    (:func:`wenming.orders.lightreads.part_condition`)."""
    found = part_condition(viewer, "wm_order_part.")
    return None if found is None else text(found[0]).bindparams(**found[1])


def order_clause(viewer: Actor | None) -> Any:
    """The orders a viewer may see, as a SQL condition on ``wm_order`` (``None``: all;
    written once: :func:`wenming.orders.lightreads.order_condition`)."""
    found = order_condition(viewer)
    return None if found is None else text(found[0]).bindparams(**found[1])


# ---------------------------------------------------------------------- reads


class Reads:
    """Orders, timelines, dispatches and the figures matching needs."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _connect(self) -> Any:
        return self.ctx.storage.engine.connect()

    def _visible(self, conn: Connection, order_id: int, viewer: Actor | None) -> Mapping[str, Any]:
        """The order's row if the viewer may see it; else NotFound or the role's refusal."""
        clause = order_clause(viewer)
        stmt = _ORDER if clause is None else _ORDER.where(clause)
        row = conn.execute(stmt, {"oid": order_id}).mappings().first()
        if row is not None:
            return row
        row = conn.execute(_ORDER, {"oid": order_id}).mappings().first()
        if row is None:
            raise NotFound(f"no order {order_id}")
        assert viewer is not None
        raise viewer.deny(f"read order {order_id}", read_rule(viewer, row))

    def _parts(self, conn: Connection, order_id: int, viewer: Actor | None) -> list[Any]:
        clause = part_clause(viewer)
        stmt = _PARTS if clause is None else _PARTS.where(clause)
        return list(conn.execute(stmt, {"oid": order_id}).mappings())

    def order(self, order_id: int, *, viewer: Actor | None = None) -> OrderView:
        """One order as ``viewer`` may see it: one statement on the driver (the
        order and its visible parts joined), the read most often made."""
        order_id = inputs.order_id(order_id)  # out of range: no order
        orders = order_condition(viewer)
        parts = part_condition(viewer, "p.")
        params: dict[str, Any] = {"oid": order_id}
        for found in (orders, parts):
            if found is not None:
                params.update(found[1])
        sql = order_sql(orders and orders[0], parts and parts[0])
        journal = self.ctx.journal
        with self._connect() as conn:
            found = journal.sql.read_alone(conn, sql, params)
            if not found:  # not there, or not the viewer's: say which
                self._visible(conn, order_id, viewer)
                raise NotFound(f"no order {order_id}")
            row, rows = journal.split(found)
            return self.view(row, rows, self.ctx.now())

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
        inputs.paging(limit, offset)
        if state is not None and state not in states.ORDER_STATES:
            raise InvalidInput(
                f"state must be one of {', '.join(states.ORDER_STATES)}, got {state!r}"
            )
        now = self.ctx.now()
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
        clause = order_clause(viewer)
        if clause is not None:
            stmt = stmt.where(clause)
        stmt = stmt.order_by(T_ORDER.c.id.desc()).limit(limit).offset(offset)
        with self._connect() as conn:
            rows = list(conn.execute(stmt).mappings())
            by_order: dict[int, list[Any]] = {r["id"]: [] for r in rows}
            if by_order:
                parts = select(T_PART).where(T_PART.c.order_id.in_(list(by_order)))
                pclause = part_clause(viewer)
                if pclause is not None:
                    parts = parts.where(pclause)
                for p in conn.execute(parts.order_by(T_PART.c.seq)).mappings():
                    by_order[p["order_id"]].append(p)
            return [self.view(r, by_order[r["id"]], now) for r in rows]

    def by_ids(self, ids: Sequence[int]) -> dict[int, OrderView]:
        """Unscoped views of many orders in two queries (for batch work)."""
        if not ids:
            return {}
        now = self.ctx.now()
        with self._connect() as conn:
            rows = list(conn.execute(select(T_ORDER).where(T_ORDER.c.id.in_(list(ids)))).mappings())
            parts: dict[int, list[Any]] = {r["id"]: [] for r in rows}
            stmt = select(T_PART).where(T_PART.c.order_id.in_(list(parts))).order_by(T_PART.c.seq)
            for p in conn.execute(stmt).mappings():
                parts[p["order_id"]].append(p)
        return {r["id"]: self.view(r, parts[r["id"]], now) for r in rows}

    def _overdue_clause(self, now: dt.datetime) -> Any:
        config = self.ctx.config
        dispatch_cutoff = now - dt.timedelta(hours=config.dispatch_hours)
        accept_cutoff = now - dt.timedelta(hours=config.accept_hours)
        return or_(
            T_ORDER.c.state.in_(("submitted", "declined"))
            & (T_ORDER.c.state_since < dispatch_cutoff),
            T_ORDER.c.id.in_(
                select(T_PART.c.order_id).where(
                    T_PART.c.state == "dispatched", T_PART.c.state_since < accept_cutoff
                )
            ),
        )

    def view(
        self, row: Mapping[str, Any], parts: Sequence[Mapping[str, Any]], now: dt.datetime
    ) -> OrderView:
        """An order's view from its row and part rows, with the overdue flags at ``now``."""
        return order_view(row, parts, now, self.ctx.config)

    def timeline(self, order_id: int, *, viewer: Actor | None = None) -> list[EventView]:
        order_id = inputs.order_id(order_id)  # out of range: no order
        with self._connect() as conn:
            self._visible(conn, order_id, viewer)
            stmt = select(T_EVENT).where(T_EVENT.c.order_id == order_id)
            if part_clause(viewer) is not None:
                seqs = [p["seq"] for p in self._parts(conn, order_id, viewer)]
                stmt = stmt.where(or_(T_EVENT.c.part_seq.is_(None), T_EVENT.c.part_seq.in_(seqs)))
            rows = conn.execute(stmt.order_by(T_EVENT.c.seq)).mappings()
            return [event_view(r) for r in rows]

    def dispatches(self, order_id: int, *, viewer: Actor | None = None) -> list[DispatchView]:
        order_id = inputs.order_id(order_id)  # out of range: no order
        with self._connect() as conn:
            self._visible(conn, order_id, viewer)
            seqs = {p["id"]: p["seq"] for p in self._parts(conn, order_id, viewer)}
            rows = conn.execute(
                select(T_DISPATCH)
                .where(T_DISPATCH.c.order_id == order_id, T_DISPATCH.c.part_id.in_(list(seqs)))
                .order_by(T_DISPATCH.c.id)
            ).mappings()
            return [dispatch_view(r, seqs[r["part_id"]]) for r in rows]

    def reputation(self) -> dict[str, tuple[float, int]]:
        with self._connect() as conn:
            rows = conn.execute(
                select(T_EVAL.c.resource_key, func.avg(T_EVAL.c.rating), func.count()).group_by(
                    T_EVAL.c.resource_key
                )
            )
            return {key: (float(mean), int(n)) for key, mean, n in rows}

    def load(self) -> dict[str, int]:
        with self._connect() as conn:
            rows = conn.execute(
                select(T_DISPATCH.c.resource_key, func.count())
                .where(T_DISPATCH.c.outcome.in_(OPEN_OUTCOMES))
                .group_by(T_DISPATCH.c.resource_key)
            )
            return {key: int(n) for key, n in rows}
