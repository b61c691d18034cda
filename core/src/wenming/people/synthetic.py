"""A seed-scale synthetic volunteer population (the bulletin's 2.91 million), for the
demo and the benchmarks.

Deterministic from a seed and the loaded network: volunteers are spread over the real
stations of the loaded territorial network (each station gets a share), aged 14–75
with a guardian's consent recorded for nobody under 14 (none are generated), with
well-formed ID numbers (the station's county, a birth date, a sequence and the right
check character — unique by construction), a phone in the 199 0… range, and
hours carried over from the previous platform drawn so that about a quarter reach a
star under the national ladder (the bulletin: 744,500 star volunteers of 2.91 million).
About 40 % belong to a team of a department. Every row has ``synthetic = true``.

Rows go through the import's writer — hashed and encrypted in batches, inserted in
chunks — in one transaction, with a marker in ``wm_meta`` so it runs once.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from wenming.errors import WenmingError
from wenming.people import ids, importer, stars
from wenming.people.importer import Prepared
from wenming.people.views import ImportReport
from wenming.storage.tables import Meta, ResourceRow, Site

if TYPE_CHECKING:
    from wenming.people.service import People

#: The bulletin's registered volunteers (注册志愿者达291.46万人).
SEED_VOLUNTEERS = 2_914_600
DEFAULT_SEED = 20230330
META_KEY = "people.synthetic"
BATCH = 100_000

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红梅鹏飞斌宇浩凯文俊晨欣怡子涵雨轩梓萱佳琪思远嘉怡一诺"
_DAYS = 365 * 61  # birth dates over 61 years: ages 14 to 75
_STEP = 7919  # a prime not dividing _DAYS: i → (day, sequence) is one-to-one


def synthesize(
    people: People, count: int = SEED_VOLUNTEERS, *, seed: int = DEFAULT_SEED
) -> ImportReport:
    """Generate and write ``count`` synthetic volunteers over the loaded stations, once."""
    if count < 1:
        raise WenmingError(f"count must be at least 1, got {count}")
    if count > _DAYS * 1000:
        raise WenmingError(f"at most {_DAYS * 1000} synthetic volunteers, got {count}")
    people.ensure_ladder()
    started = time.perf_counter()
    at = people.clock()
    today = people.today()
    rng = random.Random(seed)
    m = Meta.__table__
    with people.storage.engine.begin() as conn:
        if conn.execute(select(m.c.value).where(m.c.key == META_KEY)).scalar() is not None:
            raise WenmingError("the synthetic volunteers were already generated in this database")
        s = Site.__table__
        stations = sorted(
            conn.execute(
                select(s.c.code).where(s.c.level == "station", s.c.functional_zone.is_(False))
            ).scalars()
        )
        if not stations:
            raise WenmingError("no stations to place volunteers at: run 'wenming network load'")
        teams = _teams(people, conn)
        departments = sorted(teams)
        total = members = 0
        counts: dict[tuple[int, str, str], int] = {}
        newest = today - dt.timedelta(days=14 * 365 + 4)
        rnd, ns, ng = rng.random, len(_SURNAMES), len(_GIVEN)
        for start in range(0, count, BATCH):
            batch = Prepared(synthetic=True)
            for i in range(start, min(count, start + BATCH)):
                station = stations[i % len(stations)]
                born = newest - dt.timedelta(days=(i * _STEP) % _DAYS)
                r = rnd()
                batch.names.append(
                    _SURNAMES[int(r * ns)]
                    + _GIVEN[int(rnd() * ng)]
                    + (_GIVEN[int(r * 7919) % ng] if r * 97 % 1 < 0.6 else "")
                )
                batch.numbers.append(ids.make(station[:6], born, i // _DAYS))
                batch.phones.append(f"1990{i:07d}")
                batch.born.append(born)
                batch.consent.append(None)
                batch.stations.append(station)
                batch.carried.append(_hours(rng))
                dept = ""
                r = rnd()
                if departments and r < 0.4:
                    dept = departments[int(r / 0.4 * len(departments))]
                    options = teams[dept]
                    batch.teams.append((i - start, options[int(rnd() * len(options))]))
                batch.departments.append(dept)
            _, n, t, _, added = importer.write(conn, batch, people.vault, people.ladder, at)
            total += n
            members += t
            for key, v in added.items():
                counts[key] = counts.get(key, 0) + v
        stars.add_counts(conn, counts)
        conn.execute(
            insert(m).values(
                key=META_KEY, value=f"{total} volunteers, seed {seed}, {at.isoformat()}"
            )
        )
        conn.execute(
            insert(stars.E).values(
                at=at,
                kind="import",
                actor="synthetic",
                role="system",
                data={"source": "synthetic", "volunteers": total, "seed": seed},
            )
        )
    return ImportReport(
        source="synthetic",
        volunteers=total,
        memberships=members,
        credentials=0,
        seconds=round(time.perf_counter() - started, 3),
        synthetic=True,
    )


def _hours(rng: random.Random) -> float:
    """Carried-over hours: most below 100, about a quarter above (long-tailed)."""
    r = rng.random()
    if r < 0.25:
        return 0.0
    if r < 0.744:
        return float(int((r - 0.25) / 0.494 * 199) + 1) / 2
    return round(100 + rng.expovariate(1 / 260), 1)


def _teams(people: People, conn) -> dict[str, list[str]]:
    """Each department's team resources: its plugin's seed teams and stored teams."""
    out: dict[str, list[str]] = {}
    for key, res in people.registry.resources.items():
        dept = people.registry.department_of(key)
        if dept and res.kind == "team":
            out.setdefault(dept, []).append(key)
    r = ResourceRow.__table__
    for key, dept in conn.execute(
        select(r.c.key, r.c.department).where(r.c.kind == "team", r.c.status == "published")
    ):
        if dept:
            out.setdefault(dept, []).append(key)
    return {d: sorted(set(v)) for d, v in out.items()}
