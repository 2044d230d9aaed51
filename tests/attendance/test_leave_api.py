"""Leave: staff request their own, HR decides (never their own), approved leave wins over absence."""

from tests.attendance.support import MONTH, make_world, session
from tests.factories import logged_in
from window_staff.attendance.tables import LeaveDecision

AM_4 = {"kind": "leave", "start": "2025-03-04T08:30:00+08:00", "end": "2025-03-04T12:00:00+08:00", "reason": "看病"}


async def test_staff_cannot_approve_their_own_leave(client, app_ctx):
    world = await make_world(app_ctx)
    me = world.staff[0].id
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=me)
    asked = await client.post("/api/v1/me/leave", json=AM_4, headers=staff)
    assert asked.status_code == 201, asked.text
    leave_id = asked.json()["id"]
    decision = {"approved": True, "note": "ok"}
    assert (await client.post(f"/api/v1/attendance/leave/{leave_id}/decision", json=decision, headers=staff)).status_code == 403
    # an HR account linked to the same person is refused too (four eyes)
    _, hr_self = await logged_in(client, app_ctx, "hr", staff_id=me)
    own = await client.post(f"/api/v1/attendance/leave/{leave_id}/decision", json=decision, headers=hr_self)
    assert own.status_code == 403 and own.json()["code"] == "own_decision_refused"
    assert await LeaveDecision.count() == 0
    _, hr = await logged_in(client, app_ctx, "hr")
    ok = await client.post(f"/api/v1/attendance/leave/{leave_id}/decision", json=decision, headers=hr)
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    again = await client.post(f"/api/v1/attendance/leave/{leave_id}/decision", json={"approved": False}, headers=hr)
    assert again.status_code == 409
    assert await LeaveDecision.count() == 1
    mine = (await client.get("/api/v1/me/leave", headers=staff)).json()
    assert [x["status"] for x in mine["items"]] == ["approved"]


async def test_approved_leave_makes_an_absent_session_on_leave(client, app_ctx):
    world = await make_world(app_ctx)
    me = world.staff[0].id
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=me)
    _, hr = await logged_in(client, app_ctx, "hr")
    before = (await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=staff)).json()
    assert session(before, "2025-03-04", "am")["status"] == "absent"
    leave_id = (await client.post("/api/v1/me/leave", json=AM_4, headers=staff)).json()["id"]
    pending = (await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=staff)).json()
    assert session(pending, "2025-03-04", "am")["status"] == "absent"  # a request alone excuses nothing
    await client.post(f"/api/v1/attendance/leave/{leave_id}/decision", json={"approved": True}, headers=hr)
    after = (await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=staff)).json()
    rec = session(after, "2025-03-04", "am")
    assert rec["status"] == "on_leave" and rec["leave_kind"] == "personal"  # the old kind "leave" reads as 事假
    assert session(after, "2025-03-04", "pm")["status"] == "absent"
    assert after["totals"]["leave_half_days"] == 1


async def test_refused_leave_keeps_the_absence(client, app_ctx):
    world = await make_world(app_ctx)
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=world.staff[0].id)
    _, hr = await logged_in(client, app_ctx, "hr")
    body = {**AM_4, "kind": "official_business"}
    leave_id = (await client.post("/api/v1/me/leave", json=body, headers=staff)).json()["id"]
    refused = await client.post(f"/api/v1/attendance/leave/{leave_id}/decision", json={"approved": False, "note": "不符合"}, headers=hr)
    assert refused.json()["status"] == "refused"
    month = (await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=staff)).json()
    assert session(month, "2025-03-04", "am")["status"] == "absent"


async def test_leave_input_is_checked(client, app_ctx):
    world = await make_world(app_ctx)
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=world.staff[0].id)
    assert (await client.post("/api/v1/me/leave", json=AM_4, headers=staff)).status_code == 201
    assert (await client.post("/api/v1/me/leave", json=AM_4, headers=staff)).status_code == 409  # overlaps
    naive = {**AM_4, "start": "2025-03-05T08:30:00", "end": "2025-03-05T12:00:00"}
    assert (await client.post("/api/v1/me/leave", json=naive, headers=staff)).status_code == 422
    reversed_ = {**AM_4, "start": "2025-03-06T12:00:00+08:00", "end": "2025-03-06T08:00:00+08:00"}
    assert (await client.post("/api/v1/me/leave", json=reversed_, headers=staff)).status_code == 422
    assert (await client.post("/api/v1/me/leave", json={**AM_4, "extra": 1}, headers=staff)).status_code == 400
    _, hr = await logged_in(client, app_ctx, "hr")
    listed = (await client.get("/api/v1/attendance/leave?status=requested", headers=hr)).json()
    assert listed["total"] == 1


async def test_a_refusal_without_a_note_is_refused_and_the_request_stays_open(client, app_ctx):
    world = await make_world(app_ctx)
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=world.staff[0].id)
    _, hr = await logged_in(client, app_ctx, "hr")
    leave_id = (await client.post("/api/v1/me/leave", json=AM_4, headers=staff)).json()["id"]
    refused = await client.post(f"/api/v1/attendance/leave/{leave_id}/decision", json={"approved": False, "note": "  "}, headers=hr)
    assert refused.status_code == 422 and refused.json()["code"] == "leave_note_required"
    assert await LeaveDecision.count() == 0
    assert (await client.get("/api/v1/me/leave", headers=staff)).json()["items"][0]["status"] == "requested"


async def test_leave_in_a_year_without_a_work_calendar_yet_is_approved(client, app_ctx):
    # The State Council publishes next year's calendar late in the year; leave asked for before that is still decided.
    world = await make_world(app_ctx)
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=world.staff[0].id)
    _, hr = await logged_in(client, app_ctx, "hr")
    later = {**AM_4, "start": "2031-03-04T08:30:00+08:00", "end": "2031-03-04T12:00:00+08:00"}
    asked = await client.post("/api/v1/me/leave", json=later, headers=staff)
    assert asked.status_code == 201, asked.text
    approved = await client.post(f"/api/v1/attendance/leave/{asked.json()['id']}/decision", json={"approved": True}, headers=hr)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
