"""Closing a month: bonuses frozen, hashes stored, a signed chain head; reopening needs two approvers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.appraisal.support import MONTH, make_month
from window_staff.appraisal import service
from window_staff.appraisal.errors import AppealConflict, FourEyesRequired, PeriodStateConflict
from window_staff.appraisal.schemas import AppealIn
from window_staff.appraisal.service import appeals as service_appeals, close as service_close
from window_staff.bonuses.rules import _RESOURCE as BONUS_RULES, BonusRules
from window_staff.common import audit, tamper
from window_staff.common.db import execute
from window_staff.common.signing import public_key_hex, signing_key, verify_document


async def published_month(ctx):
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    ctx.clock.advance(days=6)
    await service.end_appeals(ctx, MONTH, principal=month.hr)
    await service.approve(ctx, MONTH, principal=month.approver)
    await service.publish(ctx, MONTH, principal=month.hr)
    return month


async def test_payroll_waits_for_approval(ctx) -> None:
    month = await make_month(ctx)
    await service.compute(ctx, MONTH, principal=month.hr)
    with pytest.raises(PeriodStateConflict, match="approved figures only"):
        await service_close.bonus(ctx, MONTH)


async def test_closing_pins_the_figures_in_a_signed_chain_head(ctx) -> None:
    month = await published_month(ctx)
    closed = await service_close.close(ctx, MONTH, principal=month.hr)
    assert (closed.state, closed.closes) == ("closed", 1) and len(closed.inputs_hash) == len(closed.results_hash) == 64
    document = await service_close.chain_head(ctx, MONTH)
    payload = verify_document(document, public_key_hex=public_key_hex(signing_key(ctx.settings)))
    assert (payload["month"], payload["inputs_hash"], payload["results_hash"]) == (MONTH, closed.inputs_hash, closed.results_hash)
    last = (await execute(ctx.engine, "SELECT id, hash, action FROM audit_event ORDER BY id DESC LIMIT 1"))[0]
    assert payload["audit_chain"] == {"event_id": last["id"], "hash": last["hash"]} and last["action"] == "appraisal.close"
    assert service_close.chain_head_path(ctx, MONTH, number=1).read_bytes() == document
    assert (await audit.verify(ctx.engine)).ok


async def test_a_closed_month_with_frozen_bonuses_and_a_recompute_verifies_untouched(ctx) -> None:
    # Retired sheets and bonuses frozen at close are sealed again with their new content.
    month = await published_month(ctx)
    await service_close.close(ctx, MONTH, principal=month.hr)
    report = await tamper.verify(ctx)
    assert report.ok and report.rows["appraisal_sheet"] > 0, [str(p) for p in report.problems]
    frozen = await execute(ctx.engine, "SELECT COUNT(*) AS n FROM appraisal_sheet WHERE bonus IS NOT NULL")
    assert frozen[0]["n"] > 0


async def test_closed_bonus_is_frozen_even_when_the_bonus_rules_change(ctx) -> None:
    month = await published_month(ctx)
    await service_close.close(ctx, MONTH, principal=month.hr)
    rules: BonusRules = ctx.resources[BONUS_RULES]
    ctx.resources[BONUS_RULES] = BonusRules(
        **{
            **{f: getattr(rules, f) for f in rules.__dataclass_fields__},
            "coefficients": tuple((g, Decimal(2)) for g, _ in rules.coefficients),
        }
    )
    result = await service_close.bonus(ctx, MONTH)
    assert [(line.employee_no, line.bonus) for line in result.lines] == sorted((s.employee_no, Decimal("1200.00")) for s in month.staff)
    assert result.total == Decimal("2400.00")


async def test_a_closed_month_takes_no_compute_and_no_appeal(ctx) -> None:
    month = await published_month(ctx)
    await service_close.close(ctx, MONTH, principal=month.hr)
    with pytest.raises(PeriodStateConflict):
        await service.compute(ctx, MONTH, principal=month.hr)
    with pytest.raises(AppealConflict):
        await service_appeals.file_appeal(ctx, MONTH, principal=month.staff_p(0), data=AppealIn(rule_id="att.late", reason="late appeal"))


async def test_reopening_needs_a_second_approver(ctx) -> None:
    month = await published_month(ctx)
    await service_close.close(ctx, MONTH, principal=month.hr)
    await service_close.request_reopen(ctx, MONTH, principal=month.approver, reason="payroll used the wrong department")
    with pytest.raises(FourEyesRequired):
        await service_close.confirm_reopen(ctx, MONTH, principal=month.approver)
    reopened = await service_close.confirm_reopen(ctx, MONTH, principal=month.approver2)
    assert (reopened.state, reopened.approved_by) == ("computed", None)
    steps = [(e.action, e.reason) for e in await service.trail(ctx, MONTH)][-2:]
    assert steps == [("reopen_requested", "payroll used the wrong department"), ("reopen", "")]


async def test_confirming_a_reopen_nobody_asked_for_is_refused(ctx) -> None:
    month = await published_month(ctx)
    await service_close.close(ctx, MONTH, principal=month.hr)
    with pytest.raises(PeriodStateConflict, match="nobody has asked"):
        await service_close.confirm_reopen(ctx, MONTH, principal=month.approver2)


async def test_a_reopened_month_closes_again_with_a_new_chain_head(ctx) -> None:
    month = await published_month(ctx)
    await service_close.close(ctx, MONTH, principal=month.hr)
    await service_close.request_reopen(ctx, MONTH, principal=month.approver, reason="correction")
    await service_close.confirm_reopen(ctx, MONTH, principal=month.approver2)
    await service.compute(ctx, MONTH, principal=month.hr)
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    ctx.clock.advance(days=6)
    await service.end_appeals(ctx, MONTH, principal=month.hr)
    await service.approve(ctx, MONTH, principal=month.approver2)
    await service.publish(ctx, MONTH, principal=month.hr)
    again = await service_close.close(ctx, MONTH, principal=month.hr)
    assert again.closes == 2
    assert service_close.chain_head_path(ctx, MONTH, number=1).exists() and service_close.chain_head_path(ctx, MONTH, number=2).exists()
