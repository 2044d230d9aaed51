"""A staff member who leaves mid-month keeps the days they worked in that month's attendance."""

from datetime import date

from tests.attendance.support import MONTH, full_day, make_world
from tests.factories import logged_in
from tests.jobs.support import finished
from window_staff.attendance.tables import StoredDayRecord
from window_staff.org import service as org
from window_staff.org.schemas import StaffLeaveIn

CLOSE = f"/api/v1/attendance/months/{MONTH}/close"


async def _leave_on_the_14th(ctx, world):
    leaver = world.staff[1].id
    await full_day(ctx, leaver, 3, site_id=world.site_id)
    await org.leave_staff(ctx, leaver, StaffLeaveIn(left_on=date(2025, 3, 14), reason="调离"), actor="test")
    return leaver


async def test_closing_the_month_freezes_a_leavers_days_up_to_leaving(client, app_ctx):
    world = await make_world(app_ctx, n_staff=2)
    leaver = await _leave_on_the_14th(app_ctx, world)
    _, hr = await logged_in(client, app_ctx, "hr")
    closed = await finished(client, await client.post(CLOSE, json={"site_id": world.site_id}, headers=hr), headers=hr)
    assert closed["state"] == "done", closed
    days = {r["day"] for r in await StoredDayRecord.select(StoredDayRecord.day).where(StoredDayRecord.staff == leaver)}
    assert min(days) == date(2025, 3, 3) and max(days) == date(2025, 3, 14)


async def test_the_department_sheet_lists_a_leaver_for_their_last_month_only(client, app_ctx):
    world = await make_world(app_ctx, n_staff=2)
    leaver = await _leave_on_the_14th(app_ctx, world)
    _, hr = await logged_in(client, app_ctx, "hr")
    march = (await client.get(f"/api/v1/attendance/sheet?department_id={world.window.department_id}&month={MONTH}", headers=hr)).json()
    april = (await client.get(f"/api/v1/attendance/sheet?department_id={world.window.department_id}&month=2025-04", headers=hr)).json()
    assert leaver in {row["staff_id"] for row in march["rows"]}
    assert leaver not in {row["staff_id"] for row in april["rows"]}
