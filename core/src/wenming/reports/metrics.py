"""Metrics as data, and the one fold that turns events into counter increments.

A :class:`Metric` says which events it counts, with what value, under which filters —
no code. Core ships the seed's leaderboard metrics (orders received / dispatched /
accepted / completed, completion and on-time rates, average evaluation, joint orders,
volunteer hours, active volunteers, resources offered); plugins contribute more through
``register_metrics``. :class:`Fold` reads an order's events in order and yields
:class:`Fact` rows (who and where an event counts for); :func:`increments` turns facts
into counter deltas. Incremental counting and ``wenming stats rebuild`` both go through
these two functions, which is why they agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Literal

import attrs
from attrs import field, frozen

from wenming.reports import periods

MetricKind = Literal["sum", "mean", "distinct", "ratio", "gauge"]
KINDS: tuple[str, ...] = ("sum", "mean", "distinct", "ratio", "gauge")

#: Dimensions a counter is kept by. ``city`` has the one key ``all``.
DIMENSIONS: tuple[str, ...] = ("city", "county", "town", "station", "department", "team", "unit")
TERRITORIAL: tuple[str, ...] = ("city", "county", "town", "station")


def _ident(_inst: Any, attribute: attrs.Attribute, value: str) -> None:
    from wenming.records import ID_RE

    if not isinstance(value, str) or not ID_RE.match(value):
        raise ValueError(f"{attribute.name} must be an identifier like 'orders_completed'")


@frozen
class Metric:
    """One leaderboard metric, as data.

    ``actions`` are the order-event actions it counts; ``value`` is ``"1"`` (count
    events) or a field of the event's facts (``"hours"``, ``"rating"``); ``where`` keeps
    only facts whose fields equal the given values (``{"joint": True}``,
    ``{"template": "water.water_classroom"}``); ``member`` names the field whose distinct
    values a ``distinct`` metric counts. A ``ratio`` divides metric ``of[0]`` by
    ``of[1]``; a ``gauge`` is read live, not counted (resources offered now).
    """

    name: str = field(validator=_ident)
    name_zh: str
    name_en: str
    kind: str = field(validator=attrs.validators.in_(KINDS))
    actions: tuple[str, ...] = field(default=(), converter=tuple)
    value: str = "1"
    where: Mapping[str, Any] = field(factory=dict, converter=lambda d: dict(d or {}))
    member: str | None = None
    of: tuple[str, str] | None = field(default=None, converter=lambda v: tuple(v) if v else None)
    dimensions: tuple[str, ...] = field(default=DIMENSIONS, converter=tuple)
    unit: str = ""
    description: str = ""

    def __attrs_post_init__(self) -> None:
        unknown = set(self.dimensions) - set(DIMENSIONS)
        if unknown:
            raise ValueError(f"metric {self.name}: unknown dimensions {sorted(unknown)}")
        if self.kind == "ratio" and (self.of is None or len(self.of) != 2):
            raise ValueError(f"metric {self.name}: a ratio needs of=(numerator, denominator)")
        if self.kind == "distinct" and not self.member:
            raise ValueError(f"metric {self.name}: a distinct count needs member=")
        if self.kind in ("sum", "mean", "distinct") and not self.actions:
            raise ValueError(f"metric {self.name}: name the event actions it counts")

    @property
    def counted(self) -> bool:
        """Whether the metric has counters of its own (ratios and gauges do not)."""
        return self.kind in ("sum", "mean", "distinct")

    def as_dict(self) -> dict[str, Any]:
        """The metric as the API and ``wenming stats metrics --json`` show it."""
        return {
            "name": self.name,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "kind": self.kind,
            "actions": list(self.actions),
            "value": self.value,
            "where": dict(self.where),
            "of": list(self.of or ()),
            "dimensions": list(self.dimensions),
            "unit": self.unit,
            "description": self.description,
        }


CORE_METRICS: tuple[Metric, ...] = (
    Metric("orders_received", "收到点单", "Orders received", "sum", ("submit",), unit="单"),
    Metric("joint_orders", "拼单数", "Joint orders", "sum", ("submit",), where={"joint": True}),
    Metric(
        "orders_dispatched",
        "派单数",
        "Dispatches",
        "sum",
        ("dispatch",),
        unit="次",
        description="Every 派单, re-dispatches after a decline included.",
    ),
    Metric(
        "orders_accepted", "接单数(对接数)", "Accepted (matched)", "sum", ("accept",), unit="单"
    ),
    Metric("orders_declined", "拒单数", "Declined", "sum", ("decline",), unit="次"),
    Metric("orders_completed", "完成数", "Completed", "sum", ("complete",), unit="单"),
    Metric(
        "orders_on_time",
        "按期完成数",
        "Completed on time",
        "sum",
        ("complete",),
        where={"on_time": True},
        unit="单",
    ),
    Metric(
        "completion_rate",
        "完成率",
        "Completion rate",
        "ratio",
        of=("orders_completed", "orders_accepted"),
        description="Parts completed over parts accepted in the period.",
    ),
    Metric(
        "on_time_rate",
        "按期率",
        "On-time rate",
        "ratio",
        of=("orders_on_time", "orders_completed"),
        description="Completed on or before the last day the requester asked for.",
    ),
    Metric(
        "evaluation",
        "平均评价",
        "Average evaluation",
        "mean",
        ("evaluate",),
        value="rating",
        unit="分",
    ),
    Metric(
        "volunteer_hours",
        "志愿服务时长",
        "Volunteer hours",
        "sum",
        ("complete",),
        value="hours",
        unit="小时",
    ),
    Metric(
        "confirmed_hours",
        "确认服务时长",
        "Confirmed service hours",
        "sum",
        ("people.confirm", "people.correct"),
        value="hours",
        unit="小时",
        description="Hours the team leader confirmed from sign-in and sign-out (corrections "
        "count as their difference).",
    ),
    Metric(
        "active_volunteers",
        "活跃志愿者",
        "Active volunteers",
        "distinct",
        ("people.confirm",),
        member="volunteer",
        unit="人",
        dimensions=("city", "county", "town", "department"),
        description="Registered volunteers with confirmed hours in the period; kept by city, "
        "county, town and department only (a distinct count cannot be added up from "
        "smaller areas).",
    ),
    Metric(
        "new_star_volunteers",
        "新增星级志愿者",
        "New star volunteers",
        "sum",
        ("people.level",),
        where={"new_star": True},
        unit="人",
        dimensions=("city", "county", "department"),
        description="Volunteers whose confirmed hours took them to the first star level "
        "(by the volunteer's county and department).",
    ),
    Metric(
        "resources_published",
        "资源提供数",
        "Resources offered",
        "gauge",
        dimensions=("city", "county", "town", "station", "department", "unit"),
        unit="个",
        description="Published venues, projects and teams now (a live count; periods do not apply).",
    ),
)


@frozen
class Fact:
    """What one event counts for: its dimension keys and the fields metrics read."""

    action: str
    day: dt.date
    dims: Mapping[str, str]
    fields: Mapping[str, Any]


def territory(place: str | None) -> dict[str, str]:
    """County, town and station keys of a division code (12-digit village codes)."""
    out = {"city": "all"}
    if not place or not place.isdigit():
        return out
    if len(place) >= 6:
        out["county"] = place[:6]
    if len(place) >= 9:
        out["town"] = place[:9]
    if len(place) == 12:
        out["station"] = place
    return out


ResourceInfo = Callable[[str], tuple[str | None, str | None]]
UnitOf = Callable[[str], str | None]


class Fold:
    """Reads one order's events in order and yields the facts each counts for.

    ``resource_info(key) -> (department, kind)`` and ``unit_of(key) -> unit code`` are
    looked up for resources named by events; ``tz`` sets the local calendar.
    """

    def __init__(self, resource_info: ResourceInfo, unit_of: UnitOf, tz: str) -> None:
        self.resource_info = resource_info
        self.unit_of = unit_of
        self.tz = tz
        self.order: dict[str, Any] = {}
        self.parts: dict[int, dict[str, Any]] = {}

    def start(self, submit_data: Mapping[str, Any], parts: Mapping[int, str | None]) -> None:
        """Set the order's facts from its submit event and the parts' current resources
        (for counting later events of an order whose earlier events are not replayed)."""
        self.order = dict(submit_data.get("order") or {})
        self.parts = {}
        for p in submit_data.get("parts") or ():
            self.parts[int(p["seq"])] = {"department": p.get("department"), "resource": None}
        for seq, resource in parts.items():
            self.parts.setdefault(seq, {"department": None})["resource"] = resource

    def facts(self, event: Mapping[str, Any]) -> Iterator[Fact]:
        action = event["action"]
        data = event.get("data") or {}
        day = periods.local_date(event["at"], self.tz)
        if action == "submit":
            self.start(data, {})
        place = territory(self.order.get("place"))
        base = {
            "joint": bool(self.order.get("joint")),
            "template": self.order.get("template"),
            "category": self.order.get("category"),
            "channel": self.order.get("channel"),
        }
        seq = event.get("part_seq")
        if seq is not None:
            part = self.parts.setdefault(int(seq), {"department": None, "resource": None})
            resource = data.get("resource") or part.get("resource")
            if action == "dispatch":
                part["resource"] = resource
            dims = dict(place, **self._party(resource, part.get("department")))
            fields = dict(base, resource=resource)
            if action == "complete":
                served = data.get("volunteers") or ()
                fields["hours"] = sum(float(v.get("hours") or 0) for v in served)
                fields["volunteers"] = [str(v.get("volunteer")) for v in served]
                end = self.order.get("end")
                fields["on_time"] = bool(end) and day <= dt.date.fromisoformat(str(end))
            if action == "decline":
                part["resource"] = None
            yield Fact(action, day, dims, fields)
            return
        fields = dict(base, rating=data.get("rating"))
        if action == "evaluate":
            # the requester's rating credits the place once and every delivering party
            yield Fact(action, day, place, fields)
            for p in self.parts.values():
                party = self._party(p.get("resource"), p.get("department"))
                if party:
                    yield Fact(action, day, party, fields)
            return
        yield Fact(action, day, place, fields)
        if action == "submit":
            named = {p["department"] for p in self.parts.values() if p.get("department")}
            for department in sorted(named):
                yield Fact(action, day, {"department": department}, fields)

    def _party(self, resource: str | None, department: str | None) -> dict[str, str]:
        out: dict[str, str] = {}
        kind = None
        if resource:
            res_dept, kind = self.resource_info(resource)
            department = res_dept or department
            unit = self.unit_of(resource)
            if unit:
                out["unit"] = unit
        if department:
            out["department"] = department
        if resource and kind == "team":
            out["team"] = resource
        return out


def people_facts(
    event: Mapping[str, Any], volunteer: tuple[str | None, str | None], unit_of: UnitOf, tz: str
) -> Iterator[Fact]:
    """Facts of one people event: confirmed (or corrected) hours count where they were
    served and for the team; a first star level counts for the volunteer's county and
    department (``volunteer`` is their ``(county, department)``)."""
    kind = event["kind"]
    day = periods.local_date(event["at"], tz)
    action = f"people.{kind}"
    who = [str(event.get("volunteer_id"))]
    if kind in ("confirm", "correct"):
        dims = territory(event.get("station_code"))
        if event.get("department"):
            dims["department"] = event["department"]
        team = event.get("team")
        if team:
            dims["team"] = team
            unit = unit_of(team)
            if unit:
                dims["unit"] = unit
        yield Fact(action, day, dims, {"hours": float(event.get("hours") or 0), "volunteer": who})
    elif kind == "level":
        data = event.get("data") or {}
        county, department = volunteer
        dims = {"city": "all"}
        if county:
            dims["county"] = county
        if department:
            dims["department"] = department
        new_star = int(data.get("before") or 0) == 0 and int(data.get("after") or 0) >= 1
        yield Fact(action, day, dims, {"new_star": new_star, "volunteer": who})


#: The people events that metrics read (the rest of the people log is not counted).
PEOPLE_KINDS: tuple[str, ...] = ("confirm", "correct", "level")

Key = tuple[str, str, str, str]  # metric, dim, key, period
Member = tuple[str, str, str, str, str]  # metric, dim, key, period, member
Compiled = dict[str, list[tuple[str, str, str, tuple, tuple[str, ...], str | None]]]


def compile_metrics(metrics: Iterable[Metric]) -> Compiled:
    """Counted metrics by the action they count, as plain tuples (done once)."""
    by_action: Compiled = {}
    for m in metrics:
        if m.counted:
            for a in m.actions:
                by_action.setdefault(a, []).append(
                    (m.name, m.kind, m.value, tuple(m.where.items()), m.dimensions, m.member)
                )
    return by_action


def increments(
    compiled: Compiled,
    facts: Iterable[Fact],
    totals: dict[Key, list[float]] | None = None,
    members: set[Member] | None = None,
) -> tuple[dict[Key, list[float]], set[Member]]:
    """Add facts to counter totals ``{key: [value, n]}`` and distinct ``members``, per
    month, quarter and year. Distinct members are collected here and counted by the
    caller once it knows which are new."""
    totals = {} if totals is None else totals
    members = set() if members is None else members
    for fact in facts:
        wanted = compiled.get(fact.action)
        if not wanted:
            continue
        keys = periods.keys(fact.day)
        fields = fact.fields
        for name, kind, value_field, where, dimensions, member in wanted:
            if any(fields.get(k) != v for k, v in where):
                continue
            dims = [(d, fact.dims[d]) for d in dimensions if d in fact.dims]
            if kind == "distinct":
                who = fields.get(member or "") or ()
                for dim, key in dims:
                    for period in keys:
                        for w in who:
                            members.add((name, dim, key, period, str(w)))
                continue
            raw = 1 if value_field == "1" else fields.get(value_field)
            if raw is None:
                continue
            value = float(raw)
            for dim, key in dims:
                for period in keys:
                    row = totals.get((name, dim, key, period))
                    if row is None:
                        totals[(name, dim, key, period)] = [value, 1]
                    else:
                        row[0] += value
                        row[1] += 1
    return totals, members
