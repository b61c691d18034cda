"""Names → codes: find sites and divisions by Chinese name, part of it, pinyin or initials.

People know places by name (狮山, 横塘街道, "shishan", "hths"), the network by code
(``320505002``). :func:`find` ranks any named items against a query; :func:`resolve_place`
turns a ``--place`` value into a division code, or says which candidates it could mean.
Pinyin comes from pypinyin, imported only when a query is in Latin letters. The offline
map's search index (:mod:`wenming.network.mapview`) is built from the same forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from attrs import frozen

from wenming.errors import WenmingError

if TYPE_CHECKING:
    from wenming.network.regions import Region

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"^[A-Za-z][A-Za-z' ]*$")

#: Generic endings of site and division names, and what is left of them: a query of
#: the place's own name (横塘社区, 横塘村) is then an exact match.
SUFFIXES: tuple[tuple[str, str], ...] = (
    ("新时代文明实践中心", ""),
    ("新时代文明实践所", ""),
    ("新时代文明实践站", ""),
    ("村委会", "村"),  # 横塘村委会 is the committee of 横塘村
    ("居委会", ""),
)

#: Levels from the top, so a county comes before a station of the same name.
_LEVEL_RANK = {
    "city": 0,
    "guidance_center": 0,
    "county": 1,
    "center": 1,
    "town": 2,
    "institute": 2,
    "village": 3,
    "station": 3,
    "subcenter": 4,
    "practice_point": 5,
}


@lru_cache(maxsize=16384)
def pinyin_forms(text: str) -> tuple[str, str]:
    """``(full pinyin, initials)`` of ``text``: lower case, no tones, no spaces.

    ``pinyin_forms("狮山街道") == ("shishanjiedao", "ssjd")``. Han characters are read in
    context (pypinyin's phrase dictionary picks 重庆 → chongqing); letters and digits
    are kept as they are (lower-cased) in both forms, anything else is dropped.
    """
    from pypinyin import lazy_pinyin

    full: list[str] = []
    initials: list[str] = []
    pos = 0
    for match in _HAN.finditer(text):
        other = _plain(text[pos : match.start()])
        full.append(other)
        initials.append(other)
        for syllable in lazy_pinyin(match.group()):
            full.append(syllable)
            initials.append(syllable[:1])
        pos = match.end()
    other = _plain(text[pos:])
    full.append(other)
    initials.append(other)
    return "".join(full).lower(), "".join(initials).lower()


@lru_cache(maxsize=65536)
def pinyin_syllables(text: str) -> tuple[str, ...]:
    """The pinyin syllables of ``text`` in order, lowercase, without tones: ``苏州`` →
    ``("su", "zhou")``. A run of other characters stays one item, spaces removed
    (``W1号`` → ``("w1", "hao")``), so the map's search can match whole syllables with
    gaps."""
    from pypinyin import Style, lazy_pinyin

    items = ("".join(s.split()).lower() for s in lazy_pinyin(text, style=Style.NORMAL))
    return tuple(s for s in items if s)


def _plain(text: str) -> str:
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


def core_name(name: str) -> str:
    """The name without a generic ending (横塘社区新时代文明实践站 → 横塘社区, 横塘村委会 → 横塘村)."""
    for suffix, keep in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + keep
    return name


@frozen
class Found:
    """One item a query matched: how well (0 is exact) and on what."""

    code: str
    name: str
    level: str
    rank: int
    matched: str  # name | pinyin | initials | code | name_en

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "rank": self.rank,
            "matched": self.matched,
        }


def _score(query: str, kind: str, code: str, name: str, name_en: str) -> tuple[int, str] | None:
    if kind == "code":
        if code == query:
            return 0, "code"
        return (1, "code") if code.startswith(query) else None
    core = core_name(name)
    if kind == "han":
        if query in (name, core):
            return 0, "name"
        if core.startswith(query) or name.startswith(query):
            return 1, "name"
        return (2, "name") if query in name else None
    full, initials = pinyin_forms(core)
    if full == query:
        return 0, "pinyin"
    if initials == query and len(query) >= 2:
        return 1, "initials"
    if full.startswith(query):
        return 1, "pinyin"
    if len(query) >= 2 and initials.startswith(query):
        return 2, "initials"
    if len(query) >= 3 and query in full:
        return 3, "pinyin"
    if len(query) >= 3 and query in name_en.lower().replace(" ", ""):
        return 3, "name_en"
    return None


def query_kind(query: str) -> str:
    """``code`` (digits), ``han`` (has Chinese characters), ``latin`` (pinyin), or raise."""
    q = query.strip()
    if not q:
        raise WenmingError("give a name, part of a name, pinyin, initials or a code")
    if q.isdigit():
        return "code"
    if _HAN.search(q):
        return "han"
    if _LATIN.match(q):
        return "latin"
    raise WenmingError(
        f"cannot search for {query!r}: give Chinese characters, pinyin or initials, or a code"
    )


def find(
    items: Iterable[tuple[str, str, str, str]], query: str, *, limit: int | None = 20
) -> list[Found]:
    """Rank ``(code, name, level, name_en)`` items against ``query``, best first.

    Exact names (with or without a generic ending such as 新时代文明实践站) come first,
    then names that start with the query, then names containing it; within a rank,
    higher levels and shorter names first.
    """
    kind = query_kind(query)
    q = query.strip()
    if kind == "latin":
        q = q.lower().replace(" ", "").replace("'", "")
    hits: list[Found] = []
    for code, name, level, name_en in items:
        scored = _score(q, kind, code, name, name_en or "")
        if scored is not None:
            hits.append(Found(code, name, level, scored[0], scored[1]))
    hits.sort(key=lambda f: (f.rank, _LEVEL_RANK.get(f.level, 9), len(f.name), f.code))
    return hits if limit is None else hits[:limit]


def candidates_text(found: list[Found], shown: int = 6) -> str:
    text = ", ".join(f"{f.name} {f.code}" for f in found[:shown])
    if len(found) > shown:
        text += f" … and {len(found) - shown} more"
    return text


def resolve_place(value: str, region: Region) -> str:
    """A ``--place`` value (division code or unambiguous name) → the division code.

    An unknown code, a name that matches nothing, or one that matches several
    divisions raises a one-line :class:`WenmingError` naming the candidates and codes.
    """
    from wenming.network.regions import normalize_code

    text = value.strip()
    if text.isdigit():
        code = normalize_code(text)
        if code in region.divisions:
            return code
        raise WenmingError(
            f"place {value!r}: no division with this code in region {region.key} "
            f"(codes look like {region.code} or 320505001002; "
            f"'wenming network find NAME' finds one by name)"
        )
    items = ((d.code, d.name, d.level, "") for d in region.divisions.values())
    found = find(items, text, limit=None)
    if not found:
        raise WenmingError(
            f"place {value!r}: no division of region {region.key} has this name "
            f"(try part of it, or 'wenming network find {text}')"
        )
    best = [f for f in found if f.rank == found[0].rank]
    if len(best) == 1 and (best[0].rank == 0 or len(found) == 1):
        return best[0].code
    raise WenmingError(
        f"place {value!r} is ambiguous: {candidates_text(found)}; give the code or more of the name"
    )
