"""Missed punches (补卡): staff ask, their department head or HR decides; the approved punch has a source of its own."""

from datetime import date, time

import pytest

from tests.attendance.support import MONTH, local, make_world, terminal_punch
from tests.factories import logged_in, make_staff
from window_staff.attendance import facts, views
from window_staff.attendance.errors import AttendanceDuplicate, MissedPunchNotAllowed, MonthClosed
from window_staff.attendance.schemas import MissedPunchDecisionIn, MissedPunchIn
from window_staff.attendance.service import admin as service_admin, missed_punches
from window_staff.attendance.tables import Punch
from window_staff.common.principal import Principal
from window_staff.org import service as org
from window_staff.org.schemas import DepartmentHeadIn

HR = Principal(user_id=1, username="hr", roles=frozenset({"hr"}), staff_id=None)


def _as_staff(staff_id: int) -> Principal:
    return Principal(user_id=100 + staff_id, username=f"s{staff_id}", roles=frozenset({"staff"}), staff_id=staff_id)


def _ask(day: int = 4, *, kind: str = "out", at: time = time(12, 2)) -> MissedPunchIn:
    return MissedPunchIn(day=date(2025, 3, day), session="am", kind=kind, time=at, reason="忘记签退")


async def _signed_in_only(ctx, world, day: int = 4) -> int:
    me = world.staff[0].id
    await terminal_punch(ctx, me, local(day, 8, 20), site_id=world.site_id)
    return me


async def test_an_approved_missed_punch_is_recorded_with_its_own_source(app_ctx):
    world = await make_world(app_ctx)
    me = await _signed_in_only(app_ctx, world)
    before = await views.staff_month(app_ctx, me, month=MONTH)
    am = next(r for r in before.records if r.day == date(2025, 3, 4) and r.session == "am")
    assert am.status == "missing_sign_out"
    asked = await missed_punches.request_missed_punch(app_ctx, me, _ask(), actor="staff")
    done = await missed_punches.decide_missed_punch(app_ctx, asked.id, MissedPunchDecisionIn(approved=True, note="属实"), principal=HR)
    assert done.status == "approved" and done.punch_id is not None
    punch = await Punch.select(Punch.source, Punch.verify_mode, Punch.kind).where(Punch.id == done.punch_id).first()
    assert punch == {"source": "missed_punch", "verify_mode": "missed_punch", "kind": "out"}
    after = await views.staff_month(app_ctx, me, month=MONTH)
    am = next(r for r in after.records if r.day == date(2025, 3, 4) and r.session == "am")
    assert am.status == "present" and am.sign_out_punch_id == done.punch_id


async def test_the_department_head_decides_their_staffs_requests(app_ctx):
    world = await make_world(app_ctx, n_staff=2)
    me, head = world.staff[0].id, world.staff[1].id
    await org.set_department_head(app_ctx, world.window.department_id, DepartmentHeadIn(staff_id=head), actor="test")
    asked = await missed_punches.request_missed_punch(app_ctx, me, _ask(), actor="staff")
    refused = await missed_punches.decide_missed_punch(
        app_ctx, asked.id, MissedPunchDecisionIn(approved=False, note="无法核实"), principal=_as_staff(head)
    )
    assert (refused.status, refused.note, refused.punch_id) == ("refused", "无法核实", None)


async def test_someone_elses_colleague_may_not_decide(app_ctx):
    world = await make_world(app_ctx, n_staff=2)
    asked = await missed_punches.request_missed_punch(app_ctx, world.staff[0].id, _ask(), actor="staff")
    with pytest.raises(MissedPunchNotAllowed):
        await missed_punches.decide_missed_punch(
            app_ctx, asked.id, MissedPunchDecisionIn(approved=True), principal=_as_staff(world.staff[1].id)
        )


async def test_a_head_may_not_decide_their_own_request(app_ctx):
    world = await make_world(app_ctx)
    me = world.staff[0].id
    await org.set_department_head(app_ctx, world.window.department_id, DepartmentHeadIn(staff_id=me), actor="test")
    asked = await missed_punches.request_missed_punch(app_ctx, me, _ask(), actor="staff")
    with pytest.raises(MissedPunchNotAllowed):
        await missed_punches.decide_missed_punch(app_ctx, asked.id, MissedPunchDecisionIn(approved=True), principal=_as_staff(me))


async def test_the_same_missed_punch_twice_is_refused(app_ctx):
    world = await make_world(app_ctx)
    await missed_punches.request_missed_punch(app_ctx, world.staff[0].id, _ask(), actor="staff")
    with pytest.raises(AttendanceDuplicate):
        await missed_punches.request_missed_punch(app_ctx, world.staff[0].id, _ask(at=time(12, 5)), actor="staff")


async def test_a_closed_month_refuses_a_missed_punch(app_ctx):
    world = await make_world(app_ctx)
    await service_admin.close_month(app_ctx, site_id=world.site_id, month=MONTH, actor="hr")
    with pytest.raises(MonthClosed):
        await missed_punches.request_missed_punch(app_ctx, world.staff[0].id, _ask(), actor="staff")


async def test_the_appraisal_counts_approved_missed_punches_in_the_month(app_ctx):
    world = await make_world(app_ctx)
    me = world.staff[0].id
    for day in (4, 5, 6, 7):
        asked = await missed_punches.request_missed_punch(app_ctx, me, _ask(day, kind="in", at=time(8, 25)), actor="staff")
        await missed_punches.decide_missed_punch(app_ctx, asked.id, MissedPunchDecisionIn(approved=True), principal=HR)
    postings = await org.postings_of([me])
    found = await facts.month_facts(app_ctx, postings=postings, first=date(2025, 3, 1))
    counted = [f.fields["nth"] for f in found[me] if f.kind == "attendance.missed_punch"]
    assert counted == [1, 2, 3, 4]


async def test_staff_month_punches_say_how_each_was_made(app_ctx):
    world = await make_world(app_ctx)
    me = await _signed_in_only(app_ctx, world)
    asked = await missed_punches.request_missed_punch(app_ctx, me, _ask(), actor="staff")
    await missed_punches.decide_missed_punch(app_ctx, asked.id, MissedPunchDecisionIn(approved=True), principal=HR)
    punches = await missed_punches.month_punches(app_ctx, me, month=MONTH)
    assert [(p.kind, p.source) for p in punches] == [("any", "signed_terminal"), ("out", "missed_punch")]


async def test_a_colleague_is_not_among_the_heads_staff_elsewhere(app_ctx):
    world = await make_world(app_ctx)
    other = await make_staff(app_ctx)  # another department
    await org.set_department_head(app_ctx, world.window.department_id, DepartmentHeadIn(staff_id=world.staff[0].id), actor="test")
    assert other.id not in (await missed_punches.decidable_staff(_as_staff(world.staff[0].id)) or [])


async def test_the_department_sheet_marks_a_session_resting_on_a_missed_punch(app_ctx):
    world = await make_world(app_ctx)
    me = await _signed_in_only(app_ctx, world)
    asked = await missed_punches.request_missed_punch(app_ctx, me, _ask(), actor="staff")
    await missed_punches.decide_missed_punch(app_ctx, asked.id, MissedPunchDecisionIn(approved=True), principal=HR)
    sheet = await views.department_sheet(app_ctx, department_id=world.window.department_id, month=MONTH)
    assert sheet.rows[0].days[3] == "√(补)/旷"  # 4 March: the morning rests on the 补卡 sign-out; no afternoon punches


async def test_the_api_takes_a_request_and_hr_decides_it(client, app_ctx):
    world = await make_world(app_ctx)
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=world.staff[0].id)
    _, hr = await logged_in(client, app_ctx, "hr")
    body = {"day": "2025-03-04", "session": "am", "kind": "out", "time": "12:02:00", "reason": "忘记签退"}
    asked = await client.post("/api/v1/me/missed-punches", json=body, headers=staff)
    assert asked.status_code == 201, asked.text
    # a colleague without a department to head may not decide it
    refused = await client.post(f"/api/v1/attendance/missed-punches/{asked.json()['id']}/decision", json={"approved": True}, headers=staff)
    assert refused.status_code == 403
    done = await client.post(f"/api/v1/attendance/missed-punches/{asked.json()['id']}/decision", json={"approved": True}, headers=hr)
    assert done.status_code == 200 and done.json()["status"] == "approved"
    mine = (await client.get("/api/v1/me/missed-punches", headers=staff)).json()
    assert [m["status"] for m in mine] == ["approved"]
