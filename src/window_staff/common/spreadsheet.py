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
from datetime import date
from typing import Any

from window_staff.common import dates

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


# --- a printed form: title block, signature block, A4 layout (payroll and HR file and sign these) ------------

_SIGN_WORDS = {
    "zh": {
        "prepared": "制表人",
        "reviewed": "审核人",
        "approved": "批准人",
        "date": "日期",
        "blank_date": "____年__月__日",
        "page": "第 &P 页 共 &N 页",
    },
    "en": {
        "prepared": "Prepared by",
        "reviewed": "Reviewed by",
        "approved": "Approved by",
        "date": "Date",
        "blank_date": "____-__-__",
        "page": "Page &P of &N",
    },
}


def labelled(label: str, value: str, *, lang: str = "zh") -> str:
    """``单位：X`` in Chinese (full-width colon), ``Unit: X`` in English."""
    return f"{label}: {value}" if lang == "en" else f"{label}：{value}"


def month_words(first: date, *, lang: str = "zh") -> str:
    """A month as people write it: ``2026年11月`` or ``November 2026``."""
    return dates.month_words(first, lang)


def date_words(day: date | None, *, lang: str = "zh") -> str:
    """A day as people write it: ``2026年12月7日`` or ``7 December 2026``; empty for None."""
    return dates.day_words(day, lang)


def title_block(sheet: Any, *, title: str, facts: Sequence[Sequence[str]], width: int) -> int:
    """Write a centred title over ``width`` columns and then one line of facts per item; the next free row."""
    from openpyxl.styles import Alignment, Font

    append_row(sheet, [title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=16)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    for line in facts:
        # Each fact gets its own stretch of the line so long names never run into the next one.
        step = max(1, width // max(1, len(line)))
        cells: list[Any] = [None] * width
        for i, fact in enumerate(line):
            cells[min(i * step, width - 1)] = fact
        append_row(sheet, cells)
    return int(sheet.max_row) + 1


def signature_block(sheet: Any, *, width: int, lang: str = "zh", approver: str = "", approved_on: str = "") -> None:
    """Append the foot a printed form is signed on: 制表人 / 审核人 / 批准人, each with a date."""
    w = _SIGN_WORDS.get(lang, _SIGN_WORDS["zh"])
    step = max(1, width // 3)
    sheet.append([])
    names = [("prepared", ""), ("reviewed", ""), ("approved", approver)]
    for line in ("name", "date"):
        cells: list[Any] = [None] * width
        for i, (key, filled) in enumerate(names):
            if line == "name":
                # A printed name still needs its handwritten signature beside it.
                cells[i * step] = labelled(w[key], f"{filled + ' ' if filled else ''}__________", lang=lang)
            else:
                cells[i * step] = labelled(w["date"], approved_on if key == "approved" and approved_on else w["blank_date"], lang=lang)
        append_row(sheet, cells)


def text_width(text: str) -> int:
    """How many character widths a spreadsheet gives ``text``: a Chinese character takes two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def print_layout(
    sheet: Any,
    *,
    header_row: int,
    widths: Sequence[float],
    lang: str = "zh",
    fit_header: bool = True,
    fit: Sequence[int] = (),
    table_end: int | None = None,
) -> None:
    """A4 landscape, fit to the page width, the header row repeated on every page and frozen, page numbers.

    ``fit_header`` widens a column to its heading (English headings are longer); otherwise long headings wrap.
    The columns in ``fit`` (1-based) widen to their longest cell between the heading and ``table_end``, up to 40
    characters, so a long window or department name is never cut off by the cell beside it.
    """
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, start=1):
        heading = sheet.cell(row=header_row, column=i).value
        if fit_header and isinstance(heading, str):
            width = max(width, text_width(heading) + 2)
        if i in fit:
            cells = sheet.iter_rows(min_row=header_row + 1, max_row=table_end, min_col=i, max_col=i, values_only=True)
            longest = max((text_width(v) for (v,) in cells if isinstance(v, str)), default=0)
            width = max(width, min(longest + 3, 40))
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.row_dimensions[header_row].height = 20 if fit_header else 48  # room for a heading wrapped on three lines
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate
    sheet.oddFooter.center.text = _SIGN_WORDS.get(lang, _SIGN_WORDS["zh"])["page"]
