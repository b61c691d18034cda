"""The people side's Python API: :class:`People`. The CLI (and the HTTP API) wrap it.

Built from a :class:`~wenming.deployment.Deployment`; every method that reads personal
data or changes anything takes the :class:`~wenming.orders.Actor` who acts, and the
rules in :mod:`wenming.people.privacy` decide. Registration, import and export live
here; sign-in, sign-out and hours in :mod:`wenming.people.hours`; guides and courses
in :mod:`wenming.people.courses`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from wenming.orders.errors import InvalidInput, NotFound
from wenming.orders.roles import Actor
from wenming.people import ids, importer, privacy, stars
from wenming.people.courses import CoursesMixin
from wenming.people.hours import HoursMixin
from wenming.people.ladders import (
    active_ladder,
    collect_ladders,
    collect_record_classes,
    rounder,
)
from wenming.people.recordbook import RecordBookMixin
from wenming.people.records import RecordClass, StarLadder
from wenming.people.tables import (
    Credential,
    PeopleEvent,
    ServiceRecord,
    Volunteer,
    VolunteerTeam,
)
from wenming.people.views import (
    CredentialView,
    ImportReport,
    StarDistribution,
    VolunteerView,
)
from wenming.storage.tables import ResourceRow, Site
from wenming.storage.types import utcnow

if TYPE_CHECKING:
    from wenming.deployment import Deployment
    from wenming.orders.service import Workflow
    from wenming.people.crypto import Vault

log = logging.getLogger("wenming.people")

V = Volunteer.__table__
T = VolunteerTeam.__table__
CR = Credential.__table__
E = PeopleEvent.__table__
SR = ServiceRecord.__table__
ERASED = "（已注销）"
#: How an idempotent registration's key is kept on its event (``reason``).
IDEMPOTENCY = "idempotency key "


class People(HoursMixin, RecordBookMixin, CoursesMixin):
    """Volunteers, their service records, hours and star levels, guides and courses.

    ``clock`` returns the current UTC time (tests pass their own); ``workflow`` is the
    order workflow whose parts volunteers sign in to (built from the deployment if not
    given).
    """

    def __init__(
        self,
        deployment: Deployment,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        workflow: Workflow | None = None,
    ) -> None:
        self.deployment = deployment
        self.storage = deployment.storage
        self.registry = deployment.registry
        self.config = deployment.config.people
        self.clock = clock or utcnow
        self._workflow = workflow
        self.ladders: dict[str, StarLadder] = collect_ladders(deployment)
        self.ladder_name, self.ladder = active_ladder(deployment, self.ladders)
        self.record_classes: dict[str, RecordClass] = collect_record_classes(deployment)
        self.hours_for = rounder(self.config.rounding)
        self._ladder_checked = False
        #: ``fn(deployment, connection, events)`` run inside the transaction that writes
        #: people events (core's leaderboard counters; the register_event_observers hook)
        self.event_observers: list[Callable[..., None]] = []
        hook = getattr(deployment.pm.hook, "register_event_observers", None)
        for impl in reversed(hook.get_hookimpls() if hook is not None else []):
            impl.function(register=self.event_observers.append)

    @cached_property
    def vault(self) -> Vault:
        from wenming.people.crypto import Vault

        return Vault(self.deployment.secrets)

    @property
    def workflow(self) -> Workflow:
        if self._workflow is None:
            from wenming.orders.service import Workflow

            self._workflow = Workflow(self.deployment, clock=self.clock)
        return self._workflow

    def today(self) -> dt.date:
        from zoneinfo import ZoneInfo

        return self.clock().astimezone(ZoneInfo(self.deployment.config.timezone)).date()

    # ------------------------------------------------------------------ the ladder

    def ensure_ladder(self) -> int:
        """Adopt the deployment's ladder if the database was counted under another one:
        every level is recomputed and the counts rebuilt. Returns how many levels moved."""
        if self._ladder_checked:
            return 0
        with self.storage.engine.begin() as conn:
            changed = stars.adopt(conn, self.ladder_name, self.ladder, self.clock())
        self._ladder_checked = True
        return changed

    def stars(self) -> StarDistribution:
        """The distribution of star levels, in total and by county and department, read
        from the maintained counts (not a scan of the volunteers)."""
        self.ensure_ladder()
        with self.storage.engine.connect() as conn:
            by_level, by_county, by_dept = stars.distribution(conn)
        return StarDistribution(
            ladder=self.ladder_name,
            thresholds=self.ladder.thresholds,
            total=sum(by_level.values()),
            by_level=by_level,
            by_county=by_county,
            by_department=by_dept,
        )

    def recount(self) -> bool:
        """Rebuild the star counts from the volunteers; whether they had drifted."""
        with self.storage.engine.begin() as conn:
            before = stars.distribution(conn)
            stars.rebuild_counts(conn)
            return stars.distribution(conn) != before

    # ------------------------------------------------------------------ registering

    def _stations(self, conn: Connection) -> set[str]:
        s = Site.__table__
        return set(conn.execute(select(s.c.code).where(s.c.level == "station")).scalars())

    def _team_departments(self, conn: Connection) -> dict[str, str | None]:
        teams: dict[str, str | None] = {
            key: self.registry.department_of(key) for key in self.registry.resources
        }
        r = ResourceRow.__table__
        for key, dept in conn.execute(
            select(r.c.key, r.c.department).where(r.c.status == "published")
        ):
            teams[key] = dept
        return teams

    def _checker(self, conn: Connection) -> importer.Checker:
        return importer.Checker(
            stations=self._stations(conn),
            team_departments=self._team_departments(conn),
            departments=set(self.registry.departments),
            today=self.today(),
        )

    def register(
        self,
        actor: Actor,
        *,
        name: str,
        id_number: str,
        station: str,
        phone: str | None = None,
        teams: Sequence[str] = (),
        skills: Sequence[str] = (),
        certifications: Mapping[str, dt.date | None] | None = None,
        guardian_consent: dt.date | None = None,
        department: str | None = None,
        idempotency_key: str | None = None,
    ) -> VolunteerView:
        """Register one volunteer (checked like an import row); returns the masked view.

        Registering again with the same ``idempotency_key`` and the same request returns
        the first volunteer (a client that lost the answer may retry); the same key with
        another request is refused. The key is kept on the registration's event."""
        privacy.may_register(actor, station, teams)
        row = {
            "name": name,
            "id_number": id_number,
            "station": station,
            "phone": phone or "",
            "teams": ";".join(teams),
            "skills": ";".join(skills),
            "certifications": ";".join(
                f"{k}:{v.isoformat()}" if v else k for k, v in (certifications or {}).items()
            ),
            "guardian_consent": guardian_consent.isoformat() if guardian_consent else "",
            "department": department or "",
        }
        if idempotency_key is None:
            _, vid = self._import([(1, row)], actor, "registration")
            return self.volunteer(actor, vid)
        canonical = json.dumps(
            {**row, "actor": actor.id, "role": actor.role}, sort_keys=True, ensure_ascii=False
        )
        digest = self.vault.request_digest(canonical)  # keyed: the request has an ID number
        found = self._registered(idempotency_key, digest)
        if found is None:
            try:
                _, found = self._import(
                    [(1, row)], actor, "registration", key=(idempotency_key, digest)
                )
            except (InvalidInput, importer.ImportRejected):
                found = self._registered(idempotency_key, digest)  # a retry racing the first
                if found is None:
                    raise
        return self.volunteer(actor, found)

    def _registered(self, key: str, digest: str) -> int | None:
        """The volunteer a registration with ``key`` created, if any (refused when the key
        came with another request)."""
        with self.storage.engine.connect() as conn:
            row = conn.execute(
                select(E.c.ref_id, E.c.data).where(
                    E.c.kind == "import", E.c.reason == f"{IDEMPOTENCY}{key}"
                )
            ).first()
        if row is None:
            return None
        if (row.data or {}).get("request") != digest:
            raise InvalidInput(
                f"idempotency key {key!r} was used for volunteer {row.ref_id} with a different "
                "request"
            )
        return row.ref_id

    def import_file(self, actor: Actor, path: str | Path) -> ImportReport:
        """Import a CSV or XLSX file of volunteers, all or nothing."""
        privacy.may_import(actor)
        p = Path(path)
        if not p.exists():
            raise InvalidInput(f"{p}: no such file")
        header, rows = importer.read_rows(p)
        return self._import_table(actor, header, rows, str(p))

    def import_upload(self, actor: Actor, content: bytes, source: str) -> ImportReport:
        """Import a CSV (UTF-8) or XLSX file sent whole, all or nothing; ``source``
        names it in the report and in every problem."""
        privacy.may_import(actor)
        header, rows = importer.read_upload(content, source)
        return self._import_table(actor, header, rows, source)

    def _import_table(
        self, actor: Actor, header: list[str], rows: Iterable[tuple[int, list[str]]], source: str
    ) -> ImportReport:
        fields = importer.map_header(header, source)

        def mapped() -> Iterable[tuple[int, dict[str, str]]]:
            for n, cells in rows:
                yield n, {f: (cells[i] if i < len(cells) else "") for f, i in fields.items()}

        return self._import(mapped(), actor, source)[0]

    def import_rows(
        self, actor: Actor, rows: Iterable[Mapping[str, str]], *, source: str = "rows"
    ) -> ImportReport:
        """Import rows given as mappings with the file's field names, all or nothing."""
        privacy.may_import(actor)
        return self._import(((n, dict(r)) for n, r in enumerate(rows, 2)), actor, source)[0]

    def _import(
        self,
        rows: Iterable[tuple[int, Mapping[str, str]]],
        actor: Actor,
        source: str,
        *,
        key: tuple[str, str] | None = None,
    ) -> tuple[ImportReport, int]:
        self.ensure_ladder()
        started = time.perf_counter()
        at = self.clock()
        with self.storage.engine.begin() as conn:
            checker = self._checker(conn)
            batch, lines = checker.check(rows)
            hashes = self.vault.id_hashes(batch.numbers)
            taken = importer.existing_hashes(conn, hashes)
            for h, n in zip(hashes, lines, strict=True):
                if h in taken:
                    checker.bad(n, "id_number", "already registered")
            if checker.count:
                raise importer.ImportRejected(source, checker.problems, checker.count)
            if not len(batch):
                raise InvalidInput(f"{source}: no volunteers to import")
            try:
                first, n, teams, creds, counts = importer.write(
                    conn, batch, self.vault, self.ladder, at, hashes
                )
            except IntegrityError:
                raise InvalidInput(
                    f"{source}: another registration wrote the same volunteers meanwhile; "
                    "nothing was imported, try again"
                ) from None
            stars.add_counts(conn, counts)
            data: dict[str, Any] = {"source": Path(source).name, "volunteers": n}
            if key is not None:  # an idempotent registration: its key and request digest
                data["request"] = key[1]
            conn.execute(
                insert(E).values(
                    at=at,
                    kind="import",
                    actor=actor.id,
                    role=actor.role,
                    reason=f"{IDEMPOTENCY}{key[0]}" if key is not None else "",
                    ref_id=first if key is not None else None,
                    data=data,
                )
            )
        report = ImportReport(
            source=source,
            volunteers=n,
            memberships=teams,
            credentials=creds,
            seconds=round(time.perf_counter() - started, 3),
        )
        return report, first

    # ------------------------------------------------------------------ reading

    def find(self, actor: Actor, id_number: str, *, unmasked: bool = False) -> VolunteerView:
        """The volunteer with this ID number, found by its keyed hash."""
        privacy.may_read(actor, None, "look up volunteers")
        try:
            number, _ = ids.validate(id_number, today=self.today())
        except ids.IdNumberError as exc:
            raise InvalidInput(f"id_number: {exc}") from None
        with self.storage.engine.connect() as conn:
            vid = conn.execute(
                select(V.c.id).where(V.c.id_hash == self.vault.id_hash(number))
            ).scalar()
        if vid is None:
            raise NotFound("no volunteer with that ID number")
        return self.volunteer(actor, vid, unmasked=unmasked)

    def _row(self, conn: Connection, vid: int) -> Any:
        row = conn.execute(select(V).where(V.c.id == vid)).first()
        if row is None:
            raise NotFound(f"no volunteer {vid}")
        return row

    def _teams(self, conn: Connection, vid: int) -> tuple[str, ...]:
        return tuple(
            conn.execute(select(T.c.team).where(T.c.volunteer_id == vid).order_by(T.c.team))
            .scalars()
            .all()
        )

    def volunteer(self, actor: Actor, vid: int, *, unmasked: bool = False) -> VolunteerView:
        """One volunteer, masked unless ``unmasked`` is asked for and the rules allow it
        (a refusal names the rule)."""
        privacy.may_read(actor, vid)
        with self.storage.engine.begin() as conn:
            return self._view(conn, actor, self._row(conn, vid), unmasked=unmasked)

    def _view(self, conn: Connection, actor: Actor, row: Any, *, unmasked: bool) -> VolunteerView:
        teams = self._teams(conn, row.id)
        if unmasked:
            privacy.may_unmask(actor, row.id, teams)
            if not privacy.is_self(actor, row.id) and row.status == "active":
                conn.execute(
                    insert(E).values(
                        at=self.clock(),
                        kind="disclosure",
                        volunteer_id=row.id,
                        actor=actor.id,
                        role=actor.role,
                        reason="unmasked read",
                        data={},
                    )
                )
        today = self.today()
        creds = tuple(
            CredentialView(
                kind=c.kind,
                name=c.name,
                expires=c.expires,
                valid=c.expires is None or c.expires >= today,
                source=c.source,
            )
            for c in conn.execute(
                select(CR).where(CR.c.volunteer_id == row.id).order_by(CR.c.kind, CR.c.name)
            )
        )
        age = ids.age(row.birth_date, today) if row.birth_date else None
        clear = unmasked and row.status == "active"
        return VolunteerView(
            id=row.id,
            name=row.name,
            id_number=self.vault.decrypt_id(row.id_cipher)
            if clear and row.id_cipher
            else row.id_masked,
            phone=(self.vault.decrypt_phone(row.phone_cipher) or "") if clear else row.phone_masked,
            birth_date=row.birth_date if clear else None,
            age=age if clear else None,
            minor=age is not None and age < ids.ADULT_AGE,
            guardian_consent=row.guardian_consent,
            station=row.station_code,
            county=row.county_code,
            department=row.department or None,
            teams=teams,
            credentials=creds,
            service_hours=round(row.service_hours, 2),
            training_hours=round(row.training_hours, 2),
            star_level=row.star_level,
            status=row.status,
            synthetic=row.synthetic,
            masked=not clear,
        )

    def volunteers(
        self,
        actor: Actor,
        *,
        station: str | None = None,
        team: str | None = None,
        level: int | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[VolunteerView]:
        """Volunteers (masked), by ID, filtered by area (division-code prefix), team or
        star level."""
        privacy.may_read(actor, None)
        stmt = select(V).where(V.c.status == "active")
        if station:
            stmt = stmt.where(V.c.station_code.startswith(station))
        if team:
            stmt = stmt.where(V.c.id.in_(select(T.c.volunteer_id).where(T.c.team == team)))
        if level is not None:
            stmt = stmt.where(V.c.star_level == level)
        stmt = stmt.order_by(V.c.id).limit(limit).offset(offset)
        with self.storage.engine.begin() as conn:
            return [self._view(conn, actor, r, unmasked=False) for r in conn.execute(stmt)]

    # ------------------------------------------------------------------ PIPL

    def anonymise(self, actor: Actor, vid: int, reason: str = "") -> VolunteerView:
        """Delete a volunteer's personal data (PIPL art. 47) and keep the aggregates: the
        row stays with its hours, level, station and department (so every count holds),
        the name, ID, phone, birth date, credentials, team memberships and sign-in
        positions are erased; the event log keeps no personal data to begin with."""
        privacy.may_export_or_erase(actor, vid, "delete")
        with self.storage.engine.begin() as conn:
            row = self._row(conn, vid)
            if row.status != "active":
                raise InvalidInput(f"volunteer {vid} is already anonymised")
            conn.execute(
                update(V)
                .where(V.c.id == vid)
                .values(
                    name=ERASED,
                    id_hash=None,
                    id_cipher=None,
                    id_masked="",
                    phone_cipher=None,
                    phone_masked="",
                    birth_date=None,
                    guardian_consent=None,
                    status="anonymised",
                )
            )
            conn.execute(delete(CR).where(CR.c.volunteer_id == vid))
            conn.execute(delete(T).where(T.c.volunteer_id == vid))
            conn.execute(
                update(SR)
                .where(SR.c.volunteer_id == vid)
                .values(signin_lng=None, signin_lat=None, signout_lng=None, signout_lat=None)
            )
            conn.execute(
                insert(E).values(
                    at=self.clock(),
                    kind="anonymise",
                    volunteer_id=vid,
                    actor=actor.id,
                    role=actor.role,
                    reason=reason,
                    data={},
                )
            )
            return self._view(conn, actor, self._row(conn, vid), unmasked=False)

    # ------------------------------------------------------------------ teams, credentials

    def join_team(self, actor: Actor, vid: int, team: str) -> VolunteerView:
        """Add a volunteer to a team: its leader, a station of the area, the city center."""
        with self.storage.engine.begin() as conn:
            row = self._row(conn, vid)
            privacy.may_register(actor, row.station_code, [team])
            if team not in self._team_departments(conn):
                raise InvalidInput(f"no team {team!r}")
            if team not in self._teams(conn, vid):
                conn.execute(insert(T).values(volunteer_id=vid, team=team, joined_at=self.clock()))
            return self._view(conn, actor, self._row(conn, vid), unmasked=False)

    def add_credential(
        self,
        conn: Connection,
        vid: int,
        kind: str,
        name: str,
        expires: dt.date | None,
        source: str,
    ) -> None:
        """Add or renew a skill or certification (a renewal moves the expiry)."""
        found = conn.execute(
            select(CR.c.id).where(CR.c.volunteer_id == vid, CR.c.kind == kind, CR.c.name == name)
        ).scalar()
        if found is None:
            conn.execute(
                insert(CR).values(
                    volunteer_id=vid, kind=kind, name=name, expires=expires, source=source
                )
            )
        else:
            conn.execute(update(CR).where(CR.c.id == found).values(expires=expires, source=source))

    def certified(self, vid: int, name: str, on: dt.date | None = None) -> bool:
        """Whether a volunteer holds an unexpired certification (what matching reads)."""
        on = on or self.today()
        with self.storage.engine.connect() as conn:
            expires = conn.execute(
                select(CR.c.expires).where(
                    CR.c.volunteer_id == vid, CR.c.kind == "certification", CR.c.name == name
                )
            ).first()
        return expires is not None and (expires[0] is None or expires[0] >= on)
