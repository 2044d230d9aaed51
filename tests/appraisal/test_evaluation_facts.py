"""Citizen ratings reach the month's sheet: the evaluations domain's facts are scored with the rest.

Staff 1 of the worked month (otherwise 100.00) gets three ratings in March 2025: 非常满意 twice and
非常不满意 once (on Monday 10 March), which opens a bad-review case nobody rectifies.
  rating.very_satisfied       2 x +0.05              = +0.10
  rating.very_dissatisfied    1 x -1                 = -1
  service.satisfaction        2 of 3 satisfied = 66.66 %: 34 started points below 100 x -0.5 = -17, capped at -5
  rating.bad_review_unrectified  deadline 15 working days after 10 March = Monday 31 March, in March, not rectified: -2
  evaluation 20 - 7.90 = 12.10; total 92.10 -> 良好.
"""

from __future__ import annotations

from decimal import Decimal

from tests.appraisal.support import MONTH, at, make_month
from tests.evaluations.support_ratings import rate
from window_staff.appraisal import service
from window_staff.appraisal.service import reports as service_reports


async def test_ratings_and_their_bad_review_case_are_scored(ctx) -> None:
    month = await make_month(ctx)
    staff_id = month.staff[1].id
    for day, level in ((5, 5), (7, 5), (10, 1)):
        await rate(ctx, month.window, level=level, staff_id=staff_id, rated_at=at(day, 11))
    await service.compute(ctx, MONTH, principal=month.hr)
    sheet = await service_reports.sheet(ctx, MONTH, staff_id, principal=month.hr)
    assert {(ln.rule_id, ln.points) for ln in sheet.lines} == {
        ("rating.very_satisfied", Decimal("0.10")),
        ("rating.very_dissatisfied", Decimal("-1")),
        ("service.satisfaction", Decimal("-5")),
        ("rating.bad_review_unrectified", Decimal("-2")),
    }
    assert (sheet.total, sheet.grade) == (Decimal("92.10"), "good")
