"""One order, its timeline and its dispatches on a light read connection.

``wenming order show`` reads one order, scoped to its reader, and nothing else; on
the driver alone (:mod:`wenming.storage.light`) it starts without SQLAlchemy. These
are the single-order reads of :class:`wenming.orders.reads.Reads` in plain SQL: the
same scope conditions (:func:`order_condition`, :func:`part_condition`, written here
once and used by both paths — the role table is in :mod:`wenming.orders.reads`), the
same refusals (:func:`~wenming.orders.roles.read_rule`)
and the same views (:mod:`wenming.orders.views`), so both paths show the same. Tests
compare them role by role on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from wenming.orders import inputs
from wenming.orders.errors import NotFound
from wenming.orders.roles import read_rule
from wenming.orders.views import dispatch_view, event_view, order_view

if TYPE_CHECKING:
    from wenming.orders.roles import Actor
    from wenming.orders.views import DispatchView, EventView, OrderView
    from wenming.storage.light import Reader

Condition = tuple[str, dict[str, Any]]


def _prefix(value: str) -> str:
    """A ``LIKE … ESCAPE '/'`` pattern for text starting with ``value`` (SQLAlchemy's
    ``startswith(value, autoescape=True)``)."""
    return value.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def part_condition(viewer: Actor | None, column: str = "") -> Condition | None:
    """The parts a viewer may see, as SQL on ``wm_order_part`` (its columns prefixed
    with ``column``, e.g. ``"p."``); ``None``: every part."""
    if viewer is None or viewer.role != "department_dispatcher":
        return None
    dept = viewer.department or ""
    c = column
    sql = (
        f"({c}department = :scope_dept OR ({c}department IS NULL AND ({c}resource_key IS NULL"
        f" OR {c}resource_key LIKE :scope_dept_prefix ESCAPE '/')))"
    )
    return sql, {"scope_dept": dept, "scope_dept_prefix": _prefix(f"{dept}.")}


def order_condition(viewer: Actor | None) -> Condition | None:
    """The orders a viewer may see, as SQL on ``wm_order``; ``None``: every order."""
    if viewer is None or viewer.role in ("city_dispatcher", "system"):
        return None
    if viewer.role == "station_operator":
        sql = (
            "((wm_order.site_code IS NOT NULL AND wm_order.site_code LIKE :scope_area ESCAPE '/')"
            " OR (wm_order.site_code IS NULL AND wm_order.place_code LIKE :scope_area ESCAPE '/'))"
        )
        return sql, {"scope_area": _prefix(viewer.area or "")}
    if viewer.role == "team_leader":
        sql = (
            "EXISTS (SELECT d.id FROM wm_order_dispatch d WHERE d.order_id = wm_order.id"
            " AND d.resource_key = :scope_team)"
        )
        return sql, {"scope_team": viewer.team or ""}
    if viewer.role == "department_dispatcher":
        parts = part_condition(viewer, "p.")
        assert parts is not None
        sql = (
            "EXISTS (SELECT p.id FROM wm_order_part p WHERE p.order_id = wm_order.id"
            f" AND {parts[0]})"
        )
        return sql, parts[1]
    return "wm_order.requester = :scope_requester", {"scope_requester": viewer.id}


def _in(column: str, values: list[int]) -> Condition:
    names = {f"in_{i}": v for i, v in enumerate(values)}
    return f"{column} IN ({', '.join(':' + n for n in names)})", names


class LightReads:
    """The single-order reads of ``order show`` on a :class:`~wenming.storage.light.Reader`.

    ``config`` is the deployment's ``[workflow]`` limits (for the overdue flags).
    """

    def __init__(self, reader: Reader, config: Any) -> None:
        self.reader = reader
        self.config = config

    def _visible(self, order_id: int, viewer: Actor | None) -> dict[str, Any]:
        """The order's row if the viewer may see it; else NotFound or the role's refusal."""
        sql = "SELECT * FROM wm_order WHERE wm_order.id = :oid"
        condition = order_condition(viewer)
        if condition is not None:
            row = self.reader.one(
                f"{sql} AND {condition[0]}", {"oid": order_id, **condition[1]}, table="wm_order"
            )
        else:
            row = None
        if row is None:
            row = self.reader.one(sql, {"oid": order_id}, table="wm_order")
            if row is None:
                raise NotFound(f"no order {order_id}")
            if condition is not None:
                assert viewer is not None
                raise viewer.deny(f"read order {order_id}", read_rule(viewer, row))
        return row

    def _parts(self, order_id: int, viewer: Actor | None) -> list[dict[str, Any]]:
        sql, params = "SELECT * FROM wm_order_part WHERE order_id = :oid", {"oid": order_id}
        condition = part_condition(viewer)
        if condition is not None:
            sql, params = f"{sql} AND {condition[0]}", {**params, **condition[1]}
        return self.reader.rows(f"{sql} ORDER BY seq", params, table="wm_order_part")

    def show(
        self, order_id: int, *, viewer: Actor | None = None, now: dt.datetime | None = None
    ) -> tuple[OrderView, list[DispatchView], list[EventView]]:
        """The order, its dispatches and its timeline as ``viewer`` may see them (as
        :meth:`~wenming.orders.service.Workflow.order`, ``dispatches`` and ``timeline``)."""
        order_id = inputs.order_id(order_id)  # out of range: no order
        row = self._visible(order_id, viewer)
        parts = self._parts(order_id, viewer)
        view = order_view(row, parts, now or dt.datetime.now(dt.UTC), self.config)
        return view, self._dispatches(order_id, parts), self._timeline(order_id, viewer, parts)

    def _timeline(
        self, order_id: int, viewer: Actor | None, parts: list[dict[str, Any]]
    ) -> list[EventView]:
        sql, params = "SELECT * FROM wm_order_event WHERE order_id = :oid", {"oid": order_id}
        if part_condition(viewer) is not None:
            seqs = [p["seq"] for p in parts]
            if seqs:
                within, names = _in("part_seq", seqs)
                sql, params = f"{sql} AND (part_seq IS NULL OR {within})", {**params, **names}
            else:
                sql += " AND part_seq IS NULL"
        rows = self.reader.rows(f"{sql} ORDER BY seq", params, table="wm_order_event")
        return [event_view(r) for r in rows]

    def _dispatches(self, order_id: int, parts: list[dict[str, Any]]) -> list[DispatchView]:
        seqs = {p["id"]: p["seq"] for p in parts}
        if not seqs:
            return []
        within, names = _in("part_id", list(seqs))
        rows = self.reader.rows(
            f"SELECT * FROM wm_order_dispatch WHERE order_id = :oid AND {within} ORDER BY id",
            {"oid": order_id, **names},
            table="wm_order_dispatch",
        )
        return [dispatch_view(r, seqs[r["part_id"]]) for r in rows]
