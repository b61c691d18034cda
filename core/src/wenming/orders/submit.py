"""点单 submit: normalising a request against the registry, idempotency, creating the
order (and, ordering from supply, its direct dispatch) through the journal.

``description`` keeps the requester's own words with the order (free-text intake
parses them before this step and passes them on unchanged).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from wenming.orders import decide as core
from wenming.orders import inputs, roles, states
from wenming.orders.context import Context
from wenming.orders.dispatch import Choice, Dispatching
from wenming.orders.errors import InvalidInput
from wenming.orders.inputs import check_code, months_between, qualify
from wenming.orders.journal import T_ORDER, Loaded, transition
from wenming.orders.roles import Actor
from wenming.orders.views import OrderView, ResourceView

if TYPE_CHECKING:
    from wenming.orders.reads import Reads
    from wenming.orders.supply import Supply

_BY_KEY = select(T_ORDER.c.id, T_ORDER.c.request_hash).where(
    T_ORDER.c.idempotency_key == bindparam("key")
)


class Intake:
    """Turns a request into a submitted order."""

    def __init__(
        self, ctx: Context, supply: Supply, dispatching: Dispatching, reads: Reads
    ) -> None:
        self.ctx = ctx
        self.supply = supply
        self.dispatching = dispatching
        self.reads = reads

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
        inputs.submit(self.ctx.storage, actor.id, locals())  # valid ranges, real divisions
        request, parts = self.normalise(
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
            direct = self.supply.resource(resource)
            check_direct(direct, request)
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
        with self.ctx.storage.engine.connect() as conn:
            row = conn.execute(_BY_KEY, {"key": key}).first()
        if row is None:
            return None
        if row.request_hash != digest:
            raise InvalidInput(
                f"idempotency key {key!r} was used for order {row.id} with a different request"
            )
        return self.reads.order(row.id)

    def normalise(self, **req: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Check and qualify a request against the registry; return it and its parts."""
        registry = self.ctx.registry
        tmpl = None
        own = "core"
        if req["template"] is not None:
            tid = qualify(registry, "templates", req["template"], "template", "core")
            tmpl = registry.templates[tid]
            req["template"] = tid
            own = registry.owner(tid)
        if req["category"] is None:
            if tmpl is None:
                raise InvalidInput("category is required (or give a template)")
            req["category"] = tmpl.category
        req["category"] = qualify(registry, "categories", req["category"], "category", own)
        if not req["audiences"] and tmpl is not None:
            req["audiences"] = tmpl.audiences
        req["audiences"] = [
            qualify(registry, "audiences", a, "audiences", own) for a in req["audiences"]
        ]
        if not req["tags"] and tmpl is not None:
            req["tags"] = tmpl.tags
        req["tags"] = [str(t) for t in req["tags"]]
        if req["channel"] not in states.CHANNELS:
            raise InvalidInput(
                f"channel must be one of {', '.join(states.CHANNELS)}, got {req['channel']!r}"
            )
        check_code("place", req["place"])
        if req["site"] is not None:
            check_code("site", req["site"])
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
            if d not in registry.departments:
                raise InvalidInput(
                    f"departments: {d!r} is not installed "
                    f"(installed: {', '.join(registry.departments) or 'none'})"
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

    def _create(
        self,
        actor: Actor,
        request: dict[str, Any],
        parts: list[dict[str, Any]],
        digest: str,
        idempotency_key: str | None,
        direct: ResourceView | None,
    ) -> OrderView:
        journal = self.ctx.journal
        at = self.ctx.now()
        (submit,) = core.decide(None, core.Submit(actor, request, parts), at)
        # The hooks see the submission before anything is written (order_id 0: no ID yet).
        journal.vet(None, [submit])
        with journal.transaction() as conn:
            row = {
                "idempotency_key": idempotency_key,
                "request_hash": digest,
                "requester": actor.id,
                "requester_role": actor.role,
                "site_code": request["site"],
                "channel": request["channel"],
                "category": request["category"],
                "tags": request["tags"],
                "audiences": request["audiences"],
                "headcount": request["headcount"],
                "place_code": request["place"],
                "lng": request["lng"],
                "lat": request["lat"],
                "window_start": request["start"],
                "window_end": request["end"],
                "description": request["description"],
                "template": request["template"],
                "joint": request["joint"],
                "state": "submitted",
                "version": 0,  # the journal's append moves it to the events' last seq
                "created_at": at,
                "updated_at": at,
                "state_since": at,
            }
            order_id, rows = self._insert(conn, row, parts, at)
            row["id"] = order_id
            submit = submit.evolve(order_id=order_id)
            if idempotency_key is not None:  # kept in the log, so repair can restore it
                submit = submit.evolve(data={**submit.data, "key": idempotency_key})
            loaded = Loaded(row, rows, None)
            steps: list[Any] = [(submit, None)]
            if direct is not None:
                snap = core.evolve(None, submit)
                for p in rows:
                    snap.parts[p["seq"]].id = p["id"]
                choice = Choice(key=direct.key, part=1, method="direct")
                steps.append(
                    self.dispatching.step(
                        conn, snap, actor, choice, "ordered from supply", at, direct=True
                    )
                )
                journal.vet(loaded, [steps[-1][0]])
            after = journal.append(conn, loaded, steps)
        if journal.hooked:
            journal.observe([transition(e, after.part_id(e.part_seq)) for e, _ in steps])
        return self.reads.view(after.row, after.parts, self.ctx.now())

    def _insert(
        self, conn: Any, row: dict[str, Any], parts: list[dict[str, Any]], at: dt.datetime
    ) -> tuple[int, list[dict[str, Any]]]:
        """Insert the order and its parts; return its ID and the part rows. On
        PostgreSQL the parts name the order by ``currval`` of its ID sequence, so all
        go in one round trip."""
        sql = self.ctx.journal.sql
        rows = [{**p, "state": "pending", "excluded": [], "state_since": at} for p in parts]
        if sql.pg:
            order = sql.insert_later(conn, "wm_order", row)
            sent = [sql.insert_later(conn, "wm_order_part", r, _CURRENT_ORDER) for r in rows]
            order_id = sql.rows(conn, order)[0][0]
            ids = [sql.rows(conn, s)[0][0] for s in sent]
        else:
            order_id = sql.insert(conn, "wm_order", row)
            ids = [sql.insert(conn, "wm_order_part", {**r, "order_id": order_id}) for r in rows]
        for r, part_id in zip(rows, ids, strict=True):
            r.update(order_id=order_id, id=part_id, resource_key=None, dispatch_id=None)
        return order_id, rows


#: PostgreSQL: the ID this session's last order insert took.
_CURRENT_ORDER = {"order_id": "currval(pg_get_serial_sequence('wm_order', 'id'))"}


def check_direct(res: ResourceView, request: Mapping[str, Any]) -> None:
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
        months = months_between(request["start"], request["end"])
        if not months <= set(res.months):
            raise InvalidInput(
                f"resource {res.key} runs in months {', '.join(map(str, res.months))}; "
                f"the order's window {request['start']}–{request['end']} falls outside"
            )


def _digest(request: Mapping[str, Any]) -> str:
    text = json.dumps(core.jsonable(dict(request)), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
