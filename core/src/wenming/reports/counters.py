"""Counters: moved with the events, rebuilt from the log, read as leaderboards.

:meth:`Counters.apply` runs inside the transaction that appends order events (the
journal calls it), so a counter can never disagree with a committed event.
:meth:`Counters.rebuild` recomputes every counter from ``wm_order_event`` with the same
:class:`~wenming.reports.metrics.Fold`; :meth:`Counters.compare` shows any difference.
:meth:`Counters.top` reads the top N of one metric × dimension × period from the
counters' index — never a ``GROUP BY`` over history.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.orm import Session

from wenming.errors import WenmingError
from wenming.orders.tables import OrderEvent
from wenming.people.tables import PeopleEvent, Volunteer
from wenming.reports import periods
from wenming.reports.counting import Known, Statements
from wenming.reports.metrics import (
    CORE_METRICS,
    DIMENSIONS,
    PEOPLE_KINDS,
    Fold,
    Key,
    Member,
    Metric,
    compile_metrics,
    increments,
    people_facts,
    territory,
)
from wenming.reports.tables import Stat, StatMember, UnitLink
from wenming.storage.tables import ResourceRow

if TYPE_CHECKING:
    from wenming.deployment import Deployment

T_STAT = Stat.__table__
T_MEMBER = StatMember.__table__
T_EVENT = OrderEvent.__table__
T_LINK = UnitLink.__table__
T_RESOURCE = ResourceRow.__table__
T_PEOPLE = PeopleEvent.__table__
T_VOLUNTEER = Volunteer.__table__

_CHUNK = 5000


def collect_metrics(deployment: Deployment) -> dict[str, Metric]:
    """Core metrics and those plugins contribute through ``register_metrics``."""
    found = {m.name: m for m in CORE_METRICS}
    hook = getattr(deployment.pm.hook, "register_metrics", None)
    if hook is None:
        return found
    for impl in reversed(hook.get_hookimpls()):
        plugin = impl.plugin_name

        def register(metric: Metric, _plugin: str = plugin) -> None:
            if not isinstance(metric, Metric):
                raise WenmingError(
                    f"plugin {_plugin}: register_metrics expects Metric records, "
                    f"got {type(metric).__name__}"
                )
            name = f"{_plugin}.{metric.name}" if _plugin != "core" else metric.name
            if name in found:
                raise WenmingError(f"plugin {_plugin}: metric {name!r} registered twice")
            found[name] = _renamed(metric, name)

        impl.function(register=register)
    for m in found.values():
        if m.kind == "ratio":
            for part in m.of or ():
                if part not in found or not found[part].counted:
                    raise WenmingError(f"metric {m.name}: {part!r} is not a counted metric")
    return found


def _renamed(metric: Metric, name: str) -> Metric:
    import attrs

    return attrs.evolve(metric, name=name) if metric.name != name else metric


class Counters:
    """The deployment's metrics and their counters."""

    def __init__(self, deployment: Deployment, *, timezone: str | None = None) -> None:
        self.deployment = deployment
        self.storage = deployment.storage
        self.tz = timezone or _timezone(deployment)
        self._statements: dict[str, Statements] = {}

    @cached_property
    def metrics(self) -> dict[str, Metric]:
        return collect_metrics(self.deployment)

    @cached_property
    def compiled(self):
        return compile_metrics(self.metrics.values())

    def metric(self, name: str) -> Metric:
        try:
            return self.metrics[name]
        except KeyError:
            import difflib

            near = difflib.get_close_matches(name, list(self.metrics), n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise WenmingError(
                f"no metric {name!r}{hint} (wenming stats metrics lists them)"
            ) from None

    # ----------------------------------------------------------------- counting

    def _statements_for(self, conn: Connection) -> Statements:
        statements = self._statements.get(conn.dialect.name)
        if statements is None:
            statements = self._statements[conn.dialect.name] = Statements(
                conn.dialect.name, conn.dialect.dbapi
            )
        return statements

    def prefetch(self, conn: Connection, events: Sequence[Any]) -> None:
        """Send, ahead of :meth:`apply` with the same ``events``, the read of each
        order whose earlier events are not among them (on PostgreSQL it shares the
        round trip of the journal's chain head; see
        :meth:`wenming.orders.journal.Journal.on_append`)."""
        statements = self._statements_for(conn)
        first: dict[int, Any] = {}
        for e in events:
            row = _as_row(e)
            if row.get("source") == "people":
                continue
            oid = int(row["order_id"])
            if oid not in first or row["seq"] < first[oid]["seq"]:
                first[oid] = row
        read = statements.sql.read_later
        sent: dict[Any, Any] = {
            oid: read(conn, statements.order, (oid,), raw=True)
            for oid, row in first.items()
            if row["action"] != "submit"
        }
        # the order is read as it was before these events (its part rows are updated
        # after this), so the resource a dispatch names is read too
        for e in events:
            row = _as_row(e)
            key = (
                (row.get("data") or {}).get("resource") if row.get("action") == "dispatch" else None
            )
            if isinstance(key, str) and ("resource", key) not in sent:
                sent[("resource", key)] = read(conn, statements.resource, (key,), raw=True)
        # kept with the connection (one entry per pooled connection, replaced by the
        # next prefetch) for the apply() with these very events
        conn.info[_AHEAD] = (events, sent)

    def apply(self, conn: Connection | Session, events: Sequence[Mapping[str, Any]]) -> None:
        """Count events being appended, inside the caller's transaction (the statements
        of :mod:`wenming.reports.counting`, on the driver's cursor)."""
        if not events:
            return
        if isinstance(conn, Session):
            conn = conn.connection()
        statements = self._statements_for(conn)
        ahead = conn.info.pop(_AHEAD, None)
        sent = ahead[1] if ahead is not None and ahead[0] is events else {}
        by_order: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
        known = Known(statements, conn, self.deployment.registry)
        for name, read in sent.items():
            if isinstance(name, tuple):
                known.resource_read(name[1], read)
        facts = []
        for e in events:
            e = _as_row(e)
            if e.get("source") == "people":
                if e["kind"] in PEOPLE_KINDS:
                    facts.extend(self._people_facts(known, e))
                continue
            by_order[int(e["order_id"])].append(e)
        for order_id, evs in by_order.items():
            evs.sort(key=lambda e: e["seq"])
            fold = Fold(known.resource, known.unit, self.tz)
            if evs[0]["action"] != "submit":
                submit, parts = known.order_state(order_id, sent.get(order_id))
                fold.start(submit, parts)
            for e in evs:
                facts.extend(fold.facts(e))
        totals, members = increments(self.compiled, facts)
        statements.write(conn, totals, members)

    def rebuild(self) -> dict[str, int]:
        """Recompute every counter from the event log, in one transaction."""
        with self.storage.session() as s:
            s.execute(delete(T_STAT))
            s.execute(delete(T_MEMBER))
            totals, members = self._recount(s)
            rows = [
                {"metric": m, "dim": d, "key": k, "period": p, "value": v, "n": n}
                for (m, d, k, p), (v, n) in totals.items()
            ]
            for i in range(0, len(rows), _CHUNK):
                s.execute(T_STAT.insert(), rows[i : i + _CHUNK])
            mrows = [
                {"metric": m, "dim": d, "key": k, "period": p, "member": w}
                for (m, d, k, p, w) in members
            ]
            for i in range(0, len(mrows), _CHUNK):
                s.execute(T_MEMBER.insert(), mrows[i : i + _CHUNK])
        return {"counters": len(rows), "members": len(mrows)}

    def _recount(self, s: Session) -> tuple[dict[Key, list[float]], set[Member]]:
        lookup = _Lookup(s, self.deployment.registry)
        totals: dict[Key, list[float]] = {}
        members: set[Member] = set()
        fold: Fold | None = None
        current = None
        stream = s.execute(
            select(
                T_EVENT.c.order_id,
                T_EVENT.c.seq,
                T_EVENT.c.part_seq,
                T_EVENT.c.action,
                T_EVENT.c.at,
                T_EVENT.c.data,
            )
            .order_by(T_EVENT.c.order_id, T_EVENT.c.seq)
            .execution_options(yield_per=_CHUNK)
        ).mappings()
        for e in stream:
            if e["order_id"] != current:
                current = e["order_id"]
                fold = Fold(lookup.resource, lookup.unit, self.tz)
            increments(self.compiled, fold.facts(e), totals, members)
        people = s.execute(
            select(T_PEOPLE)
            .where(T_PEOPLE.c.kind.in_(PEOPLE_KINDS))
            .order_by(T_PEOPLE.c.id)
            .execution_options(yield_per=_CHUNK)
        ).mappings()
        for e in people:
            increments(self.compiled, self._people_facts(lookup, e), totals, members)
        for member in members:
            row = totals.setdefault(member[:4], [0.0, 0])
            row[0] += 1
            row[1] += 1
        return totals, members

    def _people_facts(self, lookup: _Lookup | Known, event: Mapping[str, Any]):
        volunteer = (None, None)
        if event["kind"] == "level" and event.get("volunteer_id") is not None:
            volunteer = lookup.volunteer(int(event["volunteer_id"]))
        return people_facts(event, volunteer, lookup.unit, self.tz)

    def compare(self) -> list[str]:
        """Differences between the stored counters and a recount from the log."""
        with self.storage.session() as s:
            totals, members = self._recount(s)
            stored = {
                (r.metric, r.dim, r.key, r.period): (r.value, r.n)
                for r in s.execute(select(T_STAT))
            }
            stored_members = {tuple(r) for r in s.execute(select(T_MEMBER))}
        problems = []
        for key in sorted(set(totals) | set(stored)):
            want = totals.get(key, [0.0, 0])
            have = stored.get(key, (0.0, 0))
            if abs(want[0] - have[0]) > 1e-6 or int(want[1]) != int(have[1]):
                problems.append(
                    f"{'/'.join(key)}: counted {have[0]:g} ({have[1]}), log says "
                    f"{want[0]:g} ({int(want[1])})"
                )
        if members != stored_members:
            problems.append(
                f"distinct members: {len(stored_members ^ members)} differ from the log"
            )
        return problems

    # ----------------------------------------------------------------- reading

    def top(
        self,
        metric: str,
        by: str,
        *,
        period: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        limit: int = 50,
        within: str | None = None,
    ) -> list[tuple[str, float, int]]:
        """The top ``limit`` keys of one dimension for a metric, best first.

        ``period`` is a stored month, quarter or year; ``start``/``end`` a range read as
        the months it covers. ``within`` keeps only territorial keys under a code prefix.
        Returns ``(key, value, n)``: for a mean ``value`` is the average, for a ratio the
        ratio and ``n`` its denominator.
        """
        m = self.metric(metric)
        if by not in m.dimensions:
            raise WenmingError(
                f"metric {m.name} is not kept by {by!r}; it is by {', '.join(m.dimensions)}"
            )
        if not 1 <= limit <= 10_000:
            raise WenmingError(f"limit must be 1–10000, got {limit}")
        periods_ = [] if m.kind == "gauge" else self._periods(period, start, end)
        with self.storage.session() as s:
            if m.kind == "gauge":
                rows = self._gauge(s, m, by)
            elif m.kind == "ratio":
                num = dict((k, (v, n)) for k, v, n in self._read(s, m.of[0], by, periods_, within))
                den = dict((k, (v, n)) for k, v, n in self._read(s, m.of[1], by, periods_, within))
                rows = [
                    (k, num.get(k, (0.0, 0))[0] / d[0], int(d[0])) for k, d in den.items() if d[0]
                ]
            else:
                rows = self._read(s, m.name, by, periods_, within, limit=limit)
        if within:
            rows = [r for r in rows if r[0].startswith(within)]
        rows.sort(key=lambda r: (-r[1], r[0]))
        return rows[:limit]

    def value(self, metric: str, by: str, key: str, **when: Any) -> tuple[float, int]:
        """One key's value of a metric (0 when nothing was counted)."""
        for k, v, n in self.top(metric, by, limit=10_000, **when):
            if k == key:
                return v, n
        return 0.0, 0

    def _periods(self, period: str | None, start: dt.date | None, end: dt.date | None) -> list[str]:
        if period and (start or end):
            raise WenmingError("give a period or a range (start/end), not both")
        if period:
            return [periods.check(period)]
        if start and end:
            return periods.months(start, end)
        raise WenmingError("give a period (2027-08, 2027-Q3, 2027) or a range start … end")

    def _read(
        self,
        s: Session,
        metric: str,
        by: str,
        keys: list[str],
        within: str | None,
        *,
        limit: int | None = None,
    ) -> list[tuple[str, float, int]]:
        m = self.metrics[metric]
        if m.kind == "distinct" and len(keys) > 1:
            stmt = (
                select(T_MEMBER.c.key, func.count(func.distinct(T_MEMBER.c.member)), func.count())
                .where(
                    T_MEMBER.c.metric == metric, T_MEMBER.c.dim == by, T_MEMBER.c.period.in_(keys)
                )
                .group_by(T_MEMBER.c.key)
            )
            return [(k, float(v), int(n)) for k, v, n in s.execute(stmt)]
        if len(keys) == 1:
            value = T_STAT.c.value / T_STAT.c.n if m.kind == "mean" else T_STAT.c.value
            stmt = select(T_STAT.c.key, value, T_STAT.c.n).where(
                T_STAT.c.metric == metric, T_STAT.c.dim == by, T_STAT.c.period == keys[0]
            )
            if within:
                stmt = stmt.where(T_STAT.c.key.startswith(within))
            if limit and m.kind != "mean":
                stmt = stmt.order_by(T_STAT.c.value.desc(), T_STAT.c.key).limit(limit)
            return [(k, float(v), int(n)) for k, v, n in s.execute(stmt)]
        total, count = func.sum(T_STAT.c.value), func.sum(T_STAT.c.n)
        value = total / count if m.kind == "mean" else total
        stmt = (
            select(T_STAT.c.key, value, count)
            .where(T_STAT.c.metric == metric, T_STAT.c.dim == by, T_STAT.c.period.in_(keys))
            .group_by(T_STAT.c.key)
        )
        if within:
            stmt = stmt.where(T_STAT.c.key.startswith(within))
        return [(k, float(v), int(n)) for k, v, n in s.execute(stmt)]

    def _gauge(self, s: Session, m: Metric, by: str) -> list[tuple[str, float, int]]:
        """Published resources now: stored rows and the plugins' seed resources."""
        r = T_RESOURCE
        rows = {
            key: (status, department, place)
            for key, status, department, place in s.execute(
                select(r.c.key, r.c.status, r.c.department, r.c.place_code)
            )
        }
        registry = self.deployment.registry
        for key, seed in registry.resources.items():
            rows.setdefault(key, ("published", registry.department_of(key), seed.place))
        units = dict(
            s.execute(
                select(T_LINK.c.ref, T_LINK.c.unit_code).where(T_LINK.c.kind == "resource")
            ).all()
        )
        counts: dict[str, int] = defaultdict(int)
        for key, (status, department, place) in rows.items():
            if status != "published":
                continue
            if by == "department":
                k = department
            elif by == "unit":
                k = units.get(key)
            else:
                k = territory(place).get(by)
            if k:
                counts[k] += 1
        return [(k, float(n), n) for k, n in counts.items()]


#: The counters' reads sent ahead, in the connection's ``info``: (events, {order: read}).
_AHEAD = "wenming.counters.ahead"


def _as_row(event: Any) -> Mapping[str, Any]:
    """An event as a mapping of its stored columns (the journal passes records)."""
    if isinstance(event, Mapping):
        return event
    return {
        "order_id": event.order_id,
        "seq": event.seq,
        "part_seq": event.part_seq,
        "action": event.action,
        "at": event.at,
        "data": event.data,
    }


class _Lookup:
    """Resource departments and kinds, unit links and volunteers for the log recount:
    every unit link read once, resources cached as they are met."""

    def __init__(self, conn: Connection | Session, registry: Any) -> None:
        self.conn = conn
        self.registry = registry
        self._resources: dict[str, tuple[str | None, str | None]] = {}
        self._units: dict[str, str] | None = None

    def resource(self, key: str) -> tuple[str | None, str | None]:
        if key not in self._resources:
            row = self.conn.execute(
                select(T_RESOURCE.c.department, T_RESOURCE.c.kind).where(T_RESOURCE.c.key == key)
            ).first()
            if row is None and key in self.registry.resources:
                row = (self.registry.department_of(key), self.registry.resources[key].kind)
            self._resources[key] = (row[0], row[1]) if row else (None, None)
        return self._resources[key]

    def unit(self, resource: str) -> str | None:
        if self._units is None:
            self._units = dict(
                self.conn.execute(
                    select(T_LINK.c.ref, T_LINK.c.unit_code).where(T_LINK.c.kind == "resource")
                ).all()
            )
        return self._units.get(resource)

    def volunteer(self, vid: int) -> tuple[str | None, str | None]:
        row = self.conn.execute(
            select(T_VOLUNTEER.c.county_code, T_VOLUNTEER.c.department).where(
                T_VOLUNTEER.c.id == vid
            )
        ).first()
        return (row[0] or None, row[1] or None) if row else (None, None)


def _timezone(deployment: Deployment) -> str:
    tz = getattr(getattr(deployment, "config", None), "timezone", None)
    return tz or periods.DEFAULT_TIMEZONE


__all__ = ["DIMENSIONS", "Counters", "collect_metrics"]


def counters_of(deployment: Deployment) -> Counters:
    """The deployment's counters, built once (their metrics are collected at first use)."""
    found = deployment.__dict__.get("_wenming_counters")
    if found is None:
        found = deployment.__dict__["_wenming_counters"] = Counters(deployment)
    return found
