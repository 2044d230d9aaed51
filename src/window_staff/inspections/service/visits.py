"""Inspection use cases: plan, start and end visits; log and read findings; month facts for appraisal.

Every read for a caller filters with ``store.visible_visits`` / ``store.visible_findings`` (the
embargo); the lead's review (edit, reject, publish) lives in ``service_review``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from window_staff.auth import service as auth_service
from window_staff.auth.errors import UserNotFound
from window_staff.common import audit, integrity
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.common.db import write_transaction
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.common.periods import month_bounds as _month_bounds
from window_staff.common.principal import Principal, own_staff_id
from window_staff.inspections import domain, store
from window_staff.inspections.errors import (
    FindingNotFound,
    InspectionInputInvalid,
    InspectionStaffNotFound,
    InspectorInvalid,
    NotOnVisit,
    StaffNotAtWindow,
    VisitStateConflict,
    WindowNotCovered,
)
from window_staff.inspections.schemas.visits import ChecklistItemOut, FindingIn, FindingOut, MyFindingOut, VisitIn, VisitOut
from window_staff.inspections.service.publication import upheld_findings
from window_staff.inspections.tables import FINDING_SEAL, Finding, FindingRevision, Visit, VisitInspector, VisitWindow
from window_staff.org import service as org
from window_staff.scoring.rules import rules_of
from window_staff.scoring.vocabulary import Fact

# Columns of a finding read together with its visit's kind (one query, no second lookup).
FINDING_COLUMNS = (*Finding.all_columns(), Finding.visit.kind.as_alias("visit_kind"))


def checklist(ctx: AppContext) -> list[ChecklistItemOut]:
    """The checklist items of the loaded rules."""
    return [
        ChecklistItemOut(id=i.id, title_zh=i.title_zh, title_en=i.title_en, category=i.category, positive=i.positive)
        for i in rules_of(ctx).checklist
    ]


# --- visits ----------------------------------------------------------------------------------


async def _visit_out(row: dict[str, Any]) -> VisitOut:
    return (await _visits_out([row]))[0]


async def _visits_out(rows: list[dict[str, Any]]) -> list[VisitOut]:
    ids = [r["id"] for r in rows]
    inspectors = await store.inspectors_of(ids)
    windows: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        for w in await VisitWindow.select(VisitWindow.visit, VisitWindow.window).where(VisitWindow.visit.is_in(ids)):
            windows[w["visit"]].append(w["window"])
    return [
        VisitOut(
            id=r["id"],
            kind=r["kind"],
            site_id=r["site"],
            planned_at=r["planned_at"],
            started_at=r["started_at"],
            ended_at=r["ended_at"],
            status=r["status"],
            note=r["note"],
            planned_by=r["planned_by"],
            created_at=r["created_at"],
            published_at=r["published_at"],
            inspector_ids=inspectors.get(r["id"], []),
            window_ids=sorted(windows[r["id"]]),
        )
        for r in rows
    ]


async def _check_inspectors(ctx: AppContext, user_ids: list[int]) -> None:
    for user_id in user_ids:
        try:
            user = await auth_service.get_user(ctx, user_id)
        except UserNotFound:
            raise InspectorInvalid(f"user {user_id} does not exist", user_id=user_id) from None
        if not user.active or "inspector" not in user.roles:
            raise InspectorInvalid(f"user {user_id} is not an active inspector", user_id=user_id)


async def _check_windows(site_id: int, window_ids: list[int]) -> None:
    for window_id in window_ids:
        if await org.window_site(window_id) != site_id:
            raise InspectionInputInvalid(f"window {window_id} is not at site {site_id}", field="window_ids", window_id=window_id)


async def plan_visit(ctx: AppContext, data: VisitIn, *, principal: Principal) -> VisitOut:
    """The lead plans a visit with its inspectors and the windows it covers."""
    planned_at = domain.aware(data.planned_at, field="planned_at")
    inspector_ids, window_ids = sorted(set(data.inspector_ids)), sorted(set(data.window_ids))
    if not await org.site_time_zones([data.site_id]):
        raise InspectionInputInvalid(f"site {data.site_id} does not exist", field="site_id")
    await _check_inspectors(ctx, inspector_ids)
    await _check_windows(data.site_id, window_ids)
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        rows = await Visit.insert(
            Visit(kind=data.kind, site=data.site_id, planned_at=planned_at, note=data.note, planned_by=principal.actor, created_at=now)
        ).returning(Visit.id)
        visit_id = rows[0]["id"]
        await VisitInspector.insert(*[VisitInspector(visit=visit_id, inspector=u) for u in inspector_ids])
        await VisitWindow.insert(*[VisitWindow(visit=visit_id, window=w) for w in window_ids])
        # The audit subject is the visit only: the chain is read by auditors/admins, never by staff.
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="inspection.visit.planned",
            subject_type="inspection_visit",
            subject_id=visit_id,
            data={"kind": data.kind, "site": data.site_id, "inspectors": inspector_ids, "windows": window_ids},
        )
    return await get_visit(ctx, visit_id, principal=principal)


async def get_visit(ctx: AppContext, visit_id: int, *, principal: Principal) -> VisitOut:
    """One visit the caller may see (404 otherwise)."""
    return await _visit_out(await store.get_visit(principal, visit_id))


async def list_visits(
    ctx: AppContext, params: PageParams, *, principal: Principal, kind: str | None = None, status: str | None = None
) -> Page[VisitOut]:
    """The visits the caller may see, newest planned first."""
    where = store.visible_visits(principal)
    if kind:
        where = where & (Visit.kind == kind)
    if status:
        where = where & (Visit.status == status)
    total = await Visit.count().where(where)
    rows = (
        await Visit.select()
        .where(where)
        .order_by(Visit.planned_at, ascending=False)
        .order_by(Visit.id, ascending=False)
        .limit(params.limit)
        .offset(params.offset)
    )
    return page_of(await _visits_out(rows), total=total, params=params)


async def _visit_for_inspector(visit_id: int, principal: Principal) -> dict[str, Any]:
    row = await store.get_visit(principal, visit_id)
    if not await store.is_on_visit(visit_id, principal.user_id):
        raise NotOnVisit()
    return row


async def move_visit(ctx: AppContext, visit_id: int, *, action: str, principal: Principal) -> VisitOut:
    """An inspector of the visit starts or ends it (``action`` is ``start`` or ``end``)."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await _visit_for_inspector(visit_id, principal)
        new = domain.next_visit_status(row["status"], action=action)
        values: dict[Any, Any] = {Visit.status: new, (Visit.started_at if action == "start" else Visit.ended_at): now}
        await Visit.update(values).where(Visit.id == visit_id)
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action=f"inspection.visit.{'started' if action == 'start' else 'ended'}",
            subject_type="inspection_visit",
            subject_id=visit_id,
            data={"status": new},
        )
    return await get_visit(ctx, visit_id, principal=principal)


async def cancel_visit(ctx: AppContext, visit_id: int, *, reason: str, principal: Principal) -> VisitOut:
    """The lead cancels a visit that has not started (one that started keeps its findings: end it instead)."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await store.get_visit(principal, visit_id)
        if row["status"] != domain.PLANNED:
            raise VisitStateConflict(f"only a planned visit can be cancelled (it is {row['status']})", visit_status=row["status"])
        await Visit.update({Visit.status: domain.CANCELLED}).where(Visit.id == visit_id)
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="inspection.visit.cancelled",
            subject_type="inspection_visit",
            subject_id=visit_id,
            data={"reason": reason},
        )
    return await get_visit(ctx, visit_id, principal=principal)


# --- findings --------------------------------------------------------------------------------


def finding_out(row: dict[str, Any]) -> FindingOut:
    """A finding row (with ``visit_kind``) as the inspection roles see it."""
    return FindingOut(
        id=row["id"],
        visit_id=row["visit"],
        visit_kind=row["visit_kind"],
        staff_id=row["staff"],
        window_id=row["window"],
        item=row["item"],
        category=row["category"],
        positive=bool(row["positive"]),
        severity=row["severity"],
        observed_at=row["observed_at"],
        note=row["note"],
        status=row["status"],
        revision=row["revision"],
        logged_by=row["logged_by"],
        created_at=row["created_at"],
        published_at=row["published_at"],
        published_by=row["published_by"],
    )


async def check_placement(visit_id: int, *, window_id: int, staff_id: int | None) -> None:
    """The window is covered by the visit and, when named, the staff member is posted at it (422 otherwise)."""
    if not await VisitWindow.exists().where((VisitWindow.visit == visit_id) & (VisitWindow.window == window_id)):
        raise WindowNotCovered(f"window {window_id} is not covered by visit {visit_id}", window_id=window_id)
    if staff_id is None:
        return
    postings = await org.postings_of([staff_id])
    # Strict: a finding names the person who was at the window; someone covering for a colleague is
    # moved there by HR first (or logged as window-only and edited by the lead).
    if not postings or postings[0].window_id != window_id:
        raise StaffNotAtWindow(f"staff {staff_id} is not posted at window {window_id}", staff_id=staff_id, window_id=window_id)


async def log_finding(ctx: AppContext, visit_id: int, data: FindingIn, *, principal: Principal) -> FindingOut:
    """An inspector of the visit logs a draft finding (the category and positive flag come from the checklist)."""
    item = domain.checklist_item(rules_of(ctx), data.item)
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        visit = await _visit_for_inspector(visit_id, principal)
        if not domain.can_log_on(visit["status"]):
            raise VisitStateConflict(
                f"findings are logged once the visit has started (it is {visit['status']})", visit_status=visit["status"]
            )
        observed_at = domain.check_observed_at(data.observed_at, now=now, visit_started_at=visit["started_at"])
        await check_placement(visit_id, window_id=data.window_id, staff_id=data.staff_id)
        row = Finding(
            visit=visit_id,
            staff=data.staff_id,
            window=data.window_id,
            item=item.id,
            category=item.category,
            positive=item.positive,
            severity=data.severity,
            observed_at=observed_at,
            note=data.note,
            status=domain.DRAFT,
            revision=1,
            logged_by=principal.user_id,
            created_at=now,
        )
        row.row_mac = integrity.row_mac(ctx.engine, FINDING_SEAL, row.to_dict())
        finding_id = (await Finding.insert(row).returning(Finding.id))[0]["id"]
        state = await Finding.select().where(Finding.id == finding_id).first()
        assert state is not None  # inserted above in this transaction
        await add_revision(finding_id, revision=1, action="logged", state=state, reason="", actor=principal.actor, at=now)
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="inspection.finding.logged",
            subject_type="inspection_finding",
            subject_id=finding_id,
            data={"visit": visit_id, "revision": 1},
        )
    return await get_finding(ctx, finding_id, principal=principal)


async def add_revision(
    finding_id: int, *, revision: int, action: str, state: dict[str, Any], reason: str, actor: str, at: datetime
) -> None:
    """Append one kept state of a finding (inside the caller's transaction)."""
    await FindingRevision.insert(
        FindingRevision(
            finding=finding_id,
            revision=revision,
            action=action,
            data=audit.canonical_json(domain.snapshot(state)),
            reason=reason,
            changed_by=actor,
            changed_at=at,
        )
    )


async def get_finding(ctx: AppContext, finding_id: int, *, principal: Principal) -> FindingOut:
    """One finding the caller may see (404 otherwise, embargoed ones included)."""
    row = await Finding.select(*FINDING_COLUMNS).where((Finding.id == finding_id) & store.visible_findings(principal)).first()
    if row is None:
        await store.get_finding(principal, finding_id)  # raises FindingNotFound
    return finding_out(row)  # type: ignore[arg-type]


async def list_findings(
    ctx: AppContext,
    params: PageParams,
    *,
    principal: Principal,
    visit_id: int | None = None,
    status: str | None = None,
    staff_id: int | None = None,
) -> Page[FindingOut]:
    """The findings the caller may see, newest observed first."""
    where = store.visible_findings(principal)
    if visit_id is not None:
        await store.get_visit(principal, visit_id)  # an invisible visit answers 404, not an empty list
        where = where & (Finding.visit == visit_id)
    if status:
        where = where & (Finding.status == status)
    if staff_id is not None:
        where = where & (Finding.staff == staff_id)
    total = await Finding.count().where(where)
    rows = (
        await Finding.select(*FINDING_COLUMNS)
        .where(where)
        .order_by(Finding.observed_at, ascending=False)
        .order_by(Finding.id, ascending=False)
        .limit(params.limit)
        .offset(params.offset)
    )
    return page_of([finding_out(r) for r in rows], total=total, params=params)


def _my_finding_out(ctx: AppContext, row: dict[str, Any]) -> MyFindingOut:
    item = domain.checklist_of(rules_of(ctx)).get(row["item"])
    return MyFindingOut(
        id=row["id"],
        visit_kind=row["visit_kind"],
        window_id=row["window"],
        item=row["item"],
        title_zh=item.title_zh if item else row["item"],
        title_en=item.title_en if item else row["item"],
        category=row["category"],
        positive=bool(row["positive"]),
        severity=row["severity"],
        observed_at=row["observed_at"],
        note=row["note"],
        published_at=row["published_at"],
    )


async def my_findings(ctx: AppContext, params: PageParams, *, principal: Principal) -> Page[MyFindingOut]:
    """The caller's own published findings, newest first."""
    where = (
        store.visible_findings(principal)
        & (Finding.staff == own_staff_id(principal, missing=InspectionStaffNotFound))
        & (Finding.status == domain.PUBLISHED)
    )
    total = await Finding.count().where(where)
    rows = (
        await Finding.select(*FINDING_COLUMNS)
        .where(where)
        .order_by(Finding.observed_at, ascending=False)
        .order_by(Finding.id, ascending=False)
        .limit(params.limit)
        .offset(params.offset)
    )
    return page_of([_my_finding_out(ctx, r) for r in rows], total=total, params=params)


async def my_finding(ctx: AppContext, finding_id: int, *, principal: Principal) -> MyFindingOut:
    """One of the caller's own published findings (404 for anyone else's or an embargoed one)."""
    where = (
        store.visible_findings(principal)
        & (Finding.id == finding_id)
        & (Finding.staff == own_staff_id(principal, missing=InspectionStaffNotFound))
        & (Finding.status == domain.PUBLISHED)
    )
    row = await Finding.select(*FINDING_COLUMNS).where(where).first()
    if row is None:
        raise FindingNotFound()
    return _my_finding_out(ctx, row)


# --- facts for appraisal ---------------------------------------------------------------------


# Above this many staff the month's findings are read whole and filtered here (SQLite caps parameters at 32,766).
_STAFF_IN_LIST = 5000


async def month_facts(ctx: AppContext, *, staff_ids: Sequence[int], month: str | date) -> list[Fact]:
    """Facts ``inspection.finding`` for the published findings about ``staff_ids`` observed in ``month`` (site local time)."""
    if not staff_ids:
        return []
    first, nxt = _month_bounds(month)
    # Widen by a day each side in UTC, then keep the ones whose local date is in the month.
    lo = datetime.combine(first - timedelta(days=1), datetime.min.time()).replace(tzinfo=ZoneInfo("UTC"))
    hi = datetime.combine(nxt + timedelta(days=1), datetime.min.time()).replace(tzinfo=ZoneInfo("UTC"))
    wanted = set(staff_ids)
    where = (
        store.visible_findings(None)  # the public floor: published findings only, never an embargoed one
        & (Finding.observed_at >= lo)
        & (Finding.observed_at < hi)
        & Finding.id.not_in(upheld_findings())  # an upheld appeal means the finding no longer counts
    )
    if len(wanted) <= _STAFF_IN_LIST:
        where &= Finding.staff.is_in(sorted(wanted))
    else:
        where &= Finding.staff.is_not_null()  # a whole centre: one scan of the month beats 20 bounded IN-lists
    rows = (
        await Finding.select(
            Finding.id,
            Finding.staff,
            Finding.item,
            Finding.severity,
            Finding.positive,
            Finding.observed_at,
            Finding.visit.kind.as_alias("visit_kind"),
            Finding.visit._.site._.timezone.as_alias("tz"),
        )
        .where(where)
        .order_by(Finding.observed_at)
        .order_by(Finding.id)
    )
    facts: list[Fact] = []
    for r in rows:
        if r["staff"] not in wanted:
            continue
        local = r["observed_at"].astimezone(ZoneInfo(r["tz"] or DEFAULT_TIME_ZONE)).date()
        if not first <= local < nxt:
            continue
        facts.append(
            Fact(
                id=f"inspection.finding:{r['id']}",
                kind="inspection.finding",
                staff_id=r["staff"],
                occurred_on=local,
                fields={"item": r["item"], "severity": r["severity"], "visit_kind": r["visit_kind"], "positive": bool(r["positive"])},
            )
        )
    return facts


async def finding_makers(finding_ids: Sequence[int]) -> set[int]:
    """User ids of whoever logged the findings or inspected on their visits (they may not review appeals about them)."""
    if not finding_ids:
        return set()
    rows = await Finding.select(Finding.logged_by, Finding.visit).where(Finding.id.is_in(sorted(set(finding_ids))))
    makers = {r["logged_by"] for r in rows}
    for inspectors in (await store.inspectors_of(sorted({r["visit"] for r in rows}))).values():
        makers.update(inspectors)
    return makers
