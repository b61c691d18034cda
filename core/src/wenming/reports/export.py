"""Tables out to people: CSV that Excel opens (UTF-8 with a BOM) and real workbooks.

A table is a header row and rows of plain values. Column widths in the workbook are
counted in display columns (a Chinese character takes two), so headers and names fit.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def display_width(text: str) -> int:
    """Columns a string takes in a terminal or spreadsheet (East Asian wide = 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """CSV in UTF-8 with a byte-order mark, so Excel shows Chinese correctly."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]], *, sheet: str = "wenming"
) -> None:
    """An .xlsx workbook: a bold, frozen header row and widths that fit Chinese text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
    ws.freeze_panes = "A2"
    for i, title in enumerate(header, start=1):
        widest = max(
            [display_width(str(title))] + [display_width(str(r[i - 1])) for r in rows[:2000]]
        )
        ws.column_dimensions[get_column_letter(i)].width = min(max(widest + 2, 8), 60)
    wb.save(path)
