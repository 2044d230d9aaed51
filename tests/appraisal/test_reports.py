"""Reading a month: who sees which sheet, rankings, trends and the approver's diff."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.appraisal.support import MONTH, make_month
from window_staff.appraisal import service
from window_staff.appraisal.errors import PeriodNotFound, SheetNotFound
from window_staff.appraisal.schemas import AppealDecisionIn, AppealIn
from window_staff.appraisal.service import appeals as service_appeals, reports as service_reports
from window_staff.common.pagination import PageParams


async def test_staff_do_not_see_a_draft(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    with pytest.raises(PeriodNotFound):
        await service_reports.sheet(ctx, MONTH, month.staff[0].id, principal=month.staff_p(0))


async def test_staff_never_see_another_persons_sheet(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    with pytest.raises(SheetNotFound):
        await service_reports.sheet(ctx, MONTH, month.staff[1].id, principal=month.staff_p(0))


async def test_the_explanation_names_every_line_in_the_language_asked(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    zh = (await service_reports.sheet(ctx, MONTH, month.staff[0].id, principal=month.hr)).explanation
    en = (await service_reports.sheet(ctx, MONTH, month.staff[0].id, principal=month.hr, lang="en")).explanation
    assert "迟到（30分钟以内） [att.late]" in zh and "attendance.late:2025-03-04:am" in zh
    assert "Not wearing the staff badge [cond.badge_worn]" in en


async def test_the_month_list_pages_by_employee_number(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    page = await service_reports.list_sheets(ctx, MONTH, PageParams(limit=1, offset=0))
    assert page.total == 2 and page.next_offset == 1
    assert page.items[0].employee_no == min(s.employee_no for s in month.staff)


async def test_window_ranking_averages_the_windows_staff(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    ranking = await service_reports.ranking(ctx, MONTH, by="window", principal=month.hr)
    # (98.40 + 100.00) / 2 = 99.20
    assert [(g.id, g.rank, g.headcount, g.average) for g in ranking.groups] == [(month.window.id, 1, 2, Decimal("99.20"))]


async def test_a_persons_trend_lists_their_months(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    trend = await service_reports.trend(ctx, principal=month.hr, staff_id=month.staff[0].id)
    assert [(p.month, p.average, p.grade) for p in trend.points] == [(MONTH, Decimal("98.40"), "excellent")]


async def test_the_diff_shows_who_an_appeal_changed(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    appeal = await service_appeals.file_appeal(
        ctx, MONTH, principal=month.staff_p(0), data=AppealIn(rule_id="att.late", reason="tram strike")
    )
    await service_appeals.decide_appeal(
        ctx, appeal.id, principal=month.reviewer, data=AppealDecisionIn(outcome="upheld", reason="strike confirmed")
    )
    diff = await service_reports.diff(ctx, MONTH, since=1)
    assert [(c.staff_id, c.before, c.after, c.rules_changed) for c in diff.changes] == [
        (month.staff[0].id, Decimal("98.40"), Decimal("99.00"), ["appeal.management"]),
    ]
