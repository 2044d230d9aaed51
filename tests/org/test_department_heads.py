"""Department heads: HR names an active staff member of the department; the list shows the current head."""

from tests.factories import logged_in, make_staff, make_window


async def test_hr_names_a_head_and_the_newest_one_counts(client, app_ctx):
    window = await make_window(app_ctx)
    first, second = await make_staff(app_ctx, window=window), await make_staff(app_ctx, window=window)
    _, hr = await logged_in(client, app_ctx, "hr")
    for staff in (first, second):
        answer = await client.put(f"/api/v1/departments/{window.department_id}/head", json={"staff_id": staff.id}, headers=hr)
        assert answer.status_code == 200, answer.text
    listed = (await client.get("/api/v1/departments/", headers=hr)).json()["items"]
    assert [d["head_staff_id"] for d in listed if d["id"] == window.department_id] == [second.id]


async def test_a_head_from_another_department_is_refused(client, app_ctx):
    window, elsewhere = await make_window(app_ctx), await make_window(app_ctx)
    outsider = await make_staff(app_ctx, window=elsewhere)
    _, hr = await logged_in(client, app_ctx, "hr")
    refused = await client.put(f"/api/v1/departments/{window.department_id}/head", json={"staff_id": outsider.id}, headers=hr)
    assert refused.status_code == 422 and refused.json()["code"] == "head_not_in_department"


async def test_staff_cannot_name_a_head(client, app_ctx):
    window = await make_window(app_ctx)
    me = await make_staff(app_ctx, window=window)
    _, headers = await logged_in(client, app_ctx, "staff", staff_id=me.id)
    assert (
        await client.put(f"/api/v1/departments/{window.department_id}/head", json={"staff_id": me.id}, headers=headers)
    ).status_code == 403
