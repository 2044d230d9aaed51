"""The month's lifecycle through the services: compute, appeal window, four-eyes approval, publication, trail."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tests.appraisal.support import MONTH, at, make_month
from tests.factories import make_staff
from tests.inspections.support import log_finding, make_visit, publish
from window_staff.appraisal import service, store as appraisal_store
from window_staff.appraisal.errors import FourEyesRequired, MonthInvalid, PeriodStateConflict
from window_staff.appraisal.schemas import AppealDecisionIn, AppealIn
from window_staff.appraisal.service import appeals as service_appeals
from window_staff.common import audit, tamper
from window_staff.common.db import execute
from window_staff.org import service as org


async def through_appeals(ctx, month) -> None:
    """Compute, open the window, let it run out, end it."""
    await service.compute(ctx, MONTH, principal=month.hr)
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    ctx.clock.advance(days=6)
    await service.end_appeals(ctx, MONTH, principal=month.hr)


async def test_compute_scores_everyone_employed_in_the_month(ctx) -> None:
    month = await make_month(ctx)
    await make_staff(ctx, hired_on=date(2025, 4, 2))  # hired after March: not in March's appraisal
    out = await service.compute(ctx, MONTH, principal=month.hr)
    assert (out.period.state, out.computation, out.staff, out.changed) == ("computed", 1, 2, 2)


async def test_recompute_with_nothing_new_writes_no_sheet(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    again = await service.compute(ctx, MONTH, principal=month.hr)
    assert (again.computation, again.changed, again.period.state) == (2, 0, "computed")


async def test_recompute_rewrites_only_the_sheet_that_changed(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    ctx.clock.at = at(31, 10)
    scene = await make_visit(ctx, window=month.window)
    finding = await log_finding(ctx, scene, staff_id=month.staff[1].id, item="attire", observed_at=at(31, 10))
    await publish(ctx, scene, finding.id)
    ctx.clock.at = at(2, 9, month=4)
    again = await service.compute(ctx, MONTH, principal=month.hr)
    assert again.changed == 1
    report = await tamper.verify(ctx)  # the retired sheet was sealed again with current = false
    assert report.ok, [str(p) for p in report.problems]


async def test_a_month_that_has_not_begun_is_refused(ctx) -> None:
    month = await make_month(ctx)
    with pytest.raises(MonthInvalid):
        await service.compute(ctx, "2025-05", principal=month.hr)


async def test_appeals_open_only_after_the_month_ended(ctx) -> None:
    month = await make_month(ctx)
    ctx.clock.at = at(31, 18)
    await service.compute(ctx, MONTH, principal=month.hr)
    with pytest.raises(PeriodStateConflict, match="has not ended"):
        await service.open_appeals(ctx, MONTH, principal=month.hr)


async def test_the_appeal_window_cannot_be_ended_early(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    with pytest.raises(PeriodStateConflict, match="runs until"):
        await service.end_appeals(ctx, MONTH, principal=month.hr)


async def test_the_appeal_window_cannot_end_with_an_appeal_undecided(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    await service_appeals.file_appeal(
        ctx, MONTH, principal=month.staff_p(0), data=AppealIn(rule_id="att.late", reason="the terminal was down")
    )
    ctx.clock.advance(days=6)
    with pytest.raises(PeriodStateConflict, match="await a decision"):
        await service.end_appeals(ctx, MONTH, principal=month.hr)


async def test_the_preparer_cannot_approve(ctx) -> None:
    month = await make_month(ctx)
    preparer = replace(month.hr, roles=frozenset({"hr", "approver"}))  # one person holding both roles
    await service.compute(ctx, MONTH, principal=preparer)
    await service.open_appeals(ctx, MONTH, principal=preparer)
    ctx.clock.advance(days=6)
    await service.end_appeals(ctx, MONTH, principal=preparer)
    with pytest.raises(FourEyesRequired):
        await service.approve(ctx, MONTH, principal=preparer)


async def test_a_reviewer_who_decided_an_appeal_cannot_approve(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    appeal = await service_appeals.file_appeal(
        ctx, MONTH, principal=month.staff_p(0), data=AppealIn(rule_id="att.late", reason="bus broke down")
    )
    await service_appeals.decide_appeal(
        ctx, appeal.id, principal=month.approver, data=AppealDecisionIn(outcome="upheld", reason="bus company letter")
    )
    ctx.clock.advance(days=6)
    await service.end_appeals(ctx, MONTH, principal=month.hr)
    with pytest.raises(FourEyesRequired):
        await service.approve(ctx, MONTH, principal=month.approver)
    assert (await service.approve(ctx, MONTH, principal=month.approver2)).state == "approved"


async def test_approved_figures_cannot_be_recomputed(ctx) -> None:
    month = await make_month(ctx)
    await through_appeals(ctx, month)
    await service.approve(ctx, MONTH, principal=month.approver)
    with pytest.raises(PeriodStateConflict):
        await service.compute(ctx, MONTH, principal=month.hr)


async def test_approval_needs_the_appeals_decided_first(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    with pytest.raises(PeriodStateConflict):
        await service.approve(ctx, MONTH, principal=month.approver)


async def test_returning_a_month_withdraws_the_approval_and_keeps_the_reason(ctx) -> None:
    month = await make_month(ctx)
    await through_appeals(ctx, month)
    await service.approve(ctx, MONTH, principal=month.approver)
    out = await service.return_month(ctx, MONTH, principal=month.approver, reason="window 3 leave missing")
    assert (out.state, out.approved_by) == ("computed", None)
    assert (await service.trail(ctx, MONTH))[-1].reason == "window 3 leave missing"


async def test_every_transition_is_in_the_trail_and_the_audit_chain(ctx) -> None:
    month = await make_month(ctx)
    await through_appeals(ctx, month)
    await service.approve(ctx, MONTH, principal=month.approver)
    await service.publish(ctx, MONTH, principal=month.hr)
    steps = [(e.action, e.from_state, e.to_state) for e in await service.trail(ctx, MONTH)]
    assert steps == [
        ("compute", "open", "computed"),
        ("open_appeals", "computed", "appeals"),
        ("end_appeals", "appeals", "decided"),
        ("approve", "decided", "approved"),
        ("publish", "approved", "published"),
    ]
    events = [
        r["action"] for r in await execute(ctx.engine, "SELECT action FROM audit_event WHERE subject_type = 'appraisal_period' ORDER BY id")
    ]
    assert events == ["appraisal.computed", "appraisal.open_appeals", "appraisal.end_appeals", "appraisal.approve", "appraisal.publish"]
    assert (await audit.verify(ctx.engine)).ok


async def test_a_compute_that_fails_midway_leaves_no_period_sheet_or_audit_event(ctx, monkeypatch) -> None:
    month = await make_month(ctx)
    events = len(await execute(ctx.engine, "SELECT id FROM audit_event"))

    async def fail(**_):
        raise RuntimeError("the machine stops here")

    monkeypatch.setattr(appraisal_store, "add_computation", fail)  # after the sheets are written, before the period is updated
    with pytest.raises(RuntimeError):
        await service.compute(ctx, MONTH, principal=month.hr)
    assert await execute(ctx.engine, "SELECT id FROM appraisal_period") == []
    assert await execute(ctx.engine, "SELECT id FROM appraisal_sheet") == []
    assert len(await execute(ctx.engine, "SELECT id FROM audit_event")) == events
    monkeypatch.undo()
    out = await service.compute(ctx, MONTH, principal=month.hr)  # nothing half-written stands in the way
    assert (out.computation, out.staff) == (1, 2)


async def test_gathering_the_months_facts_writes_nothing(ctx) -> None:
    month = await make_month(ctx)
    stored = len(await execute(ctx.engine, "SELECT id FROM attendance_day_record"))
    postings = await org.postings_of([s.id for s in month.staff])
    facts = await service.month_facts(ctx, postings=postings, first=date(2025, 3, 1), period_id=None)
    assert any(facts.values())  # make_month's late punches are facts
    assert len(await execute(ctx.engine, "SELECT id FROM attendance_day_record")) == stored
