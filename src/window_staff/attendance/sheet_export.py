"""A department's monthly attendance sheet as an XLSX form HR prints, checks and signs (in Chinese or English)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from window_staff.attendance.schemas import MonthTotalsOut, SheetOut
from window_staff.attendance.views import TOTAL_COLUMNS, department_sheet
from window_staff.common import periods
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.common.spreadsheet import (
    append_row,
    date_words,
    labelled,
    month_words,
    print_layout,
    signature_block,
    title_block,
)
from window_staff.org import service as org

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "{month}考勤表",
        "unit": "单位",
        "department": "部门",
        "month": "月份",
        "made_on": "制表日期",
        "no": "序号",
        "employee_no": "工号",
        "name": "姓名",
        "legend": "图例",
    },
    "en": {
        "title": "Attendance sheet, {month}",
        "unit": "Unit",
        "department": "Department",
        "month": "Month",
        "made_on": "Prepared on",
        "no": "No.",
        "employee_no": "Employee no.",
        "name": "Name",
        "legend": "Key",
    },
}
# The symbols stay as HR writes them on paper; the key explains them in the reader's language.
LEGEND = {
    "zh": {
        "√": "出勤",
        "迟": "迟到",
        "早": "早退",
        "旷": "旷工",
        "缺": "缺卡",
        "(补)": "补卡（经审批）",
        "假": "事假",
        "病": "病假",
        "年": "年休假",
        "调": "调休",
        "婚": "婚假",
        "产": "产假",
        "丧": "丧假",
        "公": "公出",
        "训": "培训",
    },
    "en": {
        "√": "present",
        "迟": "late",
        "早": "left early",
        "旷": "absent",
        "缺": "missing punch",
        "(补)": "missed punch, approved (补卡)",
        "假": "personal leave",
        "病": "sick leave",
        "年": "annual leave",
        "调": "time off in lieu",
        "婚": "marriage leave",
        "产": "maternity leave",
        "丧": "bereavement leave",
        "公": "official business",
        "训": "training",
    },
}
TOTALS_EN = {
    "present": "Present (times)",
    "late_count": "Late (times)",
    "late_minutes": "Late (min)",
    "early_count": "Left early (times)",
    "early_minutes": "Left early (min)",
    "absent_half_days": "Absent (half days)",
    "missing_punches": "Missing punches",
    "leave": "Leave (half days)",
    "official_business": "Official business (half days)",
    "training": "Training (half days)",
}


@dataclass(frozen=True, slots=True)
class SheetHeading:
    """What the printed sheet says about itself: unit, department and the day it was made, in the reader's language."""

    unit: str = ""
    department: str = ""
    made_on: date | None = None
    lang: str = "zh"


async def sheet_file(ctx: AppContext, *, department_id: int, month: str, lang: str = "zh") -> tuple[SheetOut, bytes]:
    """The department's month and its XLSX form in ``lang`` (zh or en)."""
    sheet = await department_sheet(ctx, department_id=department_id, month=month)
    names = await org.department_codes([department_id])
    postings = await org.postings_of([row.staff_id for row in sheet.rows])
    heading = SheetHeading(
        unit=await org.centre_name([p.site_id for p in postings if p.site_id is not None]),
        department=names[department_id][1] if department_id in names else "",
        made_on=ctx.clock.now().astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).date(),
        lang=lang if lang in WORDS else "zh",
    )
    return sheet, sheet_xlsx(sheet, heading=heading)


def _total(t: MonthTotalsOut, key: str) -> int:
    if key == "missing_punches":
        return t.missing_sign_in + t.missing_sign_out
    if key in ("official_business", "training"):
        return t.leave_by_kind.get(key, 0)
    if key == "leave":  # every kind of leave proper (事假, 病假, 年休假 ...; "leave" as stored before issue 19)
        return sum(n for kind, n in t.leave_by_kind.items() if kind not in ("official_business", "training"))
    return int(getattr(t, key))


def sheet_xlsx(sheet: SheetOut, *, heading: SheetHeading | None = None) -> bytes:
    """The sheet as a printable XLSX form: title block, one row a person, one column a day, totals, key, signatures."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    heading = heading or SheetHeading()
    lang = heading.lang
    w = WORDS[lang]
    first = periods.parse_month(sheet.month)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet.month
    totals = [TOTALS_EN[key] if lang == "en" else name for name, key in TOTAL_COLUMNS]
    header = [w["no"], w["employee_no"], w["name"], *[str(d.day) for d in sheet.days], *totals]
    facts = [
        [labelled(w["unit"], heading.unit, lang=lang), labelled(w["department"], heading.department, lang=lang)],
        [
            labelled(w["month"], month_words(first, lang=lang), lang=lang),
            labelled(w["made_on"], date_words(heading.made_on, lang=lang), lang=lang),
        ],
    ]
    top = title_block(ws, title=w["title"].format(month=month_words(first, lang=lang)), facts=facts, width=len(header))
    append_row(ws, header)
    for number, row in enumerate(sheet.rows, start=1):
        # Names and numbers come from HR's input: text cells stay text (a name "=HYPERLINK(...)" is not run).
        append_row(ws, [number, row.employee_no, row.name, *row.days, *[_total(row.totals, key) for _, key in TOTAL_COLUMNS]])
    bold, thin = Font(bold=True), Side(style="thin")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for cells in ws.iter_rows(min_row=top, max_row=top + len(sheet.rows), max_col=len(header)):
        for cell in cells:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            if cell.column > 3:
                cell.alignment = center
    for cell in ws[top]:
        cell.font = bold
        cell.alignment = center
    ws.append([])
    append_row(ws, [labelled(w["legend"], ("; " if lang == "en" else "；").join(f"{k} {v}" for k, v in LEGEND[lang].items()), lang=lang)])
    signature_block(ws, width=len(header), lang=lang)
    # Two symbols and a slash ("迟/√") fit a day column; a long total heading wraps instead of widening the page.
    widths = (5, 10, 10, *[5.5] * len(sheet.days), *[8] * len(totals))
    print_layout(ws, header_row=top, widths=widths, lang=lang, fit_header=False, fit=(2, 3), table_end=top + len(sheet.rows))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
