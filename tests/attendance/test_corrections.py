"""HR corrections are new rows with a reason; the month shows them beside what was derived."""

import pytest

from tests.attendance.support import MONTH, make_world, session
from tests.factories import logged_in
from window_staff.attendance.tables import DayRecordCorrection
from window_staff.common.db import write_transaction


async def test_corrections_are_new_rows_and_show_in_the_month_with_their_reason(client, app_ctx):
    world = await make_world(app_ctx)
    me = world.staff[0].id
    _, hr = await logged_in(client, app_ctx, "hr")
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=me)
    body = {"staff_id": me, "day": "2025-03-03", "session": "am", "status": "present", "reason": "终端停电，现场核实在岗"}
    first = await client.post("/api/v1/attendance/corrections", json=body, headers=hr)
    assert first.status_code == 201, first.text
    month = (await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=staff)).json()
    rec = session(month, "2025-03-03", "am")
    assert rec["status"] == "present" and rec["derived_status"] == "absent"
    assert rec["correction"]["reason"] == body["reason"]
    second = {**body, "status": "late", "late_minutes": 12, "reason": "复核：迟到12分钟"}
    assert (await client.post("/api/v1/attendance/corrections", json=second, headers=hr)).status_code == 201
    assert await DayRecordCorrection.count() == 2  # a new row, the first one untouched
    month = (await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=staff)).json()
    rec = session(month, "2025-03-03", "am")
    assert (rec["status"], rec["late_minutes"], rec["correction"]["reason"]) == ("late", 12, "复核：迟到12分钟")
    assert month["totals"]["late_minutes"] == 12 and month["totals"]["absent_half_days"] == 41


async def test_corrections_need_hr_a_reason_and_a_scheduled_session(client, app_ctx):
    world = await make_world(app_ctx)
    me = world.staff[0].id
    _, hr = await logged_in(client, app_ctx, "hr")
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=me)
    body = {"staff_id": me, "day": "2025-03-03", "session": "am", "status": "present", "reason": "核实"}
    assert (await client.post("/api/v1/attendance/corrections", json=body, headers=staff)).status_code == 403
    assert (await client.post("/api/v1/attendance/corrections", json={**body, "reason": ""}, headers=hr)).status_code == 400
    saturday = await client.post("/api/v1/attendance/corrections", json={**body, "day": "2025-03-01"}, headers=hr)
    assert saturday.status_code == 422 and saturday.json()["code"] == "session_not_scheduled"
    leave = await client.post("/api/v1/attendance/corrections", json={**body, "status": "on_leave"}, headers=hr)
    assert leave.status_code == 422


async def test_correction_rows_cannot_be_edited(client, app_ctx):
    world = await make_world(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    body = {"staff_id": world.staff[0].id, "day": "2025-03-03", "session": "pm", "status": "present", "reason": "核实在岗"}
    assert (await client.post("/api/v1/attendance/corrections", json=body, headers=hr)).status_code == 201
    with pytest.raises(Exception, match="append-only"):
        async with write_transaction(app_ctx.engine):
            await DayRecordCorrection.update({DayRecordCorrection.reason: "edited"}).where(DayRecordCorrection.id > 0)
