"""A staff member's month: statuses and minutes, object scoping, stored records, facts, attestation."""

from datetime import UTC, datetime

from tests.attendance.support import MONTH, full_day, local, make_world, session, terminal_punch
from tests.factories import logged_in
from window_staff.attendance import service
from window_staff.attendance.tables import StoredDayRecord


async def test_staff_read_their_own_month_with_statuses_and_minutes(client, app_ctx):
    world = await make_world(app_ctx, n_staff=2)
    me, _other = world.staff[0].id, world.staff[1].id
    await full_day(app_ctx, me, 3, site_id=world.site_id)
    await full_day(app_ctx, me, 4, site_id=world.site_id, am_in=(8, 47))  # 17 minutes late
    await terminal_punch(app_ctx, me, local(5, 8, 25), site_id=world.site_id)  # no sign-out
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=me)
    r = await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=staff)
    assert r.status_code == 200, r.text
    month = r.json()
    assert month["staff_id"] == me and month["month"] == MONTH and month["closed"] is False
    assert session(month, "2025-03-03", "am")["status"] == "present"
    late = session(month, "2025-03-04", "am")
    assert late["status"] == "late" and late["late_minutes"] == 17
    assert session(month, "2025-03-05", "am")["status"] == "missing_sign_out"
    assert not [x for x in month["records"] if x["day"] == "2025-03-01"]  # Saturday
    # 21 working days in March 2025, two sessions each
    assert month["totals"]["sessions"] == 42 and month["totals"]["late_minutes"] == 17
    assert month["totals"]["present"] == 3 and month["totals"]["missing_sign_out"] == 1
    assert await StoredDayRecord.count().where(StoredDayRecord.staff == me) == 42


async def test_another_staff_members_month_is_404(client, app_ctx):
    world = await make_world(app_ctx, n_staff=2)
    me, other = world.staff[0].id, world.staff[1].id
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=me)
    assert (await client.get(f"/api/v1/attendance/staff/{other}/month?month={MONTH}", headers=staff)).status_code == 404
    assert (await client.get(f"/api/v1/attendance/staff/{me}/month?month={MONTH}", headers=staff)).status_code == 200
    _, hr = await logged_in(client, app_ctx, "hr")
    assert (await client.get(f"/api/v1/attendance/staff/{other}/month?month={MONTH}", headers=hr)).status_code == 200
    assert (await client.get("/api/v1/me/attendance?month=2025-13", headers=staff)).status_code == 400
    _, unlinked = await logged_in(client, app_ctx, "staff")
    assert (await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=unlinked)).status_code == 404


async def test_a_year_without_a_calendar_is_refused_not_guessed(client, app_ctx):
    app_ctx.clock.at = datetime(2027, 3, 1, tzinfo=UTC)
    world = await make_world(app_ctx)
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=world.staff[0].id)
    r = await client.get("/api/v1/me/attendance?month=2027-01", headers=staff)
    assert r.status_code == 422 and r.json()["code"] == "calendar_year_missing"
    meaning = await service.describe_punch(app_ctx, site_id=world.site_id, at=local(4, 8, 40, year=2027, month=1))
    assert meaning.status == "calendar_year_missing"


async def test_describe_punch_uses_the_work_calendar_and_grace(ctx):
    world = await make_world(ctx)
    assert (await service.describe_punch(ctx, site_id=world.site_id, at=local(3, 8, 35))).status == "on_time"  # within 5 min
    late = await service.describe_punch(ctx, site_id=world.site_id, at=local(3, 8, 40))
    assert (late.status, late.minutes) == ("late", 10)
    holiday = await service.describe_punch(ctx, site_id=world.site_id, at=local(1, 9, 0, month=10))  # National Day
    assert holiday.status == "not_a_working_day"
    adjusted = await service.describe_punch(ctx, site_id=world.site_id, at=local(28, 8, 20, month=9))  # 调休上班 Sunday
    assert adjusted.status == "on_time"


async def test_a_manual_punch_counts_once_a_supervisor_attests_it(client, app_ctx):
    world = await make_world(app_ctx)
    me = world.staff[0].id
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=me)
    for hh, mm in ((8, 25), (12, 3)):
        body = {"captured_at": local(6, hh, mm).isoformat(), "reason": "终端故障"}
        assert (await client.post("/api/v1/me/manual-punches", json=body, headers=staff)).status_code == 201
    month = (await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=staff)).json()
    assert session(month, "2025-03-06", "am")["status"] == "absent"
    _, hr_self = await logged_in(client, app_ctx, "hr", staff_id=me)
    _, hr = await logged_in(client, app_ctx, "hr")
    pending = (await client.get("/api/v1/attendance/attestations", headers=hr)).json()
    assert pending["total"] == 2 and all(p["attestation"] is None for p in pending["items"])
    first, second = (p["id"] for p in pending["items"])
    own = await client.post(f"/api/v1/attendance/punches/{first}/attestation", json={"approved": True}, headers=hr_self)
    assert own.status_code == 403
    assert (await client.post(f"/api/v1/attendance/punches/{first}/attestation", json={"approved": True}, headers=hr)).json()[
        "attestation"
    ] == "approved"
    assert (
        await client.post(f"/api/v1/attendance/punches/{second}/attestation", json={"approved": False, "note": "无证明"}, headers=hr)
    ).status_code == 200
    assert (await client.post(f"/api/v1/attendance/punches/{second}/attestation", json={"approved": True}, headers=hr)).status_code == 409
    month = (await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=staff)).json()
    assert session(month, "2025-03-06", "am")["status"] == "missing_sign_out"  # the refused sign-out does not count
    assert (await client.get("/api/v1/attendance/attestations", headers=hr)).json()["total"] == 0


async def test_hr_set_up_shapes_the_month(client, app_ctx):
    world = await make_world(app_ctx)
    me = world.staff[0].id
    _, hr = await logged_in(client, app_ctx, "hr")
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=me)
    extended = {
        "staff_id": me,
        "day": "2025-03-03",
        "session": "extended",
        "action": "add",
        "start": "17:30:00",
        "end": "19:00:00",
        "note": "延时服务",
    }
    assert (await client.post("/api/v1/attendance/rota", json=extended, headers=hr)).status_code == 201
    assert (await client.post("/api/v1/attendance/rota", json=extended, headers=hr)).status_code == 409
    weekend = {"staff_id": me, "day": "2025-03-08", "session": "am", "action": "add"}
    assert (await client.post("/api/v1/attendance/rota", json=weekend, headers=hr)).status_code == 201
    closure = await client.post("/api/v1/attendance/closures", json={"window_id": world.window.id, "day": "2025-03-04"}, headers=hr)
    assert closure.status_code == 201
    override = {"site_id": world.site_id, "day": "2025-03-05", "kind": "holiday", "note": "地方节日"}
    assert (await client.post("/api/v1/attendance/overrides", json=override, headers=hr)).status_code == 201
    assert (await client.post("/api/v1/attendance/rota", json=weekend, headers=staff)).status_code == 403
    month = (await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=staff)).json()
    sessions = {(r["day"], r["session"]) for r in month["records"]}
    assert ("2025-03-03", "extended") in sessions and ("2025-03-08", "am") in sessions
    assert not {s for s in sessions if s[0] in ("2025-03-04", "2025-03-05")}
    assert month["totals"]["sessions"] == 42 - 4 + 2
    rota = (await client.get(f"/api/v1/attendance/rota?month={MONTH}", headers=hr)).json()
    assert rota["total"] == 2
    assert (await client.delete(f"/api/v1/attendance/closures/{closure.json()['id']}", headers=hr)).status_code == 204
    month = (await client.get(f"/api/v1/me/attendance?month={MONTH}", headers=staff)).json()
    assert month["totals"]["sessions"] == 42 - 2 + 2
    hours = (await client.get(f"/api/v1/attendance/site-hours?site_id={world.site_id}", headers=hr)).json()
    assert hours[0]["am_start"] == "08:30:00"
    overlap = {
        **{k: hours[0][k] for k in ("site_id", "am_start", "am_end", "pm_start", "pm_end")},
        "name": "x",
        "valid_from": "2025-06-01",
        "valid_to": "2025-09-30",
    }
    assert (await client.post("/api/v1/attendance/site-hours", json=overlap, headers=hr)).status_code == 422
