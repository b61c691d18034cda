"""Place names inside a wish: villages, communities, towns and counties of the region.

Names come from the deployment's region dataset (the same files the network is built
from). Each division is known by its full name and by the name people say:
``电站村委会`` → ``电站村``, ``横塘社区居委会`` → ``横塘社区``, ``城厢镇`` → ``城厢``,
``太仓市`` → ``太仓``. Short names that are ordinary words (东南, 太湖 …) are left out.

A name several divisions share (西塘社区 is in two towns of 吴江区) is decided by
another place the words name (平望镇西塘社区), else by the filing station's place (the
candidate in the same town, then the same county); otherwise it is asked back as a
:class:`~wenming.intake.records.Question`, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from attrs import frozen

from wenming.intake.records import Question
from wenming.network.regions import Region

_VILLAGE_SUFFIXES = (
    ("社区居民委员会", "社区"),
    ("社区居民委会", "社区"),
    ("社区居委会", "社区"),
    ("居民委员会", "社区"),
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("居委会", "社区"),
)
#: Short forms that are ordinary words, not places, in a wish.
STOP_SHORT = frozenset(
    {
        "东南",
        "太湖",
        "太平",
        "城南",
        "凤凰",
        "园区",
        "工业园",
        "开发区",
        "经济开发区",
        "科教新城",
        "长桥",
    }
)
_PAREN = re.compile(r"[（(].*?[)）]")


@frozen
class Name:
    """One way a division is named."""

    code: str
    level: str
    short: bool


@frozen
class Match:
    """A place name found in the words."""

    words: str
    begin: int
    end: int
    names: tuple[Name, ...]


def _shorts(name: str, level: str) -> Iterable[str]:
    base = _PAREN.sub("", name).strip()
    if level == "village":
        if "虚拟" in base:
            return
        for suffix, spoken in _VILLAGE_SUFFIXES:
            if base.endswith(suffix):
                yield base[: -len(suffix)] + spoken
                return
        return
    if base != name:
        yield base
    if base.startswith("苏州") and len(base) > 4:
        yield base[2:]
    suffixes = ("街道", "镇") if level == "town" else ("市", "区")
    for suffix in suffixes:
        if base.endswith(suffix) and len(base) - len(suffix) >= 2:
            short = base[: -len(suffix)]
            if short.startswith("苏州") and len(short) > 4:
                short = short[2:]
            yield short
            break


class PlaceIndex:
    """The region's place names, for matching inside a sentence and for labels."""

    def __init__(self, region: Region) -> None:
        self.region = region
        self.names: dict[str, list[Name]] = {}
        self._labels: dict[str, str] = {region.code: region.name}
        self.add(region.name, Name(region.code, "city", False))
        short = region.name.removesuffix("市")
        if len(short) >= 2:
            self.add(short, Name(region.code, "city", True))
        for division in region.divisions.values():
            level = division.level
            if level not in ("county", "town", "village"):
                continue
            self._labels[division.code] = division.name
            if "虚拟" not in division.name:
                self.add(division.name, Name(division.code, level, False))
            for spoken in _shorts(division.name, level):
                is_short = level != "village"
                if is_short and spoken in STOP_SHORT:
                    continue
                self.add(spoken, Name(division.code, level, is_short))

    def add(self, words: str, name: Name) -> None:
        known = self.names.setdefault(words, [])
        if all(n.code != name.code for n in known):
            known.append(name)

    def label(self, code: str) -> str:
        """The division's name with its town and county: ``西塘社区居委会（吴江区平望镇）``."""
        own = self._labels.get(code, code)
        chain = [
            self._labels[p]
            for p in (code[:6], code[:9])
            if len(p) < len(code) and p in self._labels
        ]
        return f"{own}（{''.join(chain)}）" if chain else own

    def known(self, code: str) -> bool:
        return code in self._labels


def _related(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def resolve(
    index: PlaceIndex, matches: list[Match], context: str | None
) -> tuple[str | None, list[Match], str, Question | None]:
    """The division the words name, the matches that named it, why, and a question when
    the words leave it open (then the division is ``None``)."""
    if not matches:
        return None, [], "", None
    decided: list[tuple[Match, str, str]] = []
    for m in matches:
        codes = [n.code for n in m.names]
        if len(codes) == 1:
            decided.append((m, codes[0], f"{m.words} is {index.label(codes[0])}"))
            continue
        others = [n.code for o in matches if o is not m for n in o.names if len(o.names) == 1]
        by_words = [c for c in codes if any(c != o and c.startswith(o) for o in others)]
        if len(by_words) == 1:
            decided.append((m, by_words[0], f"{m.words} inside the place the words also name"))
            continue
        chosen = None
        if context:
            for width in (9, 6):
                near = [c for c in codes if c[:width] == context[:width]]
                if len(near) == 1:
                    chosen = near[0]
                    break
            exact = [c for c in codes if _related(c, context)]
            if chosen is None and len(exact) == 1:
                chosen = exact[0]
        if chosen is not None:
            decided.append(
                (
                    m,
                    chosen,
                    f"{m.words} is shared by {len(codes)} places; the one near the "
                    f"filing place {index.label(context or '')}",
                )
            )
            continue
        return (
            None,
            [m],
            "",
            Question(
                field="place",
                text=f"“{m.words}”有{len(codes)}处，指的是哪一处？",
                words=(m.words,),
                candidates=tuple((c, index.label(c)) for c in sorted(codes)),
            ),
        )
    # The most specific place; places in one line of descent agree.
    decided.sort(key=lambda t: (-len(t[1]), t[0].begin))
    best = decided[0]
    conflicting = [d for d in decided if not _related(d[1], best[1])]
    if conflicting:
        candidates = []
        for _, code, _why in decided:
            if all(code != c for c, _ in candidates) and not any(
                len(c) > len(code) and c.startswith(code) for c, _ in candidates
            ):
                candidates.append((code, index.label(code)))
        return (
            None,
            [d[0] for d in decided],
            "",
            Question(
                field="place",
                text="这段话提到了几个地方，服务在哪一处？",
                words=tuple(d[0].words for d in decided),
                candidates=tuple(candidates),
            ),
        )
    return best[1], [d[0] for d in decided], best[2], None
