"""A tamper-evident event log: hash chains, verification of every derived table, repair.

Every event is sealed when it is appended (:func:`seal`, called by
:meth:`wenming.orders.journal.Journal.append`):

* ``hash`` = SHA-256 of the order's previous event's ``hash`` and this event's content
  (order, seq, part, action, states, actor, role, time, reason, data) — the order's chain;
* ``log_seq``/``log_hash`` place it in one deployment-wide chain (``log_hash`` = SHA-256
  of the previous event's ``log_hash``, ``log_seq`` and ``hash``), whose head
  (``wm_log_head``) is locked by each append, so the chain has one order on every backend.

Triggers refuse ``UPDATE``, ``DELETE``, ``INSERT OR REPLACE`` (SQLite) and ``TRUNCATE``
(PostgreSQL) on the log, and the application's PostgreSQL role holds only ``INSERT`` and
``SELECT`` on it (:mod:`wenming.storage.grants`). What gets past them anyway — the owner
dropping a trigger, a file edited by hand — :func:`verify` reports: an event whose
content no longer matches its hash, a gap or a cut end in the chain, an order whose
rows vanished or have no events, and every derived table (``wm_order``,
``wm_order_part``, ``wm_order_dispatch``, ``wm_order_service``,
``wm_order_evaluation``, ``wm_resource_slot``) that differs from what the events say.
Someone able to rewrite the whole log and recompute every hash is caught only by an
anchor kept outside the database: ``wenming order verify`` prints the head
(``log_seq:log_hash``); ``--anchor`` checks that the log still contains it.

:func:`wenming.orders.repair.repair` rebuilds the derived rows of damaged orders from a
log that verifies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from attrs import define, field
from sqlalchemy import select, update

from wenming.orders.errors import WorkflowError
from wenming.orders.events import ReplayError, replay
from wenming.orders.tables import (
    Dispatch,
    Evaluation,
    LogHead,
    Order,
    OrderEvent,
    OrderPart,
    ResourceSlot,
    ServiceHours,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from wenming.storage import Storage

T_ORDER = Order.__table__
T_PART = OrderPart.__table__
T_DISPATCH = Dispatch.__table__
T_EVENT = OrderEvent.__table__
T_EVAL = Evaluation.__table__
T_HOURS = ServiceHours.__table__
T_SLOT = ResourceSlot.__table__
T_HEAD = LogHead.__table__

#: The fields of an event its hash covers.
CONTENT = (
    "order_id",
    "seq",
    "part_seq",
    "action",
    "from_state",
    "to_state",
    "part_from",
    "part_to",
    "actor",
    "role",
    "at",
    "reason",
    "data",
)
#: The dispatch outcome each answer records (as the service writes it).
OUTCOME = {
    "accept": "accepted",
    "decline": "declined",
    "start": "in_service",
    "complete": "completed",
}
#: Outcomes a cancellation or expiry closes; outcomes that hold a daily slot.
OPEN = ("open", "accepted", "in_service")
HOLDING = (*OPEN, "completed")


class IntegrityError(WorkflowError):
    """The event log itself is damaged, so derived state cannot be rebuilt from it."""


# ---------------------------------------------------------------------- hashing


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


#: Values hashed as they are (anything else goes through :func:`_canonical`).
_AS_IS = frozenset({str, int, float, bool, type(None), dict, list})


def event_hash(event: Mapping[str, Any], previous: str) -> str:
    """The hash sealing one event's content onto its order's previous hash."""
    content = {}
    for k in CONTENT:
        v = event.get(k)
        content[k] = v if type(v) in _AS_IS else _canonical(v)
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{text}".encode()).hexdigest()


def link_hash(previous: str, log_seq: int, hash_: str) -> str:
    """The deployment-wide chain's link for the event at ``log_seq``."""
    return hashlib.sha256(f"{previous}\n{log_seq}\n{hash_}".encode()).hexdigest()


def seal(
    events: Sequence[dict[str, Any]], previous: Mapping[int, str], head: tuple[int, str]
) -> tuple[int, str]:
    """Seal ``events`` (rows as they will be stored, in order) in place: each one's
    ``hash`` onto its order's previous hash (``previous``: order id → the hash of the
    event before the first of these), and ``log_seq``/``log_hash`` onto the
    deployment-wide chain's ``head``. Returns the new head.

    Pure: :meth:`wenming.orders.journal.Journal.append`, the one place events are
    written, reads the previous hash and locks the head, then inserts what this seals."""
    last = dict(previous)
    log_seq, log_hash = head
    for values in events:
        values["hash"] = event_hash(values, last.get(values["order_id"], ""))
        last[values["order_id"]] = values["hash"]
        log_seq += 1
        log_hash = link_hash(log_hash, log_seq, values["hash"])
        values["log_seq"], values["log_hash"] = log_seq, log_hash
    return log_seq, log_hash


def seal_existing(connection: Any) -> int:
    """Seal events written before the chains existed (the schema migration's step), in
    ``id`` order. Returns how many were sealed."""
    last: dict[int, str] = {}
    log_hash, log_seq = "", 0
    rows = connection.execute(select(T_EVENT).order_by(T_EVENT.c.id)).mappings().all()
    for row in rows:
        h = event_hash(row, last.get(row["order_id"], ""))
        last[row["order_id"]] = h
        log_seq += 1
        log_hash = link_hash(log_hash, log_seq, h)
        connection.execute(
            update(T_EVENT)
            .where(T_EVENT.c.id == row["id"])
            .values(hash=h, log_seq=log_seq, log_hash=log_hash)
        )
    connection.execute(update(T_HEAD).where(T_HEAD.c.id == 1).values(seq=log_seq, hash=log_hash))
    return len(rows)


# ---------------------------------------------------------------------- what the events say


@define
class Expected:
    """An order's derived rows as its events determine them."""

    order: dict[str, Any]
    parts: dict[int, dict[str, Any]]
    dispatches: dict[int, dict[str, Any]] = field(factory=dict)
    service: list[tuple[int, str, float, str]] = field(factory=list)
    evaluations: list[tuple[int, str | None, int, str, str]] = field(factory=list)

    def slots(self) -> dict[int, tuple[str, dt.date]]:
        """dispatch id → (resource, day) for every dispatch that holds a daily slot."""
        day = self.order["window_start"]
        return {
            did: (d["resource_key"], day)
            for did, d in self.dispatches.items()
            if d["outcome"] in HOLDING
        }


def expected(events: list[Mapping[str, Any]]) -> Expected:
    """Fold an order's events into its rows (the state machine is checked by
    :func:`wenming.orders.events.replay`, which raises on a log that breaks it)."""
    snap = replay(events)
    first = events[0]
    req = first["data"]["order"]
    order = {
        "id": first["order_id"],
        "requester": first["actor"],
        "requester_role": first["role"],
        "site_code": req.get("site"),
        "channel": req.get("channel"),
        "category": req.get("category"),
        "tags": list(req.get("tags") or []),
        "audiences": list(req.get("audiences") or []),
        "headcount": req.get("headcount"),
        "place_code": req.get("place"),
        "lng": req.get("lng"),
        "lat": req.get("lat"),
        "window_start": dt.date.fromisoformat(req["start"]),
        "window_end": dt.date.fromisoformat(req["end"]),
        "description": req.get("description", ""),
        "template": req.get("template"),
        "joint": bool(req.get("joint")),
        "state": snap.state,
        "version": snap.version,
    }
    parts: dict[int, dict[str, Any]] = {}
    for p in first["data"]["parts"]:
        ps = snap.parts[p["seq"]]
        parts[p["seq"]] = {
            "department": p["department"],
            "contribution": p.get("contribution", ""),
            "resource_kinds": list(p.get("resource_kinds") or []),
            "state": ps.state,
            "resource_key": ps.resource,
            "excluded": list(ps.excluded),
            "dispatch_id": None,
        }
    exp = Expected(order=order, parts=parts)
    resource: dict[int, str | None] = {seq: None for seq in parts}
    for e in events[1:]:
        action, data, seq = e["action"], e["data"] or {}, e["part_seq"]
        if action == "dispatch":
            did = data.get("dispatch")
            resource[seq] = data.get("resource")
            if did is not None:
                exp.dispatches[did] = {
                    "part_seq": seq,
                    "resource_key": data.get("resource"),
                    "resource_kind": data.get("kind"),
                    "department": data.get("resource_department"),
                    "dispatcher": e["actor"],
                    "dispatcher_role": e["role"],
                    "method": data.get("method"),
                    "rank": data.get("rank"),
                    "score": data.get("score"),
                    "at": e["at"],
                    "outcome": "open",
                    "outcome_at": None,
                    "reason": e["reason"],
                }
            parts[seq]["dispatch_id"] = did
        elif action in OUTCOME:
            did = parts[seq]["dispatch_id"]
            if did in exp.dispatches:
                d = exp.dispatches[did]
                d.update(outcome=OUTCOME[action], outcome_at=e["at"])
                if e["reason"]:
                    d["reason"] = e["reason"]
            if action == "decline":
                parts[seq]["dispatch_id"] = None
                resource[seq] = None
            if action == "complete":
                exp.service += [
                    (seq, v["volunteer"], float(v["hours"]), data.get("resource"))
                    for v in data.get("volunteers", ())
                ]
        elif action in ("cancel", "expire"):
            for d in exp.dispatches.values():
                if d["outcome"] in OPEN:
                    d.update(outcome=snap.state, outcome_at=e["at"], reason=e["reason"])
        elif action == "evaluate":
            exp.evaluations += [
                (seq_, resource[seq_], data["rating"], data.get("comment", ""), e["actor"])
                for seq_ in parts
            ]
    return exp


# ---------------------------------------------------------------------- verify


@define
class Report:
    """What :func:`verify` found: problems in the log itself (``chain``) and orders
    whose derived rows differ from their events (``orders``: id → lines)."""

    chain: list[str] = field(factory=list)
    orders: dict[int, list[str]] = field(factory=dict)
    head: tuple[int, str] = (0, "")
    events: int = 0

    @property
    def ok(self) -> bool:
        return not self.chain and not self.orders

    def lines(self) -> list[str]:
        out = list(self.chain)
        for order_id in sorted(self.orders):
            out += self.orders[order_id]
        return out


def _events_by_order(s: Session, report: Report) -> dict[int, list[dict[str, Any]]]:
    """Walk the deployment-wide chain, checking every hash; group events by order."""
    by_order: dict[int, list[dict[str, Any]]] = defaultdict(list)
    last_hash: dict[int, str] = {}
    last_seq: dict[int, int] = {}
    prev_log, expect = "", 1
    rows = s.execute(
        select(T_EVENT).order_by(T_EVENT.c.log_seq.is_(None), T_EVENT.c.log_seq, T_EVENT.c.id)
    ).mappings()
    for row in rows:
        e = dict(row)
        report.events += 1
        oid, seq, where = e["order_id"], e["seq"], f"order {e['order_id']} event {e['seq']}"
        by_order[oid].append(e)
        if e["log_seq"] is None:
            report.chain.append(
                f"{where} ({e['action']}) is outside the chain: it was inserted by hand"
            )
            continue
        if e["log_seq"] != expect:
            if e["log_seq"] > expect:
                report.chain.append(
                    f"the log skips from {expect - 1} to {e['log_seq']}: "
                    f"{e['log_seq'] - expect} event(s) were removed"
                )
            else:
                report.chain.append(f"{where}: log position {e['log_seq']} appears twice")
        if seq != last_seq.get(oid, 0) + 1:
            report.chain.append(
                f"{where} ({e['action']}) follows event {last_seq.get(oid, 0)}: "
                "events of the order were removed or reordered"
            )
        if event_hash(e, last_hash.get(oid, "")) != e["hash"]:
            report.chain.append(
                f"{where} ({e['action']}) does not match its hash: the event was rewritten"
            )
        if link_hash(prev_log, e["log_seq"], e["hash"]) != e["log_hash"]:
            report.chain.append(
                f"{where}: the deployment-wide chain breaks at log position {e['log_seq']}"
            )
        last_hash[oid], last_seq[oid] = e["hash"], seq
        prev_log, expect = e["log_hash"], e["log_seq"] + 1
    head = s.execute(select(T_HEAD.c.seq, T_HEAD.c.hash).where(T_HEAD.c.id == 1)).first()
    if head is None:
        report.chain.append("the chain head (wm_log_head) is missing")
    else:
        report.head = (int(head.seq), head.hash)
        if head.seq != expect - 1 or head.hash != prev_log:
            report.chain.append(
                f"the log ends at position {expect - 1} but its head says {head.seq}: "
                "events were removed from the end (or the log was emptied)"
            )
    for events in by_order.values():
        events.sort(key=lambda e: e["seq"])
    return by_order


def _rows(s: Session, table: Any, key: str = "order_id") -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in s.execute(select(table)).mappings():
        out[row[key]].append(dict(row))
    return out


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
        except (TypeError, ValueError):
            return False
    return a == b


def _differs(what: str, stored: Mapping[str, Any], want: Mapping[str, Any]) -> list[str]:
    return [
        f"{what} {k} is {stored.get(k)!r}, the events say {v!r}"
        for k, v in want.items()
        if not _close(stored.get(k), v)
    ]


def check_order(
    order_id: int,
    events: list[dict[str, Any]],
    rows: Mapping[str, list[dict[str, Any]]],
) -> list[str]:
    """Every difference between an order's stored rows and its events, one line each."""
    where = f"order {order_id}"
    if not events:
        tables = ", ".join(sorted(t for t, r in rows.items() if r))
        return [f"{where} has rows in {tables} but no events: its log was removed"]
    try:
        exp = expected(events)
    except (ReplayError, KeyError, TypeError, ValueError) as exc:
        return [f"{where}: its events do not replay: {exc}"]
    lines: list[str] = []
    (stored_order,) = rows["wm_order"] or [None]
    if stored_order is None:
        lines.append(f"{where}: its wm_order row is missing (the log has {len(events)} event(s))")
    else:
        lines += _differs(f"{where}: wm_order", stored_order, exp.order)
    parts = {p["seq"]: p for p in rows["wm_order_part"]}
    seq_of = {p["id"]: p["seq"] for p in rows["wm_order_part"]}
    for seq, want in exp.parts.items():
        if seq not in parts:
            lines.append(f"{where}: part {seq}'s wm_order_part row is missing")
            continue
        lines += _differs(f"{where}: part {seq}", parts[seq], want)
    for seq in sorted(set(parts) - set(exp.parts)):
        lines.append(f"{where}: part {seq} is in wm_order_part but not in the events")
    dispatches = {d["id"]: d for d in rows["wm_order_dispatch"]}
    for did, want in exp.dispatches.items():
        got = dispatches.get(did)
        if got is None:
            lines.append(f"{where}: dispatch {did} is missing from wm_order_dispatch")
            continue
        got = {**got, "part_seq": seq_of.get(got["part_id"])}
        keys = ("part_seq", "resource_key", "resource_kind", "dispatcher", "method", "outcome")
        lines += _differs(f"{where}: dispatch {did}", got, {k: want[k] for k in keys})
    for did in sorted(set(dispatches) - set(exp.dispatches)):
        lines.append(f"{where}: dispatch {did} is in wm_order_dispatch but not in the events")
    service = sorted(
        (seq_of.get(r["part_id"], -1), r["volunteer"], float(r["hours"]), r["resource_key"])
        for r in rows["wm_order_service"]
    )
    if service != sorted(exp.service):
        lines.append(
            f"{where}: wm_order_service holds {_fmt(service)}, the events say {_fmt(sorted(exp.service))}"
        )
    evaluations = sorted(
        (seq_of.get(r["part_id"], -1), r["resource_key"], r["rating"], r["comment"], r["rater"])
        for r in rows["wm_order_evaluation"]
    )
    if evaluations != sorted(exp.evaluations, key=repr):
        lines.append(
            f"{where}: wm_order_evaluation holds {_fmt(evaluations)}, "
            f"the events say {_fmt(sorted(exp.evaluations, key=repr))}"
        )
    slots = {r["dispatch_id"]: (r["resource_key"], r["day"]) for r in rows["wm_resource_slot"]}
    if slots != exp.slots():
        lines.append(
            f"{where}: wm_resource_slot holds {_fmt(sorted(slots.items()))}, "
            f"the events say {_fmt(sorted(exp.slots().items()))}"
        )
    return lines


def _fmt(items: Iterable[Any]) -> str:
    text = json.dumps(list(items), ensure_ascii=False, default=str)
    return text if len(text) <= 300 else text[:297] + "..."


DERIVED = {
    "wm_order": (T_ORDER, "id"),
    "wm_order_part": (T_PART, "order_id"),
    "wm_order_dispatch": (T_DISPATCH, "order_id"),
    "wm_order_service": (T_HOURS, "order_id"),
    "wm_order_evaluation": (T_EVAL, "order_id"),
    "wm_resource_slot": (T_SLOT, "order_id"),
}


def verify(
    storage: Storage, order_ids: Iterable[int] | None = None, *, anchor: str | None = None
) -> Report:
    """Check the chains, every derived table against the events, and orders whose rows
    (or events) vanished. ``anchor`` (``log_seq:log_hash``, as printed by an earlier
    verify) must still be in the log. Only reads."""
    report = Report()
    with storage.session() as s:
        by_order = _events_by_order(s, report)
        if anchor is not None:
            report.chain += _check_anchor(s, anchor)
        rows = {name: _rows(s, table, key) for name, (table, key) in DERIVED.items()}
    ids: set[int] = set(by_order)
    for name in rows:
        ids |= set(rows[name])
    if order_ids is not None:
        ids &= set(order_ids)
    for order_id in sorted(ids):
        lines = check_order(
            order_id,
            by_order.get(order_id, []),
            {name: rows[name].get(order_id, []) for name in rows},
        )
        if lines:
            report.orders[order_id] = lines
    return report


def _check_anchor(s: Session, anchor: str) -> list[str]:
    seq_text, _, hash_ = anchor.partition(":")
    if not seq_text.isdigit() or len(hash_) != 64:
        raise WorkflowError(f"--anchor must be LOG_SEQ:HASH as verify printed it, got {anchor!r}")
    found = s.execute(select(T_EVENT.c.log_hash).where(T_EVENT.c.log_seq == int(seq_text))).scalar()
    if found == hash_:
        return []
    if found is None:
        return [f"anchor {seq_text} is no longer in the log: the log was cut or replaced"]
    return [f"anchor {seq_text} has another hash now: the log was rewritten up to it"]
