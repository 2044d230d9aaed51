"""Payroll exports of a month's bonus: an XLSX form to print, check and sign, and a CSV for payroll's import.

Both name things as payroll does (department and grade in words, the employee number to match on) and show what
each amount was worked out from (base and coefficient, or pool and share). The XLSX is a printed form: title,
unit, month, state, approver, subtotals per department, a grand total and a signature block, on A4 landscape.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from window_staff.bonuses.domain import BonusLine, BonusResult
from window_staff.common.spreadsheet import (
    append_row,
    csv_bytes,
    date_words,
    labelled,
    month_words,
    print_layout,
    signature_block,
    title_block,
)

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "{month}目标管理考核奖发放表",
        "sheet": "奖金",
        "dept_sheet": "部门合计",
        "unit": "单位",
        "month": "月份",
        "state": "状态",
        "made_on": "制表日期",
        "approver": "批准人",
        "approved_on": "批准日期",
        "no": "序号",
        "employee_no": "工号",
        "name": "姓名",
        "department": "部门",
        "window": "窗口",
        "score": "考核得分",
        "grade": "等次",
        "base": "基数（元）",
        "factor": "系数",
        "pool": "奖金池（元）",
        "share": "分配比例",
        "bonus": "奖金金额（元）",
        "headcount": "人数",
        "total": "合计（元）",
        "undistributed": "未分配（元）",
        "subtotal": "{department} 小计",
        "grand_total": "合计",
        "note_per_person": "说明：奖金金额＝基数×等次系数，按四舍五入保留到分；金额单位为元。",
        "note_pool": "说明：部门奖金池按考核得分比例分配（分配比例＝本人得分÷参与分配人员得分之和），合计等于奖金池；金额单位为元。",
    },
    "en": {
        "title": "Target-management bonus, {month}",
        "sheet": "Bonus",
        "dept_sheet": "Departments",
        "unit": "Unit",
        "month": "Month",
        "state": "State",
        "made_on": "Prepared on",
        "approver": "Approved by",
        "approved_on": "Approved on",
        "no": "No.",
        "employee_no": "Employee no.",
        "name": "Name",
        "department": "Department",
        "window": "Window",
        "score": "Score",
        "grade": "Grade",
        "base": "Base (yuan)",
        "factor": "Coefficient",
        "pool": "Pool (yuan)",
        "share": "Share",
        "bonus": "Bonus (yuan)",
        "headcount": "Staff",
        "total": "Total (yuan)",
        "undistributed": "Undistributed (yuan)",
        "subtotal": "{department} subtotal",
        "grand_total": "Total",
        "note_per_person": "Bonus = base x grade coefficient, rounded half up to the fen; amounts in yuan.",
        "note_pool": "Each pool is shared in proportion to scores (share = own score / sum of sharing scores); amounts in yuan.",
    },
}
MONEY = "#,##0.00"
TWO_PLACES = "0.00"
SHARE = "0.00%"


@dataclass(frozen=True, slots=True)
class PayrollHeading:
    """What the file says about itself, and the names it shows for codes, in the reader's language."""

    month: date
    unit: str = ""
    state: str = ""  # in words (已批准), never the code
    approver: str = ""  # the approver's display name
    approved_on: date | None = None
    made_on: date | None = None
    departments: Mapping[str, str] = field(default_factory=dict)  # department code -> name
    windows: Mapping[str, str] = field(default_factory=dict)  # employee number -> window label
    grades: Mapping[str, str] = field(default_factory=dict)  # grade code -> title
    lang: str = "zh"

    def department(self, code: str) -> str:
        """The department's name (its code only when the name is unknown)."""
        return self.departments.get(code, code)

    def grade(self, line: BonusLine) -> str:
        """The grade paid on, in words."""
        return self.grades.get(line.grade, line.grade_title)


def _words(heading: PayrollHeading) -> dict[str, str]:
    return WORDS.get(heading.lang, WORDS["zh"])


def _header(result: BonusResult, w: Mapping[str, str]) -> list[str]:
    base, factor = ("base", "factor") if result.formula == "per_person" else ("pool", "share")
    return [w["employee_no"], w["name"], w["department"], w["window"], w["score"], w["grade"], w[base], w[factor], w["bonus"]]


def _cells(line: BonusLine, heading: PayrollHeading) -> list[Any]:
    return [
        line.employee_no,
        line.name,
        heading.department(line.department),
        heading.windows.get(line.employee_no, ""),
        line.score,
        heading.grade(line),
        line.base,
        line.factor,
        line.bonus,
    ]


def bonus_csv(result: BonusResult, *, heading: PayrollHeading | None = None) -> bytes:
    """The lines as CSV bytes for payroll's import: UTF-8 with a BOM, CRLF rows, money as "1234.50", text never a formula."""
    heading = heading or PayrollHeading(month=date.min)
    # Decimals print exactly ("1234.50"); no title or totals rows, so an import reads only people.
    return csv_bytes([_header(result, _words(heading)), *(_cells(line, heading) for line in result.lines)])


def bonus_xlsx(result: BonusResult, *, heading: PayrollHeading | None = None) -> bytes:
    """The month's bonus as a printable, signable XLSX form; a second sheet has each department's figures."""
    from openpyxl import Workbook

    heading = heading or PayrollHeading(month=date.min)
    wb = Workbook()
    _bonus_sheet(wb.active, result, heading)
    _department_sheet(wb.create_sheet(_words(heading)["dept_sheet"]), result, heading)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _facts(heading: PayrollHeading, w: Mapping[str, str]) -> list[list[str]]:
    lang = heading.lang
    # Two facts a line: a long unit name never runs into the month beside it.
    return [
        [labelled(w["unit"], heading.unit, lang=lang), labelled(w["month"], month_words(heading.month, lang=lang), lang=lang)],
        [labelled(w["state"], heading.state, lang=lang), labelled(w["made_on"], date_words(heading.made_on, lang=lang), lang=lang)],
        [
            labelled(w["approver"], heading.approver, lang=lang),
            labelled(w["approved_on"], date_words(heading.approved_on, lang=lang), lang=lang),
        ],
    ]


def _bonus_sheet(ws: Any, result: BonusResult, heading: PayrollHeading) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side

    w = _words(heading)
    ws.title = w["sheet"]
    header = [w["no"], *_header(result, w)]
    width = len(header)
    header_row = title_block(
        ws, title=w["title"].format(month=month_words(heading.month, lang=heading.lang)), facts=_facts(heading, w), width=width
    )
    append_row(ws, header)
    bold = Font(bold=True)
    for cell in ws[header_row]:
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    formats = {6: TWO_PLACES, 8: MONEY, 9: TWO_PLACES if result.formula == "per_person" else SHARE, 10: MONEY}
    totals: list[int] = []
    number = 0
    for department in dict.fromkeys(line.department for line in result.lines):
        members = [line for line in result.lines if line.department == department]
        for line in members:
            number += 1
            append_row(ws, [number, *_numbers(_cells(line, heading))])
        subtotal = sum((line.bonus for line in members), Decimal(0))
        append_row(ws, [None, None, None, w["subtotal"].format(department=heading.department(department)), *[None] * 5, float(subtotal)])
        totals.append(int(ws.max_row))
    append_row(ws, [None, None, None, w["grand_total"], *[None] * 5, float(result.total)])
    totals.append(int(ws.max_row))
    thin = Side(style="thin")
    for row in ws.iter_rows(min_row=header_row, max_row=int(ws.max_row), max_col=width):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            if cell.column in formats:
                cell.number_format = formats[cell.column]
    for r in totals:
        for cell in ws[r]:
            cell.font = bold
    ws.append([])
    append_row(ws, [w["note_per_person" if result.formula == "per_person" else "note_pool"]])
    signature_block(
        ws, width=width, lang=heading.lang, approver=heading.approver, approved_on=date_words(heading.approved_on, lang=heading.lang)
    )
    print_layout(
        ws,
        header_row=header_row,
        widths=(6, 12, 10, 22, 18, 10, 8, 12, 10, 15),
        lang=heading.lang,
        fit=(2, 3, 4, 5, 7),
        table_end=totals[-1],
    )


def _numbers(cells: list[Any]) -> list[Any]:
    # Numbers, not text, so payroll can sum them. XLSX stores every number as a double anyway; below
    # 10^13 yuan a two-decimal amount reads back as the same cents, and the formats show them.
    return [float(c) if isinstance(c, Decimal) else c for c in cells]


def _department_sheet(ws: Any, result: BonusResult, heading: PayrollHeading) -> None:
    from openpyxl.styles import Font

    w = _words(heading)
    base = w["base"] if result.formula == "per_person" else w["pool"]
    append_row(ws, [w["department"], w["headcount"], base, w["total"], w["undistributed"]])
    for d in result.departments:
        append_row(ws, [heading.department(d.department), d.headcount, float(d.amount), float(d.total), float(d.undistributed)])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in range(2, len(result.departments) + 2):
        for c in (3, 4, 5):
            ws.cell(row=r, column=c).number_format = MONEY
    print_layout(ws, header_row=1, widths=(22, 8, 16, 16, 16), lang=heading.lang, fit=(1,), table_end=len(result.departments) + 1)
