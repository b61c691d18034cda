"""Service records: sign-in and sign-out per order part, hours confirmed by the team
leader, corrections as new events; awards, evaluations and plugin record classes.

Order parts are read through the workflow's public API (:class:`Workflow.order`):
the people side never writes the order tables. Each call here is one transaction on
the people tables; confirming hours also moves the volunteer's total, their star level
and the star counts in that same transaction, and the observers
(``after_hours_confirmed``, ``after_level_changed``) are told after the commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select, update

from wenming.orders.errors import IllegalTransition, InvalidInput, NotFound
from wenming.orders.roles import Actor
from wenming.people import privacy, stars
from wenming.people.records import HoursConfirmed, LevelChanged
from wenming.people.tables import PeopleEvent, ServiceRecord, Volunteer, VolunteerTeam
from wenming.people.views import ServiceRecordView

if TYPE_CHECKING:
    from wenming.orders.views import OrderView, PartView

log = logging.getLogger("wenming.people")

V = Volunteer.__table__
T = VolunteerTeam.__table__
E = PeopleEvent.__table__
SR = ServiceRecord.__table__
#: Part states a volunteer may sign in to, and sign out of.
SIGNIN_STATES = ("accepted", "in_service")
SIGNOUT_STATES = ("accepted", "in_service", "completed")
CONFIRM_STATES = ("in_service", "completed")
MAX_MINUTES = 24 * 60

Position = tuple[float, float]


def _position(value: Position | None) -> tuple[float | None, float | None]:
    if value is None:
        return None, None
    lng, lat = value
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise InvalidInput(f"position must be (longitude, latitude), got {value!r}")
    return float(lng), float(lat)


class HoursMixin:
    """Sign-in, sign-out, confirmation and corrections (mixed into ``People``)."""

    # provided by People
    storage: Any
    clock: Any
    ladder: Any
    ladder_name: str
    deployment: Any
    event_observers: list[Any]
    record_classes: dict[str, Any]
    workflow: Any
    hours_for: Any
    _row: Any
    _teams: Any
    ensure_ladder: Any

    # ------------------------------------------------------------------ parts

    def _part(self, order: OrderView, seq: int | None, teams: Sequence[str]) -> PartView:
        if seq is not None:
            try:
                return order.part(seq)
            except KeyError:
                raise NotFound(f"order {order.id} has no part {seq}") from None
        if len(order.parts) == 1:
            return order.parts[0]
        mine = [p for p in order.parts if p.resource in teams]
        if len(mine) == 1:
            return mine[0]
        listed = ", ".join(f"{p.seq} {p.resource or '-'}" for p in order.parts)
        raise InvalidInput(
            f"order {order.id} has {len(order.parts)} parts: name the part ({listed})"
        )

    def _event(self, conn: Connection, actor: Actor, kind: str, **values: Any) -> int:
        values.setdefault("data", {})
        values["at"] = values.pop("at", None) or self.clock()
        eid = conn.execute(
            insert(E).values(kind=kind, actor=actor.id, role=actor.role, **values).returning(E.c.id)
        ).scalar_one()
        if self.event_observers:
            event = {"source": "people", "id": eid, "kind": kind, **values}
            for observe in self.event_observers:
                observe(self.deployment, conn, [event])
        return eid

    # ------------------------------------------------------------------ sign-in / out

    def sign_in(
        self,
        actor: Actor,
        volunteer_id: int,
        order_id: int,
        *,
        part: int | None = None,
        at: dt.datetime | None = None,
        position: Position | None = None,
    ) -> ServiceRecordView:
        """Sign a volunteer in to an order part their team has accepted."""
        at = _aware(at or self.clock())
        lng, lat = _position(position)
        order = self.workflow.order(order_id)
        with self.storage.engine.begin() as conn:
            row = self._row(conn, volunteer_id)
            teams = self._teams(conn, volunteer_id)
            p = self._part(order, part, teams)
            team = p.resource or ""
            privacy.may_sign(actor, volunteer_id, team, "sign in")
            if row.status != "active":
                raise IllegalTransition(f"volunteer {volunteer_id} is anonymised")
            if p.state not in SIGNIN_STATES:
                raise IllegalTransition(
                    f"order {order_id} part {p.seq} is {p.state}: volunteers sign in only to a "
                    "part its team has accepted or started"
                )
            if team not in teams:
                raise IllegalTransition(
                    f"volunteer {volunteer_id} is not a member of {team}, the team of order "
                    f"{order_id} part {p.seq}"
                )
            found = conn.execute(
                select(SR.c.id, SR.c.status).where(
                    SR.c.volunteer_id == volunteer_id,
                    SR.c.order_id == order_id,
                    SR.c.part_seq == p.seq,
                )
            ).first()
            if found is not None:
                raise IllegalTransition(
                    f"volunteer {volunteer_id} already signed in to order {order_id} part "
                    f"{p.seq} ({found.status})"
                )
            dept = p.department or self.deployment.registry.department_of(team)
            station = order.site or order.place
            rid = conn.execute(
                insert(SR)
                .values(
                    volunteer_id=volunteer_id,
                    order_id=order_id,
                    part_seq=p.seq,
                    team=team,
                    department=dept,
                    station_code=station,
                    signin_at=at,
                    signin_lng=lng,
                    signin_lat=lat,
                    status="signed_in",
                )
                .returning(SR.c.id)
            ).scalar_one()
            self._event(
                conn,
                actor,
                "signin",
                at=at,
                volunteer_id=volunteer_id,
                order_id=order_id,
                part_seq=p.seq,
                team=team,
                department=dept,
                station_code=station,
                data={"record": rid, "position": position is not None},
            )
            return self._record_view(conn.execute(select(SR).where(SR.c.id == rid)).one())

    def sign_out(
        self,
        actor: Actor,
        volunteer_id: int,
        order_id: int,
        *,
        part: int | None = None,
        at: dt.datetime | None = None,
        position: Position | None = None,
    ) -> ServiceRecordView:
        """Sign a volunteer out; the minutes are rounded to hours by the deployment's rule."""
        at = _aware(at or self.clock())
        lng, lat = _position(position)
        order = self.workflow.order(order_id)
        with self.storage.engine.begin() as conn:
            teams = self._teams(conn, volunteer_id)
            p = self._part(order, part, teams)
            rec = self._open_record(conn, volunteer_id, order_id, p.seq)
            privacy.may_sign(actor, volunteer_id, rec.team, "sign out")
            if rec.status != "signed_in":
                raise IllegalTransition(
                    f"volunteer {volunteer_id} already signed out of order {order_id} part {p.seq}"
                )
            if p.state not in SIGNOUT_STATES:
                raise IllegalTransition(
                    f"order {order_id} part {p.seq} is {p.state}: nothing to sign out of"
                )
            minutes = int((at - rec.signin_at).total_seconds() // 60)
            if minutes < 0:
                raise InvalidInput(
                    f"sign-out at {at.isoformat()} is before the sign-in at "
                    f"{rec.signin_at.isoformat()}"
                )
            if minutes > MAX_MINUTES:
                raise InvalidInput(
                    f"{minutes} minutes between sign-in and sign-out: more than a day; the "
                    "team leader records it as a correction"
                )
            hours = self.hours_for(minutes)
            conn.execute(
                update(SR)
                .where(SR.c.id == rec.id)
                .values(
                    signout_at=at,
                    signout_lng=lng,
                    signout_lat=lat,
                    minutes=minutes,
                    hours=hours,
                    status="signed_out",
                )
            )
            self._event(
                conn,
                actor,
                "signout",
                at=at,
                volunteer_id=volunteer_id,
                order_id=order_id,
                part_seq=p.seq,
                team=rec.team,
                department=rec.department,
                station_code=rec.station_code,
                data={
                    "record": rec.id,
                    "minutes": minutes,
                    "hours": hours,
                    "position": position is not None,
                },
            )
            return self._record_view(conn.execute(select(SR).where(SR.c.id == rec.id)).one())

    def _open_record(self, conn: Connection, vid: int, order_id: int, seq: int) -> Any:
        rec = conn.execute(
            select(SR).where(
                SR.c.volunteer_id == vid, SR.c.order_id == order_id, SR.c.part_seq == seq
            )
        ).first()
        if rec is None:
            raise NotFound(f"volunteer {vid} has not signed in to order {order_id} part {seq}")
        return rec

    # ------------------------------------------------------------------ confirm / correct

    def confirm(
        self,
        actor: Actor,
        order_id: int,
        *,
        part: int | None = None,
        volunteers: Sequence[int] | None = None,
    ) -> list[ServiceRecordView]:
        """The part's team leader confirms the hours of every volunteer signed out (or of
        ``volunteers``); totals, star levels and counts move in the same transaction."""
        self.ensure_ladder()
        order = self.workflow.order(order_id)
        p = self._part(order, part, [actor.team] if actor.team else [])
        privacy.may_confirm(actor, p.resource or "")
        if p.state not in CONFIRM_STATES:
            raise IllegalTransition(
                f"order {order_id} part {p.seq} is {p.state}: hours are confirmed once service "
                "has started, and never for a cancelled or expired part"
            )
        at = self.clock()
        confirmed: list[HoursConfirmed] = []
        moved: list[LevelChanged] = []
        with self.storage.engine.begin() as conn:
            stmt = select(SR).where(
                SR.c.order_id == order_id, SR.c.part_seq == p.seq, SR.c.status == "signed_out"
            )
            if volunteers is not None:
                stmt = stmt.where(SR.c.volunteer_id.in_(list(volunteers)))
            records = conn.execute(stmt.order_by(SR.c.id)).all()
            if volunteers is not None:
                missing = set(volunteers) - {r.volunteer_id for r in records}
                if missing:
                    raise IllegalTransition(
                        f"nothing to confirm for volunteer(s) {', '.join(map(str, sorted(missing)))} "
                        f"on order {order_id} part {p.seq}: not signed out, or already confirmed"
                    )
            if not records:
                raise IllegalTransition(
                    f"nothing to confirm on order {order_id} part {p.seq}: no volunteer is "
                    "signed out and unconfirmed"
                )
            for rec in records:
                hours = self.hours_for(rec.minutes or 0)
                updated = conn.execute(
                    update(SR)
                    .where(SR.c.id == rec.id, SR.c.status == "signed_out")
                    .values(status="confirmed", confirmed_hours=hours, hours=hours)
                ).rowcount
                if updated != 1:
                    raise IllegalTransition(
                        f"volunteer {rec.volunteer_id}'s hours on order {order_id} part {p.seq} "
                        "were confirmed meanwhile"
                    )
                self._credit(conn, actor, rec, hours, at, "confirm", "", confirmed, moved)
        self._observe(confirmed, moved)
        with self.storage.engine.connect() as conn:
            ids = [r.id for r in records]
            return [
                self._record_view(r)
                for r in conn.execute(select(SR).where(SR.c.id.in_(ids)).order_by(SR.c.id))
            ]

    def correct(
        self,
        actor: Actor,
        volunteer_id: int,
        order_id: int,
        hours: float,
        reason: str,
        *,
        part: int | None = None,
    ) -> ServiceRecordView:
        """Correct confirmed hours: a new event carries the difference; nothing is edited
        in the log. Only the part's team leader, and only with a reason."""
        if not reason or not reason.strip():
            raise InvalidInput("a correction needs a reason")
        if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 <= hours <= 24:
            raise InvalidInput(f"hours must be 0–24, got {hours!r}")
        self.ensure_ladder()
        order = self.workflow.order(order_id)
        at = self.clock()
        confirmed: list[HoursConfirmed] = []
        moved: list[LevelChanged] = []
        with self.storage.engine.begin() as conn:
            p = self._part(order, part, self._teams(conn, volunteer_id))
            rec = self._open_record(conn, volunteer_id, order_id, p.seq)
            privacy.may_confirm(actor, rec.team, "correct")
            if rec.status != "confirmed":
                raise IllegalTransition(
                    f"volunteer {volunteer_id}'s hours on order {order_id} part {p.seq} are not "
                    "confirmed yet: confirm them first"
                )
            delta = float(hours) - float(rec.confirmed_hours or 0)
            if delta == 0:
                raise InvalidInput(f"the confirmed hours are already {hours:g}")
            conn.execute(update(SR).where(SR.c.id == rec.id).values(confirmed_hours=float(hours)))
            self._credit(conn, actor, rec, delta, at, "correct", reason, confirmed, moved)
        self._observe(confirmed, moved)
        with self.storage.engine.connect() as conn:
            return self._record_view(conn.execute(select(SR).where(SR.c.id == rec.id)).one())

    def _credit(
        self,
        conn: Connection,
        actor: Actor,
        rec: Any,
        hours: float,
        at: dt.datetime,
        kind: str,
        reason: str,
        confirmed: list[HoursConfirmed],
        moved: list[LevelChanged],
    ) -> None:
        total, before, after = stars.apply_hours(conn, self.ladder, rec.volunteer_id, hours)
        self._event(
            conn,
            actor,
            kind,
            at=at,
            volunteer_id=rec.volunteer_id,
            order_id=rec.order_id,
            part_seq=rec.part_seq,
            team=rec.team,
            department=rec.department,
            station_code=rec.station_code,
            hours=hours,
            ref_id=None,
            reason=reason,
            data={"record": rec.id, "minutes": rec.minutes, "total": total},
        )
        confirmed.append(
            HoursConfirmed(
                volunteer_id=rec.volunteer_id,
                order_id=rec.order_id,
                part_seq=rec.part_seq,
                team=rec.team,
                department=rec.department,
                station=rec.station_code,
                hours=hours,
                total_hours=total,
                actor=actor.id,
                at=at,
                correction=kind == "correct",
            )
        )
        if after != before:
            self._event(
                conn,
                actor,
                "level",
                at=at,
                volunteer_id=rec.volunteer_id,
                data={"ladder": self.ladder_name, "before": before, "after": after, "total": total},
            )
            moved.append(
                LevelChanged(
                    volunteer_id=rec.volunteer_id,
                    ladder=self.ladder_name,
                    before=before,
                    after=after,
                    total_hours=total,
                    at=at,
                )
            )

    def _observe(self, confirmed: list[HoursConfirmed], moved: list[LevelChanged]) -> None:
        """Tell the observers, one plugin at a time; one that raises is logged."""
        pm = self.deployment.pm
        for hook, arg, items in (
            ("after_hours_confirmed", "confirmation", confirmed),
            ("after_level_changed", "change", moved),
        ):
            impls = [
                i
                for i in reversed(getattr(pm.hook, hook).get_hookimpls())
                if not (i.hookwrapper or i.wrapper)
            ]
            for item in items:
                for impl in impls:
                    try:
                        impl.function(**{n: item for n in impl.argnames if n == arg})
                    except Exception:
                        log.exception(
                            "%s observer of plugin %r raised for volunteer %s; the hours stand",
                            hook,
                            impl.plugin_name,
                            item.volunteer_id,
                        )

    # ------------------------------------------------------------------ reading

    def _record_view(self, r: Any) -> ServiceRecordView:
        return ServiceRecordView(
            id=r.id,
            volunteer_id=r.volunteer_id,
            order_id=r.order_id,
            part=r.part_seq,
            team=r.team,
            department=r.department,
            station=r.station_code,
            signin_at=r.signin_at,
            signout_at=r.signout_at,
            minutes=r.minutes,
            hours=r.hours,
            confirmed_hours=r.confirmed_hours,
            status=r.status,
        )


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise InvalidInput(f"time {value.isoformat()} has no time zone")
    return value.astimezone(dt.UTC)
