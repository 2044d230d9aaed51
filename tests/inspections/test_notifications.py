"""Notifications: created when a finding is published (staff member and department head), read only by their recipient."""

from tests.factories import logged_in, login, make_staff, make_user
from tests.inspections.support import log_finding, make_inspected_staff, make_visit, publish
from window_staff.common.pagination import PageParams
from window_staff.notifications import service as notifications
from window_staff.org import service as org
from window_staff.org.schemas import DepartmentHeadIn

PAGE = PageParams(limit=50, offset=0)


async def _scene_with_users(ctx, *, kind="undercover"):
    scene = await make_visit(ctx, kind=kind)
    staff = await make_inspected_staff(ctx, scene)
    staff_user = await make_user(ctx, "staff", staff_id=staff.id)
    head_staff = await make_staff(ctx, window=scene.window)
    await org.set_department_head(ctx, staff.department_id, DepartmentHeadIn(staff_id=head_staff.id), actor="test")
    head = await make_user(ctx, "staff", staff_id=head_staff.id)
    finding = await log_finding(ctx, scene, staff_id=staff.id, item="badge_worn")
    return scene, staff_user, head, finding


async def test_publication_notifies_the_staff_member_with_the_problem_found(ctx):
    scene, staff_user, _, finding = await _scene_with_users(ctx)
    await publish(ctx, scene, finding.id)
    page = await notifications.list_notifications(ctx, staff_user.id, PAGE)
    assert [(n.subject_id, n.kind) for n in page.items] == [(finding.id, "finding_published")]
    assert "未佩戴工作牌" in page.items[0].text and "申诉" in page.items[0].text
    assert page.unread == 1


async def test_publication_notifies_the_department_head(ctx):
    scene, _, head, finding = await _scene_with_users(ctx)
    await publish(ctx, scene, finding.id)
    page = await notifications.list_notifications(ctx, head.id, PAGE)
    assert [n.subject_id for n in page.items] == [finding.id]
    assert page.items[0].text.startswith("本部门")


async def test_hr_is_told_when_the_department_has_no_head(ctx):
    scene = await make_visit(ctx, kind="open")
    staff = await make_inspected_staff(ctx, scene)
    hr = await make_user(ctx, "hr")
    finding = await log_finding(ctx, scene, staff_id=staff.id, item="badge_worn")
    await publish(ctx, scene, finding.id)
    assert [n.subject_id for n in (await notifications.list_notifications(ctx, hr.id, PAGE)).items] == [finding.id]


async def test_other_hr_users_are_not_told_when_the_department_has_a_head(ctx):
    scene, _, _, finding = await _scene_with_users(ctx)
    hr = await make_user(ctx, "hr")
    await publish(ctx, scene, finding.id)
    assert (await notifications.list_notifications(ctx, hr.id, PAGE)).total == 0


async def test_nobody_is_notified_before_publication(ctx):
    _, staff_user, head, _ = await _scene_with_users(ctx)
    for user in (staff_user, head):
        assert (await notifications.list_notifications(ctx, user.id, PAGE)).total == 0


async def test_my_notifications_are_newest_first(client, app_ctx):
    scene, staff_user, _, first = await _scene_with_users(app_ctx, kind="open")
    second = await log_finding(app_ctx, scene, staff_id=staff_user.staff_id, item="at_post")
    await publish(app_ctx, scene, first.id)
    await publish(app_ctx, scene, second.id)
    headers = await login(client, app_ctx, staff_user)
    body = (await client.get("/api/v1/me/notifications", headers=headers)).json()
    assert [n["subject_id"] for n in body["items"]] == [second.id, first.id]
    assert body["unread"] == 2


async def test_marking_read_lowers_the_unread_count(client, app_ctx):
    scene, staff_user, _, finding = await _scene_with_users(app_ctx, kind="open")
    await publish(app_ctx, scene, finding.id)
    headers = await login(client, app_ctx, staff_user)
    note_id = (await client.get("/api/v1/me/notifications", headers=headers)).json()["items"][0]["id"]
    response = await client.post(f"/api/v1/me/notifications/{note_id}/read", headers=headers)
    assert response.status_code == 200 and response.json()["read_at"] is not None
    assert (await client.get("/api/v1/me/notifications", headers=headers)).json()["unread"] == 0


async def test_nobody_reads_someone_elses_notification(client, app_ctx):
    scene, _, _, finding = await _scene_with_users(app_ctx, kind="open")
    await publish(app_ctx, scene, finding.id)
    _, other = await logged_in(client, app_ctx, "staff")
    staff_note = await _any_note_id(app_ctx, finding.id)
    response = await client.post(f"/api/v1/me/notifications/{staff_note}/read", headers=other)
    assert response.status_code == 404
    assert (await client.get("/api/v1/me/notifications", headers=other)).json()["total"] == 0


async def _any_note_id(ctx, finding_id):
    from window_staff.notifications.tables import Notification

    row = await Notification.select(Notification.id).where(Notification.subject_id == finding_id).first()
    return row["id"]
