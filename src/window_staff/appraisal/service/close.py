"""Closing a month (bonuses frozen, hashes stored, a signed chain head), reopening it with two approvers, payroll."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec

from window_staff.appraisal import domain, store
from window_staff.appraisal.domain import BONUS_READY, CLOSED
from window_staff.appraisal.errors import FourEyesRequired, PeriodStateConflict
from window_staff.appraisal.schemas import PeriodOut
from window_staff.appraisal.service.lifecycle import period_out, transition
from window_staff.bonuses.domain import ZERO, BonusLine, BonusResult, DepartmentTotal, StaffResult, compute_bonuses, pool_shares
from window_staff.bonuses.rules import BONUS_FILE, BonusRules, bonus_rules_of
from window_staff.common import audit, periods
from window_staff.common.context import AppContext
from window_staff.common.db import execute, write_transaction
from window_staff.common.principal import Principal
from window_staff.common.signing import sign_document, signing_key
from window_staff.org import service as org


def bonus_rules_hash(ctx: AppContext) -> str:
    """SHA-256 of the bonus rules file as it is on disk now."""
    return hashlib.sha256((ctx.settings.resolved_rules_dir / BONUS_FILE).read_bytes()).hexdigest()


async def _bonus_inputs(period_id: int) -> tuple[list[dict[str, Any]], list[StaffResult]]:
    sheets = await store.current_sheets(period_id)
    postings = {p.staff_id: p for p in await org.postings_of([s["staff"] for s in sheets])}
    departments = await org.department_codes()
    results = [
        StaffResult(
            employee_no=postings[s["staff"]].employee_no,
            name=postings[s["staff"]].name,
            department=departments[s["department"]][0],
            score=domain.cents(s["total_cents"]),
            grade=s["grade"],
            veto=s["veto"],
        )
        for s in sheets
    ]
    return sheets, results


async def bonus(ctx: AppContext, month: str) -> BonusResult:
    """The month's bonus for payroll: frozen figures once closed, else computed from the approved sheets now."""
    period = await store.period_or_404(periods.month_key(periods.parse_month(month)))
    if period["state"] not in BONUS_READY:
        raise PeriodStateConflict(
            f"{period['month']} is {period['state']}: payroll takes approved figures only", state=period["state"], action="export"
        )
    sheets, results = await _bonus_inputs(period["id"])
    if period["state"] != CLOSED:
        return compute_bonuses(results, rules=bonus_rules_of(ctx))
    summary = msgspec.json.decode(period["bonus_summary"])
    titles = summary["grade_titles"]
    amounts = {d["department"]: Decimal(d["amount"]) for d in summary["departments"]}
    paid = [(s, r, s["paid_grade"]) for s, r in zip(sheets, results, strict=True)]
    factors = _frozen_factors(summary, [(r.department, r.employee_no, r.score, grade) for _, r, grade in paid])
    lines = sorted(
        (
            BonusLine(
                r.employee_no,
                r.name,
                r.department,
                r.score,
                grade,
                titles[grade],
                r.veto,
                Decimal(s["bonus"]),
                amounts.get(r.department),
                factors.get(r.employee_no),
            )
            for s, r, grade in paid
        ),
        key=lambda b: (b.department, b.employee_no),
    )
    departments = tuple(
        DepartmentTotal(d["department"], d["headcount"], Decimal(d["amount"]), Decimal(d["total"]), Decimal(d["undistributed"]))
        for d in summary["departments"]
    )
    return BonusResult(summary["formula"], tuple(lines), departments)


def _frozen_factors(summary: Mapping[str, Any], people: list[tuple[str, str, Decimal, str]]) -> dict[str, Decimal]:
    """Each person's coefficient (per_person) or pool share as at the close; empty for a close made before they were kept."""
    if "coefficients" not in summary:
        return {}
    if summary["formula"] == "per_person":
        coefficients = {g: Decimal(c) for g, c in summary["coefficients"].items()}
        return {no: coefficients[grade] for _, no, _, grade in people}
    excluded = set(summary.get("pool_exclude_grades", ()))
    found: dict[str, Decimal] = {}
    for department in {d for d, _, _, _ in people}:
        members = [(no, ZERO if grade in excluded else score) for d, no, score, grade in people if d == department]
        found.update(zip((no for no, _ in members), pool_shares([w for _, w in members]), strict=True))
    return found


def _summary(result: BonusResult, *, titles: Mapping[str, str], rules: BonusRules) -> str:
    return msgspec.json.encode(
        {
            "formula": result.formula,
            "grade_titles": dict(titles),
            # Kept so the payroll file of a closed month shows the factors it was paid on, whatever the rules say later.
            "coefficients": {g: str(c) for g, c in rules.coefficients},
            "pool_exclude_grades": sorted(rules.pool_exclude_grades),
            "departments": [
                {
                    "department": d.department,
                    "headcount": d.headcount,
                    "amount": str(d.amount),
                    "total": str(d.total),
                    "undistributed": str(d.undistributed),
                }
                for d in result.departments
            ],
        }
    ).decode()


async def close(ctx: AppContext, month: str, *, principal: Principal) -> PeriodOut:
    """Freeze bonuses, store the inputs and results hashes, and sign the chain head; the figures no longer change."""
    key = periods.month_key(periods.parse_month(month))
    domain.next_state((await store.period_or_404(key))["state"], action="close")  # refuse early
    rules = bonus_rules_of(ctx)
    signer = signing_key(ctx.settings)  # an unusable key stops the close before anything is written
    rules_hash = bonus_rules_hash(ctx)
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        period = await store.lock_period(ctx, month=key)
        target = domain.next_state(period["state"], action="close")
        sheets, results = await _bonus_inputs(period["id"])
        result = compute_bonuses(results, rules=rules)
        paid = {line.employee_no: line for line in result.lines}
        frozen = [(s["id"], str(paid[r.employee_no].bonus), paid[r.employee_no].grade) for s, r in zip(sheets, results, strict=True)]
        await store.set_bonuses(ctx, frozen)
        inputs = domain.month_hash((s["staff"], s["inputs_hash"]) for s in sheets)
        figures = domain.month_hash(
            (s["staff"], f"{s['sheet_hash']}:{bonus}:{grade}") for s, (_, bonus, grade) in zip(sheets, frozen, strict=True)
        )
        number = period["closes"] + 1
        facts = {
            "computation": period["computation"],
            "close": number,
            "staff": len(sheets),
            "rules_version": period["rules_version"],
            "bonus_rules_hash": rules_hash,
            "inputs_hash": inputs,
            "results_hash": figures,
            "bonus_total": str(result.total),
        }
        await store.add_event(
            period_id=period["id"],
            action="close",
            from_state=period["state"],
            to_state=target,
            actor=principal.actor,
            actor_user=principal.user_id,
            reason="",
            at=now,
        )
        head = await audit.record(
            ctx.engine, at=now, actor=principal.actor, action="appraisal.close", subject_type="appraisal_period", subject_id=key, data=facts
        )
        head_id = (await execute(ctx.engine, "SELECT id FROM audit_event WHERE hash = {}", head))[0]["id"]
        document = sign_document(
            {
                "kind": "window-staff appraisal chain head",
                "month": key,
                "closed_at": now,
                "closed_by": principal.actor,
                **facts,
                "audit_chain": {"event_id": head_id, "hash": head},
            },
            key=signer,
        )
        await store.update_period(
            period["id"],
            {
                "state": target,
                "closed_at": now,
                "closes": number,
                "inputs_hash": inputs,
                "results_hash": figures,
                "bonus_rules_hash": rules_hash,
                "chain_head": document.decode(),
                "bonus_summary": _summary(result, titles={g: rules.title(g) for g in rules.grades}, rules=rules),
                "updated_at": now,
            },
        )
    export_chain_head(ctx, key, number=number, document=document)
    return await period_out(await store.period_or_404(key))


def chain_head_path(ctx: AppContext, month: str, *, number: int) -> Path:
    """Where the signed chain head of a month's ``number``-th close is written."""
    return ctx.settings.data_dir / "appraisal" / f"chain-head-{month}-{number}.json"


def export_chain_head(ctx: AppContext, month: str, *, number: int, document: bytes) -> Path:
    """Write the signed chain head beside the data (it is also kept in the database and served by the API)."""
    path = chain_head_path(ctx, month, number=number)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(document)
    tmp.replace(path)
    return path


async def chain_head(ctx: AppContext, month: str) -> bytes:
    """The signed chain head of the month's latest close."""
    period = await store.period_or_404(periods.month_key(periods.parse_month(month)))
    if not period["chain_head"]:
        raise PeriodStateConflict(f"{period['month']} has never been closed: there is no chain head yet", state=period["state"])
    return period["chain_head"].encode()


async def request_reopen(ctx: AppContext, month: str, *, principal: Principal, reason: str) -> PeriodOut:
    """A first approver asks to reopen a closed month; nothing changes until a second approver confirms."""
    key = periods.month_key(periods.parse_month(month))
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        period = await store.lock_period(ctx, month=key)
        if period["state"] != CLOSED:
            raise PeriodStateConflict(f"{key} is {period['state']}: only a closed month is reopened", state=period["state"])
        if await store.pending_reopen(period["id"], close_number=period["closes"]) is not None:
            raise PeriodStateConflict(f"a request to reopen {key} already awaits a second approver", state=period["state"])
        await store.add_reopen_request(
            period_id=period["id"],
            close_number=period["closes"],
            reason=reason,
            actor=principal.actor,
            actor_user=principal.user_id,
            at=now,
        )
        await store.add_event(
            period_id=period["id"],
            action="reopen_requested",
            from_state=CLOSED,
            to_state=CLOSED,
            actor=principal.actor,
            actor_user=principal.user_id,
            reason=reason,
            at=now,
        )
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="appraisal.reopen_requested",
            subject_type="appraisal_period",
            subject_id=key,
            data={"reason": reason, "close": period["closes"]},
        )
    return await period_out(await store.period_or_404(key))


async def confirm_reopen(ctx: AppContext, month: str, *, principal: Principal) -> PeriodOut:
    """A second approver, not the first, confirms: the month goes back to computed and may be recomputed."""

    async def check(period: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        request = await store.pending_reopen(period["id"], close_number=period["closes"])
        if request is None:
            raise PeriodStateConflict(
                f"nobody has asked to reopen {period['month']}: a first approver requests it with a reason", state=period["state"]
            )
        if request["requested_user"] == principal.user_id:
            raise FourEyesRequired("you asked to reopen this month: a second approver must confirm it")
        await store.confirm_reopen(request["id"], actor=principal.actor, actor_user=principal.user_id, at=now)
        return {"approved_by": None, "approved_at": None, "published_at": None}

    return await transition(ctx, month, action="reopen", principal=principal, check=check)
