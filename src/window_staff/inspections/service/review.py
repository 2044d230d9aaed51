"""The inspection lead's review of draft findings: edit (every state kept), reject, publish.

Publishing is the only way a finding leaves the embargo. Publishing a finding of an undercover visit
also publishes the visit (its kind, site, time and windows become visible to oversight): a
published finding must be explainable by its visit. The visit's other findings stay embargoed until
each is published. An undercover visit's findings are published only after the visit ended, so no
publication can give away inspectors still at the site.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from window_staff.common import audit, integrity
from window_staff.common.context import AppContext
from window_staff.common.db import write_transaction
from window_staff.common.principal import Principal
from window_staff.inspections import domain, store
from window_staff.inspections.errors import FindingRevisionConflict, VisitStateConflict
from window_staff.inspections.schemas.visits import FindingEditIn, FindingOut, FindingRejectIn, Outcome, ReviewOutcomeOut, RevisionOut
from window_staff.inspections.service.publication import on_published, upheld_findings
from window_staff.inspections.service.visits import add_revision, check_placement, get_finding
from window_staff.inspections.tables import FINDING_SEAL, Finding, FindingAppeal, FindingRevision, Visit
from window_staff.scoring.rules import rules_of


async def _draft_for_review(principal: Principal, finding_id: int, *, action: str) -> dict[str, Any]:
    row = await store.get_finding(principal, finding_id)
    domain.require_draft(row["status"], action=action)
    return row


async def _update_draft(row: dict[str, Any], values: dict[Any, Any]) -> None:
    values = {**values, Finding.row_mac: integrity.row_mac(Finding._meta.db, FINDING_SEAL, {**row, **values})}
    # Conditional on the revision read: on PostgreSQL two reviews of one draft may interleave.
    done = (
        await Finding.update(values)
        .where((Finding.id == row["id"]) & (Finding.revision == row["revision"]) & (Finding.status == domain.DRAFT))
        .returning(Finding.id)
    )
    if not done:
        raise FindingRevisionConflict("the finding changed meanwhile; reload it", revision=row["revision"])


async def edit_finding(ctx: AppContext, finding_id: int, data: FindingEditIn, *, principal: Principal) -> FindingOut:
    """The lead corrects a draft; the new state and the reason are kept as the next revision."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await _draft_for_review(principal, finding_id, action="edit")
        if data.revision != row["revision"]:
            raise FindingRevisionConflict(
                f"the finding is at revision {row['revision']}, the edit is based on {data.revision}", revision=row["revision"]
            )
        values: dict[Any, Any] = {}
        if data.item is not msgspec.UNSET:
            item = domain.checklist_item(rules_of(ctx), data.item)
            values.update({Finding.item: item.id, Finding.category: item.category, Finding.positive: item.positive})
        if data.severity is not msgspec.UNSET:
            values[Finding.severity] = data.severity
        if data.note is not msgspec.UNSET:
            values[Finding.note] = data.note
        if data.observed_at is not msgspec.UNSET:
            visit = await Visit.select(Visit.started_at).where(Visit.id == row["visit"]).first()
            values[Finding.observed_at] = domain.check_observed_at(
                data.observed_at, now=now, visit_started_at=visit["started_at"] if visit else None
            )
        window_id = row["window"] if data.window_id is msgspec.UNSET else data.window_id
        staff_id = row["staff"] if data.staff_id is msgspec.UNSET else data.staff_id
        if (window_id, staff_id) != (row["window"], row["staff"]):
            await check_placement(row["visit"], window_id=window_id, staff_id=staff_id)
            values.update({Finding.window: window_id, Finding.staff: staff_id})
        revision = row["revision"] + 1
        values[Finding.revision] = revision
        await _update_draft(row, values)
        state = await Finding.select().where(Finding.id == finding_id).first()
        assert state is not None  # updated above in this transaction; findings are never deleted
        await add_revision(finding_id, revision=revision, action="edited", state=state, reason=data.reason, actor=principal.actor, at=now)
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="inspection.finding.edited",
            subject_type="inspection_finding",
            subject_id=finding_id,
            data={"revision": revision, "reason": data.reason},
        )
    return await get_finding(ctx, finding_id, principal=principal)


async def reject_finding(ctx: AppContext, finding_id: int, data: FindingRejectIn, *, principal: Principal) -> FindingOut:
    """The lead rejects a draft; it stays embargoed for good (and kept, with the reason)."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await _draft_for_review(principal, finding_id, action="reject")
        revision = row["revision"] + 1
        await _update_draft(row, {Finding.status: domain.REJECTED, Finding.revision: revision})
        state = await Finding.select().where(Finding.id == finding_id).first()
        assert state is not None  # updated above in this transaction; findings are never deleted
        await add_revision(finding_id, revision=revision, action="rejected", state=state, reason=data.reason, actor=principal.actor, at=now)
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="inspection.finding.rejected",
            subject_type="inspection_finding",
            subject_id=finding_id,
            data={"revision": revision, "reason": data.reason},
        )
    return await get_finding(ctx, finding_id, principal=principal)


async def publish_finding(ctx: AppContext, finding_id: int, *, principal: Principal) -> FindingOut:
    """The lead publishes a draft (and, for an undercover visit, the visit with it)."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await _draft_for_review(principal, finding_id, action="publish")
        visit = await Visit.select(Visit.id, Visit.kind, Visit.status, Visit.published_at).where(Visit.id == row["visit"]).first()
        assert visit is not None  # a finding always has its visit (foreign key)
        if visit["kind"] == "undercover" and visit["status"] != domain.DONE:
            raise VisitStateConflict("an undercover visit's findings are published after the visit has ended", visit_status=visit["status"])
        revision = row["revision"] + 1
        await _update_draft(
            row,
            {
                Finding.status: domain.PUBLISHED,
                Finding.revision: revision,
                Finding.published_at: now,
                Finding.published_by: principal.actor,
            },
        )
        if visit["published_at"] is None:
            await Visit.update({Visit.published_at: now}).where(Visit.id == visit["id"])
            await audit.record(
                ctx.engine,
                at=now,
                actor=principal.actor,
                action="inspection.visit.published",
                subject_type="inspection_visit",
                subject_id=visit["id"],
                data={"with_finding": finding_id},
            )
        state = await Finding.select().where(Finding.id == finding_id).first()
        assert state is not None  # updated above in this transaction; findings are never deleted
        await add_revision(finding_id, revision=revision, action="published", state=state, reason="", actor=principal.actor, at=now)
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="inspection.finding.published",
            subject_type="inspection_finding",
            subject_id=finding_id,
            data={"revision": revision},
        )
        # In the publishing transaction: the staff member is told and the appeal window opens with the publication, or neither.
        await on_published(ctx, finding_id, actor=principal.actor)
    return await get_finding(ctx, finding_id, principal=principal)


async def revisions(ctx: AppContext, finding_id: int, *, principal: Principal) -> list[RevisionOut]:
    """Every kept state of a finding the caller may see, oldest first."""
    await store.get_finding(principal, finding_id)
    rows = await FindingRevision.select().where(FindingRevision.finding == finding_id).order_by(FindingRevision.revision)
    return [
        RevisionOut(
            revision=r["revision"],
            action=r["action"],
            data=json.loads(r["data"]),
            reason=r["reason"],
            changed_by=r["changed_by"],
            changed_at=r["changed_at"],
        )
        for r in rows
    ]


async def outcomes(ctx: AppContext, finding_ids: list[int], *, principal: Principal) -> dict[int, ReviewOutcomeOut]:
    """The review outcome of each finding the caller may see (the inspector's history): who decided what, and why."""
    visible = [
        r["id"] for r in await Finding.select(Finding.id).where(Finding.id.is_in(finding_ids or [-1]) & store.visible_findings(principal))
    ]
    if not visible:
        return {}
    upheld = {r["finding"] for r in await upheld_findings().where(FindingAppeal.finding.is_in(visible))}
    out = {i: ReviewOutcomeOut(finding_id=i, outcome="pending", by=None, at=None, reason="") for i in visible}
    decided = (
        await FindingRevision.select()
        .where(FindingRevision.finding.is_in(visible) & FindingRevision.action.is_in(["published", "rejected"]))
        .order_by(FindingRevision.revision)
    )
    for r in decided:  # the last decision wins
        outcome: Outcome = "appeal_upheld" if r["finding"] in upheld and r["action"] == "published" else r["action"]
        out[r["finding"]] = ReviewOutcomeOut(
            finding_id=r["finding"], outcome=outcome, by=r["changed_by"], at=r["changed_at"], reason=r["reason"]
        )
    return out
