"""Repair: rebuild the derived rows of damaged orders from an event log that verifies.

:func:`wenming.orders.integrity.verify` finds what differs from the events; :func:`repair`
writes the rows the events say (orders, parts, dispatches, hours, evaluations, daily
slots) again, order by order, in one transaction. It refuses when the log itself is
damaged: then nothing the log says can be trusted to rebuild from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select

from wenming.orders.integrity import (
    T_DISPATCH,
    T_EVAL,
    T_EVENT,
    T_HOURS,
    T_ORDER,
    T_PART,
    T_SLOT,
    IntegrityError,
    expected,
    verify,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from wenming.storage import Storage


def repair(storage: Storage, order_ids: Iterable[int] | None = None) -> list[int]:
    """Rebuild the derived rows of every order that differs from its events (or of
    ``order_ids``), from a log that verifies; returns the orders rebuilt. Refuses when
    the log itself is damaged. Orders with rows but no events are left for a person to
    judge (reported by verify)."""
    report = verify(storage, order_ids)
    if report.chain:
        raise IntegrityError(
            f"the event log is damaged ({len(report.chain)} problem(s), first: "
            f"{report.chain[0]}); derived state cannot be rebuilt from it"
        )
    done: list[int] = []
    with storage.session() as s:
        for order_id, _lines in sorted(report.orders.items()):
            events = [
                dict(r)
                for r in s.execute(
                    select(T_EVENT).where(T_EVENT.c.order_id == order_id).order_by(T_EVENT.c.seq)
                ).mappings()
            ]
            if not events:
                continue
            _rebuild(s, order_id, events)
            done.append(order_id)
    return done


def _rebuild(s: Session, order_id: int, events: list[dict[str, Any]]) -> None:
    exp = expected(events)
    old = s.execute(select(T_ORDER).where(T_ORDER.c.id == order_id)).mappings().first()
    part_ids = dict(
        s.execute(select(T_PART.c.seq, T_PART.c.id).where(T_PART.c.order_id == order_id)).all()
    )
    explanations = dict(
        s.execute(
            select(T_DISPATCH.c.id, T_DISPATCH.c.explanation).where(
                T_DISPATCH.c.order_id == order_id
            )
        ).all()
    )
    for table in (T_HOURS, T_EVAL, T_SLOT, T_DISPATCH, T_PART):
        s.execute(delete(table).where(table.c.order_id == order_id))
    s.execute(delete(T_ORDER).where(T_ORDER.c.id == order_id))
    first, last = events[0], events[-1]
    since = max(
        (
            e["at"]
            for e in events
            if e["to_state"] == exp.order["state"] and e["from_state"] != e["to_state"]
        ),
        default=first["at"],
    )
    request = first["data"]["order"]
    digest = hashlib.sha256(
        json.dumps(
            {**request, "requester": first["actor"], "role": first["role"]},
            sort_keys=True,
            ensure_ascii=False,
        ).encode("utf-8")
    ).hexdigest()
    s.execute(
        insert(T_ORDER).values(
            **exp.order,
            idempotency_key=(old or {}).get("idempotency_key") or first["data"].get("key"),
            request_hash=(old or {}).get("request_hash") or digest,
            created_at=first["at"],
            updated_at=last["at"],
            state_since=since,
        )
    )
    part_since: dict[int, dt.datetime] = {}
    for e in events:
        if e["part_seq"] is not None:
            part_since[e["part_seq"]] = e["at"]
        elif e["action"] in ("cancel", "expire"):
            part_since = dict.fromkeys(exp.parts, e["at"]) | {}
    for seq, p in exp.parts.items():
        values = {
            **p,
            "order_id": order_id,
            "seq": seq,
            "state_since": part_since.get(seq, first["at"]),
        }
        if seq in part_ids:
            values["id"] = part_ids[seq]
        part_ids[seq] = s.execute(
            insert(T_PART).values(**values).returning(T_PART.c.id)
        ).scalar_one()
    for did, d in exp.dispatches.items():
        values = {k: v for k, v in d.items() if k != "part_seq"}
        s.execute(
            insert(T_DISPATCH).values(
                id=did,
                order_id=order_id,
                part_id=part_ids[d["part_seq"]],
                explanation=explanations.get(did) or {},
                **values,
            )
        )
    complete_at = {e["part_seq"]: e["at"] for e in events if e["action"] == "complete"}
    if exp.service:
        s.execute(
            insert(T_HOURS),
            [
                {
                    "order_id": order_id,
                    "part_id": part_ids[seq],
                    "resource_key": key,
                    "department": exp.parts[seq]["department"] or _department(key),
                    "volunteer": name,
                    "hours": hours,
                    "at": complete_at.get(seq, last["at"]),
                }
                for seq, name, hours, key in exp.service
            ],
        )
    evaluated_at = next((e["at"] for e in events if e["action"] == "evaluate"), last["at"])
    if exp.evaluations:
        s.execute(
            insert(T_EVAL),
            [
                {
                    "order_id": order_id,
                    "part_id": part_ids[seq],
                    "resource_key": key,
                    "department": exp.parts[seq]["department"] or _department(key),
                    "rating": rating,
                    "comment": comment,
                    "rater": rater,
                    "at": evaluated_at,
                }
                for seq, key, rating, comment, rater in exp.evaluations
            ],
        )
    for did, (key, day) in exp.slots().items():
        used = set(
            s.execute(
                select(T_SLOT.c.slot).where(T_SLOT.c.resource_key == key, T_SLOT.c.day == day)
            ).scalars()
        )
        number = next(n for n in range(len(used) + 1) if n not in used)
        s.execute(
            insert(T_SLOT).values(
                resource_key=key, day=day, slot=number, order_id=order_id, dispatch_id=did
            )
        )


def _department(key: str | None) -> str | None:
    """A resource key's department prefix (``unit`` resources have none)."""
    if key is None:
        return None
    prefix = key.split(".", 1)[0]
    return None if prefix == "unit" else prefix
