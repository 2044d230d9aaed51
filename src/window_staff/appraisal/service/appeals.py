"""Appeals against a sheet's lines or some of their facts: filed by the staff member, decided by a reviewer who is not party to it."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from window_staff.appraisal import domain, store
from window_staff.appraisal.errors import (
    AppealConflict,
    AppealNotFound,
    AppraisalInputInvalid,
    PeriodNotFound,
    PeriodStateConflict,
    ReviewerNotAllowed,
    SheetNotFound,
)
from window_staff.appraisal.schemas import AppealDecisionIn, AppealIn, AppealReviewOut, SheetAppealOut
from window_staff.appraisal.service import notices as service_notices, sentences
from window_staff.appraisal.service.lifecycle import appeals_open, decisions_allowed, month_facts, score_sheets, write_computation
from window_staff.common import audit, periods
from window_staff.common.clock import DEFAULT_TIME_ZONE, as_utc
from window_staff.common.context import AppContext
from window_staff.common.db import INTEGRITY_ERRORS, write_transaction
from window_staff.common.principal import Principal
from window_staff.inspections import service as inspections
from window_staff.org import service as org
from window_staff.scoring.rules import rules_of

REVIEWER_ROLES = ("hr", "inspection_lead")
_FINDING = "inspection.finding:"


def disputed_items(row: Mapping[str, Any]) -> list[list[Any]]:
    """The items an appeal disputes, as on the sheet when filed (none: the whole line)."""
    return msgspec.json.decode(row["disputed"]) if row.get("disputed") else []


def appeal_out(row: Mapping[str, Any]) -> SheetAppealOut:
    """An appeal as its appellant sees it."""
    disputed = disputed_items(row)
    return SheetAppealOut(
        id=row["id"],
        month=row["month"],
        rule_id=row["rule_id"],
        category=row["category"],
        line_points=Decimal(row["line_points"]),
        reason=row["reason"],
        filed_at=as_utc(row["filed_at"]),
        outcome=row["outcome"],
        points=Decimal(row["points"]) if row["points"] is not None else None,
        decision_reason=row["decision_reason"],
        decided_at=as_utc(row["decided_at"]) if row["decided_at"] is not None else None,
        facts=[item[0] for item in disputed],
        disputed_points=sum((Decimal(item[4]) for item in disputed), start=Decimal(0)) if disputed else None,
    )


def review_out(row: Mapping[str, Any], *, employee_no: str, name: str) -> AppealReviewOut:
    """An appeal as reviewers see it."""
    mine = appeal_out(row)
    return AppealReviewOut(
        id=mine.id,
        month=mine.month,
        staff_id=row["staff"],
        employee_no=employee_no,
        name=name,
        rule_id=mine.rule_id,
        category=mine.category,
        line_points=mine.line_points,
        fact_ids=msgspec.json.decode(row["fact_ids"]),
        reason=mine.reason,
        filed_at=mine.filed_at,
        outcome=mine.outcome,
        points=mine.points,
        decision_reason=mine.decision_reason,
        reviewer=row["reviewer"],
        decided_at=mine.decided_at,
        facts=mine.facts,
        disputed_points=mine.disputed_points,
    )


async def _line(period_id: int, *, staff_id: int, rule_id: str) -> dict[str, Any]:
    lines = await store.current_lines(period_id, staff_id=staff_id)
    if lines is None:
        raise SheetNotFound("you have no sheet in this month")
    for line in msgspec.json.decode(lines):
        if line["rule_id"] == rule_id:
            return line
    raise AppraisalInputInvalid(f"your sheet has no line for rule {rule_id!r}", rule_id=rule_id)


async def file_appeal(ctx: AppContext, month: str, *, principal: Principal, data: AppealIn) -> SheetAppealOut:
    """The staff member appeals one line of their own sheet while the appeal window is open."""
    if principal.staff_id is None:
        raise SheetNotFound("this account is not linked to a staff member")
    key = periods.month_key(periods.parse_month(month))
    period = await store.find_period(key)
    if period is None or period["state"] not in domain.STAFF_VISIBLE:
        raise PeriodNotFound(f"no appraisal for {key} has been shown to staff yet")
    line = await _line(period["id"], staff_id=principal.staff_id, rule_id=data.rule_id)
    points = Decimal(line["points"])
    disputed = _disputed(line, facts=data.facts or [], rule_id=data.rule_id)
    if points == 0 or (disputed and sum(Decimal(item[4]) for item in disputed) == 0):
        raise AppraisalInputInvalid("that line adds and deducts nothing: there is nothing to appeal", rule_id=data.rule_id)
    mine = {item[0] for item in disputed}
    now = ctx.clock.now()
    try:
        async with write_transaction(ctx.engine):
            period = await store.lock_period(ctx, month=key)
            if not appeals_open(period, now=now):
                until = period["appeal_until"]
                raise AppealConflict(
                    f"the appeal window of {key} is not open" + (f" (it ran until {as_utc(until).isoformat()})" if until else "")
                )
            for other in await store.appeals(period_id=period["id"], staff_id=principal.staff_id):
                theirs = {item[0] for item in disputed_items(other)}
                # A fact is appealed once: a whole-line appeal covers every fact of the line.
                if other["rule_id"] == data.rule_id and (not theirs or not mine or theirs & mine):
                    what = "the line" if not theirs or not mine else "a fact of the line"
                    raise AppealConflict(
                        f"you have already appealed {what} {data.rule_id!r} of {key}",
                        rule_id=data.rule_id,
                    )
            appeal_id = await store.add_appeal(
                period_id=period["id"],
                staff_id=principal.staff_id,
                rule_id=data.rule_id,
                category=line["category"],
                line_points=points,
                fact_ids=[item[0] for item in line["items"]],
                reason=data.reason,
                filed_by=principal.actor,
                at=now,
                disputed=disputed,
                disputed_key=domain.disputed_key(mine),
            )
            await audit.record(
                ctx.engine,
                at=now,
                actor=principal.actor,
                action="appraisal.appeal_filed",
                subject_type="appraisal_appeal",
                subject_id=appeal_id,
                data={"month": key, "rule_id": data.rule_id, "line_points": str(points), "facts": sorted(mine)},
            )
    except INTEGRITY_ERRORS as exc:
        raise AppealConflict(f"you have already appealed the line {data.rule_id!r} of {key}", rule_id=data.rule_id) from exc
    return appeal_out((await store.appeals(appeal_id=appeal_id))[0])


def _disputed(line: Mapping[str, Any], *, facts: list[str], rule_id: str) -> list[list[Any]]:
    """The line's items the appeal names, in the line's order; a fact not on the line is refused."""
    wanted = set(facts)
    unknown = sorted(wanted - {item[0] for item in line["items"]})
    if unknown:
        raise AppraisalInputInvalid(f"the line {rule_id!r} of your sheet has no fact {', '.join(unknown)}", rule_id=rule_id, facts=unknown)
    return [item for item in line["items"] if item[0] in wanted]


async def my_appeals(ctx: AppContext, *, principal: Principal, month: str | None = None) -> list[SheetAppealOut]:
    """The caller's own appeals, oldest first."""
    if principal.staff_id is None:
        return []
    period_id = None
    if month is not None:
        period = await store.find_period(periods.month_key(periods.parse_month(month)))
        if period is None:
            return []
        period_id = period["id"]
    return [appeal_out(r) for r in await store.appeals(period_id=period_id, staff_id=principal.staff_id)]


async def review_queue(
    ctx: AppContext, month: str, *, pending_only: bool = False, lang: str = "zh", principal: Principal | None = None
) -> list[AppealReviewOut]:
    """The month's appeals for reviewers, oldest first (pending ones only when asked), each disputed fact in a
    sentence in ``lang``; with a ``principal``, also what backs each fact that they may see (punch times, photos)."""
    first = periods.parse_month(month)
    period = await store.period_or_404(periods.month_key(first))
    rows = [r for r in await store.appeals(period_id=period["id"]) if not pending_only or r["outcome"] is None]
    people = {p.staff_id: p for p in await org.postings_of(sorted({r["staff"] for r in rows}))}
    rules = rules_of(ctx)
    out = []
    for r in rows:
        review = review_out(r, employee_no=people[r["staff"]].employee_no, name=people[r["staff"]].name)
        lines = msgspec.json.decode(await store.current_lines(period["id"], staff_id=r["staff"]) or "[]")
        line = next((ln for ln in lines if ln["rule_id"] == r["rule_id"]), None)
        review = sentences.worded_review(
            review, disputed=disputed_items(r), line_items=sentences.line_items_of(line), rules=rules, first=first, lang=lang
        )
        if principal is not None:
            review = await sentences.add_evidence(ctx, review, principal=principal)
        out.append(review)
    return out


def adjustment_points(line_points: Decimal, *, outcome: str, asked: Decimal | None, full: Decimal | None = None) -> Decimal:
    """The signed points an outcome adds: an upheld appeal restores what it disputes (``full``: the disputed facts'
    points; default the whole line), all of it unless ``asked`` says part; a rejected one nothing."""
    if outcome == "rejected":
        if asked is not None:
            raise AppraisalInputInvalid("a rejected appeal changes no points: leave points out", key="points")
        return Decimal(0)
    full = -line_points if full is None else full
    if asked is None:
        return full
    if asked == 0 or (asked > 0) != (full > 0) or abs(asked) > abs(full):
        raise AppraisalInputInvalid(
            f"points must restore part or all of the line: between {full.copy_sign(Decimal('0.01'))} and {full}, got {asked}", key="points"
        )
    return asked


async def decide_appeal(ctx: AppContext, appeal_id: int, *, principal: Principal, data: AppealDecisionIn) -> AppealReviewOut:
    """Decide an appeal; an upheld one becomes an ``appeal.adjustment`` fact and the appellant's sheet is recomputed with it."""
    found = await store.appeals(appeal_id=appeal_id)
    if not found:
        raise AppealNotFound()
    appeal = found[0]
    if appeal["outcome"] is not None:
        raise AppealConflict(f"appeal {appeal_id} was already decided ({appeal['outcome']})")
    period = await store.period_or_404(appeal["month"])
    if not decisions_allowed(period):
        raise PeriodStateConflict(
            f"{period['month']} is {period['state']}: appeals are decided while the month is in appeals", state=period["state"]
        )
    if principal.staff_id == appeal["staff"]:
        raise ReviewerNotAllowed("nobody decides their own appeal")
    findings = [int(f[len(_FINDING) :]) for f in msgspec.json.decode(appeal["fact_ids"]) if f.startswith(_FINDING)]
    if principal.user_id in await inspections.finding_makers(findings):
        raise ReviewerNotAllowed("you made a finding behind this line (logged it or inspected on its visit): another reviewer decides")
    full = await _restorable(appeal, period_id=period["id"]) if appeal.get("disputed") else None
    points = adjustment_points(Decimal(appeal["line_points"]), outcome=data.outcome, asked=data.points, full=full)
    now = ctx.clock.now()

    async def record_decision(current: Mapping[str, Any]) -> None:
        if not decisions_allowed(current):
            raise PeriodStateConflict(
                f"{current['month']} is {current['state']}: appeals are decided while the month is in appeals", state=current["state"]
            )
        await store.add_decision(
            appeal_id=appeal_id,
            outcome=data.outcome,
            points=points,
            reason=data.reason,
            reviewer=principal.actor,
            reviewer_user=principal.user_id,
            at=now,
        )
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="appraisal.appeal_decided",
            subject_type="appraisal_appeal",
            subject_id=appeal_id,
            data={"month": current["month"], "outcome": data.outcome, "points": str(points), "reason": data.reason},
        )
        await service_notices.appeal_decided(ctx, appeal, outcome=data.outcome, reason=data.reason)

    try:
        if data.outcome == "upheld":
            await _recompute_with(ctx, period, appeal=appeal, points=points, principal=principal, record=record_decision, now=now)
        else:
            async with write_transaction(ctx.engine):
                await record_decision(await store.lock_period(ctx, month=period["month"]))
    except INTEGRITY_ERRORS as exc:
        raise AppealConflict(f"appeal {appeal_id} was decided meanwhile") from exc
    row = (await store.appeals(appeal_id=appeal_id))[0]
    person = (await org.postings_of([row["staff"]]))[0]
    return review_out(row, employee_no=person.employee_no, name=person.name)


async def _restorable(appeal: Mapping[str, Any], *, period_id: int) -> Decimal:
    """What upholding a fact appeal restores on the current sheet: those facts' points, after earlier upheld ones."""
    lines = await store.current_lines(period_id, staff_id=appeal["staff"])
    line = next((ln for ln in msgspec.json.decode(lines or "[]") if ln["rule_id"] == appeal["rule_id"]), None)
    if line is None:
        return Decimal(0)  # the facts were corrected away meanwhile: nothing left to restore
    earlier = [
        item[0]
        for other in await store.appeals(period_id=period_id, staff_id=appeal["staff"])
        if other["id"] != appeal["id"] and other["rule_id"] == appeal["rule_id"] and other["outcome"] == "upheld"
        for item in disputed_items(other)
    ]
    return domain.restored_points(line, disputed=[item[0] for item in disputed_items(appeal)], already=earlier)


async def _recompute_with(
    ctx: AppContext, period: Mapping[str, Any], *, appeal: Mapping[str, Any], points: Decimal, principal: Principal, record: Any, now: Any
) -> None:
    # The decision and the recomputed sheet are written in one transaction: never one without the other.
    first = periods.parse_month(period["month"])
    postings = await org.postings_of([appeal["staff"]])
    facts = await month_facts(ctx, postings=postings, first=first, period_id=period["id"])
    local = now.astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).date()
    facts[appeal["staff"]].append(
        store.adjustment_fact(
            appeal["id"], staff_id=appeal["staff"], rule_id=appeal["rule_id"], category=appeal["category"], points=points, on=local
        )
    )
    sheets = score_sheets(ctx, facts, first=first)
    placed = {p.staff_id: (p.department_id, p.window_id) for p in postings}
    await write_computation(
        ctx,
        period["month"],
        principal=principal,
        expected=period["computation"],
        scope="staff",
        sheets=sheets,
        placed=placed,
        facts=sum(map(len, facts.values())),
        retire_missing=False,
        before_write=record,
    )
