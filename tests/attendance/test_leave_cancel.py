"""Cancelling leave: staff withdraw their own requests, HR cancels approved leave; the month follows."""

from tests.attendance.support import MONTH, make_world, session
from tests.attendance.test_leave_api import AM_4
from tests.factories import logged_in


async def _asked(client, app_ctx, *, n_staff: int = 1):
    world = await make_world(app_ctx, n_staff=n_staff)
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=world.staff[0].id)
    _, hr = await logged_in(client, app_ctx, "hr")
    leave_id = (await client.post("/api/v1/me/leave", json=AM_4, headers=staff)).json()["id"]
    return world, staff, hr, leave_id


async def test_staff_withdraw_their_own_request_and_it_can_no_longer_be_decided(client, app_ctx):
    _, staff, hr, leave_id = await _asked(client, app_ctx)
    withdrawn = await client.post(f"/api/v1/me/leave/{leave_id}/cancel", json={"note": "不去了"}, headers=staff)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "cancelled"
    late = await client.post(f"/api/v1/attendance/leave/{leave_id}/decision", json={"approved": True}, headers=hr)
    assert late.status_code == 409


async def test_hr_cancelling_approved_leave_turns_the_session_back_to_absent(client, app_ctx):
    _, staff, hr, leave_id = await _asked(client, app_ctx)
    await client.post(f"/api/v1/attendance/leave/{leave_id}/decision", json={"approved": True}, headers=hr)
    on_leave = (await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=staff)).json()
    assert session(on_leave, "2025-03-04", "am")["status"] == "on_leave"
    cancelled = await client.post(f"/api/v1/attendance/leave/{leave_id}/cancel", json={"note": "假期取消，按时上岗"}, headers=hr)
    assert cancelled.status_code == 200
    after = (await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=staff)).json()
    assert session(after, "2025-03-04", "am")["status"] == "absent"


async def test_staff_cannot_cancel_approved_leave_that_has_started(client, app_ctx):
    _, staff, hr, leave_id = await _asked(client, app_ctx)
    await client.post(f"/api/v1/attendance/leave/{leave_id}/decision", json={"approved": True}, headers=hr)
    refused = await client.post(f"/api/v1/me/leave/{leave_id}/cancel", json={}, headers=staff)
    assert refused.status_code == 409 and refused.json()["code"] == "leave_not_cancellable"


async def test_another_staff_member_cannot_see_or_cancel_my_leave(client, app_ctx):
    world, _, _, leave_id = await _asked(client, app_ctx, n_staff=2)
    _, other = await logged_in(client, app_ctx, "staff", staff_id=world.staff[1].id)
    assert (await client.post(f"/api/v1/me/leave/{leave_id}/cancel", json={}, headers=other)).status_code == 404


async def test_hr_cancelling_approved_leave_without_a_note_is_refused(client, app_ctx):
    _, _, hr, leave_id = await _asked(client, app_ctx)
    await client.post(f"/api/v1/attendance/leave/{leave_id}/decision", json={"approved": True}, headers=hr)
    refused = await client.post(f"/api/v1/attendance/leave/{leave_id}/cancel", json={}, headers=hr)
    assert refused.status_code == 422 and refused.json()["code"] == "leave_note_required"
    assert (await client.get("/api/v1/attendance/leave?status=approved", headers=hr)).json()["total"] == 1
