"""After publication: notifications to the staff member and their department head, and appeals.

The core calls ``on_published`` inside its publish transaction, so a notification exists exactly
when the finding is published (never for an embargoed one). An upheld appeal takes the finding out
of the appraisal facts (``upheld_findings``) and off the exposure board.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.columns.combination import Combinable
from piccolo.query.methods.select import Select

from window_staff.auth import service as auth
from window_staff.common import audit
from window_staff.common.clock import DEFAULT_TIME_ZONE, as_utc
from window_staff.common.context import AppContext
from window_staff.common.dates import day_words
from window_staff.common.db import execute, is_sqlite, write_transaction
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.common.principal import Principal
from window_staff.inspections import store
from window_staff.inspections.errors import (
    AppealAlreadyDecided,
    AppealAlreadyOpen,
    AppealNotAllowed,
    AppealNotFound,
    AppealWindowClosed,
    FindingNotFound,
    InspectionStaffNotFound,
    OwnFindingReview,
)
from window_staff.inspections.policy import policy_of
from window_staff.inspections.schemas.publication import (
    AppealDecisionIn,
    AppealIn,
    AppealOut,
    AppealReviewOut,
)
from window_staff.inspections.tables import ExposureEntry, Finding, FindingAppeal
from window_staff.notifications import service as notifications
from window_staff.org import service as org
from window_staff.scoring.rules import rules_of

# Who is told when a department has no head on record: HR, so that nobody's finding goes unseen.
HEAD_FALLBACK_ROLE = "hr"
REVIEWER_ROLES = ("hr", "inspection_lead")


def local_date(at: datetime, zone: str | None) -> date:
    """The calendar day of an instant in a site's time zone."""
    return as_utc(at).astimezone(ZoneInfo(zone or DEFAULT_TIME_ZONE)).date()


def checklist_titles(ctx: AppContext) -> dict[str, str]:
    """Checklist item id -> what a finding on it says in Chinese (the problem found, 未佩戴工作牌; or the commendation)."""
    return {item.id: item.wording("zh") for item in rules_of(ctx).checklist}


def upheld_findings() -> Select:
    """A sub-select of finding ids whose appeal was upheld: they are no longer facts nor on the board."""
    return FindingAppeal.select(FindingAppeal.finding).where(FindingAppeal.status == "upheld")


async def _finding_context(finding_id: int) -> dict[str, Any] | None:
    # Internal read by id for the hook and the deadline: callers have already applied visibility.
    return (
        await Finding.select(
            Finding.id,
            Finding.staff,
            Finding.item,
            Finding.observed_at,
            Finding.published_at,
            Finding.logged_by,
            Finding.visit,
            Finding.staff.name.as_alias("staff_name"),
            Finding.staff.department.as_alias("staff_department"),
            Finding.window.department.as_alias("window_department"),
            Finding.visit._.site._.timezone.as_alias("tz"),
        )
        .where(Finding.id == finding_id)
        .first()
    )


def appeal_deadline(published_at: datetime, *, zone: str | None, appeal_days: int) -> date:
    """The last local day on which an appeal may be filed (publication day + ``appeal_days``)."""
    return local_date(published_at, zone) + timedelta(days=appeal_days)


async def on_published(ctx: AppContext, finding_id: int, *, actor: str) -> int:
    """Notify the staff member and their department head; call inside the publish transaction. Returns the count."""
    if ctx.engine.current_transaction.get() is None:
        raise RuntimeError("on_published runs inside the transaction that publishes the finding")
    row = await _finding_context(finding_id)
    if row is None or row["published_at"] is None:
        return 0
    title = checklist_titles(ctx).get(row["item"], row["item"])
    deadline = appeal_deadline(row["published_at"], zone=row["tz"], appeal_days=policy_of(ctx).appeal_days)
    observed = local_date(row["observed_at"], row["tz"])
    # Messages are read by people: days as they write them (12月7日), the deadline with its year.
    day, until = day_words(observed, "zh", year=False), day_words(deadline, "zh")
    texts: dict[int, str] = {}
    if row["staff"] is not None:
        for user_id in (await auth.active_user_ids_of_staff([row["staff"]]))[row["staff"]]:
            texts[user_id] = f"您有一条检查发现已公布：{title}（{day}）。如有异议，可在{until}前提出申诉。"
    who = row["staff_name"] or "窗口"
    department = row["staff_department"] or row["window_department"]
    head = (await org.department_heads([department])).get(department) if department else None
    head_users = (await auth.active_user_ids_of_staff([head]))[head] if head else []
    for user_id in head_users or await auth.active_user_ids_with_role(HEAD_FALLBACK_ROLE):
        # The staff member's own account keeps the personal text when it also holds the head role.
        texts.setdefault(user_id, f"本部门{who}的检查发现已公布：{title}（{day}）。")
    return await notifications.notify(ctx, texts, kind="finding_published", subject_type="finding", subject_id=finding_id)


# --- appeals ---


def _appeal_out(r: dict[str, Any]) -> AppealOut:
    return AppealOut(
        id=r["id"],
        finding_id=r["finding"],
        item=r["item"],
        reason=r["reason"],
        filed_at=as_utc(r["filed_at"]),
        status=r["status"],
        decided_at=as_utc(r["decided_at"]) if r["decided_at"] else None,
        decision_note=r["decision_note"],
    )


def _review_out(r: dict[str, Any]) -> AppealReviewOut:
    return AppealReviewOut(
        id=r["id"],
        finding_id=r["finding"],
        staff_id=r["staff"],
        item=r["item"],
        reason=r["reason"],
        filed_at=as_utc(r["filed_at"]),
        status=r["status"],
        decided_by=r["decided_by"],
        decided_at=as_utc(r["decided_at"]) if r["decided_at"] else None,
        decision_note=r["decision_note"],
    )


_APPEAL_COLUMNS = (
    FindingAppeal.id,
    FindingAppeal.finding,
    FindingAppeal.staff,
    FindingAppeal.reason,
    FindingAppeal.filed_at,
    FindingAppeal.status,
    FindingAppeal.decided_by,
    FindingAppeal.decided_at,
    FindingAppeal.decision_note,
    FindingAppeal.finding.item.as_alias("item"),
)


async def _lock_finding(ctx: AppContext, finding_id: int) -> None:
    # One open appeal per finding: PostgreSQL serialises appellants and reviewers on the finding row;
    # SQLite's IMMEDIATE write transaction already does.
    if not is_sqlite(ctx.engine):
        await execute(ctx.engine, "SELECT id FROM inspection_finding WHERE id = {} FOR UPDATE", finding_id)


async def file_appeal(ctx: AppContext, principal: Principal, finding_id: int, data: AppealIn) -> AppealOut:
    """The staff member appeals a published finding about them, within ``appeal_days`` of publication."""
    if principal.staff_id is None:
        raise InspectionStaffNotFound("this account is not linked to a staff member")
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        await _lock_finding(ctx, finding_id)
        finding = await store.get_finding(principal, finding_id)
        if finding["status"] != store.PUBLISHED or finding["published_at"] is None:
            raise FindingNotFound()
        if finding["staff"] != principal.staff_id:
            raise AppealNotAllowed("only the staff member the finding is about may appeal it")
        info = await _finding_context(finding_id)
        assert info is not None
        deadline = appeal_deadline(finding["published_at"], zone=info["tz"], appeal_days=policy_of(ctx).appeal_days)
        if local_date(now, info["tz"]) > deadline:
            raise AppealWindowClosed(f"appeals against this finding closed after {deadline.isoformat()}", deadline=deadline.isoformat())
        decided = await FindingAppeal.select(FindingAppeal.status).where(FindingAppeal.finding == finding_id)
        if any(a["status"] == "open" for a in decided):
            raise AppealAlreadyOpen()
        if any(a["status"] == "upheld" for a in decided):
            raise AppealAlreadyDecided("an appeal against this finding was already upheld")
        rows = await FindingAppeal.insert(
            FindingAppeal(
                finding=finding_id,
                staff=principal.staff_id,
                reason=data.reason,
                filed_at=now,
                status="open",
            )
        ).returning(FindingAppeal.id)
        appeal_id = rows[0]["id"]
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="finding.appeal_filed",
            subject_type="finding_appeal",
            subject_id=appeal_id,
            data={"finding": finding_id, "staff": principal.staff_id, "reason": data.reason},
        )
    row = await FindingAppeal.select(*_APPEAL_COLUMNS).where(FindingAppeal.id == appeal_id).first()
    assert row is not None  # inserted above; appeals are never deleted
    return _appeal_out(row)


async def decide_appeal(ctx: AppContext, principal: Principal, appeal_id: int, data: AppealDecisionIn) -> AppealReviewOut:
    """A reviewer (HR or the lead) decides; never an inspector of the finding's visit, never the appellant."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        appeal = await FindingAppeal.select().where(FindingAppeal.id == appeal_id).first()
        if appeal is None:
            raise AppealNotFound()
        await _lock_finding(ctx, appeal["finding"])
        try:
            finding = await store.get_finding(principal, appeal["finding"])
        except FindingNotFound:
            raise AppealNotFound() from None
        if finding["logged_by"] == principal.user_id or await store.is_on_visit(finding["visit"], principal.user_id):
            raise OwnFindingReview("the inspectors of the visit may not decide an appeal against its finding")
        if principal.staff_id is not None and principal.staff_id == appeal["staff"]:
            raise OwnFindingReview("nobody decides their own appeal")
        appeal = await FindingAppeal.select().where(FindingAppeal.id == appeal_id).first()  # re-read under the lock
        assert appeal is not None  # found above; appeals are never deleted
        if appeal["status"] != "open":
            raise AppealAlreadyDecided()
        await FindingAppeal.update(
            {
                FindingAppeal.status: data.outcome,
                FindingAppeal.decided_by: principal.actor,
                FindingAppeal.decided_at: now,
                FindingAppeal.decision_note: data.note,
            }
        ).where(FindingAppeal.id == appeal_id)
        if data.outcome == "upheld":
            # The board also hides upheld findings by query; withdrawing records when and why it left.
            await ExposureEntry.update({ExposureEntry.withdrawn_at: now}).where(
                (ExposureEntry.finding == appeal["finding"]) & ExposureEntry.withdrawn_at.is_null()
            )
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action=f"finding.appeal_{data.outcome}",
            subject_type="finding_appeal",
            subject_id=appeal_id,
            data={"finding": appeal["finding"], "staff": appeal["staff"], "note": data.note},
        )
    row = await FindingAppeal.select(*_APPEAL_COLUMNS).where(FindingAppeal.id == appeal_id).first()
    assert row is not None  # decided above; appeals are never deleted
    return _review_out(row)


async def list_my_appeals(ctx: AppContext, staff_id: int, params: PageParams) -> Page[AppealOut]:
    """A staff member's own appeals, newest first."""
    mine = FindingAppeal.staff == staff_id
    rows = (
        await FindingAppeal.select(*_APPEAL_COLUMNS)
        .where(mine)
        .order_by(FindingAppeal.id, ascending=False)
        .limit(params.limit)
        .offset(params.offset)
    )
    return page_of([_appeal_out(r) for r in rows], total=await FindingAppeal.count().where(mine), params=params)


async def get_my_appeal(ctx: AppContext, staff_id: int, appeal_id: int) -> AppealOut:
    """One of the staff member's own appeals (anyone else's answers 404)."""
    row = await FindingAppeal.select(*_APPEAL_COLUMNS).where((FindingAppeal.id == appeal_id) & (FindingAppeal.staff == staff_id)).first()
    if row is None:
        raise AppealNotFound()
    return _appeal_out(row)


async def list_appeals(ctx: AppContext, principal: Principal, params: PageParams, *, status: str | None = "open") -> Page[AppealReviewOut]:
    """Appeals for reviewers (open ones by default), oldest first so the queue is worked in order."""
    where: Combinable = FindingAppeal.finding.is_in(store.visible_finding_ids(principal))
    if status is not None:
        where = where & (FindingAppeal.status == status)
    rows = await FindingAppeal.select(*_APPEAL_COLUMNS).where(where).order_by(FindingAppeal.id).limit(params.limit).offset(params.offset)
    return page_of([_review_out(r) for r in rows], total=await FindingAppeal.count().where(where), params=params)
