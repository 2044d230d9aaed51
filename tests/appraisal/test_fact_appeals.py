"""Appeals about one fact of a line (a day, a finding): what is stored, what is refused, what upholding restores."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.appraisal.support import MONTH, Month, at, make_month, person, punch_month
from tests.attendance.support import make_world
from tests.factories import make_user
from tests.inspections.support import ensure_rules
from tests.inspections.test_evidence_photo import photo_jpeg
from window_staff.appraisal import service
from window_staff.appraisal.errors import AppealConflict, AppraisalInputInvalid
from window_staff.appraisal.schemas import AppealDecisionIn, AppealIn
from window_staff.appraisal.service import appeals as service_appeals, reports as service_reports
from window_staff.common.pagination import PageParams
from window_staff.inspections.service import evidence as service_evidence
from window_staff.notifications import service as notifications

LATE_DAYS = (4, 5, 6)  # 22 minutes late each: −0.60, −0.60, then doubled −1.20 (att.late from the 3rd)


def late_fact(day: int) -> str:
    return f"attendance.late:2025-03-{day:02d}:am"


async def late_month(ctx) -> Month:
    ensure_rules(ctx)
    ctx.clock.at = at(20)
    world = await make_world(ctx, n_staff=1)
    await punch_month(ctx, [world.staff[0].id], late={(world.staff[0].id, d) for d in LATE_DAYS})
    users = [await make_user(ctx, "staff", staff_id=world.staff[0].id)]
    hr = await person(ctx, "hr")
    cast = Month(hr, hr, hr, await person(ctx, "hr"), hr, world.staff, users, 0, world.window)
    ctx.clock.at = at(1, 9, 0, month=4)
    await service.compute(ctx, MONTH, principal=cast.hr)
    await service.open_appeals(ctx, MONTH, principal=cast.hr)
    return cast


async def _sheet(ctx, month: Month, *, lang: str = "zh"):
    return await service_reports.sheet(ctx, MONTH, month.staff[0].id, principal=month.hr, lang=lang)


async def test_the_sheet_tells_each_late_day_and_the_doubling_in_sentences(ctx) -> None:
    month = await late_month(ctx)
    line = next(ln for ln in (await _sheet(ctx, month)).lines if ln.rule_id == "att.late")
    assert [i.text for i in line.items] == [
        "3月4日上午迟到22分钟（按3个10分钟计），本月第1次，扣0.60分",
        "3月5日上午迟到22分钟（按3个10分钟计），本月第2次，扣0.60分",
        "3月6日上午迟到22分钟（按3个10分钟计），本月第3次，按规则加倍扣1.20分",
    ]
    assert line.summary == "本月共3次，合计扣2.40分" and "加倍" in line.description


async def test_an_appeal_upheld_on_one_day_restores_that_days_points_only(ctx) -> None:
    month = await late_month(ctx)
    before = (await _sheet(ctx, month)).total
    appeal = await service_appeals.file_appeal(
        ctx, MONTH, principal=month.staff_p(0), data=AppealIn(rule_id="att.late", reason="the terminal was down", facts=[late_fact(5)])
    )
    assert appeal.facts == [late_fact(5)] and appeal.disputed_points == Decimal("-0.60")
    decided = await service_appeals.decide_appeal(
        ctx, appeal.id, principal=month.reviewer, data=AppealDecisionIn(outcome="upheld", reason="terminal log confirms")
    )
    assert decided.points == Decimal("0.60")
    after = await _sheet(ctx, month)
    assert after.total == before + Decimal("0.60")
    adjustment = next(ln for ln in after.lines if ln.rule_id == "appeal.management")
    assert adjustment.items[0].text.endswith("关于“迟到（30分钟以内）”的申诉经审核予以支持，恢复0.60分")


async def test_two_days_of_one_line_may_be_appealed_apart_but_a_day_only_once(ctx) -> None:
    month = await late_month(ctx)
    me = month.staff_p(0)
    await service_appeals.file_appeal(ctx, MONTH, principal=me, data=AppealIn(rule_id="att.late", reason="bus", facts=[late_fact(4)]))
    await service_appeals.file_appeal(ctx, MONTH, principal=me, data=AppealIn(rule_id="att.late", reason="rain", facts=[late_fact(6)]))
    with pytest.raises(AppealConflict, match="already appealed a fact"):
        await service_appeals.file_appeal(ctx, MONTH, principal=me, data=AppealIn(rule_id="att.late", reason="again", facts=[late_fact(4)]))
    with pytest.raises(AppealConflict, match="already appealed"):
        await service_appeals.file_appeal(ctx, MONTH, principal=me, data=AppealIn(rule_id="att.late", reason="the whole line"))


async def test_a_fact_not_on_the_line_is_refused(ctx) -> None:
    month = await late_month(ctx)
    with pytest.raises(AppraisalInputInvalid, match="no fact"):
        await service_appeals.file_appeal(
            ctx, MONTH, principal=month.staff_p(0), data=AppealIn(rule_id="att.late", reason="?", facts=[late_fact(7)])
        )


async def test_the_reviewer_reads_the_disputed_day_in_a_sentence_with_its_punch_times(ctx) -> None:
    month = await late_month(ctx)
    await service_appeals.file_appeal(
        ctx, MONTH, principal=month.staff_p(0), data=AppealIn(rule_id="att.late", reason="bus", facts=[late_fact(6)])
    )
    [review] = await service_appeals.review_queue(ctx, MONTH, pending_only=True, lang="en", principal=month.reviewer)
    assert review.title_en == "Late (up to 30 minutes)" and "double" in review.description
    [fact] = review.disputed
    assert (
        fact.text
        == "Late 22 minutes on the morning of 6 March (counted as 3 × 10 minutes), the 3rd time this month: doubled by the rule, −1.20"
    )
    assert [(e.kind, e.at) for e in fact.evidence] == [("sign_in", at(6, 8, 52)), ("sign_out", at(6, 12, 5))]


async def test_an_appeal_without_facts_is_about_the_whole_line_as_before(ctx) -> None:
    month = await late_month(ctx)
    before = (await _sheet(ctx, month)).total
    appeal = await service_appeals.file_appeal(
        ctx, MONTH, principal=month.staff_p(0), data=AppealIn(rule_id="att.late", reason="all of it")
    )
    assert appeal.facts == [] and appeal.disputed_points is None
    await service_appeals.decide_appeal(ctx, appeal.id, principal=month.reviewer, data=AppealDecisionIn(outcome="upheld", reason="ok"))
    assert (await _sheet(ctx, month)).total == before + Decimal("2.40")


async def test_the_appellant_is_told_which_day_their_upheld_appeal_was_about(ctx) -> None:
    month = await late_month(ctx)
    appeal = await service_appeals.file_appeal(
        ctx, MONTH, principal=month.staff_p(0), data=AppealIn(rule_id="att.late", reason="bus", facts=[late_fact(5)])
    )
    await service_appeals.decide_appeal(
        ctx, appeal.id, principal=month.reviewer, data=AppealDecisionIn(outcome="upheld", reason="证明属实")
    )
    inbox = await notifications.list_notifications(ctx, month.staff_users[0].id, PageParams(limit=10, offset=0))
    assert any("“迟到（30分钟以内）”（3月5日）的申诉已支持：证明属实" in m.text for m in inbox.items)


async def test_the_reviewer_gets_a_link_to_the_disputed_findings_photo_not_the_photo(ctx) -> None:
    month = await make_month(ctx)  # a published badge finding about staff 0 on 20 March
    lead = await person(ctx, "inspection_lead")
    photo, _ = await service_evidence.upload(ctx, lead, month.finding_id, photo_jpeg())
    await service.compute(ctx, MONTH, principal=month.hr)
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    finding = f"inspection.finding:{month.finding_id}"
    await service_appeals.file_appeal(
        ctx, MONTH, principal=month.staff_p(0), data=AppealIn(rule_id="cond.badge_worn", reason="戴在外套里", facts=[finding])
    )
    [review] = await service_appeals.review_queue(ctx, MONTH, pending_only=True, principal=month.reviewer)
    [fact] = review.disputed
    assert fact.text.startswith("3月20日") and "发现：未戴牌上岗" in fact.text and finding not in fact.text
    assert [(e.kind, e.url) for e in fact.evidence] == [("photo", photo.url)]
