"""Reading a month: who sees which sheet, rankings, trends and the approver's diff."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from tests.appraisal.support import MONTH, make_month
from window_staff.appraisal import service
from window_staff.appraisal.errors import PeriodNotFound, RankingNotAllowed, SheetNotFound
from window_staff.appraisal.policy import policy_of
from window_staff.appraisal.schemas import AppealDecisionIn, AppealIn
from window_staff.appraisal.service import appeals as service_appeals, reports as service_reports
from window_staff.common.pagination import PageParams
from window_staff.org import service as org
from window_staff.org.schemas import DepartmentHeadIn


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


async def test_the_month_list_finds_a_person_by_employee_number_in_any_case(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    wanted = month.staff[1]
    page = await service_reports.list_sheets(ctx, MONTH, PageParams(limit=10, offset=0), search_text=wanted.employee_no.lower())
    assert [s.staff_id for s in page.items] == [wanted.id] and page.total == 1


def min_group(ctx, size: int) -> None:
    """The appraisal policy with another smallest ranked group (the shipped one says 3)."""
    ctx.resources["appraisal.policy"] = dataclasses.replace(policy_of(ctx), ranking_min_group=size)


async def test_window_ranking_averages_the_windows_staff(ctx) -> None:
    month = await make_month(ctx)
    min_group(ctx, 2)
    await service.compute(ctx, MONTH, principal=month.hr)
    ranking = await service_reports.ranking(ctx, MONTH, by="window", principal=month.hr)
    # (98.40 + 100.00) / 2 = 99.20
    assert [(g.id, g.rank, g.headcount, g.average) for g in ranking.groups] == [(month.window.id, 1, 2, Decimal("99.20"))]


async def test_a_group_under_the_minimum_size_shows_its_headcount_only(ctx) -> None:
    month = await make_month(ctx)  # one window of two people; the shipped policy ranks groups of 3 or more
    await service.compute(ctx, MONTH, principal=month.hr)
    ranking = await service_reports.ranking(ctx, MONTH, by="window", principal=month.hr)
    (group,) = ranking.groups
    assert (group.headcount, group.rank, group.average, group.best, group.worst, group.grades) == (2, None, None, None, None, None)
    assert ranking.min_group == 3 and sum(ranking.grades.values()) == 2  # the month's grade counts still count everyone


async def test_staff_who_head_no_department_may_not_read_rankings(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    with pytest.raises(RankingNotAllowed):
        await service_reports.ranking(ctx, MONTH, by="window", principal=month.staff_p(0))


async def test_a_department_head_reads_rankings_without_anyones_own_total(ctx) -> None:
    month = await make_month(ctx)
    min_group(ctx, 2)
    await org.set_department_head(ctx, month.window.department_id, DepartmentHeadIn(staff_id=month.staff[1].id), actor="test")
    await service.compute(ctx, MONTH, principal=month.hr)
    with pytest.raises(PeriodNotFound):  # a draft is for HR and approvers
        await service_reports.ranking(ctx, MONTH, by="department", principal=month.staff_p(1))
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    (group,) = (await service_reports.ranking(ctx, MONTH, by="department", principal=month.staff_p(1))).groups
    assert (group.rank, group.average, group.best, group.worst) == (1, Decimal("99.20"), None, None)


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
