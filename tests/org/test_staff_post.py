"""A staff member's post (职务): HR sets, changes and clears it; a post too long or on two lines is refused, nothing changed."""

from tests.factories import logged_in, make_staff, make_window
from window_staff.org import service as org


async def _new(client, hr, window, **extra):
    body = {"employee_no": f"P{window.id}", "name": "王伟", "department_id": window.department_id, "window_id": window.id}
    return await client.post("/api/v1/staff", json={**body, "hired_on": "2020-03-01", **extra}, headers=hr)


async def test_hr_adds_a_staff_member_with_a_post_trimmed(client, app_ctx):
    _, hr = await logged_in(client, app_ctx, "hr")
    created = await _new(client, hr, await make_window(app_ctx), post="  首席代表　")
    assert created.status_code == 201 and created.json()["post"] == "首席代表"
    assert (await client.get(f"/api/v1/staff/{created.json()['id']}", headers=hr)).json()["post"] == "首席代表"


async def test_a_staff_member_added_without_a_post_has_none(client, app_ctx):
    _, hr = await logged_in(client, app_ctx, "hr")
    created = await _new(client, hr, await make_window(app_ctx))
    assert created.status_code == 201 and created.json()["post"] == ""


async def test_hr_changes_the_post_and_other_changes_keep_it(client, app_ctx):
    member = await make_staff(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    changed = await client.patch(f"/api/v1/staff/{member.id}", json={"post": "窗口负责人"}, headers=hr)
    assert changed.status_code == 200 and changed.json()["post"] == "窗口负责人"
    kept = await client.patch(f"/api/v1/staff/{member.id}", json={"badge_no": "B-9"}, headers=hr)
    assert kept.json()["post"] == "窗口负责人"


async def test_an_empty_post_clears_it(client, app_ctx):
    member = await make_staff(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    await client.patch(f"/api/v1/staff/{member.id}", json={"post": "科员"}, headers=hr)
    cleared = await client.patch(f"/api/v1/staff/{member.id}", json={"post": "  "}, headers=hr)
    assert cleared.status_code == 200 and cleared.json()["post"] == ""


async def test_a_post_of_41_characters_is_a_400_problem_and_nothing_changes(client, app_ctx):
    member = await make_staff(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    await client.patch(f"/api/v1/staff/{member.id}", json={"post": "科员"}, headers=hr)
    refused = await client.patch(f"/api/v1/staff/{member.id}", json={"post": "长" * 41, "name": "改名"}, headers=hr)
    assert refused.status_code == 400 and refused.headers["content-type"].startswith("application/problem+json")
    after = (await client.get(f"/api/v1/staff/{member.id}", headers=hr)).json()
    assert after["post"] == "科员" and after["name"] == member.name
    assert (await client.patch(f"/api/v1/staff/{member.id}", json={"post": "长" * 40}, headers=hr)).json()["post"] == "长" * 40


async def test_a_post_on_two_lines_is_refused(client, app_ctx):
    _, hr = await logged_in(client, app_ctx, "hr")
    window = await make_window(app_ctx)
    assert (await _new(client, hr, window, post="科员\n首席代表")).status_code == 400
    assert (await client.get("/api/v1/staff", headers=hr)).json()["total"] == 0


async def test_a_staff_member_cannot_set_their_own_post(client, app_ctx):
    me = await make_staff(app_ctx)
    _, headers = await logged_in(client, app_ctx, "staff", staff_id=me.id)
    assert (await client.patch(f"/api/v1/staff/{me.id}", json={"post": "首席代表"}, headers=headers)).status_code == 403


async def test_inspectors_see_the_post_which_the_hall_shows_anyway(client, app_ctx):
    member = await make_staff(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    await client.patch(f"/api/v1/staff/{member.id}", json={"post": "综合受理员"}, headers=hr)
    _, inspector = await logged_in(client, app_ctx, "inspector")
    body = (await client.get(f"/api/v1/staff/{member.id}", headers=inspector)).json()
    assert body["post"] == "综合受理员" and "phone" not in body


async def test_postings_carry_the_post_to_other_domains(client, app_ctx):
    member = await make_staff(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    await client.patch(f"/api/v1/staff/{member.id}", json={"post": "首席代表"}, headers=hr)
    [posting] = await org.postings_of([member.id])
    assert posting.post == "首席代表"
