"""The bad-review loop (差评整改): deadlines in working days, steps in order, appeals decided by someone impartial."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.evaluations.support_ratings import make_rating_desk, person, rate, settings  # noqa: F401
from tests.factories import logged_in, make_staff, make_user
from window_staff.attendance.errors import CalendarYearMissing
from window_staff.common import audit
from window_staff.common.db import execute
from window_staff.common.pagination import PageParams
from window_staff.evaluations.errors import CaseReviewerNotAllowed, CaseStateConflict
from window_staff.evaluations.schemas.ratings import CaseAppealIn, CaseDecisionIn, CaseStepIn
from window_staff.evaluations.service import cases as service_cases
from window_staff.evaluations.tables import BadReviewCase, CaseEvent, Rating
from window_staff.notifications import service as notifications
from window_staff.org import service as org
from window_staff.org.schemas import DepartmentHeadIn

SH = ZoneInfo("Asia/Shanghai")
# Friday 26 September 2025, 10:00 in Shanghai: National Day (1-8 October) is ahead, with the
# adjusted working days Sunday 28 September and Saturday 11 October.
RATED = dt.datetime(2025, 9, 26, 10, 0, tzinfo=SH)


async def _bad_case(ctx, clock, *, level: int = 2):
    clock.at = RATED.astimezone(dt.UTC)
    desk = await make_rating_desk(ctx)
    rating = await rate(
        ctx, desk.window, level=level, staff_id=desk.staff[0].id, rated_at=RATED - dt.timedelta(minutes=5), comment="等了很久"
    )
    return desk, rating


async def test_a_dissatisfied_rating_opens_a_case_due_fifteen_working_days_later(ctx, clock):
    desk, rating = await _bad_case(ctx, clock)
    # Hand count of 15 working days after Fri 26 Sep: Sun 28 (adjusted) 1, Mon 29 2, Tue 30 3, [1-8 Oct National Day],
    # Thu 9 4, Fri 10 5, Sat 11 (adjusted) 6, Mon 13..Fri 17 7-11, Mon 20 12, Tue 21 13, Wed 22 14, Thu 23 15.
    [case] = await BadReviewCase.select()
    assert (case["rating"], case["staff"], case["status"], case["deadline"]) == (rating.id, desk.staff[0].id, "open", dt.date(2025, 10, 23))
    assert rating.case_id == case["id"]
    [event] = await CaseEvent.select()
    assert (event["action"], event["to_status"]) == ("open", "open")


async def test_a_basically_satisfied_rating_opens_no_case(ctx, clock):
    await _bad_case(ctx, clock, level=3)
    assert await BadReviewCase.count() == 0


async def test_a_bad_rating_in_a_year_without_calendar_is_an_explicit_error_and_stores_nothing(ctx, clock):
    clock.at = dt.datetime(2027, 3, 1, 2, 0, tzinfo=dt.UTC)
    desk = await make_rating_desk(ctx)
    with pytest.raises(CalendarYearMissing):
        await rate(ctx, desk.window, level=1, staff_id=desk.staff[0].id, rated_at=clock.now())
    assert await Rating.count() == 0 and await BadReviewCase.count() == 0


async def test_the_full_loop_verify_rectify_call_back_close(client, app_ctx, clock):
    await _bad_case(app_ctx, clock)
    case_id = (await BadReviewCase.select(BadReviewCase.id))[0]["id"]
    _, hr = await logged_in(client, app_ctx, "hr")
    for step, status in (("verify", "verified"), ("rectify", "rectified"), ("call-back", "called_back"), ("close", "closed")):
        response = await client.post(f"/api/v1/evaluations/cases/{case_id}/{step}", json={"note": f"{step} done"}, headers=hr)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
    body = response.json()
    assert body["rectified_at"] is not None and body["closed_at"] is not None and body["days_overdue"] == 0
    assert [e["action"] for e in body["events"]] == ["open", "verify", "rectify", "call_back", "close"]
    assert all(e["actor"].startswith("user:") for e in body["events"][1:])
    audited = await execute(app_ctx.engine, "SELECT action FROM audit_event WHERE subject_type = {} ORDER BY id", "bad_review_case")
    assert [r["action"] for r in audited] == [
        "rating_case.opened",
        "rating_case.verify",
        "rating_case.rectify",
        "rating_case.call_back",
        "rating_case.close",
    ]
    assert (await audit.verify(app_ctx.engine)).ok


async def test_a_step_out_of_order_is_409(client, app_ctx, clock):
    await _bad_case(app_ctx, clock)
    case_id = (await BadReviewCase.select(BadReviewCase.id))[0]["id"]
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await client.post(f"/api/v1/evaluations/cases/{case_id}/rectify", json={"note": "too early"}, headers=hr)
    assert response.status_code == 409 and response.json()["code"] == "case_state_conflict"
    assert (await BadReviewCase.select(BadReviewCase.status))[0]["status"] == "open"


async def test_a_step_needs_a_note_and_a_case_role(client, app_ctx, clock):
    desk, _ = await _bad_case(app_ctx, clock)
    case_id = (await BadReviewCase.select(BadReviewCase.id))[0]["id"]
    _, hr = await logged_in(client, app_ctx, "hr")
    _, approver = await logged_in(client, app_ctx, "approver")
    assert (await client.post(f"/api/v1/evaluations/cases/{case_id}/verify", json={"note": ""}, headers=hr)).status_code == 400
    assert (await client.post(f"/api/v1/evaluations/cases/{case_id}/verify", json={"note": "ok"}, headers=approver)).status_code == 403
    assert (await client.get(f"/api/v1/evaluations/cases/{case_id}", headers=approver)).status_code == 200


async def test_the_department_head_cannot_decide_the_appeal_and_another_reviewer_can_void_it(client, app_ctx, clock):
    desk, _ = await _bad_case(app_ctx, clock)
    head = await make_staff(app_ctx, window=desk.window)
    await org.set_department_head(app_ctx, desk.window.department_id, DepartmentHeadIn(staff_id=head.id), actor="test")
    case_id = (await BadReviewCase.select(BadReviewCase.id))[0]["id"]
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=desk.staff[0].id)
    _, head_lead = await logged_in(client, app_ctx, "inspection_lead", staff_id=head.id)
    _, hr = await logged_in(client, app_ctx, "hr")
    filed = await client.post(
        f"/api/v1/me/rating-cases/{case_id}/appeal", json={"reason": "该号码当天未在本窗口办理，属误评"}, headers=staff
    )
    assert filed.status_code == 200 and filed.json()["status"] == "appealed"
    decision = {"outcome": "void", "note": "核实为误评"}
    refused = await client.post(f"/api/v1/evaluations/cases/{case_id}/appeal-decision", json=decision, headers=head_lead)
    assert refused.status_code == 403 and refused.json()["code"] == "case_reviewer_not_allowed"
    voided = await client.post(f"/api/v1/evaluations/cases/{case_id}/appeal-decision", json=decision, headers=hr)
    assert voided.status_code == 200 and (voided.json()["status"], voided.json()["voided"]) == ("voided", True)


async def test_an_upheld_appeal_sends_the_case_back_to_verified_and_cannot_be_repeated(ctx, clock):
    await _bad_case(ctx, clock)
    case_id = (await BadReviewCase.select(BadReviewCase.id))[0]["id"]
    hr, reviewer = await person(ctx, "hr"), await person(ctx, "inspection_lead")
    await service_cases.file_appeal(ctx, hr, case_id, CaseAppealIn(reason="市民称为恶意差评"))
    upheld = await service_cases.decide_appeal(ctx, reviewer, case_id, CaseDecisionIn(outcome="uphold", note="评价属实"))
    assert (upheld.status, upheld.voided) == ("verified", False)
    with pytest.raises(CaseStateConflict):
        await service_cases.file_appeal(ctx, hr, case_id, CaseAppealIn(reason="再次申请复核"))


async def test_nobody_decides_an_appeal_about_themselves(ctx, clock):
    desk, _ = await _bad_case(ctx, clock)
    case_id = (await BadReviewCase.select(BadReviewCase.id))[0]["id"]
    await service_cases.file_appeal(ctx, await person(ctx, "hr"), case_id, CaseAppealIn(reason="误评"))
    themselves = await person(ctx, "hr", "staff", staff_id=desk.staff[0].id)
    with pytest.raises(CaseReviewerNotAllowed):
        await service_cases.decide_appeal(ctx, themselves, case_id, CaseDecisionIn(outcome="void", note="我认为是误评"))


async def test_staff_see_their_own_cases_with_the_indicators_and_nothing_about_the_citizen(client, app_ctx, clock):
    desk, _ = await _bad_case(app_ctx, clock)
    other = await make_staff(app_ctx, window=desk.window)
    case_id = (await BadReviewCase.select(BadReviewCase.id))[0]["id"]
    _, mine = await logged_in(client, app_ctx, "staff", staff_id=desk.staff[0].id)
    _, theirs = await logged_in(client, app_ctx, "staff", staff_id=other.id)
    [item] = (await client.get("/api/v1/me/rating-cases", headers=mine)).json()["items"]
    assert item["rating"] == {**item["rating"], "level": 2, "efficiency": 2, "service_level": 2, "attitude": 2, "comment": "等了很久"}
    assert not {"transaction_ref", "device", "rating_id", "staff_id"} & (set(item) | set(item["rating"]))
    assert all("actor" not in e for e in item["events"])
    assert (await client.get("/api/v1/me/rating-cases", headers=theirs)).json()["items"] == []
    assert (await client.get(f"/api/v1/me/rating-cases/{case_id}", headers=theirs)).status_code == 404
    appeal = await client.post(f"/api/v1/me/rating-cases/{case_id}/appeal", json={"reason": "不是我办理的"}, headers=theirs)
    assert appeal.status_code == 404


async def test_overdue_cases_appear_for_hr_with_days_overdue(client, app_ctx, clock):
    await _bad_case(app_ctx, clock)
    early = await rate(app_ctx, (await make_rating_desk(app_ctx)).window, level=1, staff_id=None, rated_at=RATED)
    done = (await BadReviewCase.select(BadReviewCase.id).where(BadReviewCase.rating == early.id))[0]["id"]
    hr_p = await person(app_ctx, "hr")
    for action in ("verify", "rectify", "call_back", "close"):
        await service_cases.step(app_ctx, hr_p, done, action=action, data=CaseStepIn(note="ok"))
    clock.at = dt.datetime(2025, 10, 27, 9, 0, tzinfo=SH).astimezone(dt.UTC)  # Monday after the Thursday 23 October deadline
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await client.get("/api/v1/evaluations/cases", params={"overdue": "true"}, headers=hr)
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert (item["status"], item["deadline"], item["overdue"], item["days_overdue"]) == ("open", "2025-10-23", True, 4)
    everything = (await client.get("/api/v1/evaluations/cases", headers=hr)).json()
    assert everything["total"] == 2


async def test_a_bad_review_tells_the_staff_member_and_their_department_head(ctx, clock):
    clock.at = RATED.astimezone(dt.UTC)
    desk = await make_rating_desk(ctx)
    head = await make_staff(ctx, window=desk.window)
    await org.set_department_head(ctx, desk.window.department_id, DepartmentHeadIn(staff_id=head.id), actor="test")
    staff_user, head_user = await make_user(ctx, "staff", staff_id=desk.staff[0].id), await make_user(ctx, "staff", staff_id=head.id)
    rating = await rate(ctx, desk.window, level=1, staff_id=desk.staff[0].id, rated_at=RATED - dt.timedelta(minutes=5))
    page = PageParams(limit=10, offset=0)
    [mine] = (await notifications.list_notifications(ctx, staff_user.id, page)).items
    [heads] = (await notifications.list_notifications(ctx, head_user.id, page)).items
    assert (mine.kind, mine.subject_id) == ("bad_review_opened", rating.case_id) and "2025-10-23" in mine.text
    assert heads.subject_id == rating.case_id and heads.text.startswith("本部门")
