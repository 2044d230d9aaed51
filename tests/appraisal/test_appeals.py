"""Appeals against sheet lines: who may file, who may decide, and what a decision does to the month."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from tests.appraisal.support import MONTH, make_month, person
from window_staff.appraisal import service
from window_staff.appraisal.errors import AppealConflict, AppraisalInputInvalid, PeriodChanged, PeriodNotFound, ReviewerNotAllowed
from window_staff.appraisal.schemas import AppealDecisionIn, AppealIn
from window_staff.appraisal.service import appeals as service_appeals, reports as service_reports

BADGE = AppealIn(rule_id="cond.badge_worn", reason="I wore it under my coat")


async def open_month(ctx):
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    return month


async def test_staff_cannot_appeal_a_draft(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    with pytest.raises(PeriodNotFound):
        await service_appeals.file_appeal(ctx, MONTH, principal=month.staff_p(0), data=BADGE)


async def test_one_appeal_per_line(ctx) -> None:
    month = await open_month(ctx)
    await service_appeals.file_appeal(ctx, MONTH, principal=month.staff_p(0), data=BADGE)
    with pytest.raises(AppealConflict, match="already appealed"):
        await service_appeals.file_appeal(ctx, MONTH, principal=month.staff_p(0), data=BADGE)


async def test_no_appeal_after_the_window(ctx) -> None:
    month = await open_month(ctx)
    ctx.clock.advance(days=5, seconds=1)
    with pytest.raises(AppealConflict, match="not open"):
        await service_appeals.file_appeal(ctx, MONTH, principal=month.staff_p(0), data=BADGE)


async def test_a_line_not_on_my_sheet_cannot_be_appealed(ctx) -> None:
    month = await open_month(ctx)
    with pytest.raises(AppraisalInputInvalid, match="no line"):
        await service_appeals.file_appeal(ctx, MONTH, principal=month.staff_p(1), data=BADGE)  # staff 1 has no badge finding


async def test_the_inspector_who_made_the_finding_cannot_decide(ctx) -> None:
    month = await open_month(ctx)
    appeal = await service_appeals.file_appeal(ctx, MONTH, principal=month.staff_p(0), data=BADGE)
    with pytest.raises(ReviewerNotAllowed, match="made a finding"):
        await service_appeals.decide_appeal(
            ctx, appeal.id, principal=month.inspector, data=AppealDecisionIn(outcome="upheld", reason="sure")
        )


async def test_nobody_decides_their_own_appeal(ctx) -> None:
    month = await open_month(ctx)
    appeal = await service_appeals.file_appeal(ctx, MONTH, principal=month.staff_p(0), data=BADGE)
    with pytest.raises(ReviewerNotAllowed, match="own appeal"):
        await service_appeals.decide_appeal(
            ctx, appeal.id, principal=month.staff_p(0), data=AppealDecisionIn(outcome="upheld", reason="mine")
        )


async def test_a_rejected_appeal_changes_no_figure(ctx) -> None:
    month = await open_month(ctx)
    appeal = await service_appeals.file_appeal(ctx, MONTH, principal=month.staff_p(0), data=BADGE)
    decided = await service_appeals.decide_appeal(
        ctx, appeal.id, principal=month.reviewer, data=AppealDecisionIn(outcome="rejected", reason="photo: no badge")
    )
    assert (decided.outcome, decided.points) == ("rejected", Decimal(0))
    assert (await service_reports.sheet(ctx, MONTH, month.staff[0].id, principal=month.hr)).total == Decimal("98.40")


async def test_a_partly_upheld_appeal_restores_the_points_given(ctx) -> None:
    month = await open_month(ctx)
    appeal = await service_appeals.file_appeal(ctx, MONTH, principal=month.staff_p(0), data=BADGE)
    await service_appeals.decide_appeal(
        ctx, appeal.id, principal=month.reviewer, data=AppealDecisionIn(outcome="upheld", reason="half", points=Decimal("0.5"))
    )
    sheet = await service_reports.sheet(ctx, MONTH, month.staff[0].id, principal=month.staff_p(0))
    assert sheet.total == Decimal("98.90")
    assert sheet.appeals[0].outcome == "upheld" and sheet.appeals[0].points == Decimal("0.5")


async def test_an_upheld_appeal_survives_a_later_recompute(ctx) -> None:
    month = await open_month(ctx)
    appeal = await service_appeals.file_appeal(ctx, MONTH, principal=month.staff_p(0), data=BADGE)
    await service_appeals.decide_appeal(ctx, appeal.id, principal=month.reviewer, data=AppealDecisionIn(outcome="upheld", reason="ok"))
    await service.compute(ctx, MONTH, principal=month.hr)
    assert (await service_reports.sheet(ctx, MONTH, month.staff[0].id, principal=month.hr)).total == Decimal("99.40")


async def test_an_appeal_is_decided_once_even_by_two_reviewers_at_once(ctx) -> None:
    month = await open_month(ctx)
    appeal = await service_appeals.file_appeal(ctx, MONTH, principal=month.staff_p(0), data=BADGE)
    other = await person(ctx, "hr")
    results = await asyncio.gather(
        service_appeals.decide_appeal(ctx, appeal.id, principal=month.reviewer, data=AppealDecisionIn(outcome="upheld", reason="ok")),
        service_appeals.decide_appeal(ctx, appeal.id, principal=other, data=AppealDecisionIn(outcome="rejected", reason="no")),
        return_exceptions=True,
    )
    assert sum(1 for r in results if not isinstance(r, Exception)) == 1
    assert all(isinstance(r, (AppealConflict, PeriodChanged)) for r in results if isinstance(r, Exception))
    queue = await service_appeals.review_queue(ctx, MONTH)
    assert len(queue) == 1 and queue[0].outcome is not None
