"""Star levels: moved in the same transaction as the hours, counted as they move.

``wm_star_count`` holds the number of volunteers per (level, county, department); every
level change moves one volunteer from one row to another in the transaction that
changed the hours, so ``wenming volunteers stars`` reads a few hundred rows instead of
counting millions. The deployment's ladder is recorded in ``wm_meta``
(``people.star_ladder``); when the deployment names another ladder (or the ladder's
thresholds change), every level is recomputed in one statement and the counts rebuilt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, case, delete, func, insert, literal, select, update

from wenming.people.records import StarLadder
from wenming.people.tables import PeopleEvent, StarCount, Volunteer
from wenming.storage.tables import Meta

V = Volunteer.__table__
C = StarCount.__table__
E = PeopleEvent.__table__
M = Meta.__table__
META_KEY = "people.star_ladder"


def signature(name: str, ladder: StarLadder) -> str:
    """What identifies a ladder's rule: its name, version and thresholds."""
    return f"{name}@{ladder.version}:" + ",".join(f"{t:g}" for t in ladder.thresholds)


def _upsert_add(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Add ``n`` to each (level, county, department) count, creating missing rows."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(C)
    stmt = stmt.on_conflict_do_update(
        index_elements=[C.c.level, C.c.county_code, C.c.department],
        set_={"n": C.c.n + stmt.excluded.n},
    )
    for i in range(0, len(rows), 1000):
        conn.execute(stmt, rows[i : i + 1000])


def add_counts(conn: Connection, counts: Mapping[tuple[int, str, str], int]) -> None:
    """Add a batch of (level, county, department) → n (an import's new volunteers)."""
    _upsert_add(
        conn,
        [
            {"level": lv, "county_code": county, "department": dept, "n": n}
            for (lv, county, dept), n in sorted(counts.items())
            if n
        ],
    )


def move(conn: Connection, before: int, after: int, county: str, department: str) -> None:
    """One volunteer goes from level ``before`` to ``after``."""
    conn.execute(
        update(C)
        .where(C.c.level == before, C.c.county_code == county, C.c.department == department)
        .values(n=C.c.n - 1)
    )
    add_counts(conn, {(after, county, department): 1})


def apply_hours(
    conn: Connection,
    ladder: StarLadder,
    volunteer_id: int,
    delta: float,
    *,
    field: str = "service_hours",
) -> tuple[float, int, int]:
    """Add ``delta`` hours to a volunteer and move their level: (total, before, after).

    One conditional ``UPDATE … RETURNING``: the row lock (PostgreSQL) or the write lock
    (SQLite) makes concurrent confirmations add up.
    """
    column = V.c[field]
    row = conn.execute(
        update(V)
        .where(V.c.id == volunteer_id)
        .values({field: column + delta})
        .returning(V.c.service_hours, V.c.star_level, V.c.county_code, V.c.department)
    ).one()
    before = row.star_level
    after = ladder.level(row.service_hours) if field == "service_hours" else before
    if after != before:
        conn.execute(update(V).where(V.c.id == volunteer_id).values(star_level=after))
        move(conn, before, after, row.county_code, row.department)
    return float(row.service_hours), before, after


def level_case(ladder: StarLadder) -> Any:
    """SQL for the level of ``service_hours`` under ``ladder``."""
    whens = [
        (V.c.service_hours >= t - 1e-9, i)
        for i, t in reversed(list(enumerate(ladder.thresholds, 1)))
    ]
    return case(*whens, else_=literal(0))


def rebuild_counts(conn: Connection) -> None:
    """Recount ``wm_star_count`` from the volunteers (after a ladder change or a check)."""
    conn.execute(delete(C))
    conn.execute(
        insert(C).from_select(
            ["level", "county_code", "department", "n"],
            select(V.c.star_level, V.c.county_code, V.c.department, func.count()).group_by(
                V.c.star_level, V.c.county_code, V.c.department
            ),
        )
    )


def recorded_signature(conn: Connection) -> str | None:
    return conn.execute(select(M.c.value).where(M.c.key == META_KEY)).scalar()


def adopt(
    conn: Connection, name: str, ladder: StarLadder, at: dt.datetime, actor: str = "system"
) -> int:
    """Make ``ladder`` the one in force: recompute every level if it changed, rebuild
    the counts, record the change. Returns how many volunteers changed level."""
    sig = signature(name, ladder)
    seen = recorded_signature(conn)
    if seen == sig:
        return 0
    changed = 0
    if seen is not None or conn.execute(select(func.count()).select_from(V)).scalar():
        changed = conn.execute(
            update(V)
            .where(V.c.star_level != level_case(ladder))
            .values(star_level=level_case(ladder))
        ).rowcount
        rebuild_counts(conn)
    if seen is None:
        conn.execute(insert(M).values(key=META_KEY, value=sig))
    else:
        conn.execute(update(M).where(M.c.key == META_KEY).values(value=sig))
    conn.execute(
        insert(E).values(
            at=at,
            kind="ladder",
            actor=actor,
            role="system",
            reason=f"star ladder {sig}" + (f" replaces {seen}" if seen else ""),
            data={"ladder": name, "version": ladder.version, "changed": changed, "before": seen},
        )
    )
    return changed


def distribution(
    conn: Connection,
) -> tuple[dict[int, int], dict[str, dict[int, int]], dict[str, dict[int, int]]]:
    """Counts by level, by county and level, by department and level (maintained rows)."""
    by_level: dict[int, int] = {}
    by_county: dict[str, dict[int, int]] = {}
    by_dept: dict[str, dict[int, int]] = {}
    for level, county, dept, n in conn.execute(
        select(C.c.level, C.c.county_code, C.c.department, C.c.n).where(C.c.n != 0)
    ):
        by_level[level] = by_level.get(level, 0) + n
        c = by_county.setdefault(county, {})
        c[level] = c.get(level, 0) + n
        d = by_dept.setdefault(dept, {})
        d[level] = d.get(level, 0) + n
    return (
        dict(sorted(by_level.items())),
        {k: dict(sorted(v.items())) for k, v in sorted(by_county.items())},
        {k: dict(sorted(v.items())) for k, v in sorted(by_dept.items())},
    )
