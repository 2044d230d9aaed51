"""The approver's review: what the changes are compared with, the lines in words, decided appeals, bonus, blocked steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import msgspec

from tests.appraisal.support import MONTH, make_month
from window_staff.appraisal import service
from window_staff.appraisal.schemas import AppealDecisionIn, AppealIn
from window_staff.appraisal.service import appeals as service_appeals, review as service_review
from window_staff.appraisal.service.review import baseline_of, line_changes

T0 = datetime(2026, 4, 1, 9, tzinfo=UTC)


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_month_never_decided_on_is_compared_with_what_staff_were_shown_when_appeals_opened() -> None:
    computations = [{"number": 1, "at": _at(0)}, {"number": 2, "at": _at(20)}, {"number": 3, "at": _at(30)}]
    events = [{"action": "compute", "at": _at(0)}, {"action": "open_appeals", "at": _at(10)}]
    assert baseline_of(computations, events) == (1, "appeals", _at(10))


def test_a_returned_month_is_compared_with_the_figures_at_its_return() -> None:
    computations = [{"number": n, "at": _at(n * 10)} for n in (1, 2, 3, 4)]
    events = [{"action": "open_appeals", "at": _at(15)}, {"action": "approve", "at": _at(25)}, {"action": "return", "at": _at(35)}]
    assert baseline_of(computations, events) == (3, "return", _at(35))


def test_the_first_computation_has_nothing_to_compare_with_and_a_later_one_the_one_before() -> None:
    assert baseline_of([{"number": 1, "at": _at(0)}], []) == (None, "none", None)
    assert baseline_of([{"number": 1, "at": _at(0)}, {"number": 2, "at": _at(5)}], []) == (1, "previous", None)


def test_line_changes_name_each_rule_with_its_points_before_and_after() -> None:
    def lines(*rows: tuple[str, str]) -> str:
        return msgspec.json.encode([{"rule_id": r, "title_zh": f"{r}题", "title_en": f"{r} title", "points": p} for r, p in rows]).decode()

    changed = line_changes(lines(("att.late", "-2"), ("att.absent", "-4"), ("same", "1")), lines(("att.late", "-1"), ("same", "1")))
    assert [(c.title_zh, c.before, c.after) for c in changed] == [
        ("att.late题", Decimal("-2"), Decimal("-1")),
        ("att.absent题", Decimal("-4"), None),
    ]


async def test_the_review_shows_the_upheld_appeal_its_change_and_the_bonus_by_department(ctx, clock) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    clock.advance(minutes=5)
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    clock.advance(hours=2)  # the steps happen at different times, as they do (the baseline follows the trail's times)
    appeal = await service_appeals.file_appeal(
        ctx, MONTH, principal=month.staff_p(0), data=AppealIn(rule_id="att.late", reason="tram strike")
    )
    await service_appeals.decide_appeal(
        ctx, appeal.id, principal=month.reviewer, data=AppealDecisionIn(outcome="upheld", reason="strike confirmed")
    )
    review = await service_review.review(ctx, MONTH)
    assert (review.baseline, review.baseline_kind) == (1, "appeals")
    [change] = review.changes
    assert (change.staff_id, change.before, change.after) == (month.staff[0].id, Decimal("98.40"), Decimal("99.00"))
    assert change.department and all(line.title_zh and line.title_en for line in change.lines)
    [decided] = review.appeals
    assert (decided.outcome, decided.decision_reason, decided.reviewer_user) == ("upheld", "strike confirmed", month.reviewer.user_id)
    assert decided.title_zh and decided.title_en != decided.rule_id
    assert review.bonus and review.bonus_total == sum(d.total for d in review.bonus)


async def test_approval_and_ending_appeals_are_blocked_while_the_appeal_period_runs(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    assert (await service_review.blocked_steps(ctx, MONTH, principal=month.approver))["approve"] == "not_decided"
    assert (await service_review.blocked_steps(ctx, MONTH, principal=month.hr))["end-appeals"] == "window_runs"


async def test_approval_is_blocked_for_whoever_prepared_the_month_once_appeals_have_ended(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    ctx.clock.advance(days=6)
    await service.end_appeals(ctx, MONTH, principal=month.hr)
    assert (await service_review.blocked_steps(ctx, MONTH, principal=month.hr)).get("approve") == "prepared_by_you"
    assert "approve" not in await service_review.blocked_steps(ctx, MONTH, principal=month.approver)
