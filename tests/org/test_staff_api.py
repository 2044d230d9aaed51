"""HR manages the organisation; staff see only themselves; inspectors see no contact details."""

from tests.factories import logged_in, make_staff, make_window


async def test_hr_builds_a_site_with_a_window_and_a_staff_member(client, app_ctx):
    _, hr = await logged_in(client, app_ctx, "hr")
    site = (await client.post("/api/v1/sites", json={"code": "C1", "name": "县中心", "kind": "county_centre"}, headers=hr)).json()
    town = await client.post(
        "/api/v1/sites", json={"code": "T1", "name": "镇中心", "kind": "township_centre", "parent_id": site["id"]}, headers=hr
    )
    assert town.status_code == 201 and town.json()["parent_id"] == site["id"]
    dept = (await client.post("/api/v1/departments", json={"code": "TAX", "name": "税务局"}, headers=hr)).json()
    window = (
        await client.post("/api/v1/windows", json={"site_id": site["id"], "department_id": dept["id"], "number": "A01"}, headers=hr)
    ).json()
    staff = await client.post(
        "/api/v1/staff",
        json={"employee_no": "E1", "name": "王伟", "department_id": dept["id"], "window_id": window["id"], "hired_on": "2020-03-01"},
        headers=hr,
    )
    assert staff.status_code == 201 and staff.json()["status"] == "active"
    listed = await client.get(f"/api/v1/staff?department_id={dept['id']}", headers=hr)
    assert [s["employee_no"] for s in listed.json()["items"]] == ["E1"]


async def test_window_numbers_are_unique_per_site(client, app_ctx):
    window = await make_window(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await client.post(
        "/api/v1/windows", json={"site_id": window.site_id, "department_id": window.department_id, "number": window.number}, headers=hr
    )
    assert response.status_code == 409


async def test_staff_with_an_unknown_department_is_422_and_nothing_is_stored(client, app_ctx):
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await client.post(
        "/api/v1/staff", json={"employee_no": "E9", "name": "x", "department_id": 999, "hired_on": "2020-01-01"}, headers=hr
    )
    assert response.status_code == 422
    assert (await client.get("/api/v1/staff", headers=hr)).json()["total"] == 0


async def test_staff_user_reads_own_record(client, app_ctx):
    me = await make_staff(app_ctx)
    _, headers = await logged_in(client, app_ctx, "staff", staff_id=me.id)
    response = await client.get(f"/api/v1/staff/{me.id}", headers=headers)
    assert response.status_code == 200 and response.json()["employee_no"] == me.employee_no


async def test_staff_user_reading_another_staff_member_gets_404(client, app_ctx):
    me = await make_staff(app_ctx)
    other = await make_staff(app_ctx)
    _, headers = await logged_in(client, app_ctx, "staff", staff_id=me.id)
    response = await client.get(f"/api/v1/staff/{other.id}", headers=headers)
    assert response.status_code == 404


async def test_staff_user_listing_staff_sees_only_themself(client, app_ctx):
    me = await make_staff(app_ctx)
    await make_staff(app_ctx)
    _, headers = await logged_in(client, app_ctx, "staff", staff_id=me.id)
    items = (await client.get("/api/v1/staff", headers=headers)).json()["items"]
    assert [s["id"] for s in items] == [me.id]


async def test_inspector_sees_staff_without_contact_details(client, app_ctx):
    member = await make_staff(app_ctx)
    _, headers = await logged_in(client, app_ctx, "inspector")
    body = (await client.get(f"/api/v1/staff/{member.id}", headers=headers)).json()
    assert body["name"] == member.name and "phone" not in body


async def test_delegate_cannot_read_staff(client, app_ctx):
    _, headers = await logged_in(client, app_ctx, "delegate")
    assert (await client.get("/api/v1/staff", headers=headers)).status_code == 403


async def test_staff_user_cannot_change_staff(client, app_ctx):
    me = await make_staff(app_ctx)
    _, headers = await logged_in(client, app_ctx, "staff", staff_id=me.id)
    response = await client.patch(f"/api/v1/staff/{me.id}", json={"name": "改名"}, headers=headers)
    assert response.status_code == 403


async def test_leaving_keeps_the_record_and_its_history(client, app_ctx):
    member = await make_staff(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await client.post(f"/api/v1/staff/{member.id}/leave", json={"left_on": "2026-06-30", "reason": "调离"}, headers=hr)
    assert response.status_code == 200 and response.json()["status"] == "left" and response.json()["left_on"] == "2026-06-30"
    assert (await client.get(f"/api/v1/staff/{member.id}", headers=hr)).status_code == 200
    assert (await client.post(f"/api/v1/staff/{member.id}/leave", json={"left_on": "2026-07-01"}, headers=hr)).status_code == 409
    left = await client.get("/api/v1/staff?status=left", headers=hr)
    assert [s["id"] for s in left.json()["items"]] == [member.id]


async def test_there_is_no_way_to_delete_a_staff_member(client, app_ctx):
    member = await make_staff(app_ctx)
    _, admin = await logged_in(client, app_ctx, "admin")
    assert (await client.delete(f"/api/v1/staff/{member.id}", headers=admin)).status_code == 405


async def test_pages_follow_on_until_the_end(client, app_ctx):
    window = await make_window(app_ctx)
    for _ in range(5):
        await make_staff(app_ctx, window=window)
    _, hr = await logged_in(client, app_ctx, "hr")
    first = (await client.get("/api/v1/staff?limit=2", headers=hr)).json()
    last = (await client.get("/api/v1/staff?limit=2&offset=4", headers=hr)).json()
    assert first["total"] == 5 and first["next_offset"] == 2 and len(first["items"]) == 2
    assert last["next_offset"] is None and len(last["items"]) == 1


async def test_changes_are_written_to_the_audit_chain(client, app_ctx):
    member = await make_staff(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    await client.patch(f"/api/v1/staff/{member.id}", json={"badge_no": "NEW-1"}, headers=hr)
    _, auditor = await logged_in(client, app_ctx, "auditor")
    status = (await client.get("/api/v1/audit/status", headers=auditor)).json()
    assert status["ok"] is True and status["checked"] >= 4
