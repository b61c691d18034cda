"""Practice guides (文明实践指导员) and training courses: a course grants training hours
(kept apart from service hours) and may grant a certificate, which becomes one of the
volunteer's certifications (with its expiry) — what certification rules read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from wenming.orders.errors import InvalidInput, NotFound
from wenming.orders.roles import Actor
from wenming.people import privacy, stars
from wenming.people.tables import Attendance, Course, Guide, PeopleEvent
from wenming.records import NAME_RE

G = Guide.__table__
C = Course.__table__
A = Attendance.__table__
E = PeopleEvent.__table__
#: Course types: the seed's training lines (online shared classroom, on-site training,
#: guides' own courses) and certified skills courses.
COURSE_TYPES = ("online", "onsite", "guide", "skills")


class CoursesMixin:
    """Guides, courses and attendance (mixed into ``People``)."""

    storage: Any
    clock: Any
    registry: Any
    ladder: Any
    _row: Any
    _event: Any
    add_credential: Any

    def appoint_guide(
        self, actor: Actor, guide_id: str, name: str, area: str, *, department: str | None = None
    ) -> dict[str, Any]:
        """Appoint a practice guide for an area (a division code); they act with role
        ``guide`` and ``area`` set to it."""
        privacy.may_appoint_guides(actor)
        if not name.strip() or not area.isdigit():
            raise InvalidInput("a guide needs a name and an area (a division code)")
        if department is not None and department not in self.registry.departments:
            raise InvalidInput(f"no department {department!r} is installed")
        with self.storage.engine.begin() as conn:
            try:
                conn.execute(
                    insert(G).values(
                        actor_id=guide_id,
                        name=name,
                        area=area,
                        department=department,
                        since=self.clock(),
                    )
                )
            except IntegrityError:
                raise InvalidInput(f"guide {guide_id} is already appointed") from None
        return {"id": guide_id, "name": name, "area": area, "department": department}

    def guides(self, *, area: str | None = None) -> list[dict[str, Any]]:
        """Practice guides, optionally those whose area lies inside ``area``."""
        stmt = select(G.c.actor_id, G.c.name, G.c.area, G.c.department).order_by(G.c.actor_id)
        if area:
            stmt = stmt.where(G.c.area.startswith(area))
        with self.storage.engine.connect() as conn:
            return [
                {"id": r.actor_id, "name": r.name, "area": r.area, "department": r.department}
                for r in conn.execute(stmt)
            ]

    def add_course(
        self,
        actor: Actor,
        key: str,
        name: str,
        *,
        course_type: str,
        hours: float,
        certificate: str | None = None,
        valid_days: int | None = None,
        department: str | None = None,
    ) -> dict[str, Any]:
        """Add a training course: its type, hours, and the certificate it grants."""
        privacy.may_manage_courses(actor, department)
        if not NAME_RE.match(key.replace(".", "_")):
            raise InvalidInput(f"course key must be a lower-case identifier, got {key!r}")
        if course_type not in COURSE_TYPES:
            raise InvalidInput(f"course type must be one of {', '.join(COURSE_TYPES)}")
        if not 0 < hours <= 200:
            raise InvalidInput(f"course hours must be in (0, 200], got {hours!r}")
        if valid_days is not None and (certificate is None or valid_days < 1):
            raise InvalidInput("valid_days needs a certificate and must be at least 1")
        with self.storage.engine.begin() as conn:
            try:
                conn.execute(
                    insert(C).values(
                        key=key,
                        name=name,
                        course_type=course_type,
                        hours=float(hours),
                        certificate=certificate,
                        valid_days=valid_days,
                        department=department,
                    )
                )
            except IntegrityError:
                raise InvalidInput(f"course {key} exists") from None
        return self.course(key)

    def course(self, key: str) -> dict[str, Any]:
        with self.storage.engine.connect() as conn:
            row = conn.execute(select(C).where(C.c.key == key)).first()
        if row is None:
            raise NotFound(f"no course {key}")
        return {
            "key": row.key,
            "name": row.name,
            "type": row.course_type,
            "hours": row.hours,
            "certificate": row.certificate,
            "valid_days": row.valid_days,
            "department": row.department,
        }

    def courses(self) -> list[dict[str, Any]]:
        with self.storage.engine.connect() as conn:
            keys = conn.execute(select(C.c.key).order_by(C.c.key)).scalars().all()
        return [self.course(k) for k in keys]

    def attend(
        self, actor: Actor, course_key: str, volunteer_ids: Sequence[int], day: dt.date
    ) -> int:
        """Record attendance: training hours for each volunteer and, if the course grants
        one, the certificate (renewed if held). All or nothing; returns how many."""
        course = self.course(course_key)
        at = self.clock()
        with self.storage.engine.begin() as conn:
            cid = conn.execute(select(C.c.id).where(C.c.key == course_key)).scalar_one()
            for vid in volunteer_ids:
                row = self._row(conn, vid)
                privacy.may_record_attendance(actor, row.station_code)
                try:
                    with conn.begin_nested():
                        eid = self._event(
                            conn,
                            actor,
                            "training",
                            volunteer_id=vid,
                            hours=course["hours"],
                            data={"course": course_key, "day": day.isoformat()},
                        )
                        conn.execute(
                            insert(A).values(
                                course_id=cid,
                                volunteer_id=vid,
                                day=day,
                                hours=course["hours"],
                                recorded_by=actor.id,
                                event_id=eid,
                            )
                        )
                except IntegrityError:
                    raise InvalidInput(
                        f"volunteer {vid} already attended {course_key} on {day.isoformat()}"
                    ) from None
                stars.apply_hours(conn, self.ladder, vid, course["hours"], field="training_hours")
                if course["certificate"]:
                    expires = (
                        day + dt.timedelta(days=course["valid_days"])
                        if course["valid_days"]
                        else None
                    )
                    self.add_credential(
                        conn,
                        vid,
                        "certification",
                        course["certificate"],
                        expires,
                        f"course:{course_key}",
                    )
        del at
        return len(volunteer_ids)
