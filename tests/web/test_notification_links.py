"""A message on the messages page leads to the page of what it is about, and to none when the reader has no such page."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from tests.inspections.support import principal, publish
from tests.inspections.test_notifications import _scene_with_users
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.db import write_transaction
from window_staff.common.pagination import PageParams
from window_staff.notifications import service as notifications
from window_staff.web.notification_links import subject_links

PAGE = PageParams(limit=50, offset=0)


async def _links_of(ctx, user) -> dict[str, str | None]:
    items = (await notifications.list_notifications(ctx, user.id, PAGE)).items
    links = await subject_links(ctx, principal(user, "staff"), items)
    return {n.kind: links.get(n.id) for n in items}


async def test_a_published_finding_leads_its_staff_member_to_the_month_that_lists_it(ctx):
    scene, staff_user, _, finding = await _scene_with_users(ctx)
    await publish(ctx, scene, finding.id)
    month = finding.observed_at.astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).strftime("%Y-%m")
    assert await _links_of(ctx, staff_user) == {"finding_published": f"/app/me?month={month}#findings"}


async def test_the_head_told_of_a_colleagues_finding_gets_no_link_for_there_is_no_page_of_it(ctx):
    scene, _, head, finding = await _scene_with_users(ctx)
    await publish(ctx, scene, finding.id)
    assert await _links_of(ctx, head) == {"finding_published": None}


async def test_failed_logins_lead_to_the_password_change(ctx):
    _, staff_user, _, _ = await _scene_with_users(ctx)
    async with write_transaction(ctx.engine):
        await notifications.notify(
            ctx, {staff_user.id: "3 次登录失败"}, kind="login_failures", subject_type="user", subject_id=staff_user.id
        )
    assert await _links_of(ctx, staff_user) == {"login_failures": "/app/password"}
