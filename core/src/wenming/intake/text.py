"""Checking and normalising a wish before it is read.

A wish that cannot be read gets one clear sentence (:class:`IntakeError`): empty text,
punctuation only, text past :data:`MAX_CHARS`, emoji, control characters, or letters of
a script other than Chinese and Latin. Normalising keeps every character at its
position, so the words reported back are sliced from the original text: full-width
forms become ASCII (NFKC, one character at a time), Latin letters are lower-cased, and
traditional characters become simplified (OpenCC ``t2s``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from wenming.errors import WenmingError

#: The longest wish read at once: a wish is a few sentences, not a document.
MAX_CHARS = 1000

_ALLOWED_SCRIPTS = ("CJK", "LATIN", "DIGIT", "FULLWIDTH", "HALFWIDTH", "IDEOGRAPHIC")
_FOREIGN = (
    "CYRILLIC",
    "GREEK",
    "ARABIC",
    "HEBREW",
    "HANGUL",
    "HIRAGANA",
    "KATAKANA",
    "THAI",
    "DEVANAGARI",
    "BENGALI",
    "TAMIL",
    "ARMENIAN",
    "GEORGIAN",
    "ETHIOPIC",
    "TIBETAN",
    "MONGOLIAN",
    "KHMER",
    "LAO",
    "MYANMAR",
)


class IntakeError(WenmingError):
    """A wish that cannot be read; the message is one sentence saying why and what to do."""


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    if cp in (0x200D, 0xFE0F, 0x20E3):
        return True
    if 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or 0x1F1E6 <= cp <= 0x1F1FF:
        return True
    return unicodedata.category(ch) == "So" and cp >= 0x2190 and not 0x3000 <= cp <= 0x303F


def _script(ch: str) -> str | None:
    """The foreign script a letter belongs to, or ``None`` for Chinese, Latin and others."""
    if ch.isascii() or not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    for script in _FOREIGN:
        if name.startswith(script) or f" {script} " in f" {name} ":
            return script.title()
    return None


def check(text: object) -> str:
    """The wish as given, or :class:`IntakeError` saying in one sentence why it cannot be read."""
    if not isinstance(text, str):
        raise IntakeError(f"the wish must be text, got {type(text).__name__}")
    if not text.strip():
        raise IntakeError("the wish is empty: write what is needed, for whom, where and when")
    if len(text) > MAX_CHARS:
        raise IntakeError(
            f"the wish is {len(text):,} characters long; write one wish in at most "
            f"{MAX_CHARS:,} characters"
        )
    has_word = False
    for i, ch in enumerate(text, start=1):
        if "\u4e00" <= ch <= "\u9fff" or ("a" <= ch <= "z") or ("0" <= ch <= "9"):
            has_word = True
            continue
        if _is_emoji(ch):
            raise IntakeError(
                f"character {i} is an emoji ({ch!r}); write the wish in words, without emoji"
            )
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn") and ch not in "\n\r\t":
            raise IntakeError(f"character {i} is a control character (U+{ord(ch):04X}); remove it")
        script = _script(ch)
        if script is not None:
            raise IntakeError(
                f"character {i} ({ch!r}) is {script}: write the wish in Chinese "
                "(common English words are fine)"
            )
        if ch.isalnum():
            has_word = True
    if not has_word:
        raise IntakeError("the wish has no words, only punctuation or spaces")
    return text


@cache
def _converter():  # pragma: no cover - trivial
    import opencc

    return opencc.OpenCC("t2s")


def _nfkc(ch: str) -> str:
    if ch in "\r\n\t":
        return " "
    n = unicodedata.normalize("NFKC", ch)
    return n.lower() if len(n) == 1 else ch.lower() if len(ch.lower()) == 1 else ch


def normalise(text: str) -> tuple[str, bool]:
    """The text with the same length, read-ready, and whether it had traditional characters."""
    base = "".join(_nfkc(ch) for ch in text)
    if base.isascii():
        return base, False
    simplified = _converter().convert(base)
    if len(simplified) != len(base):  # a phrase conversion changed the length: go by character
        convert = _converter().convert
        simplified = "".join(c if len(c := convert(ch)) == 1 else ch for ch in base)
    return simplified, simplified != base


_PERSONAL = (
    ("ID number", re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?![\dXx])"), r"\1********\2"),
    ("phone number", re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)"), r"\1****\2"),
    ("phone number", re.compile(r"(?<!\d)(0\d{2,3}-?)\d{4}(\d{3,4})(?!\d)"), r"\1****\2"),
)


def mask_personal(text: str) -> tuple[str, tuple[str, ...]]:
    """The words with ID and phone numbers masked (for storing them with an order), and
    the kinds of personal data found. Only what the work needs is kept (PIPL)."""
    found: list[str] = []
    for kind, pattern, replacement in _PERSONAL:
        text, n = pattern.subn(replacement, text)
        if n and kind not in found:
            found.append(kind)
    return text, tuple(found)
