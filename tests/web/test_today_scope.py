"""Who may read Today, and what: a department head their departments only, a staff member who heads nothing not at all."""

from __future__ import annotations

from tests.attendance.support import local, make_world, terminal_punch
from tests.factories import logged_in, make_staff, make_window
from window_staff.org import service as org
from window_staff.org.schemas import DepartmentHeadIn


async def test_a_staff_member_who_heads_nothing_is_refused(client, app_ctx) -> None:
    world = await make_world(app_ctx)
    _, headers = await logged_in(client, app_ctx, "staff", staff_id=world.staff[0].id)
    response = await client.get("/app/today", headers=headers)
    assert response.status_code == 403


async def test_a_department_head_sees_their_windows_and_people_only(client, app_ctx, clock) -> None:
    world = await make_world(app_ctx)
    other_window = await make_window(app_ctx, site_id=world.site_id)
    stranger = await make_staff(app_ctx, window=other_window)
    head = world.staff[0]
    await org.set_department_head(app_ctx, world.window.department_id, DepartmentHeadIn(staff_id=head.id), actor="test")
    await terminal_punch(app_ctx, stranger.id, local(4, 8, 20), site_id=world.site_id)
    clock.at = local(4, 9, 0)
    _, headers = await logged_in(client, app_ctx, "staff", staff_id=head.id)
    page = (await client.get(f"/app/today/live?site={world.site_id}", headers=headers)).text
    assert world.window.number in page and head.name in page
    assert other_window.number not in page and stranger.name not in page


async def test_hr_sees_every_window_of_the_site_with_who_is_at_it(client, app_ctx, clock) -> None:
    world = await make_world(app_ctx)
    other_window = await make_window(app_ctx, site_id=world.site_id)
    comer = await make_staff(app_ctx, window=other_window)
    await terminal_punch(app_ctx, comer.id, local(4, 8, 20), site_id=world.site_id)
    clock.at = local(4, 9, 0)
    _, headers = await logged_in(client, app_ctx, "hr")
    page = (await client.get(f"/app/today?site={world.site_id}", headers=headers)).text
    assert world.window.number in page and other_window.number in page
    assert f'class="window staffed" data-window="{other_window.id}"' in page
    assert f'class="window vacant" data-window="{world.window.id}"' in page


async def test_a_refresh_after_the_session_ended_sends_the_whole_window_to_the_login_page(client) -> None:
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/app/today?site=1"}
    response = await client.get("/app/today/live?site=1", headers=headers)
    assert response.status_code == 200 and response.content == b""
    assert response.headers["HX-Redirect"] == "/login?next=/app/today%3Fsite%3D1"


async def test_the_approver_starts_on_today(client, app_ctx) -> None:
    _, headers = await logged_in(client, app_ctx, "approver")
    response = await client.get("/app", headers=headers)
    assert response.status_code == 303 and response.headers["location"] == "/app/today"
