"""The one visibility rule (store.py) applied to lists and counts, per role."""

from tests.factories import make_staff, make_user
from tests.inspections.support import log_finding, make_inspected_staff, make_visit, principal, publish
from window_staff.common.pagination import PageParams
from window_staff.inspections import service

PAGE = PageParams(limit=50, offset=0)


async def test_hr_lists_open_visits_but_not_an_unpublished_undercover_one(ctx):
    open_scene = await make_visit(ctx, kind="open")
    await make_visit(ctx, kind="undercover")
    hr = principal(await make_user(ctx, "hr"), "hr")
    page = await service.list_visits(ctx, PAGE, principal=hr)
    assert ([v.id for v in page.items], page.total) == ([open_scene.visit.id], 1)


async def test_hr_lists_an_undercover_visit_once_a_finding_of_it_is_published(ctx):
    scene = await make_visit(ctx, kind="undercover")
    finding = await log_finding(ctx, scene)
    await publish(ctx, scene, finding.id)
    hr = principal(await make_user(ctx, "hr"), "hr")
    assert [v.id for v in (await service.list_visits(ctx, PAGE, principal=hr)).items] == [scene.visit.id]


async def test_drafts_of_open_visits_are_not_counted_for_hr(ctx):
    scene = await make_visit(ctx, kind="open")
    await log_finding(ctx, scene)
    hr = principal(await make_user(ctx, "hr"), "hr")
    assert (await service.list_findings(ctx, PAGE, principal=hr)).total == 0


async def test_an_inspector_lists_only_the_findings_of_their_visits(ctx):
    mine = await make_visit(ctx, kind="open")
    other = await make_visit(ctx, kind="open")
    logged = await log_finding(ctx, mine)
    await log_finding(ctx, other)
    page = await service.list_findings(ctx, PAGE, principal=mine.inspector_p)
    assert [f.id for f in page.items] == [logged.id]


async def test_the_lead_sees_every_finding(ctx):
    scene = await make_visit(ctx, kind="undercover")
    other = await make_visit(ctx, kind="open", lead=scene.lead)
    await log_finding(ctx, scene)
    await log_finding(ctx, other)
    assert (await service.list_findings(ctx, PAGE, principal=scene.lead_p)).total == 2


async def test_a_staff_member_lists_only_their_own_published_findings(ctx):
    scene = await make_visit(ctx, kind="open")
    me = await make_inspected_staff(ctx, scene)
    colleague = await make_staff(ctx, window=scene.window)
    mine = await log_finding(ctx, scene, staff_id=me.id)
    theirs = await log_finding(ctx, scene, staff_id=colleague.id)
    draft = await log_finding(ctx, scene, staff_id=me.id)
    await publish(ctx, scene, mine.id)
    await publish(ctx, scene, theirs.id)
    user = await make_user(ctx, "staff", staff_id=me.id)
    page = await service.my_findings(ctx, PAGE, principal=principal(user, "staff"))
    assert ([f.id for f in page.items], page.total) == ([mine.id], 1)
    assert draft.id not in [f.id for f in page.items]
