"""The people side in the demo: a synthetic population, three named volunteers imported
from a file, signing in on a dispatched order, the team leader confirming their hours,
and one of them crossing into the first star level.

Called from ``examples/demo.py`` with its ``run`` and ``capture`` helpers, after the
network is loaded (volunteers live at its stations).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The demo's synthetic population; the seed's 2,914,600 takes minutes (see
#: docs/performance.md), so the demo generates fewer.
DEMO_POPULATION = 20_000
VILLAGE = "320505001002"
OPS = ["--actor", "guidance-center", "--role", "city_dispatcher"]
STATION = ["--actor", "huqiu-station", "--role", "station_operator", "--area", "320505001"]
LEAD = ["--actor", "lead-water.corps", "--role", "team_leader", "--team", "water.corps"]


def _id_number(born: dt.date, seq: int) -> str:
    from wenming.people import ids

    return ids.make("320505", born, seq)


def people_demo(
    run: Callable[..., None], capture: Callable[..., Any], scratch: Path, root: Path
) -> list[int]:
    """Volunteers: import, sign in on a dispatched order, hours confirmed, a new star.
    Returns the IDs of the volunteers it imported."""
    print("\n# 志愿者: a synthetic population, then three volunteers from a file")
    run("volunteers", "synthesize", "--count", str(DEMO_POPULATION))
    people = [
        ("张敏", _id_number(dt.date(1988, 4, 2), 11), "13812340001", "98.5"),
        ("李强", _id_number(dt.date(1975, 9, 30), 12), "13812340002", "40"),
        ("陈小雨", _id_number(dt.date(2007, 6, 18), 13), "", ""),
    ]
    path = scratch / "volunteers.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["姓名", "身份证号", "手机号", "所属站点", "队伍", "证书", "已有服务时长"])
        for name, number, phone, hours in people:
            w.writerow([name, number, phone, VILLAGE, "water.corps", "first_aid:2028-06-30", hours])
    run("volunteers", "import", str(path.relative_to(root)), *OPS)
    ids = [capture("volunteers", "show", "--id-number", number)["id"] for _, number, _, _ in people]
    run("volunteers", "show", str(ids[0]))  # masked: 3205**********…, 138****0001

    print("\n# 签到 · 签退 · 确认: volunteers sign in on a dispatched order")
    order = capture(
        "order",
        "submit",
        "--place",
        VILLAGE,
        "--site",
        VILLAGE,
        "--start",
        "2023-08-05",
        "--category",
        "science",
        "--tag",
        "water_saving",
        "--audience",
        "minors",
        "--headcount",
        "20",
        "--key",
        "demo-people-1",
        *STATION,
    )
    oid = str(order["id"])
    capture("dispatch", oid, "--resource", "water.corps", *OPS)
    capture("accept", oid, *LEAD)
    start = "2023-08-05T09:00:00+08:00"
    run(
        "volunteers",
        "signin",
        str(ids[0]),
        oid,
        "--at",
        start,
        "--lng",
        "120.57",
        "--lat",
        "31.32",
        "--actor",
        str(ids[0]),
        "--role",
        "volunteer",
    )
    for vid in ids[1:]:
        run("volunteers", "signin", str(vid), oid, "--at", start, *LEAD)
    capture("order", "start", oid, *LEAD)
    for vid, end in zip(ids, ("11:50", "10:20", "09:40"), strict=True):
        run("volunteers", "signout", str(vid), oid, "--at", f"2023-08-05T{end}:00+08:00", *LEAD)
    before = capture("volunteers", "show", str(ids[0]))
    run("volunteers", "confirm", oid, *LEAD)  # 张敏: 98.5 + 3 h → one star
    after = capture("volunteers", "show", str(ids[0]))
    print(
        f"{after['name']}: {before['service_hours']:g} h, level {before['star_level']} → "
        f"{after['service_hours']:g} h, level {after['star_level']} (one star at 100 h)"
    )
    run("volunteers", "show", str(ids[0]), "--record")
    run("volunteers", "stars")
    run(
        "volunteers",
        "export",
        str(ids[0]),
        "--actor",
        str(ids[0]),
        "--role",
        "volunteer",
        "--format",
        "csv",
        "-o",
        str((scratch / "my-record.csv").relative_to(root)),
    )
    return ids
