"""People counts in a wish: how many are served (headcount) and how big a venue must be.

"约40名小学生", "三十人", "二百人", "八十多名工人", "十五户老人", "十对新人" (20 people) are
counts of people served; "能容纳200人的会场", "坐得下一百人的书场", "场地要能坐150人"
ask for a venue of that size and are not people served. When several counts of people
are given, one marked as the total (共、一共、总共、合计) wins, then the first.
Chinese numerals are read with cn2an.
"""

from __future__ import annotations

import re
from functools import cache

from attrs import frozen

_NUM = r"(?:\d+|[零〇一二两三四五六七八九十百千万]+)"
_COUNT = re.compile(
    rf"(?P<pre>共|一共|总共|合计|全校|全村|全镇|约|大约|大概|近|将近)?"
    rf"(?P<n>{_NUM})(?P<more>多|余|来)?"
    r"(?P<cls>名|位|个|人|户|组|对|家)"
)
#: After 个 / 组 / 家 a person word must follow, else it counts things ("两个暑托班").
_PERSON = re.compile(
    r"^[^，。；;,.!！?？]{0,8}?(人|学生|孩子|小朋友|儿童|家庭|老人|居民|村民|家长|工人|工友|"
    r"骑手|司机|员|者|师生|职工|青年|妈妈|新人|军属|老兵|群众|市民|村民|游客|农户|少年|娃|"
    r"队员|户|家|生|主|商户|人家|学员|选手|代表|干部|党员|会员|家属|求职者|工|阿姨|大爷|大妈|"
    r"老师|同学|姐妹|伙伴|宝宝|小伙)"
)
_CAPACITY_BEFORE = re.compile(r"(容纳|容得下|坐得下|坐下|能坐|可坐|可容|装得下|能装|能容)\s*$")
_VENUE = re.compile(
    r"会场|场地|礼堂|报告厅|书场|会议室|教室|场馆|大厅|运动场|场所|剧场|多功能厅|活动室|会堂|影厅|园林|公园"
)
_CAPACITY_AFTER = re.compile(
    r"^(左右)?的?(会场|场地|礼堂|报告厅|书场|会议室|教室|场馆|大厅|运动场|场所|剧场|"
    r"多功能厅|活动室|会堂|广场|影厅)"
)
_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万"
_NEXT_COUNT = re.compile(rf"^(约|大约|近)?{_NUM}(多|余)?(名|位|个|人)")
_COUPLES = re.compile(r"^(新人|夫妻|夫妇|情侣|新婚)")


@frozen
class Count:
    """One count of people found in the words."""

    value: int
    start: int
    end: int
    capacity: bool
    total: bool
    why: str


@cache
def _cn2an():  # pragma: no cover - trivial
    import cn2an

    return cn2an.cn2an


def to_int(numeral: str) -> int | None:
    """A numeral in digits or Chinese (三十五, 两百, 一百五十) as an int, or ``None``."""
    if numeral.isdigit():
        return int(numeral)
    try:
        value = _cn2an()(numeral, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return int(value) if value == int(value) else None


_ENGLISH = re.compile(
    r"(?<![\w.])(?P<n>\d+)\s*(?P<cls>people|persons|residents|kids|children|students|pupils|"
    r"seniors|elders|elderly|participants|families|couples|riders|drivers|workers|volunteers)\b"
)


def counts(text: str) -> list[Count]:
    """Every count of people or of venue seats in normalised ``text``, in order."""
    out: list[Count] = []
    for m in _ENGLISH.finditer(text):
        value = int(m["n"]) * (2 if m["cls"] == "couples" else 1)
        if value > 0:
            out.append(
                Count(value, m.start(), m.end(), False, False, "a count of people (English)")
            )
    for m in _COUNT.finditer(text):
        start, end = m.span()
        before = text[max(0, start - 1) : start]
        if before == "第" or (before and (before.isdigit() or before in _NUMERAL_CHARS)):
            continue
        after = text[end:]
        cls = m["cls"]
        value = to_int(m["n"])
        if value is None or value <= 0:
            continue
        if value == 1 and not m["n"].isdigit() and not m["pre"]:
            continue  # 一位老人, 一户人家: "a", not a count
        if cls == "对":
            if after.startswith("一"):  # 一对一
                continue
            if not _COUPLES.match(after):
                continue
            value *= 2
            why = f"{m['n']}对 = {value} people"
        elif cls in ("个", "组", "家") and (_NEXT_COUNT.match(after) or not _PERSON.match(after)):
            continue  # 两个暑托班 (things), 一个二十人的队 (the count follows)
        else:
            why = "a count of people"
        if cls == "人" and after.startswith("次"):
            continue  # 人次: attendances, not people
        # A venue's size, not people served: 能容纳200人的会场, 场地要能坐150人.
        capacity = bool(_CAPACITY_AFTER.match(after)) or bool(
            _CAPACITY_BEFORE.search(text[max(0, start - 6) : start])
            and _VENUE.search(text[max(0, start - 12) : end + 8])
        )
        if m["more"]:
            why += f" ({m['more']}: at least)"
        if capacity:
            why = "seats a venue must have (容纳/坐得下 … 的会场)"
        out.append(
            Count(
                value=value,
                start=start,
                end=end,
                capacity=capacity,
                total=(m["pre"] or "") in ("共", "一共", "总共", "合计", "全校", "全村", "全镇"),
                why=why,
            )
        )
    return sorted(out, key=lambda c: c.start)


def pick(found: list[Count]) -> tuple[Count | None, Count | None]:
    """The headcount and the venue capacity among ``found``: a total first, then the first."""
    people = [c for c in found if not c.capacity]
    seats = [c for c in found if c.capacity]
    headcount = next((c for c in people if c.total), people[0] if people else None)
    capacity = max(seats, key=lambda c: c.value) if seats else None
    return headcount, capacity
