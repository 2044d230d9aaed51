"""Payroll exports of a month's bonus: CSV (UTF-8 with BOM, for Excel) and XLSX (money as numbers)."""

from __future__ import annotations

import io
from decimal import Decimal

from window_staff.bonuses.domain import BonusResult
from window_staff.common.spreadsheet import append_row, csv_bytes

HEADER = ("工号", "姓名", "部门", "得分", "等次", "奖金（元）")


def _rows(result: BonusResult) -> list[tuple[str, str, str, Decimal, str, Decimal]]:
    return [(x.employee_no, x.name, x.department, x.score, x.grade_title, x.bonus) for x in result.lines]


def bonus_csv(result: BonusResult) -> bytes:
    """The lines as CSV bytes: UTF-8 with a BOM so Excel shows Chinese, CRLF rows, money as "1234.50", text never a formula."""
    # Decimals print exactly ("1234.50"); no totals row, so payroll imports read only people.
    return csv_bytes([HEADER, *_rows(result)])


def bonus_xlsx(result: BonusResult, *, title: str = "") -> bytes:
    """The lines as an XLSX workbook: header row, one row a person, a 合计 row; a second sheet per department."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "奖金"
    append_row(ws, HEADER)
    for no, name, dept, score, grade, bonus in _rows(result):
        # Numbers, not text, so payroll can sum them. XLSX stores every number as a double anyway; below
        # 10^13 yuan a two-decimal amount reads back as the same cents, and the 0.00 format shows them.
        append_row(ws, [no, name, dept, float(score), grade, float(bonus)])
    append_row(ws, ["合计", "", "", None, "", float(result.total)])
    if title:
        ws.append([])
        append_row(ws, [title])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    last = len(result.lines) + 2
    for r in range(2, last + 1):
        ws.cell(row=r, column=4).number_format = "0.00"
        ws.cell(row=r, column=6).number_format = "0.00"
    ws.cell(row=last, column=1).font = Font(bold=True)
    for letter, width in (("A", 12), ("B", 12), ("C", 14), ("F", 14)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    depts = wb.create_sheet("部门合计")
    append_row(depts, ["部门", "人数", "基数或奖金池（元）", "合计（元）", "未分配（元）"])
    for d in result.departments:
        append_row(depts, [d.department, d.headcount, float(d.amount), float(d.total), float(d.undistributed)])
    for cell in depts[1]:
        cell.font = Font(bold=True)
    for r in range(2, len(result.departments) + 2):
        for c in (3, 4, 5):
            depts.cell(row=r, column=c).number_format = "0.00"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
