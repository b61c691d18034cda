"""Tables to files people open in Excel: CSV with a byte-order mark, or a real workbook.

Excel reads a CSV without a UTF-8 byte-order mark in the machine's legacy code page,
so Chinese names turn to mojibake; :func:`csv_text` writes the mark. :func:`write_xlsx`
writes a workbook (XlsxWriter, imported only here) with a bold, frozen header row and
columns as wide as their Chinese content. :func:`write_table` picks by file suffix.
Every command that exports a table goes through this module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from wenming.errors import WenmingError
from wenming.tables import width

FORMATS = ("csv", "xlsx")
BOM = "\ufeff"
#: Widest column a workbook gets, in Excel's character units.
MAX_XLSX_WIDTH = 60


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = True) -> str:
    """The table as CSV text (``\\n`` line ends), starting with a BOM unless told not to."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return (BOM if bom else "") + out.getvalue()


def write_xlsx(
    path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str = "data"
) -> int:
    """Write a one-sheet workbook; return the number of data rows written.

    Column widths follow the widest cell in display columns (a Chinese character
    counts two), capped at :data:`MAX_XLSX_WIDTH`.
    """
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    try:
        ws = book.add_worksheet(sheet[:31])
        bold = book.add_format({"bold": True})
        widths = [width(str(h)) for h in headers]
        ws.write_row(0, 0, list(headers), bold)
        count = 0
        for count, row in enumerate(rows, start=1):
            values = ["" if v is None else v for v in row]
            ws.write_row(count, 0, values)
            for i, v in enumerate(values):
                widths[i] = max(widths[i], width(str(v)))
        for i, w in enumerate(widths):
            ws.set_column(i, i, min(MAX_XLSX_WIDTH, w + 2))
        ws.freeze_panes(1, 0)
    finally:
        book.close()
    return count


def format_of(path: Path, fmt: str | None = None) -> str:
    """The export format: ``fmt`` if given, else the file's suffix (``.csv`` / ``.xlsx``)."""
    chosen = fmt or path.suffix.lower().lstrip(".")
    if chosen not in FORMATS:
        raise WenmingError(
            f"{path}: cannot tell the export format; use a .csv or .xlsx file name "
            f"or say --csv / --xlsx"
        )
    return chosen


def write_table(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    fmt: str | None = None,
    sheet: str = "data",
) -> int:
    """Write the table to ``path`` as CSV (with BOM) or XLSX; return the data rows written.

    Written next to the target and moved into place, so a failure leaves no half file.
    """
    kind = format_of(path, fmt)
    tmp = path.with_name(f".{path.name}.part")
    try:
        if kind == "xlsx":
            count = write_xlsx(tmp, headers, rows, sheet=sheet)
        else:
            materialised = [list(r) for r in rows]
            tmp.write_text(csv_text(headers, materialised), encoding="utf-8", newline="")
            count = len(materialised)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return count
