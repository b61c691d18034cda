"""Search forms of Chinese names: full pinyin and initials.

Residents type place names the way a phone keyboard lets them: 苏州, ``suzhou`` or
``sz``. The map's search index (:mod:`wenming.network.mapview`) and ``wenming network
find`` both match those forms, so both build them here, with pypinyin (its phrase
dictionary picks the reading of polyphonic characters, 长江 → ``changjiang``).
pypinyin loads its dictionaries on first use, so it is imported inside the function.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=65536)
def pinyin_syllables(text: str) -> tuple[str, ...]:
    """The pinyin syllables of ``text`` in order, lowercase, without tones: ``苏州`` →
    ``("su", "zhou")``. A run of other characters stays one item, spaces removed
    (``W1号`` → ``("w1", "hao")``), so searches can match whole syllables with gaps."""
    from pypinyin import Style, lazy_pinyin

    items = (_squash(s) for s in lazy_pinyin(text, style=Style.NORMAL))
    return tuple(s for s in items if s)


@lru_cache(maxsize=65536)
def pinyin_forms(text: str) -> tuple[str, str]:
    """``(full pinyin, initials)`` of ``text``, lowercase, without tones or spaces.

    ``苏州市`` → ``("suzhoushi", "szs")``. Characters that are not Chinese (Latin
    letters, digits) are kept as they are in both forms, lowercased: ``W1号`` →
    ``("w1hao", "w1h")``; ``ü`` is written ``v`` (``吕`` → ``lv``), as pinyin keyboards
    type it.
    """
    from pypinyin import Style, lazy_pinyin

    full = "".join(lazy_pinyin(text, style=Style.NORMAL))
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER))
    return _squash(full), _squash(initials)


def _squash(text: str) -> str:
    return "".join(text.split()).lower()
