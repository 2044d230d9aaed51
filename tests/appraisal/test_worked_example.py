"""A worked month, checked by hand: March 2025, two staff, the shipped rules.

Staff 0 signs in at 08:52 on Tuesday 4 March (the morning starts 08:30): 22 minutes late.
  att.late: -0.2 per started 10 minutes -> 3 units -> -0.60 (management 25 -> 24.40).
An inspector finds staff 0 without the badge on 20 March (published):
  cond.badge_worn: -1 (basic 15 -> 14.00).
Nothing else happens: quality 20, post 20, evaluation 20.
  Total 14 + 20 + 24.40 + 20 + 20 = 98.40 -> 优秀 (>= 95).
Staff 1 punches on time every working day: 100.00, 优秀.
Bonus (rules/bonuses/bonus.toml, per_person): 1000.00 x 1.2 (excellent) = 1200.00 each.
After staff 0's appeal against the badge line is upheld in full: +1 -> 99.40.
"""

from __future__ import annotations

from decimal import Decimal

from tests.appraisal.support import MONTH, make_month
from window_staff.appraisal import service
from window_staff.appraisal.schemas import AppealDecisionIn, AppealIn
from window_staff.appraisal.service import appeals as service_appeals, reports as service_reports


async def test_the_worked_month(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    first = await service_reports.sheet(ctx, MONTH, month.staff[0].id, principal=month.hr)
    assert first.total == Decimal("98.40") and first.grade == "excellent" and not first.veto
    assert {c.code: c.points for c in first.categories} == {
        "basic": Decimal("14.00"),
        "quality": Decimal("20.00"),
        "management": Decimal("24.40"),
        "post": Decimal("20.00"),
        "evaluation": Decimal("20.00"),
    }
    assert {(ln.rule_id, ln.points) for ln in first.lines} == {("att.late", Decimal("-0.60")), ("cond.badge_worn", Decimal("-1"))}
    late = next(ln for ln in first.lines if ln.rule_id == "att.late")
    assert late.items[0].fact_id == "attendance.late:2025-03-04:am" and late.items[0].fields == {"minutes": 22, "session": "am"}
    assert (await service_reports.sheet(ctx, MONTH, month.staff[1].id, principal=month.hr)).total == Decimal("100.00")

    await service.open_appeals(ctx, MONTH, principal=month.hr)
    appeal = await service_appeals.file_appeal(
        ctx, MONTH, principal=month.staff_p(0), data=AppealIn(rule_id="cond.badge_worn", reason="I wore it under my coat")
    )
    await service_appeals.decide_appeal(
        ctx, appeal.id, principal=month.reviewer, data=AppealDecisionIn(outcome="upheld", reason="photo shows the badge")
    )
    after = await service_reports.sheet(ctx, MONTH, month.staff[0].id, principal=month.staff_p(0))
    assert after.total == Decimal("99.40")
    assert {(ln.rule_id, ln.points) for ln in after.lines} == {
        ("att.late", Decimal("-0.60")),
        ("cond.badge_worn", Decimal("-1")),
        ("appeal.basic", Decimal("1.00")),
    }
