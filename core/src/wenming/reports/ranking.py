"""Rankings of individual volunteers, the way PIPL art. 55 allows them.

A volunteer appears only after opting in themself (their consent is recorded with its
time and can be withdrawn), never while a minor, and always with a masked name (张*).
Publishing a ranking records who published what, when, for which scope and how many
people it named. Hours are the confirmed service hours of the period (corrections
included), in the deployment's time zone.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select

from wenming.orders.errors import NotFound, PermissionDenied
from wenming.people.ids import ADULT_AGE
from wenming.people.tables import PeopleEvent, Volunteer
from wenming.reports import periods
from wenming.reports.tables import PublishedRanking, RankingConsent
from wenming.storage.types import utcnow

if TYPE_CHECKING:
    from wenming.deployment import Deployment
    from wenming.orders.roles import Actor

E = PeopleEvent.__table__
V = Volunteer.__table__
C = RankingConsent.__table__
P = PublishedRanking.__table__

PUBLISHERS = ("city_dispatcher", "station_operator", "team_leader", "guide")


def mask_name(name: str) -> str:
    """张敏 → 张*, 欧阳明月 → 欧***: the first character and one star per other."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else "*"


def _adult_born_before(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - ADULT_AGE, day=28)


class Ranking:
    """Consent to be ranked, and rankings of volunteers by confirmed hours."""

    def __init__(self, deployment: Deployment, *, clock=utcnow, timezone: str | None = None):
        self.deployment = deployment
        self.storage = deployment.storage
        self.clock = clock
        from wenming.reports.counters import counters_of

        self.tz = timezone or counters_of(deployment).tz

    def consent(self, actor: Actor, volunteer_id: int, given: bool = True) -> bool:
        """The volunteer themself opts in to (or out of) public rankings."""
        if actor.role != "volunteer" or actor.id != str(volunteer_id):
            raise PermissionDenied(
                actor.role,
                actor.scope,
                "consent to public rankings",
                "only the volunteer themself opts in or out (PIPL art. 55)",
            )
        with self.storage.session() as s:
            if s.execute(select(V.c.id).where(V.c.id == volunteer_id)).first() is None:
                raise NotFound(f"no volunteer {volunteer_id}")
            s.execute(delete(C).where(C.c.volunteer_id == volunteer_id))
            if given:
                s.execute(insert(C).values(volunteer_id=volunteer_id, given_at=self.clock()))
        return given

    def publish(
        self,
        actor: Actor,
        *,
        period: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        within: str | None = None,
        team: str | None = None,
        limit: int = 50,
    ) -> dict[str, Any]:
        """Rank opted-in adult volunteers by confirmed hours, masked, and record it."""
        self._may_publish(actor, within, team)
        first, last, label = self._window(period, start, end)
        lo = dt.datetime.combine(first, dt.time(), periods.zone(self.tz)).astimezone(dt.UTC)
        hi = dt.datetime.combine(
            last + dt.timedelta(days=1), dt.time(), periods.zone(self.tz)
        ).astimezone(dt.UTC)
        today = periods.local_date(self.clock(), self.tz)
        hours = func.sum(E.c.hours)
        stmt = (
            select(V.c.name, hours.label("hours"))
            .select_from(E.join(V, V.c.id == E.c.volunteer_id).join(C, C.c.volunteer_id == V.c.id))
            .where(
                E.c.kind.in_(("confirm", "correct")),
                E.c.at >= lo,
                E.c.at < hi,
                V.c.status == "active",
                V.c.birth_date.is_not(None),
                V.c.birth_date <= _adult_born_before(today),
            )
            .group_by(V.c.id, V.c.name)
            .having(hours > 0)
            .order_by(hours.desc(), V.c.id)
            .limit(limit)
        )
        if within:
            stmt = stmt.where(E.c.station_code.startswith(within))
        if team:
            stmt = stmt.where(E.c.team == team)
        scope = (
            ", ".join(
                x for x in (f"area {within}" if within else "", f"team {team}" if team else "") if x
            )
            or "city"
        )
        with self.storage.session() as s:
            rows = s.execute(stmt).all()
            entries = [
                {"rank": i, "name": mask_name(name), "hours": round(float(h), 2)}
                for i, (name, h) in enumerate(rows, start=1)
            ]
            s.execute(
                insert(P).values(
                    actor=actor.id,
                    role=actor.role,
                    metric="confirmed_hours",
                    period=label,
                    scope=scope,
                    entries=len(entries),
                    at=self.clock(),
                )
            )
        return {"period": label, "scope": scope, "published_by": actor.id, "rows": entries}

    def published(self) -> list[dict[str, Any]]:
        with self.storage.session() as s:
            return [dict(r) for r in s.execute(select(P).order_by(P.c.id)).mappings()]

    def _may_publish(self, actor: Actor, within: str | None, team: str | None) -> None:
        if actor.role not in PUBLISHERS:
            raise PermissionDenied(
                actor.role,
                actor.scope,
                "publish a ranking of volunteers",
                "only the city center, a station or guide for its area, or a team leader "
                "for its team publishes rankings of people",
            )
        if actor.role in ("station_operator", "guide") and not (
            within and within.startswith(actor.area or "\0")
        ):
            raise PermissionDenied(
                actor.role,
                actor.scope,
                "publish a ranking of volunteers",
                f"a {actor.role} ranks only inside its own area: add --within {actor.area}",
            )
        if actor.role == "team_leader" and team != actor.team:
            raise PermissionDenied(
                actor.role,
                actor.scope,
                "publish a ranking of volunteers",
                f"a team leader ranks only its own team: add --team {actor.team}",
            )

    def _window(
        self, period: str | None, start: dt.date | None, end: dt.date | None
    ) -> tuple[dt.date, dt.date, str]:
        if start and end:
            periods.months(start, end)  # checks the order and the span
            return start, end, f"{start}…{end}"
        if period is None:
            period = periods.keys(periods.local_date(self.clock(), self.tz))[2]
        kind = periods.kind(periods.check(period))
        year = int(period[:4])
        if kind == "year":
            return dt.date(year, 1, 1), dt.date(year, 12, 31), period
        if kind == "quarter":
            q = int(period[-1])
            first = dt.date(year, 3 * q - 2, 1)
        else:
            first = dt.date(year, int(period[5:7]), 1)
            q = None
        months = 3 if q else 1
        nxt = first.month + months
        last = dt.date(year + (nxt - 1) // 12, (nxt - 1) % 12 + 1, 1) - dt.timedelta(days=1)
        return first, last, period
