"""Importing volunteers from CSV or XLSX: all or nothing.

Every row is checked before anything is written — the ID number (GB 11643 check
character and birth date), duplicates inside the file and against the registry (by
keyed hash), the home station, teams, dates, phone, guardian consent for the under-14s
— and every bad row is reported with its row number and field. Only a clean file is
written: ID numbers hashed and encrypted in batches, rows inserted through the driver
in chunks (``executemany`` on SQLite, ``COPY`` on PostgreSQL) in one transaction, the
star counts moved by the batch's totals.

Columns (English or Chinese headers): ``name``/姓名, ``id_number``/身份证号,
``station``/所属站点 (a station's division code) — required; ``phone``/手机号,
``teams``/队伍 (resource keys, ``;``-separated), ``skills``/技能,
``certifications``/证书 (``first_aid:2026-12-31;…``), ``guardian_consent``/监护人同意
(the date it was given), ``department``/部门, ``service_hours``/已有服务时长 (hours
carried over from an earlier platform).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from attrs import define, field
from sqlalchemy import Connection, func, select, text

from wenming.errors import WenmingError
from wenming.people import ids
from wenming.people.crypto import Vault
from wenming.people.records import StarLadder
from wenming.people.tables import Credential, Volunteer, VolunteerTeam

#: Accepted headers for each field.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "姓名"),
    "id_number": ("id_number", "身份证号", "身份证号码"),
    "station": ("station", "所属站点", "站点"),
    "phone": ("phone", "手机号", "手机号码", "手机"),
    "teams": ("teams", "队伍", "所属队伍"),
    "skills": ("skills", "技能"),
    "certifications": ("certifications", "证书"),
    "guardian_consent": ("guardian_consent", "监护人同意"),
    "department": ("department", "部门"),
    "service_hours": ("service_hours", "已有服务时长"),
}
REQUIRED = ("name", "id_number", "station")
#: Rows per statement batch, and per hashing/encryption batch.
CHUNK = 20_000
#: ``wm_volunteer`` columns in the order the bulk writer fills them.
VOLUNTEER_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "id_hash",
    "id_cipher",
    "id_masked",
    "phone_cipher",
    "phone_masked",
    "birth_date",
    "guardian_consent",
    "station_code",
    "county_code",
    "department",
    "carried_hours",
    "service_hours",
    "training_hours",
    "star_level",
    "synthetic",
    "status",
    "registered_at",
)
TEAM_COLUMNS = ("volunteer_id", "team", "joined_at")
CREDENTIAL_COLUMNS = ("volunteer_id", "kind", "name", "expires", "source")
#: How many problems an import reports before it stops listing them.
MAX_PROBLEMS = 200


class ImportRejected(WenmingError):
    """A file with bad rows: nothing was written. ``problems`` lists them all."""

    def __init__(self, source: str, problems: Sequence[str], total: int) -> None:
        self.problems = list(problems)
        more = f"\n  … and {total - len(problems)} more" if total > len(problems) else ""
        super().__init__(
            f"{source}: {total} problem(s), nothing imported:\n  " + "\n  ".join(problems) + more
        )


@define
class Prepared:
    """A batch of checked volunteers, ready to write (plaintext never leaves here)."""

    names: list[str] = field(factory=list)
    numbers: list[str] = field(factory=list)
    phones: list[str | None] = field(factory=list)
    born: list[dt.date] = field(factory=list)
    consent: list[dt.date | None] = field(factory=list)
    stations: list[str] = field(factory=list)
    departments: list[str] = field(factory=list)
    carried: list[float] = field(factory=list)
    teams: list[tuple[int, str]] = field(factory=list)  # (index in batch, team)
    credentials: list[tuple[int, str, str, dt.date | None]] = field(factory=list)
    synthetic: bool = False

    def __len__(self) -> int:
        return len(self.names)


# ------------------------------------------------------------------------ reading


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and the data rows ``(row number, cells)`` of a CSV or XLSX file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path.open(encoding="utf-8-sig", newline=""))
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    raise WenmingError(f"{path}: expected a .csv or .xlsx file")


def read_upload(content: bytes, source: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """:func:`read_rows` of a file sent whole (an upload): an XLSX workbook is told by
    its content (a zip archive), anything else is read as CSV in UTF-8."""
    if content.startswith(b"PK\x03\x04"):
        try:
            return _xlsx_rows(io.BytesIO(content))
        except Exception as exc:  # openpyxl's errors for a damaged or foreign zip vary
            raise WenmingError(f"{source}: not a readable XLSX workbook ({exc})") from None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WenmingError(
            f"{source}: byte {exc.start}: not UTF-8; save the CSV as UTF-8 (Excel: "
            "'CSV UTF-8'), or send the XLSX workbook"
        ) from None
    return _csv_rows(io.StringIO(text, newline=""))


def _csv_rows(fh: Any) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and the data rows of a CSV text stream."""
    reader = csv.reader(fh)
    header = next(reader, [])

    def rows() -> Iterator[tuple[int, list[str]]]:
        with fh:
            for n, row in enumerate(reader, 2):
                if any(c.strip() for c in row):
                    yield n, row

    return header, rows()


def _xlsx_rows(source: Any) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and the data rows of the first sheet of an XLSX file or stream."""
    from openpyxl import load_workbook

    book = load_workbook(source, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    it = sheet.iter_rows(values_only=True)
    header = [_cell(c) for c in next(it, ())]

    def xrows() -> Iterator[tuple[int, list[str]]]:
        try:
            for n, row in enumerate(it, 2):
                cells = [_cell(c) for c in row]
                if any(cells):
                    yield n, cells
        finally:
            book.close()

    return header, xrows()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def map_header(header: Sequence[str], source: str) -> dict[str, int]:
    """Field → column index; unknown or missing required columns are an error."""
    lookup = {alias: f for f, aliases in HEADERS.items() for alias in aliases}
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = str(cell or "").strip()
        if not key:
            continue
        if key.lower() in lookup:
            key = key.lower()
        if key not in lookup:
            raise WenmingError(f"{source}: row 1: unknown column {key!r}")
        found[lookup[key]] = i
    missing = [f for f in REQUIRED if f not in found]
    if missing:
        raise WenmingError(f"{source}: row 1: missing column(s) {', '.join(missing)}")
    return found


# ------------------------------------------------------------------------ checking


@define
class Checker:
    """Checks rows against the network (stations), the teams and the departments."""

    stations: set[str]
    team_departments: Mapping[str, str | None]
    departments: set[str]
    today: dt.date
    problems: list[str] = field(factory=list)
    count: int = 0

    def bad(self, row: int, what: str, message: str) -> None:
        self.count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"row {row}, {what}: {message}")

    def check(self, rows: Iterable[tuple[int, Mapping[str, str]]]) -> tuple[Prepared, list[int]]:
        """Check every row; return the clean batch and each volunteer's row number."""
        out = Prepared()
        lines: list[int] = []
        seen: dict[str, int] = {}
        for n, row in rows:
            ok = True
            name = row.get("name", "").strip()
            if not name or len(name) > 64:
                self.bad(n, "name", "must be 1–64 characters")
                ok = False
            try:
                number, born = ids.validate(row.get("id_number", ""), today=self.today)
            except ids.IdNumberError as exc:
                self.bad(n, "id_number", str(exc))
                number, born, ok = "", self.today, False
            if number:
                if number in seen:
                    self.bad(n, "id_number", f"duplicate of row {seen[number]}")
                    ok = False
                else:
                    seen[number] = n
            phone: str | None = None
            if row.get("phone", "").strip():
                try:
                    phone = ids.check_phone(row["phone"])
                except ValueError as exc:
                    self.bad(n, "phone", str(exc))
                    ok = False
            station = row.get("station", "").strip()
            if station not in self.stations:
                self.bad(n, "station", f"no station {station!r} in the loaded network")
                ok = False
            consent = self._date(n, "guardian_consent", row.get("guardian_consent", ""))
            if consent is False:
                ok, consent = False, None
            if number and ids.age(born, self.today) < ids.CONSENT_AGE and consent is None:
                self.bad(
                    n,
                    "guardian_consent",
                    f"the volunteer is under {ids.CONSENT_AGE}: a guardian's consent (its date) "
                    "must be recorded",
                )
                ok = False
            teams = _split(row.get("teams", ""))
            for team in teams:
                if team not in self.team_departments:
                    self.bad(n, "teams", f"no team {team!r} (a resource key such as water.corps)")
                    ok = False
            department = row.get("department", "").strip()
            if department and department not in self.departments:
                self.bad(n, "department", f"no department {department!r} is installed")
                ok = False
            if not department and teams:
                department = self.team_departments.get(teams[0]) or ""
            carried = 0.0
            if row.get("service_hours", "").strip():
                try:
                    carried = float(row["service_hours"])
                    if not 0 <= carried < 100_000:
                        raise ValueError
                except ValueError:
                    self.bad(n, "service_hours", f"not a number of hours: {row['service_hours']!r}")
                    ok = False
            creds: list[tuple[str, str, dt.date | None]] = [
                ("skill", s, None) for s in _split(row.get("skills", ""))
            ]
            for item in _split(row.get("certifications", "")):
                cert, _, until = item.partition(":")
                expires = self._date(n, "certifications", until) if until else None
                if expires is False:
                    ok = False
                    continue
                creds.append(("certification", cert.strip(), expires))
            if not ok:
                continue
            i = len(out)
            lines.append(n)
            out.names.append(name)
            out.numbers.append(number)
            out.phones.append(phone)
            out.born.append(born)
            out.consent.append(consent)
            out.stations.append(station)
            out.departments.append(department)
            out.carried.append(carried)
            out.teams += [(i, t) for t in dict.fromkeys(teams)]
            out.credentials += [(i, k, c, e) for k, c, e in dict.fromkeys(creds)]
        return out, lines

    def _date(self, row: int, what: str, value: str) -> dt.date | bool | None:
        value = (value or "").strip()
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.bad(row, what, f"not a date (YYYY-MM-DD): {value!r}")
            return False


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.replace("；", ";").replace(",", ";").split(";") if p.strip()]


def existing_hashes(conn: Connection, hashes: Sequence[str]) -> set[str]:
    """Which of ``hashes`` are already registered."""
    t = Volunteer.__table__
    found: set[str] = set()
    for i in range(0, len(hashes), 1000):
        found.update(
            conn.execute(select(t.c.id_hash).where(t.c.id_hash.in_(hashes[i : i + 1000]))).scalars()
        )
    return found


# ------------------------------------------------------------------------ writing


def rows_for(
    batch: Prepared,
    first_id: int,
    vault: Vault,
    ladder: StarLadder,
    at: dt.datetime,
    hashes: Sequence[str] | None = None,
    *,
    text_dates: bool = False,
) -> tuple[list[tuple], dict[tuple[int, str, str], int]]:
    """The batch as ``wm_volunteer`` rows (hashed and encrypted in one pass per column),
    with the star counts it adds. ``text_dates`` writes dates as SQLite's text form."""
    hashes = list(hashes) if hashes is not None else vault.id_hashes(batch.numbers)
    ciphers = vault.encrypt_ids(batch.numbers)
    phones = vault.encrypt_phones(batch.phones)
    masked_phones = [ids.mask_phone(p) if p else "" for p in batch.phones]
    masked_ids = [n[:4] + "**********" + n[-4:] for n in batch.numbers]
    if text_dates:
        when: Any = at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        born: list[Any] = [d.isoformat() for d in batch.born]
        consent: list[Any] = [d.isoformat() if d else None for d in batch.consent]
    else:
        when, born, consent = at, batch.born, batch.consent
    counts: dict[tuple[int, str, str], int] = {}
    level = ladder.level
    levels = [level(h) if h else 0 for h in batch.carried]
    for lv, station, dept in zip(levels, batch.stations, batch.departments, strict=True):
        key = (lv, station[:6], dept)
        counts[key] = counts.get(key, 0) + 1
    synthetic, n = batch.synthetic, len(batch)
    out = list(
        zip(
            range(first_id, first_id + n),
            batch.names,
            hashes,
            ciphers,
            masked_ids,
            phones,
            masked_phones,
            born,
            consent,
            batch.stations,
            [s[:6] for s in batch.stations],
            batch.departments,
            batch.carried,
            batch.carried,
            [0.0] * n,
            levels,
            [synthetic] * n,
            ["active"] * n,
            [when] * n,
            strict=True,
        )
    )
    return out, counts


def reserve_ids(conn: Connection) -> int:
    """The first free volunteer ID, with the table locked against other writers."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE wm_volunteer IN SHARE ROW EXCLUSIVE MODE"))
    t = Volunteer.__table__
    return int(conn.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar()) + 1


def bulk_insert(conn: Connection, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert ``rows`` through the driver: ``executemany`` (SQLite), ``COPY`` (PostgreSQL)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()
        try:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()
        return
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    cursor = conn.connection.driver_connection.cursor()
    try:
        for i in range(0, len(rows), CHUNK):
            cursor.executemany(sql, rows[i : i + CHUNK])
    finally:
        cursor.close()


def _sqlite_value(v: Any) -> Any:
    """A date or datetime in the text form SQLAlchemy's SQLite types read back."""
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def finish_ids(conn: Connection) -> None:
    """Move PostgreSQL's ID sequence past the IDs an import assigned itself."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('wm_volunteer', 'id'), "
                "(SELECT COALESCE(MAX(id), 1) FROM wm_volunteer))"
            )
        )


def write(
    conn: Connection,
    batch: Prepared,
    vault: Vault,
    ladder: StarLadder,
    at: dt.datetime,
    hashes: Sequence[str] | None = None,
) -> tuple[int, int, int, int, dict[tuple[int, str, str], int]]:
    """Write one checked batch; returns (first ID, volunteers, memberships, credentials,
    the star counts it adds)."""
    first = reserve_ids(conn)
    sqlite = conn.dialect.name == "sqlite"
    rows, counts = rows_for(batch, first, vault, ladder, at, hashes, text_dates=sqlite)
    bulk_insert(conn, Volunteer.__tablename__, VOLUNTEER_COLUMNS, rows)
    when = _sqlite_value(at) if sqlite else at
    teams = [(first + i, team, when) for i, team in batch.teams]
    bulk_insert(conn, VolunteerTeam.__tablename__, TEAM_COLUMNS, teams)
    creds = [
        (first + i, kind, name, _sqlite_value(exp) if sqlite else exp, "import")
        for i, kind, name, exp in batch.credentials
    ]
    bulk_insert(conn, Credential.__tablename__, CREDENTIAL_COLUMNS, creds)
    finish_ids(conn)
    return first, len(rows), len(teams), len(creds), counts
