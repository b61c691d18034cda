"""A volunteer's record (《志愿服务记录与证明出具办法》): its five classes — basic
information, service, training, awards, evaluation — and the classes plugins add; the
own-record export (PIPL art. 45); awards, evaluations and plugin entries; and the check
of every total against the event log."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlalchemy import func, select

from wenming.orders.errors import InvalidInput, NotFound
from wenming.orders.roles import Actor
from wenming.people import privacy
from wenming.people.records import RECORD_CLASSES
from wenming.people.tables import (
    Attendance,
    Course,
    PeopleEvent,
    ServiceRecord,
    Volunteer,
)
from wenming.people.views import ServiceRecordView

V = Volunteer.__table__
E = PeopleEvent.__table__
SR = ServiceRecord.__table__


class RecordBookMixin:
    """The record's classes, export and checks (mixed into ``People``)."""

    storage: Any
    config: Any
    ladder_name: str
    record_classes: dict[str, Any]
    ensure_ladder: Any
    _row: Any
    _view: Any
    _event: Any
    _record_view: Any

    def record(self, actor: Actor, vid: int, *, unmasked: bool = False) -> dict[str, Any]:
        """A volunteer's whole record in the five classes of 《志愿服务记录与证明出具办法》
        (basic information, service, training, awards, evaluation) and any classes the
        plugins add. Labelled a record (志愿服务记录), or a certificate (志愿服务证明) only
        when the deployment is the designated issuer."""
        privacy.may_read(actor, vid, "read records")
        self.ensure_ladder()
        with self.storage.engine.begin() as conn:
            basic = self._view(conn, actor, self._row(conn, vid), unmasked=unmasked)
            services = [
                self._record_view(r).as_dict()
                for r in conn.execute(select(SR).where(SR.c.volunteer_id == vid).order_by(SR.c.id))
            ]
            a, c = Attendance.__table__, Course.__table__
            training = [
                {"course": r.key, "name": r.name, "day": r.day.isoformat(), "hours": r.hours}
                for r in conn.execute(
                    select(c.c.key, c.c.name, a.c.day, a.c.hours)
                    .join(c, c.c.id == a.c.course_id)
                    .where(a.c.volunteer_id == vid)
                    .order_by(a.c.day)
                )
            ]
            events = conn.execute(
                select(E.c.kind, E.c.at, E.c.actor, E.c.reason, E.c.order_id, E.c.data)
                .where(E.c.volunteer_id == vid, E.c.kind.in_(("award", "evaluation", "record")))
                .order_by(E.c.id)
            ).all()
        by_kind: dict[str, list[dict[str, Any]]] = {"award": [], "evaluation": [], "record": []}
        for ev in events:
            by_kind[ev.kind].append(
                {"at": ev.at.isoformat(), "by": ev.actor, "order": ev.order_id, **(ev.data or {})}
            )
        extra: dict[str, list[dict[str, Any]]] = {k: [] for k in self.record_classes}
        for item in by_kind["record"]:
            extra.setdefault(item.get("class", "?"), []).append(item)
        designated = self.config.designated_issuer
        out = {
            "title": "志愿服务证明" if designated else "志愿服务记录",
            "kind": "certificate" if designated else "record",
            "ladder": self.ladder_name,
            "basic": basic.as_dict(),
            "service": {
                "hours": basic.service_hours,
                "star_level": basic.star_level,
                "records": services,
            },
            "training": {"hours": basic.training_hours, "courses": training},
            "awards": by_kind["award"],
            "evaluation": by_kind["evaluation"],
        }
        if extra:
            out["extra"] = extra
        assert all(k in out for k in RECORD_CLASSES)
        return out

    def export(self, actor: Actor, vid: int, fmt: str = "json") -> str:
        """The volunteer's own record, unmasked, as JSON or CSV (PIPL art. 45)."""
        privacy.may_export_or_erase(actor, vid, "export")
        if fmt not in ("json", "csv"):
            raise InvalidInput(f"format must be json or csv, got {fmt!r}")
        data = self.record(actor, vid, unmasked=True)
        if fmt == "json":
            return json.dumps(data, ensure_ascii=False, indent=2, default=str)
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["class", "field", "value"])
        for section in RECORD_CLASSES:
            _flatten(writer, section, "", data[section])
        for name, items in data.get("extra", {}).items():
            _flatten(writer, name, "", items)
        return buf.getvalue()

    # ------------------------------------------------------------------ reading

    def service_records(
        self, *, order_id: int | None = None, volunteer_id: int | None = None
    ) -> list[ServiceRecordView]:
        """Sign-ins of an order or of a volunteer (no personal data: no positions)."""
        stmt = select(SR)
        if order_id is not None:
            stmt = stmt.where(SR.c.order_id == order_id)
        if volunteer_id is not None:
            stmt = stmt.where(SR.c.volunteer_id == volunteer_id)
        with self.storage.engine.connect() as conn:
            return [self._record_view(r) for r in conn.execute(stmt.order_by(SR.c.id))]

    def verify(self) -> list[str]:
        """Compare every volunteer's service hours with carried hours plus the confirmed
        and corrected hours of the event log; the mismatches, if any."""
        with self.storage.engine.connect() as conn:
            sums = dict(
                conn.execute(
                    select(E.c.volunteer_id, func.sum(E.c.hours))
                    .where(E.c.kind.in_(("confirm", "correct")))
                    .group_by(E.c.volunteer_id)
                ).all()
            )
            wrong = []
            seen = set()
            for vid, carried, total in conn.execute(
                select(V.c.id, V.c.carried_hours, V.c.service_hours).where(
                    V.c.service_hours != V.c.carried_hours
                )
            ):
                seen.add(vid)
                expected = carried + float(sums.get(vid) or 0.0)
                if abs(expected - total) > 1e-6:
                    wrong.append(f"volunteer {vid}: {total:g} h recorded, events say {expected:g}")
            for vid, hours in sums.items():
                if vid not in seen and abs(float(hours or 0)) > 1e-6:
                    wrong.append(f"volunteer {vid}: no hours recorded, events say {hours:g} more")
            return wrong

    # ------------------------------------------------------------------ other classes

    def award(self, actor: Actor, volunteer_id: int, title: str, *, reason: str = "") -> None:
        """Record an award or commendation (the record's awards class)."""
        privacy.may_award(actor)
        if not title.strip():
            raise InvalidInput("an award needs a title")
        with self.storage.engine.begin() as conn:
            self._row(conn, volunteer_id)
            self._event(
                conn,
                actor,
                "award",
                volunteer_id=volunteer_id,
                reason=reason,
                data={"title": title},
            )

    def evaluate_volunteer(
        self, actor: Actor, volunteer_id: int, order_id: int, rating: int, comment: str = ""
    ) -> None:
        """The part's team leader evaluates a volunteer's service (the evaluation class)."""
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise InvalidInput(f"rating must be a whole number 1–5, got {rating!r}")
        with self.storage.engine.begin() as conn:
            recs = conn.execute(
                select(SR).where(SR.c.volunteer_id == volunteer_id, SR.c.order_id == order_id)
            ).all()
            if not recs:
                raise NotFound(f"volunteer {volunteer_id} did not serve on order {order_id}")
            privacy.may_confirm(actor, recs[0].team, "evaluate")
            self._event(
                conn,
                actor,
                "evaluation",
                volunteer_id=volunteer_id,
                order_id=order_id,
                part_seq=recs[0].part_seq,
                team=recs[0].team,
                data={"rating": rating, "comment": comment},
            )

    def add_record(
        self, actor: Actor, volunteer_id: int, record_class: str, data: dict[str, Any]
    ) -> None:
        """An entry of a plugin's record class (``health.blood_donation`` …)."""
        if record_class not in self.record_classes:
            raise InvalidInput(
                f"no record class {record_class!r} "
                f"(contributed: {', '.join(sorted(self.record_classes)) or 'none'})"
            )
        privacy.may_award(actor)
        with self.storage.engine.begin() as conn:
            self._row(conn, volunteer_id)
            self._event(
                conn,
                actor,
                "record",
                volunteer_id=volunteer_id,
                data={"class": record_class, **data},
            )


def _flatten(writer: Any, section: str, prefix: str, value: Any) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(writer, section, f"{prefix}.{k}" if prefix else str(k), v)
    elif isinstance(value, list | tuple):
        if not value:
            writer.writerow([section, prefix, ""])
        for i, v in enumerate(value, 1):
            _flatten(writer, section, f"{prefix}[{i}]" if prefix else f"[{i}]", v)
    else:
        writer.writerow([section, prefix, "" if value is None else value])
