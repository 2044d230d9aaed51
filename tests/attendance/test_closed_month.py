"""A closed month never changes: later punches, approvals and attestations go to HR's exception queue."""

from tests.attendance.support import MONTH, full_day, local, make_world, session
from tests.factories import logged_in
from tests.jobs.support import finished
from window_staff.attendance import service
from window_staff.attendance.tables import StoredDayRecord

CLOSE = f"/api/v1/attendance/months/{MONTH}/close"


async def _stored(staff_id: int) -> list[tuple]:
    rows = (
        await StoredDayRecord.select()
        .where(StoredDayRecord.staff == staff_id)
        .order_by(StoredDayRecord.day)
        .order_by(StoredDayRecord.session)
    )
    return [(r["day"], r["session"], r["status"], r["late_minutes"], r["sign_in_punch"]) for r in rows]


async def test_a_punch_after_close_goes_to_the_exception_queue_and_records_do_not_change(client, app_ctx):
    world = await make_world(app_ctx)
    me = world.staff[0].id
    await full_day(app_ctx, me, 3, site_id=world.site_id)
    _, hr = await logged_in(client, app_ctx, "hr")
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=me)
    closed = await finished(client, await client.post(CLOSE, json={"site_id": world.site_id}, headers=hr), headers=hr)
    assert closed["state"] == "done", closed
    assert closed["result"]["records"] == 42
    assert await service.is_month_closed(app_ctx, site_id=world.site_id, at=local(10, 9, 0))
    assert not await service.is_month_closed(app_ctx, site_id=world.site_id, at=local(1, 9, 0, month=4))
    frozen = await _stored(me)
    before = (await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=staff)).json()
    # a late upload from an offline terminal, and a manual punch, for the closed month
    await full_day(app_ctx, me, 4, site_id=world.site_id)
    manual = {"captured_at": local(5, 8, 20).isoformat(), "reason": "补签"}
    assert (await client.post("/api/v1/me/manual-punches", json=manual, headers=staff)).status_code == 201
    queue = (await client.get("/api/v1/attendance/exceptions", headers=hr)).json()
    assert queue["total"] == 5 and {e["kind"] for e in queue["items"]} == {"punch_in_closed_month"}
    after = (await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=staff)).json()
    assert after["closed"] is True and after["records"] == before["records"]
    assert session(after, "2025-03-04", "am")["status"] == "absent"
    assert await _stored(me) == frozen
    assert (await client.post(CLOSE, json={"site_id": world.site_id}, headers=hr)).status_code == 409


async def test_approvals_and_corrections_do_not_change_a_closed_month(client, app_ctx):
    world = await make_world(app_ctx)
    me = world.staff[0].id
    _, hr = await logged_in(client, app_ctx, "hr")
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=me)
    leave = {"kind": "training", "start": "2025-03-04T08:00:00+08:00", "end": "2025-03-04T18:00:00+08:00"}
    leave_id = (await client.post("/api/v1/me/leave", json=leave, headers=staff)).json()["id"]
    await finished(client, await client.post(CLOSE, json={"site_id": world.site_id}, headers=hr), headers=hr)
    frozen = await _stored(me)
    ok = await client.post(f"/api/v1/attendance/leave/{leave_id}/decision", json={"approved": True}, headers=hr)
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    month = (await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=staff)).json()
    assert session(month, "2025-03-04", "am")["status"] == "absent"
    assert await _stored(me) == frozen
    queue = (await client.get("/api/v1/attendance/exceptions", headers=hr)).json()
    assert [e["kind"] for e in queue["items"]] == ["leave_in_closed_month"]
    correction = {"staff_id": me, "day": "2025-03-04", "session": "am", "status": "present", "reason": "核实"}
    refused = await client.post("/api/v1/attendance/corrections", json=correction, headers=hr)
    assert refused.status_code == 409 and refused.json()["code"] == "month_closed"
    rota = {"staff_id": me, "day": "2025-03-08", "session": "am", "action": "add"}
    assert (await client.post("/api/v1/attendance/rota", json=rota, headers=hr)).status_code == 409
    item = queue["items"][0]["id"]
    resolved = await client.post(f"/api/v1/attendance/exceptions/{item}/resolve", json={"note": "已与考核申诉一并处理"}, headers=hr)
    assert resolved.status_code == 200 and resolved.json()["resolved_by"]
    assert (await client.get("/api/v1/attendance/exceptions", headers=hr)).json()["total"] == 0
    assert (await client.get("/api/v1/attendance/exceptions?include_resolved=true", headers=hr)).json()["total"] == 1
