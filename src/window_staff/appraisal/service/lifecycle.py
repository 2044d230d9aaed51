"""The month's lifecycle: compute (and recompute), appeal window, approval by a second person, publication."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from window_staff.appraisal import domain, store
from window_staff.appraisal.domain import APPEALS, SheetRow
from window_staff.appraisal.errors import FourEyesRequired, MonthInvalid, PeriodChanged, PeriodStateConflict
from window_staff.appraisal.policy import policy_of
from window_staff.appraisal.schemas import ComputeOut, EventOut, PeriodOut
from window_staff.appraisal.service import notices
from window_staff.appraisal.sources import fact_sources
from window_staff.common import audit, periods
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.common.db import write_transaction
from window_staff.common.principal import Principal
from window_staff.common.progress import Progress, no_progress
from window_staff.org import service as org
from window_staff.org.service import Posting
from window_staff.scoring import Fact, score
from window_staff.scoring.engine import cyclic_gc_paused
from window_staff.scoring.rules import rules_of

# A compute's phases as its job reports them: one step per fact source, then scoring, then writing.
GATHER, SCORE, WRITE = "gather", "score", "write"
STEPS_AFTER_GATHERING = 2


def local_today(ctx: AppContext) -> date:
    """Today in the centre's time zone (months turn at local midnight)."""
    return ctx.clock.now().astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).date()


def checked_month(ctx: AppContext, month: str) -> date:
    """The first day of ``month``; a month that has not begun is refused."""
    first = periods.parse_month(month)
    if first > local_today(ctx):
        raise MonthInvalid(f"{month} has not begun yet", month=month)
    return first


async def period_out(row: Mapping[str, Any], *, counts: tuple[int, int] | None = None) -> PeriodOut:
    """The API view of a period row (``counts``: its current sheets and pending appeals, when already at hand)."""
    staff, pending = counts if counts is not None else (await store.period_counts([row["id"]]))[row["id"]]
    return PeriodOut(
        month=row["month"],
        state=row["state"],
        computation=row["computation"],
        rules_version=row["rules_version"],
        appeal_opened_at=row["appeal_opened_at"],
        appeal_until=row["appeal_until"],
        approved_by=row["approved_by"],
        approved_at=row["approved_at"],
        published_at=row["published_at"],
        closed_at=row["closed_at"],
        closes=row["closes"],
        inputs_hash=row["inputs_hash"],
        results_hash=row["results_hash"],
        bonus_rules_hash=row["bonus_rules_hash"],
        staff=staff,
        pending_appeals=pending,
    )


async def get_period(ctx: AppContext, month: str) -> PeriodOut:
    """One month's period."""
    return await period_out(await store.period_or_404(periods.month_key(periods.parse_month(month))))


async def list_periods(ctx: AppContext) -> list[PeriodOut]:
    """Every month computed so far, newest first."""
    rows = await store.list_periods()
    counts = await store.period_counts([row["id"] for row in rows])
    return [await period_out(row, counts=counts[row["id"]]) for row in rows]


async def trail(ctx: AppContext, month: str) -> list[EventOut]:
    """The period's transitions, oldest first."""
    row = await store.period_or_404(periods.month_key(periods.parse_month(month)))
    return [
        EventOut(action=e["action"], from_state=e["from_state"], to_state=e["to_state"], actor=e["actor"], reason=e["reason"], at=e["at"])
        for e in await store.events_of(row["id"])
    ]


async def month_facts(
    ctx: AppContext, *, postings: Sequence[Posting], first: date, period_id: int | None, progress: Progress = no_progress
) -> dict[int, list[Fact]]:
    """Every fact of the month per staff member: from each registered source (reads only), then the month's upheld appeals."""
    staff_ids = [p.staff_id for p in postings]
    facts: dict[int, list[Fact]] = {sid: [] for sid in staff_ids}
    sources = fact_sources(ctx)
    for number, source in enumerate(sources):
        await progress(GATHER, done=number, total=len(sources) + STEPS_AFTER_GATHERING)
        for sid, found in (await source(ctx, postings=postings, first=first)).items():
            if sid in facts:
                facts[sid].extend(found)
    if period_id is not None:
        for sid, found in (await store.adjustment_facts(period_id, staff_ids=staff_ids)).items():
            if sid in facts:
                facts[sid].extend(found)
    return facts


def score_sheets(ctx: AppContext, facts: Mapping[int, Sequence[Fact]], *, first: date) -> list[SheetRow]:
    """Score the month and turn each result into a sheet row (pure apart from reading the loaded rules)."""
    with cyclic_gc_paused():  # building 100,000 sheets allocates as much as scoring them (bench/appraisal.py)
        results = score(facts, rules=rules_of(ctx), period=first)
        return [domain.sheet_row(result, facts=facts[sid]) for sid, result in results.items()]


async def compute(ctx: AppContext, month: str, *, principal: Principal, progress: Progress = no_progress) -> ComputeOut:
    """Score every staff member employed in the month; only sheets that changed get a new version."""
    started = time.perf_counter()
    first = checked_month(ctx, month)
    key = periods.month_key(first)
    before = await store.find_period(key)  # created, if need be, in the transaction that writes the computation
    domain.next_state(before["state"] if before else "open", action="compute")  # refuse early, before the expensive part
    postings = await org.postings_employed_between(first=first, last=periods.next_month(first) - timedelta(days=1))
    facts = await month_facts(ctx, postings=postings, first=first, period_id=before["id"] if before else None, progress=progress)
    steps = len(fact_sources(ctx)) + STEPS_AFTER_GATHERING
    await progress(SCORE, done=steps - STEPS_AFTER_GATHERING, total=steps)
    sheets = score_sheets(ctx, facts, first=first)
    placed = {p.staff_id: (p.department_id, p.window_id) for p in postings}
    await progress(WRITE, done=steps - 1, total=steps)  # before the transaction: progress is written on its own
    changed = await write_computation(
        ctx,
        key,
        principal=principal,
        expected=before["computation"] if before else 0,
        scope="month",
        sheets=sheets,
        placed=placed,
        facts=sum(map(len, facts.values())),
        retire_missing=True,
        create=before is None,
    )
    period = await store.period_or_404(key)
    return ComputeOut(
        period=await period_out(period),
        computation=period["computation"],
        staff=len(sheets),
        changed=changed,
        facts=sum(map(len, facts.values())),
        seconds=round(time.perf_counter() - started, 3),
    )


async def write_computation(
    ctx: AppContext,
    month: str,
    *,
    principal: Principal,
    expected: int,
    scope: str,
    sheets: Sequence[SheetRow],
    placed: Mapping[int, tuple[int, int | None]],
    facts: int,
    retire_missing: bool,
    before_write: Any = None,
    create: bool = False,
) -> int:
    """Store one computation in one transaction (``create``: the month's first, the period created in it too); refused when
    someone else computed or moved the period meanwhile."""
    now = ctx.clock.now()
    rules_version = rules_of(ctx).version
    async with write_transaction(ctx.engine):
        if create:
            await store.create_period(ctx, month=month, now=now)
        period = await store.lock_period(ctx, month=month)
        if period["computation"] != expected:
            raise PeriodChanged(f"{month} was computed again meanwhile (computation {period['computation']}); nothing was written")
        state = domain.next_state(period["state"], action="compute")
        if before_write is not None:
            await before_write(period)
        existing = await store.current_hashes(period["id"], staff_ids=None if retire_missing else [s.staff_id for s in sheets])
        fresh = [s for s in sheets if existing.get(s.staff_id, (0, ""))[1] != s.sheet_hash]
        retire = [existing[s.staff_id][0] for s in fresh if s.staff_id in existing]
        if retire_missing:
            scored = {s.staff_id for s in sheets}
            retire += [sheet_id for sid, (sheet_id, _) in existing.items() if sid not in scored]
        number = period["computation"] + 1
        await store.replace_sheets(
            ctx, period_id=period["id"], computation=number, retire=retire, rows=[(s, *placed[s.staff_id]) for s in fresh]
        )
        await store.add_computation(
            period_id=period["id"],
            number=number,
            scope=scope,
            actor=principal.actor,
            actor_user=principal.user_id,
            rules_version=rules_version,
            staff_count=len(sheets),
            changed=len(fresh),
            facts=facts,
            at=now,
        )
        await store.update_period(period["id"], {"computation": number, "state": state, "rules_version": rules_version, "updated_at": now})
        if state != period["state"]:
            await store.add_event(
                period_id=period["id"],
                action="compute",
                from_state=period["state"],
                to_state=state,
                actor=principal.actor,
                actor_user=principal.user_id,
                reason="",
                at=now,
            )
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="appraisal.computed",
            subject_type="appraisal_period",
            subject_id=month,
            data={
                "computation": number,
                "scope": scope,
                "staff": len(sheets),
                "changed": len(fresh),
                "facts": facts,
                "rules_version": rules_version,
            },
        )
    return len(fresh)


async def transition(
    ctx: AppContext,
    month: str,
    *,
    action: str,
    principal: Principal,
    reason: str = "",
    check: Any = None,
    values: Mapping[str, Any] | None = None,
    then: Any = None,
) -> PeriodOut:
    """Move the period by ``action`` in one transaction, with the trail row and the audit event; ``check`` may refuse, ``then`` follows
    up."""
    key = periods.month_key(periods.parse_month(month))
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        period = await store.lock_period(ctx, month=key)
        target = domain.next_state(period["state"], action=action)
        extra = dict(values or {})
        if check is not None:
            extra.update(await check(period, now) or {})
        await store.update_period(period["id"], {"state": target, "updated_at": now, **extra})
        await store.add_event(
            period_id=period["id"],
            action=action,
            from_state=period["state"],
            to_state=target,
            actor=principal.actor,
            actor_user=principal.user_id,
            reason=reason,
            at=now,
        )
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action=f"appraisal.{action}",
            subject_type="appraisal_period",
            subject_id=key,
            data={"from": period["state"], "to": target, "reason": reason, "computation": period["computation"]},
        )
        if then is not None:
            await then({**period, **extra, "state": target}, now)
    return await period_out(await store.period_or_404(key))


async def open_appeals(ctx: AppContext, month: str, *, principal: Principal) -> PeriodOut:
    """Show staff their sheets and open the appeal window for the policy's days; the month must have ended."""

    async def check(period: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        first = periods.parse_month(period["month"])
        if local_today(ctx) < periods.next_month(first):
            raise PeriodStateConflict(
                f"{period['month']} has not ended: appeals open once every day of it has been worked", state=period["state"]
            )
        return {"appeal_opened_at": now, "appeal_until": now + timedelta(days=policy_of(ctx).appeal_days)}

    async def tell(period: Mapping[str, Any], now: datetime) -> None:
        await notices.sheets_shown(ctx, period, final=False)

    return await transition(ctx, month, action="open_appeals", principal=principal, check=check, then=tell)


async def end_appeals(ctx: AppContext, month: str, *, principal: Principal) -> PeriodOut:
    """Close the appeal window once it has run out and every appeal is decided."""

    async def check(period: Mapping[str, Any], now: datetime) -> None:
        until = period["appeal_until"]
        if until is not None and now < until:
            raise PeriodStateConflict(f"the appeal window of {period['month']} runs until {until.isoformat()}", state=period["state"])
        pending = await store.pending_appeals(period["id"])
        if pending:
            raise PeriodStateConflict(
                f"{pending} appeal(s) of {period['month']} still await a decision", state=period["state"], pending=pending
            )

    return await transition(ctx, month, action="end_appeals", principal=principal, check=check)


async def preparers(period_id: int) -> set[int]:
    """Users who computed any version of the month (appeal decisions recompute, so reviewers count too)."""
    return {c["actor_user"] for c in await store.computations_of(period_id) if c["actor_user"] is not None}


async def approve(ctx: AppContext, month: str, *, principal: Principal) -> PeriodOut:
    """A second person approves the figures: never someone who computed them or decided an appeal in them."""

    async def check(period: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        if principal.user_id in await preparers(period["id"]):
            raise FourEyesRequired("you prepared this month (computed it or decided an appeal in it): another approver must approve it")
        return {"approved_by": principal.actor, "approved_at": now}

    return await transition(ctx, month, action="approve", principal=principal, check=check)


async def return_month(ctx: AppContext, month: str, *, principal: Principal, reason: str) -> PeriodOut:
    """The approver sends the month back to HR with a reason (the approval, if any, is withdrawn)."""
    return await transition(
        ctx, month, action="return", principal=principal, reason=reason, values={"approved_by": None, "approved_at": None}
    )


async def publish(ctx: AppContext, month: str, *, principal: Principal) -> PeriodOut:
    """Publish the approved figures: staff see them as final."""

    async def tell(period: Mapping[str, Any], now: datetime) -> None:
        await notices.sheets_shown(ctx, period, final=True)

    return await transition(ctx, month, action="publish", principal=principal, check=_stamp("published_at"), then=tell)


def _stamp(column: str) -> Any:
    async def check(period: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        return {column: now}

    return check


def appeals_open(period: Mapping[str, Any], *, now: datetime) -> bool:
    """True while staff may file appeals."""
    return period["state"] == APPEALS and period["appeal_until"] is not None and now < period["appeal_until"]


async def open_appeal_window(ctx: AppContext, month: str) -> datetime | None:
    """When the month's appeal window ends, while staff may file appeals; None otherwise (or for a month never computed)."""
    period = await store.find_period(month)
    return period["appeal_until"] if period is not None and appeals_open(period, now=ctx.clock.now()) else None


async def period_months() -> dict[int, str]:
    """Every appraisal month by its period id (a message about a period links to that month's page)."""
    return {int(p["id"]): str(p["month"]) for p in await store.list_periods()}


async def latest_staff_visible_month() -> str | None:
    """The newest month whose sheets staff may see (shown for appeals or later), if any."""
    for period in await store.list_periods():
        if period["state"] in domain.STAFF_VISIBLE:
            return str(period["month"])
    return None


def decisions_allowed(period: Mapping[str, Any]) -> bool:
    """True while reviewers may decide appeals: the appeal state, also after the window has run out."""
    return period["state"] == APPEALS
