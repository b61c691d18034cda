"""When a wish is for: a window of days and a recurrence, from words relative to today.

Read in the deployment's time zone (``today`` is a date there). Rules, documented in
``docs/intake.md``: a month, day or festival without a year is its next occurrence on
or after today; 暑假 is 1 July – 31 August, 寒假 20 January – 20 February; 国庆 1–7
October, 五一 1–5 May; 周末 the coming Saturday and Sunday; 下周 next Monday – Sunday;
下周三 the Wednesday of next week; N月上旬/中旬/下旬 days 1–10 / 11–20 / 21–end;
lunar festivals (重阳, 端午, 中秋, 春节 …) through ``lunardate``. Recurrences
(每周一次, 每月, 每天, 隔周) are kept as such and set no window by themselves.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta

from attrs import frozen

from wenming.intake.numbers import to_int

_M = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
_D = r"3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九]"
_WD = "一二三四五六日天"
_WEEKDAY = {c: i for i, c in enumerate("一二三四五六")} | {"日": 6, "天": 6}

_FIXED: dict[str, tuple[int, int, int, int]] = {
    "国庆节": (10, 1, 10, 7),
    "国庆期间": (10, 1, 10, 7),
    "国庆": (10, 1, 10, 7),
    "十一黄金周": (10, 1, 10, 7),
    "十一长假": (10, 1, 10, 7),
    "十一期间": (10, 1, 10, 7),
    "五一": (5, 1, 5, 5),
    "劳动节": (5, 1, 5, 5),
    "元旦": (1, 1, 1, 1),
    "七一": (7, 1, 7, 1),
    "建党节": (7, 1, 7, 1),
    "八一": (8, 1, 8, 1),
    "建军节": (8, 1, 8, 1),
    "六一": (6, 1, 6, 1),
    "儿童节": (6, 1, 6, 1),
    "三八": (3, 8, 3, 8),
    "妇女节": (3, 8, 3, 8),
    "植树节": (3, 12, 3, 12),
    "世界水日": (3, 22, 3, 22),
    "防灾减灾日": (5, 12, 5, 12),
    "全民健身日": (8, 8, 8, 8),
    "国家宪法日": (12, 4, 12, 4),
    "宪法日": (12, 4, 12, 4),
    "教师节": (9, 10, 9, 10),
    "学雷锋日": (3, 5, 3, 5),
    "雷锋日": (3, 5, 3, 5),
    "国际志愿者日": (12, 5, 12, 5),
    "消费者权益日": (3, 15, 3, 15),
    "国家安全教育日": (4, 15, 4, 15),
    "清明节": (4, 4, 4, 6),
    "清明": (4, 4, 4, 6),
    "暑假": (7, 1, 8, 31),
    "暑期": (7, 1, 8, 31),
    "寒假": (1, 20, 2, 20),
    "下半年": (7, 1, 12, 31),
    "上半年": (1, 1, 6, 30),
    "年底": (12, 1, 12, 31),
    "年末": (12, 1, 12, 31),
}
#: Lunar festivals: (lunar month, lunar day, days long).
_LUNAR: dict[str, tuple[int, int, int]] = {
    "春节": (1, 1, 7),
    "元宵节": (1, 15, 1),
    "元宵": (1, 15, 1),
    "端午节": (5, 5, 1),
    "端午": (5, 5, 1),
    "七夕": (7, 7, 1),
    "中秋节": (8, 15, 1),
    "中秋": (8, 15, 1),
    "重阳节": (9, 9, 1),
    "重阳": (9, 9, 1),
}
_RECUR = (
    (re.compile(r"(每天|每日|天天)([一两二三]次)?"), "daily", "every day"),
    (re.compile(r"每(隔)?(两|2|二)(周|星期|个星期|礼拜)|隔周|双周"), "biweekly", "every two weeks"),
    (
        re.compile(r"每(个)?(周|星期|礼拜)([一两二三]次|[末一二三四五六日天])?|每个周末"),
        "weekly",
        "every week",
    ),
    (re.compile(r"每(个)?月([一两二三]次)?"), "monthly", "every month"),
    (re.compile(r"每(个)?季度"), "quarterly", "every quarter"),
    (re.compile(r"每年"), "yearly", "every year"),
)


@frozen
class Window:
    """A window of days found in the words."""

    start: date
    end: date | None
    begin: int
    finish: int
    why: str


@frozen
class Recurrence:
    value: str
    begin: int
    finish: int
    why: str


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _next(today: date, m1: int, d1: int, m2: int, d2: int, year: int | None = None) -> tuple:
    """The next occurrence (this year, or next if it is over) of a month/day window."""
    y = year if year is not None else today.year
    wraps = (m2, d2 or 31) < (m1, d1)
    end_year = y + 1 if wraps else y
    end = _safe(end_year, m2, d2) if d2 else _month_end(end_year, m2)
    if year is None and end is not None and end < today:
        y += 1
        end_year += 1
        end = _safe(end_year, m2, d2) if d2 else _month_end(end_year, m2)
    start = _safe(y, m1, d1)
    return start, end


def _lunar(today: date, month: int, day: int, days: int) -> tuple[date, date]:
    import lunardate

    for y in (today.year - 1, today.year, today.year + 1):
        start = lunardate.LunarDate(y, month, day).to_solar_date()
        end = start + timedelta(days=days - 1)
        if end >= today:
            return start, end
    raise ValueError("no lunar date found")  # pragma: no cover


def _num(s: str) -> int | None:
    return to_int(s.lstrip("0") or "0") if s else None


def _year(m: re.Match, today: date) -> int | None:
    text = m.group(0)
    if y := re.match(r"(20\d\d)年", text):
        return int(y.group(1))
    if text.startswith("明年"):
        return today.year + 1
    if text.startswith("今年"):
        return today.year
    return None


_Y = r"(?:(?:20\d\d)年|明年|今年)?"
Rule = Callable[[re.Match, date], tuple[date | None, date | None, str] | None]


def _day_range(m: re.Match, today: date):
    mo, d1 = _num(m["m"]), _num(m["d"])
    mo2 = _num(m["m2"]) if m["m2"] else mo
    d2 = _num(m["d2"]) if m["d2"] else d1
    if not (mo and d1 and mo2 and d2) or mo > 12 or mo2 > 12:
        return None
    start, end = _next(today, mo, d1, mo2, d2, _year(m, today))
    return start, end, "a day of the month (next occurrence)"


def _dot_day(m: re.Match, today: date):
    mo, d = int(m["m"]), int(m["d"])
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    start, end = _next(today, mo, d, mo, d)
    return start, end, f"{mo}·{d}: that day (next occurrence)"


def _month_range(m: re.Match, today: date):
    a, b = _num(m["m"]), _num(m["m2"])
    if not a or not b or a > 12 or b > 12:
        return None
    start, end = _next(today, a, 1, b, 0, _year(m, today))
    return start, end, "those whole months"


def _cn_month_pair(m: re.Match, today: date):
    a, b = _num(m["a"]), _num(m["b"])
    if not a or not b or b != a + 1:
        return None
    start, end = _next(today, a, 1, b, 0, _year(m, today))
    return start, end, "those two whole months"


def _month_part(m: re.Match, today: date):
    mo = _num(m["m"])
    if not mo or mo > 12:
        return None
    part = m["part"]
    first, last = {
        "上旬": (1, 10),
        "月初": (1, 10),
        "初": (1, 10),
        "中旬": (11, 20),
        "月中": (11, 20),
        "中": (11, 20),
        "下旬": (21, 0),
        "底": (21, 0),
        "末": (21, 0),
        "月底": (21, 0),
        "上半月": (1, 15),
        "下半月": (16, 0),
    }[part]
    start, end = _next(today, mo, first, mo, last, _year(m, today))
    return start, end, f"{mo}月{part}"


def _month(m: re.Match, today: date):
    mo = _num(m["m"])
    if not mo or mo > 12:
        return None
    start, end = _next(today, mo, 1, mo, 0, _year(m, today))
    if m["from"]:
        return start, None, f"from {mo}月 on"
    return start, end, "the whole month (next occurrence)"


def _fixed(m: re.Match, today: date):
    name = m.group(0)
    m1, d1, m2, d2 = _FIXED[name]
    start, end = _next(today, m1, d1, m2, d2)
    if start is not None and start < today <= end:
        start = today
    return start, end, f"{name}: {m1}/{d1}–{m2}/{d2}"


def _lunar_rule(m: re.Match, today: date):
    name = m.group(0)
    start, end = _lunar(today, *_LUNAR[name])
    return start, end, f"{name}: lunar calendar"


def _relative_day(m: re.Match, today: date):
    offset = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}[m.group(0)]
    day = today + timedelta(days=offset)
    return day, day, f"{m.group(0)}: today + {offset} days"


def _monday(today: date, weeks: int) -> date:
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


def _week_day(m: re.Match, today: date):
    which = m["which"] or ""
    weeks = 2 if which.startswith("下下") else 1 if which.startswith("下") else 0
    wd = _WEEKDAY[m["wd"]]
    day = _monday(today, weeks) + timedelta(days=wd)
    if not which and day < today:  # a bare 周三 is the next one
        day += timedelta(weeks=1)
    return day, day, f"{m.group(0)}: weekday of {'this' if not weeks else 'next'} week"


def _weekend(m: re.Match, today: date):
    weeks = 1 if (m["which"] or "").startswith("下") else 0
    sat = _monday(today, weeks) + timedelta(days=5)
    if weeks == 0 and today > sat:  # Sunday: the weekend is today
        sat = today - timedelta(days=1)
    start = max(sat, today)
    return start, sat + timedelta(days=1), "周末: the coming Saturday and Sunday"


def _week(m: re.Match, today: date):
    if (m["which"] or "").startswith("下"):
        mon = _monday(today, 1)
        return mon, mon + timedelta(days=6), "下周: next Monday to Sunday"
    return today, _monday(today, 0) + timedelta(days=6), "本周: the rest of this week"


def _month_relative(m: re.Match, today: date):
    if m.group(0) in ("下个月", "下月"):
        first = _month_end(today.year, today.month) + timedelta(days=1)
        return first, _month_end(first.year, first.month), "下个月: next month"
    if m.group(0) == "月底":
        return (
            max(today, date(today.year, today.month, 21)),
            _month_end(today.year, today.month),
            "月底: the last days of this month",
        )
    return today, _month_end(today.year, today.month), "本月: the rest of this month"


_RULES: tuple[tuple[re.Pattern, Rule], ...] = (
    (
        re.compile(
            rf"{_Y}(?P<m>{_M})月(?P<d>{_D})[日号]?"
            rf"(?:[至到\-~—]+(?:(?P<m2>{_M})月)?(?P<d2>{_D})[日号])?"
            r"(?![\d十])"
        ),
        _day_range,
    ),
    (re.compile(r"(?<![\d.])(?P<m>1[0-2]|[1-9])[·・](?P<d>3[01]|[12]\d|[1-9])(?!\d)"), _dot_day),
    (
        re.compile(
            r"(?<![\d.])(?P<m>1[0-2]|[1-9])[.．](?P<d>3[01]|[12]\d|[1-9])"
            r"(?=[日节前当快活主宣期这那，,。 ]|$)"
        ),
        _dot_day,
    ),
    (
        re.compile(rf"{_Y}(?P<m>{_M})月?[、\-~—至到和](?P<m2>{_M})月份?"),
        _month_range,
    ),
    (re.compile(rf"{_Y}(?P<a>[一二三四五六七八])(?P<b>[二三四五六七八九])月份?"), _cn_month_pair),
    (
        re.compile(
            rf"{_Y}(?P<m>{_M})月份?(?P<part>上旬|中旬|下旬|上半月|下半月|月初|月中|月底|初|底|末)"
        ),
        _month_part,
    ),
    (re.compile(rf"(?P<from>从)?{_Y}(?P<m>{_M})月份?(?![\d日号])"), _month),
    (re.compile("|".join(sorted(_FIXED, key=len, reverse=True))), _fixed),
    (re.compile("|".join(sorted(_LUNAR, key=len, reverse=True))), _lunar_rule),
    (re.compile(r"大后天|今天|今日|明天|明日|后天"), _relative_day),
    (
        re.compile(rf"(?<!每)(?P<which>下下|下个?|本|这个?)?(周|星期|礼拜)(?P<wd>[{_WD}])"),
        _week_day,
    ),
    (re.compile(r"(?<![每个])(?P<which>下个?|本|这个?)?周末"), _weekend),
    (re.compile(r"(?<!每)(?P<which>下个?|本|这个?)(周|星期|礼拜)(?![末一二三四五六日天])"), _week),
    (re.compile(r"下个月|下月|本月|这个月|月底"), _month_relative),
)


def windows(text: str, today: date) -> list[Window]:
    """Every window of days in normalised ``text``, earliest in the text first; where
    expressions overlap, the one matched by the earlier (more specific) rule wins."""
    taken: list[tuple[int, int]] = []
    found: list[Window] = []
    for pattern, rule in _RULES:
        for m in pattern.finditer(text):
            b, e = m.span()
            if any(b < te and tb < e for tb, te in taken):
                continue
            result = rule(m, today)
            if result is None or result[0] is None:
                continue
            start, end, why = result
            taken.append((b, e))
            found.append(Window(start, end, b, e, why))
    return sorted(found, key=lambda w: w.begin)


def recurrences(text: str) -> list[Recurrence]:
    out: list[Recurrence] = []
    taken: list[tuple[int, int]] = []
    for pattern, value, why in _RECUR:
        for m in pattern.finditer(text):
            b, e = m.span()
            if any(b < te and tb < e for tb, te in taken):
                continue
            taken.append((b, e))
            out.append(Recurrence(value, b, e, why))
    return sorted(out, key=lambda r: r.begin)


def pick(found: list[Window]) -> tuple[Window | None, list[Window]]:
    """The window the wish is for — the narrowest of those inside the first one, else the
    first — and the others (reported as not used)."""
    if not found:
        return None, []
    first = found[0]
    inside = [
        w
        for w in found
        if w.end is not None
        and first.end is not None
        and first.start <= w.start
        and w.end <= first.end
    ]
    best = min(inside, key=lambda w: (w.end - w.start, w.begin)) if inside else first
    return best, [w for w in found if w is not best]
