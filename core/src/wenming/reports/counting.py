"""The counters' in-transaction path: what a transition reads and writes, on the driver.

:meth:`wenming.reports.counters.Counters.apply` runs inside every transaction that
appends events, so its statements are few and built once per backend, and run on the
database driver's cursor (:class:`~wenming.orders.sql.Driver`) like the journal's own:

* one query for an order whose earlier events are not in the transaction: its parts,
  each part's resource with its department, kind and unit link, and the submit event's
  data (the order's facts) — joined, so one round trip;
* a resource or team named by an event and not among the parts (a decline's): its
  department, kind and unit link, one query each;
* the distinct members one multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING``
  (only the rows actually inserted come back, on SQLite ≥ 3.35 and PostgreSQL), and the
  counters one multi-row upsert, keys in sorted order (concurrent writers lock rows in
  the same order). On SQLite the rows are ``VALUES`` lists, chunked under its parameter
  limit; on PostgreSQL they are one JSON array (``jsonb_array_elements``: as ``json``
  each ``->>`` parsed its row again, half the statement's time on the server), so the
  statement's text is the same for any number of rows and it has one parameter: psycopg
  parses a 60-row ``VALUES`` text again in Python at every call (texts over 4 kB are not
  cached) and dumps array parameters element by element in Python.

What is counted is decided by :class:`~wenming.reports.metrics.Fold` and
:func:`~wenming.reports.metrics.increments`, the same functions the log recount
(:meth:`~wenming.reports.counters.Counters.rebuild`) uses.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from wenming.orders.sql import Driver
from wenming.reports.metrics import Key, Member

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

#: Parameters per statement: under SQLite's historical limit (999), whatever it was built with.
MAX_PARAMS = 999

_STAT_COLUMNS = ("metric", "dim", "key", "period", "value", "n")
_MEMBER_COLUMNS = ("metric", "dim", "key", "period", "member")
_ADD = (
    ' ON CONFLICT (metric, dim, "key", period) DO UPDATE SET'
    " value = wm_stat.value + excluded.value, n = wm_stat.n + excluded.n"
)


def _names(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


class Statements:
    """The counters' statements on one backend, each text built once."""

    def __init__(self, backend: str, dbapi: Any = None) -> None:
        self.sql = Driver(backend, (), dbapi)
        p = self.sql.mark
        self.sqlite = backend == "sqlite"
        #: parts of an order, their resources' department, kind and unit, the submit data
        self.order = (
            "SELECT p.seq, p.resource_key, r.key, r.department, r.kind, l.unit_code, e.data"
            " FROM wm_order_part p"
            " LEFT JOIN wm_resource r ON r.key = p.resource_key"
            " LEFT JOIN wm_unit_link l ON l.kind = 'resource' AND l.ref = p.resource_key"
            " LEFT JOIN wm_order_event e ON e.order_id = p.order_id AND e.seq = 1 AND p.seq = 1"
            f" WHERE p.order_id = {p}"
        )
        self.submit = f"SELECT data FROM wm_order_event WHERE order_id = {p} AND seq = 1"
        #: one resource by key: (found key, department, kind, unit)
        self.resource = (
            "SELECT r.key, r.department, r.kind, l.unit_code"
            f" FROM (SELECT CAST({p} AS VARCHAR(128)) AS k) q"
            " LEFT JOIN wm_resource r ON r.key = q.k"
            " LEFT JOIN wm_unit_link l ON l.kind = 'resource' AND l.ref = q.k"
        )
        self.volunteer = f"SELECT county_code, department FROM wm_volunteer WHERE id = {p}"
        self._members: dict[int, str] = {}
        self._stats: dict[int, str] = {}
        if not self.sqlite:  # one statement for any number of rows: a JSON array of rows
            rows = f"FROM jsonb_array_elements({p}::jsonb) WITH ORDINALITY AS r(v, i) ORDER BY i"
            self._members_json = (
                f"INSERT INTO wm_stat_member ({_names(_MEMBER_COLUMNS)})"
                " SELECT v->>0, v->>1, v->>2, v->>3, v->>4 "
                + rows
                + f" ON CONFLICT DO NOTHING RETURNING {_names(_MEMBER_COLUMNS)}"
            )
            self._stats_json = (
                f"INSERT INTO wm_stat ({_names(_STAT_COLUMNS)})"
                " SELECT v->>0, v->>1, v->>2, v->>3, (v->>4)::float8, (v->>5)::int " + rows + _ADD
            )

    def _values(self, rows: int, width: int) -> str:
        one = "(" + ", ".join([self.sql.mark] * width) + ")"
        return ", ".join([one] * rows)

    def members_text(self, rows: int) -> str:
        text = self._members.get(rows)
        if text is None:
            text = self._members[rows] = (
                f"INSERT INTO wm_stat_member ({_names(_MEMBER_COLUMNS)})"
                f" VALUES {self._values(rows, len(_MEMBER_COLUMNS))}"
                f" ON CONFLICT DO NOTHING RETURNING {_names(_MEMBER_COLUMNS)}"
            )
        return text

    def stats_text(self, rows: int) -> str:
        text = self._stats.get(rows)
        if text is None:
            text = self._stats[rows] = (
                f"INSERT INTO wm_stat ({_names(_STAT_COLUMNS)})"
                f" VALUES {self._values(rows, len(_STAT_COLUMNS))}" + _ADD
            )
        return text

    def json(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str | bytes) else value

    # ------------------------------------------------------------------ writing

    def write(self, conn: Connection, totals: dict[Key, list[float]], members: set[Member]) -> None:
        """Add totals to the stored counters; count each distinct member once."""
        if members:
            for member in self.insert_members(conn, sorted(members)):
                row = totals.setdefault(member[:4], [0.0, 0])
                row[0] += 1
                row[1] += 1
        if not totals:
            return
        rows = sorted(totals.items())
        if not self.sqlite:
            data = json.dumps([[m, d, k, p, float(v), int(n)] for (m, d, k, p), (v, n) in rows])
            self.sql.later(conn, self._stats_json, (data,), raw=True)  # goes with the commit
            return
        step = MAX_PARAMS // len(_STAT_COLUMNS)
        for i in range(0, len(rows), step):
            chunk = rows[i : i + step]
            params: list[Any] = []
            for (m, d, k, p), (v, n) in chunk:
                params += (m, d, k, p, float(v), int(n))
            self.sql.later(conn, self.stats_text(len(chunk)), params, raw=True)

    def insert_members(self, conn: Connection, members: list[Member]) -> list[Member]:
        """Insert members not yet counted; return those that were new (RETURNING gives
        only the rows inserted, on both backends; a driver's rowcount is not to be
        trusted here)."""
        fresh: set[Member] = set()
        if not self.sqlite:
            got = self.sql.positional(conn, self._members_json, (json.dumps(members),))
            fresh.update(tuple(r) for r in got)  # type: ignore[misc]
            return [m for m in members if m in fresh]
        step = MAX_PARAMS // len(_MEMBER_COLUMNS)
        for i in range(0, len(members), step):
            chunk = members[i : i + step]
            params = [v for m in chunk for v in m]
            got = self.sql.positional(conn, self.members_text(len(chunk)), params)
            fresh.update(tuple(r) for r in got)  # type: ignore[misc]
        return [m for m in members if m in fresh]


class Known:
    """What one transaction's events need to know about resources, units, volunteers
    and orders, read on the driver and kept for the call (the transaction's view)."""

    def __init__(self, statements: Statements, conn: Connection, registry: Any) -> None:
        self.st = statements
        self.conn = conn
        self.registry = registry
        self._resources: dict[str, tuple[str | None, str | None]] = {}
        self._units: dict[str, str | None] = {}

    def _learn(self, key: str, found: str | None, department: Any, kind: Any, unit: Any) -> None:
        if found is not None:
            info = (department, kind)
        elif key in self.registry.resources:  # a plugin's seed resource: no stored row
            info = (self.registry.department_of(key), self.registry.resources[key].kind)
        else:
            info = (None, None)
        self._resources[key] = info
        self._units[key] = unit

    def _fetch(self, key: str) -> None:
        self._learn_row(key, self.st.sql.positional(self.conn, self.st.resource, (key,)))

    def resource_read(self, key: str, sent: Any) -> None:
        """Learn ``key`` from its :attr:`Statements.resource` read sent ahead."""
        self._learn_row(key, self.st.sql.rows(self.conn, sent))

    def _learn_row(self, key: str, rows: list[Any]) -> None:
        found, department, kind, unit = rows[0] if rows else (None, None, None, None)
        self._learn(key, found, department, kind, unit)

    def resource(self, key: str) -> tuple[str | None, str | None]:
        if key not in self._resources:
            self._fetch(key)
        return self._resources[key]

    def unit(self, key: str) -> str | None:
        if key not in self._units:
            self._fetch(key)
        return self._units[key]

    def volunteer(self, vid: int) -> tuple[str | None, str | None]:
        rows = self.st.sql.positional(self.conn, self.st.volunteer, (vid,))
        if not rows:
            return (None, None)
        county, department = rows[0]
        return (county or None, department or None)

    def order_state(
        self, order_id: int, sent: Any = None
    ) -> tuple[dict[str, Any], dict[int, str | None]]:
        """The order's submit data and its parts' current resources (one query, or
        the answer to the one ``sent`` ahead with ``Driver.read_later``)."""
        submit: Any = None
        parts: dict[int, str | None] = {}
        if sent is not None:
            rows = self.st.sql.rows(self.conn, sent)
        else:
            rows = self.st.sql.positional(self.conn, self.st.order, (order_id,))
        for seq, key, found, department, kind, unit, data in rows:
            parts[seq] = key
            if data is not None:
                submit = data
            if key is not None and key not in self._resources:
                self._learn(key, found, department, kind, unit)
        if submit is None:  # no part 1 (orders are never written so): read it alone
            rows = self.st.sql.positional(self.conn, self.st.submit, (order_id,))
            submit = rows[0][0] if rows else None
        return dict(self.st.json(submit) or {}), parts
