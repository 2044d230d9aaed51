"""Cells for every export a person opens in a spreadsheet (XLSX and CSV): text stays text, never a formula.

Excel and LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (CSV and XLSX alike;
``=HYPERLINK(...)`` sends the reader's data away), and they skip a leading tab, CR, LF or space before looking.
As OWASP suggests, such text gets a leading apostrophe (``'``): it is shown as written and never evaluated.
Numbers stay numbers (a negative amount is a number, not text). The full-width forms (``＝`` ...) are
treated the same: some input methods turn them into the ASCII ones.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

_FORMULA_START = frozenset("=+-@＝＋－＠")
_CONTROL_START = frozenset("\t\r\n")
_LEADING = " \t\r\n\u3000"  # what a spreadsheet skips before the formula sign


def safe_text(value: str) -> str:
    """``value`` as a text cell no spreadsheet runs as a formula: a ``'`` before a risky start."""
    if not value:
        return value
    if value[0] in _CONTROL_START or value.lstrip(_LEADING)[:1] in _FORMULA_START:
        return "'" + value
    return value


def safe_cell(value: Any) -> Any:
    """Text made safe (``safe_text``); numbers, dates and empty cells unchanged."""
    return safe_text(value) if isinstance(value, str) else value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row of cells, each made safe (``safe_cell``)."""
    return [safe_cell(v) for v in values]


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet: text cells stored as text (never a formula), numbers as numbers."""
    sheet.append(safe_row(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # openpyxl would store a string starting with "=" as a formula


def csv_bytes(rows: Iterable[Sequence[Any]], *, bom: bool = True, lineterminator: str = "\r\n") -> bytes:
    """Rows as CSV bytes (UTF-8, with a BOM so Excel shows Chinese); Decimals exactly as written, text made safe."""
    buf = io.StringIO()
    write_csv(buf, rows, lineterminator=lineterminator)
    return buf.getvalue().encode("utf-8-sig" if bom else "utf-8")


def write_csv(stream: Any, rows: Iterable[Sequence[Any]], *, lineterminator: str = "\n") -> None:
    """Write rows to a text stream as CSV, each text cell made safe; None is an empty cell."""
    writer = csv.writer(stream, lineterminator=lineterminator)
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
