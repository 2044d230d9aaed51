"""Staff are told about their appraisal: the sheet shown for appeals, the published result, an appeal of theirs decided."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from tests.appraisal.support import MONTH, make_month
from window_staff.appraisal import service
from window_staff.appraisal.schemas import AppealDecisionIn, AppealIn
from window_staff.appraisal.service import appeals as service_appeals, reports as service_reports
from window_staff.common.pagination import PageParams
from window_staff.notifications import service as notifications

ALL = PageParams(limit=50, offset=0)
SH = ZoneInfo("Asia/Shanghai")


async def texts_of(ctx, user_id: int, kind: str) -> list[str]:
    return [n.text for n in (await notifications.list_notifications(ctx, user_id, ALL)).items if n.kind == kind]


async def test_opening_appeals_tells_each_person_their_total_grade_and_the_deadline(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    period = await service.open_appeals(ctx, MONTH, principal=month.hr)
    sheet = await service_reports.sheet(ctx, MONTH, month.staff[0].id, principal=month.hr)
    [text] = await texts_of(ctx, month.staff_users[0].id, "appraisal_shown")
    assert f"总分{sheet.total}" in text and sheet.grade_title_zh in text
    assert f"{period.appeal_until.astimezone(SH):%Y-%m-%d %H:%M}前" in text
    assert len(await texts_of(ctx, month.staff_users[1].id, "appraisal_shown")) == 1


async def test_computing_alone_tells_nobody(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    assert not await texts_of(ctx, month.staff_users[0].id, "appraisal_shown")


async def test_a_decided_appeal_tells_the_appellant_the_outcome_and_the_reason(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    appeal = await service_appeals.file_appeal(
        ctx, MONTH, principal=month.staff_p(0), data=AppealIn(rule_id="cond.badge_worn", reason="戴在外套里面")
    )
    await service_appeals.decide_appeal(
        ctx, appeal.id, principal=month.reviewer, data=AppealDecisionIn(outcome="rejected", reason="照片显示未佩戴")
    )
    [text] = await texts_of(ctx, month.staff_users[0].id, "appraisal_appeal_decided")
    assert "已驳回" in text and "照片显示未佩戴" in text and MONTH in text
    assert not await texts_of(ctx, month.staff_users[1].id, "appraisal_appeal_decided")


async def test_publishing_tells_each_person_their_final_result(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    ctx.clock.advance(days=5, seconds=1)
    await service.end_appeals(ctx, MONTH, principal=month.hr)
    await service.approve(ctx, MONTH, principal=month.approver)
    await service.publish(ctx, MONTH, principal=month.hr)
    [text] = await texts_of(ctx, month.staff_users[1].id, "appraisal_published")
    assert text.startswith(f"您{MONTH}的考核结果已正式公布：总分")
