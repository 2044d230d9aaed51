"""Findings: logging by an inspector of the visit, validation against the checklist and the visit, the lead's review."""

import pytest

from tests.factories import make_staff, make_window
from tests.inspections.support import log_finding, make_inspector, make_visit, principal, publish
from window_staff.inspections import service
from window_staff.inspections.errors import (
    ChecklistItemUnknown,
    FindingNotEditable,
    FindingRevisionConflict,
    NotOnVisit,
    StaffNotAtWindow,
    VisitNotFound,
    VisitStateConflict,
    WindowNotCovered,
)
from window_staff.inspections.schemas.visits import FindingEditIn, FindingIn, FindingRejectIn
from window_staff.inspections.service import review as service_review


async def test_a_logged_finding_is_a_draft_with_category_and_positive_copied_from_the_checklist(ctx):
    scene = await make_visit(ctx)
    staff = await make_staff(ctx, window=scene.window)
    finding = await log_finding(ctx, scene, staff_id=staff.id, item="badge_worn")
    assert (finding.status, finding.revision, finding.category, finding.positive) == ("draft", 1, "basic", False)
    assert finding.logged_by == scene.inspector.id


async def test_a_finding_may_name_the_window_alone(ctx):
    scene = await make_visit(ctx)
    finding = await log_finding(ctx, scene)
    assert (finding.staff_id, finding.window_id) == (None, scene.window.id)


async def test_an_unknown_checklist_item_is_refused(ctx):
    scene = await make_visit(ctx)
    with pytest.raises(ChecklistItemUnknown):
        await log_finding(ctx, scene, item="no_such_item")


async def test_a_window_the_visit_does_not_cover_is_refused(ctx):
    scene = await make_visit(ctx)
    other = await make_window(ctx, site_id=scene.window.site_id)
    with pytest.raises(WindowNotCovered):
        await log_finding(ctx, scene, window_id=other.id)


async def test_a_staff_member_posted_at_another_window_is_refused(ctx):
    scene = await make_visit(ctx)
    elsewhere = await make_staff(ctx)
    with pytest.raises(StaffNotAtWindow):
        await log_finding(ctx, scene, staff_id=elsewhere.id)


async def test_an_inspector_not_on_an_undercover_visit_cannot_find_it(ctx):
    scene = await make_visit(ctx, kind="undercover")
    stranger = principal(await make_inspector(ctx), "inspector")
    with pytest.raises(VisitNotFound):
        await service.get_visit(ctx, scene.visit.id, principal=stranger)


async def test_an_inspector_who_sees_the_visit_but_is_not_on_it_cannot_log(ctx):
    scene = await make_visit(ctx)
    hr_inspector = principal(await make_inspector(ctx), "inspector", "hr")  # sees open visits as HR
    data = FindingIn(window_id=scene.window.id, item="badge_worn", observed_at=ctx.clock.now())
    with pytest.raises(NotOnVisit):
        await service.log_finding(ctx, scene.visit.id, data, principal=hr_inspector)


async def test_findings_wait_for_the_visit_to_start(ctx):
    scene = await make_visit(ctx, start=False)
    with pytest.raises(VisitStateConflict):
        await log_finding(ctx, scene)


async def test_every_edit_is_kept_as_a_revision_with_its_reason(ctx):
    scene = await make_visit(ctx)
    finding = await log_finding(ctx, scene, severity="minor", note="no badge")
    await service_review.edit_finding(
        ctx, finding.id, FindingEditIn(revision=1, reason="seen twice", severity="major"), principal=scene.lead_p
    )
    await service_review.edit_finding(
        ctx, finding.id, FindingEditIn(revision=2, reason="typo", note="no badge at 9:05"), principal=scene.lead_p
    )
    await publish(ctx, scene, finding.id)
    revs = await service_review.revisions(ctx, finding.id, principal=scene.lead_p)
    assert [(r.revision, r.action, r.reason) for r in revs] == [
        (1, "logged", ""),
        (2, "edited", "seen twice"),
        (3, "edited", "typo"),
        (4, "published", ""),
    ]
    assert [(r.data["severity"], r.data["note"], r.data["status"]) for r in revs] == [
        ("minor", "no badge", "draft"),
        ("major", "no badge", "draft"),
        ("major", "no badge at 9:05", "draft"),
        ("major", "no badge at 9:05", "published"),
    ]


async def test_an_edit_based_on_an_old_revision_is_refused(ctx):
    scene = await make_visit(ctx)
    finding = await log_finding(ctx, scene)
    await service_review.edit_finding(ctx, finding.id, FindingEditIn(revision=1, reason="first"), principal=scene.lead_p)
    with pytest.raises(FindingRevisionConflict):
        await service_review.edit_finding(ctx, finding.id, FindingEditIn(revision=1, reason="stale"), principal=scene.lead_p)


async def test_editing_the_item_recopies_category_and_positive(ctx):
    scene = await make_visit(ctx)
    finding = await log_finding(ctx, scene, item="badge_worn")
    item = next(i for i in ctx.resources["scoring.rules"].checklist if i.positive)
    edited = await service_review.edit_finding(
        ctx, finding.id, FindingEditIn(revision=1, reason="commendation", item=item.id), principal=scene.lead_p
    )
    assert (edited.item, edited.category, edited.positive) == (item.id, item.category, True)


async def test_a_published_finding_cannot_be_edited(ctx):
    scene = await make_visit(ctx)
    finding = await log_finding(ctx, scene)
    await publish(ctx, scene, finding.id)
    with pytest.raises(FindingNotEditable):
        await service_review.edit_finding(ctx, finding.id, FindingEditIn(revision=2, reason="late fix"), principal=scene.lead_p)


async def test_a_rejected_finding_keeps_its_reason_and_cannot_be_published(ctx):
    scene = await make_visit(ctx)
    finding = await log_finding(ctx, scene)
    rejected = await service_review.reject_finding(ctx, finding.id, FindingRejectIn(reason="wrong window"), principal=scene.lead_p)
    assert rejected.status == "rejected"
    with pytest.raises(FindingNotEditable):
        await publish(ctx, scene, finding.id)


async def test_an_undercover_finding_is_published_only_after_the_visit_ended(ctx):
    scene = await make_visit(ctx, kind="undercover")
    finding = await log_finding(ctx, scene)
    with pytest.raises(VisitStateConflict):
        await service_review.publish_finding(ctx, finding.id, principal=scene.lead_p)


async def test_publishing_an_undercover_finding_publishes_its_visit(ctx):
    scene = await make_visit(ctx, kind="undercover")
    finding = await log_finding(ctx, scene)
    published = await publish(ctx, scene, finding.id)
    visit = await service.get_visit(ctx, scene.visit.id, principal=scene.lead_p)
    assert published.published_at == visit.published_at is not None
    assert published.published_by == scene.lead_p.actor
