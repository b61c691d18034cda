"""Text tables measured in display columns, for terminals and spreadsheets alike.

A Chinese character takes two columns in a terminal (East Asian Wide / Fullwidth),
so padding by ``len`` misaligns every row that holds a name. :func:`width` counts
columns with the standard library's Unicode database; :func:`fit` shortens a cell to
a width with an ellipsis, never silently; :func:`render` lays out a whole table.
The CLI prints every table through :func:`render`; exports size columns with
:func:`width`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

ELLIPSIS = "…"


def char_width(char: str) -> int:
    """Columns one character takes: 2 for East Asian wide/fullwidth, 0 for combining marks."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def width(text: str) -> int:
    """Display columns of ``text`` in a terminal."""
    if text.isascii():
        return len(text)
    return sum(char_width(c) for c in text)


def fit(text: str, columns: int) -> str:
    """``text`` cut to at most ``columns`` display columns, ending in … when cut."""
    if width(text) <= columns:
        return text
    out: list[str] = []
    used = 0
    for char in text:
        w = char_width(char)
        if used + w > columns - 1:  # keep one column for the ellipsis
            break
        out.append(char)
        used += w
    return "".join(out) + ELLIPSIS


def pad(text: str, columns: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``columns`` display columns (``<`` left, ``>`` right)."""
    gap = " " * max(0, columns - width(text))
    return text + gap if align == "<" else gap + text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def render(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    align: str | None = None,
    max_width: Sequence[int | None] | None = None,
    gap: int = 2,
) -> list[str]:
    """Lines of a table whose columns line up in a terminal.

    ``align`` has one ``<`` or ``>`` per column (default: numbers right, text left);
    ``max_width`` caps columns (cut cells end in …). Trailing spaces are stripped.
    """
    raw = [list(r) for r in rows]
    cells = [[_cell(v) for v in r] for r in raw]
    n = len(headers)
    if align is None:
        align = "".join(
            ">"
            if raw and all(isinstance(r[i], int | float) for r in raw if r[i] is not None)
            else "<"
            for i in range(n)
        )
    if max_width is not None:
        cells = [
            [fit(c, max_width[i]) if max_width[i] else c for i, c in enumerate(r)] for r in cells
        ]
    widths = [max([width(headers[i]), *(width(r[i]) for r in cells)]) for i in range(n)]
    sep = " " * gap
    out = []
    for r in [list(headers), *cells]:
        line = sep.join(pad(r[i], widths[i], align[i]) for i in range(n))
        out.append(line.rstrip())
    return out
