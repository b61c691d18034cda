"""Records of the people side that plugins contribute or observe (attrs only: cheap to
import from a plugin module).

- :class:`StarLadder` — a star-level ladder (``register_star_ladders``)
- :class:`RecordClass` — an extra class of a volunteer's record (``register_record_classes``)
- :class:`HoursConfirmed`, :class:`LevelChanged` — what the observers are told
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
from attrs import field, frozen

from wenming.records import _name, _nonempty

#: The five classes of a volunteer's record (《志愿服务记录与证明出具办法》 art. 7):
#: basic information, service, training, awards, evaluation.
RECORD_CLASSES: tuple[str, ...] = ("basic", "service", "training", "awards", "evaluation")


def _thresholds(_inst: Any, attribute: attrs.Attribute, value: tuple[float, ...]) -> None:
    if not value:
        raise ValueError(f"{attribute.name} must name at least one level")
    previous = 0.0
    for i, t in enumerate(value, 1):
        if isinstance(t, bool) or not isinstance(t, int | float) or t <= previous:
            raise ValueError(
                f"{attribute.name} must be positive hours, strictly increasing; "
                f"level {i} is {t!r} after {previous:g}"
            )
        previous = float(t)


def _floats(value: Any) -> tuple[float, ...]:
    return tuple(
        float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v for v in value
    )


@frozen
class StarLadder:
    """Star levels (星级志愿者) by confirmed service hours: level ``i`` is reached at
    ``thresholds[i-1]`` hours. ``jurisdiction`` is the division code whose rule this is
    (``"CN"`` for the national one); ``version`` tells revisions apart."""

    name: str = field(validator=_name)
    name_zh: str = field(validator=_nonempty)
    jurisdiction: str = field(validator=_nonempty)
    version: str = field(validator=_nonempty)
    thresholds: tuple[float, ...] = field(converter=_floats, validator=_thresholds)
    description: str = ""

    def level(self, hours: float) -> int:
        """The level reached with ``hours`` confirmed service hours (0: none)."""
        n = 0
        for t in self.thresholds:
            if hours + 1e-9 >= t:
                n += 1
            else:
                break
        return n

    @property
    def top(self) -> int:
        return len(self.thresholds)


@frozen
class RecordClass:
    """An extra class of a volunteer's record beyond the five of the national rules
    (e.g. a department's blood-donation or rescue-duty record)."""

    name: str = field(validator=_name)
    name_zh: str = field(validator=_nonempty)
    name_en: str = field(validator=_nonempty)
    description: str = ""


@frozen
class HoursConfirmed:
    """Confirmed (or corrected) service hours of one volunteer on one order part."""

    volunteer_id: int
    order_id: int
    part_seq: int
    team: str
    department: str | None
    station: str | None
    hours: float
    total_hours: float
    actor: str
    at: dt.datetime
    correction: bool = False


@frozen
class LevelChanged:
    """A volunteer's star level moved under the deployment's ladder."""

    volunteer_id: int
    ladder: str
    before: int
    after: int
    total_hours: float
    at: dt.datetime


#: Ladders core ships: the national one, and Zhangjiagang's local one.
NATIONAL = StarLadder(
    name="national",
    name_zh="全国星级志愿者",
    jurisdiction="CN",
    version="2013",
    thresholds=(100, 300, 600, 1000, 1500),
    description="National star ratings by recorded service hours: one star at 100 h "
    "up to five stars at 1,500 h.",
)
ZHANGJIAGANG = StarLadder(
    name="zhangjiagang",
    name_zh="张家港市星级志愿者",
    jurisdiction="320582",
    version="2023",
    thresholds=(30, 60, 100, 200, 300),
    description="Zhangjiagang's local ladder: one star at 30 h up to five stars at 300 h.",
)
BUILTIN_LADDERS: tuple[StarLadder, ...] = (NATIONAL, ZHANGJIAGANG)
