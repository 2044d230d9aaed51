"""What ratings give the appraisal (month_facts) and the satisfaction report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.evaluations.support_ratings import make_rating_desk, person, rate, settings  # noqa: F401
from tests.factories import logged_in
from window_staff.evaluations.schemas.ratings import CaseAppealIn, CaseDecisionIn, CaseStepIn
from window_staff.evaluations.service import cases as service_cases, ratings as service_ratings
from window_staff.scoring.vocabulary import fact_problems

SH = ZoneInfo("Asia/Shanghai")
MAY = dt.date(2025, 5, 1)


def at(month: int, day: int, hh: int, mm: int = 0) -> dt.datetime:
    """A Shanghai instant in 2025."""
    return dt.datetime(2025, month, day, hh, mm, tzinfo=SH)


async def _may(ctx, clock):
    """Staff A in May: levels 5 (00:30 on the 1st), 4, 3, 2 valid, a 1 voided on appeal; a 4 late on 30 April; staff B one 5."""
    clock.at = at(5, 20, 12).astimezone(dt.UTC)
    desk = await make_rating_desk(ctx)
    a, w = desk.staff[0].id, desk.window
    other = await make_rating_desk(ctx)
    b = other.staff[0].id
    await rate(ctx, w, level=4, staff_id=a, rated_at=at(4, 30, 23, 30))
    await rate(ctx, w, level=5, staff_id=a, rated_at=at(5, 1, 0, 30))
    await rate(ctx, w, level=4, staff_id=a, rated_at=at(5, 6, 9))
    await rate(ctx, w, level=3, staff_id=a, rated_at=at(5, 6, 10))
    bad = await rate(ctx, w, level=2, staff_id=a, rated_at=at(5, 6, 11))  # 15 working days: deadline Tue 27 May
    void = await rate(ctx, w, level=1, staff_id=a, rated_at=at(5, 7, 11))  # deadline Wed 28 May
    await rate(ctx, other.window, level=5, staff_id=b, rated_at=at(5, 8, 9))
    hr, reviewer = await person(ctx, "hr"), await person(ctx, "inspection_lead")
    for action in ("verify", "rectify"):  # rectified on 20 May, before the deadline
        await service_cases.step(ctx, hr, bad.case_id, action=action, data=CaseStepIn(note="已整改"))
    await service_cases.file_appeal(ctx, hr, void.case_id, CaseAppealIn(reason="号码不属于本窗口"))
    await service_cases.decide_appeal(ctx, reviewer, void.case_id, CaseDecisionIn(outcome="void", note="误评"))
    return desk, a, b, bad, void


async def test_month_facts_give_valid_ratings_cases_due_and_the_satisfaction_rate(ctx, clock):
    desk, a, b, bad, void = await _may(ctx, clock)
    facts = (await service_ratings.month_facts(ctx, staff_ids=[a], month=MAY))[a]
    assert all(fact_problems(f) == [] for f in facts)
    ratings = sorted((f.occurred_on.day, f.fields["level"]) for f in facts if f.kind == "rating.citizen")
    assert ratings == [(1, 5), (6, 2), (6, 3), (6, 4)]
    [rate_fact] = [f for f in facts if f.kind == "service.satisfaction_rate"]
    # 3 of the 4 valid ratings are 基本满意 or better; the voided 1 and April's 4 do not count.
    assert rate_fact.id == "service.satisfaction_rate:2025-05" and rate_fact.fields == {"rate": Decimal("75.00"), "transactions": 4}
    cases = {f.id: (f.occurred_on, f.fields) for f in facts if f.kind == "rating.bad_review_case"}
    assert cases == {
        f"rating.bad_review_case:{bad.case_id}": (dt.date(2025, 5, 27), {"rectified_on_time": True, "voided": False}),
        f"rating.bad_review_case:{void.case_id}": (dt.date(2025, 5, 28), {"rectified_on_time": False, "voided": True}),
    }


async def test_a_voided_cases_rating_is_not_a_fact(ctx, clock):
    desk, a, b, bad, void = await _may(ctx, clock)
    facts = (await service_ratings.month_facts(ctx, staff_ids=[a], month=MAY))[a]
    assert f"rating.citizen:{void.id}" not in {f.id for f in facts} and f"rating.citizen:{bad.id}" in {f.id for f in facts}


async def test_a_huge_staff_list_gives_the_same_facts_and_only_for_those_asked(ctx, clock):
    desk, a, b, *_ = await _may(ctx, clock)
    small = await service_ratings.month_facts(ctx, staff_ids=[a], month=MAY)
    huge = await service_ratings.month_facts(ctx, staff_ids=[a, *range(10**6, 10**6 + 6000)], month=MAY)
    assert huge == small and b not in huge


async def test_staff_without_ratings_get_no_satisfaction_fact(ctx, clock):
    desk, a, *_ = await _may(ctx, clock)
    assert await service_ratings.month_facts(ctx, staff_ids=[a], month=dt.date(2025, 7, 1)) == {}


async def test_the_satisfaction_report_by_staff_window_and_department(client, app_ctx, clock):
    desk, a, b, *_ = await _may(app_ctx, clock)
    _, approver = await logged_in(client, app_ctx, "approver")
    by_staff = await client.get("/api/v1/evaluations/satisfaction", params={"month": "2025-05", "by": "staff"}, headers=approver)
    assert by_staff.status_code == 200, by_staff.text
    rows = {r["group_id"]: (r["ratings"], r["satisfied"], r["rate"]) for r in by_staff.json()["items"]}
    assert rows == {a: (4, 3, "75.00"), b: (1, 1, "100.00")}
    by_window = (await client.get("/api/v1/evaluations/satisfaction", params={"month": "2025-05", "by": "window"}, headers=approver)).json()
    assert {r["group_id"]: r["rate"] for r in by_window["items"]}[desk.window.id] == "75.00"
    by_dept = (
        await client.get("/api/v1/evaluations/satisfaction", params={"month": "2025-05", "by": "department"}, headers=approver)
    ).json()
    assert {r["group_id"]: r["ratings"] for r in by_dept["items"]}[desk.window.department_id] == 4


async def test_staff_cannot_read_the_satisfaction_report(client, app_ctx, clock):
    desk = await make_rating_desk(app_ctx)
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=desk.staff[0].id)
    response = await client.get("/api/v1/evaluations/satisfaction", params={"month": "2025-05"}, headers=staff)
    assert response.status_code == 403


async def test_staff_read_their_own_ratings_of_the_month_counted_by_level(client, app_ctx, clock):
    desk, a, b, *_ = await _may(app_ctx, clock)
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=a)
    mine = await client.get("/api/v1/me/ratings", params={"month": "2025-05"}, headers=staff)
    assert mine.status_code == 200, mine.text
    # The voided 1 and April's 4 do not count; nothing about the citizens is in the answer.
    assert mine.json() == {
        "month": "2025-05",
        "ratings": 4,
        "satisfied": 3,
        "rate": "75.00",
        "levels": {"1": 0, "2": 1, "3": 1, "4": 1, "5": 1},
    }


async def test_a_month_without_ratings_has_no_rate(client, app_ctx, clock):
    desk, a, *_ = await _may(app_ctx, clock)
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=a)
    mine = (await client.get("/api/v1/me/ratings", params={"month": "2025-07"}, headers=staff)).json()
    assert mine["ratings"] == 0 and mine["rate"] is None
