"""An administrator links an account to a staff record: the person then reads their own pages; one live account per person."""

from tests.factories import logged_in, make_staff, make_user


async def test_a_linked_account_reads_its_own_month(client, app_ctx) -> None:
    person = await make_staff(app_ctx)
    user = await make_user(app_ctx, "staff")
    _, admin = await logged_in(client, app_ctx, "admin")
    answer = await client.put(f"/api/v1/users/{user.id}/staff", json={"staff_id": person.id}, headers=admin)
    assert answer.status_code == 200 and answer.json()["staff_id"] == person.id
    listed = (await client.get("/api/v1/users/", headers=admin, params={"limit": 200})).json()["items"]
    assert [u["staff_id"] for u in listed if u["id"] == user.id] == [person.id]


async def test_a_second_active_account_for_one_person_is_refused(client, app_ctx) -> None:
    person = await make_staff(app_ctx)
    await make_user(app_ctx, "staff", staff_id=person.id)
    other = await make_user(app_ctx, "staff")
    _, admin = await logged_in(client, app_ctx, "admin")
    refused = await client.put(f"/api/v1/users/{other.id}/staff", json={"staff_id": person.id}, headers=admin)
    assert refused.status_code == 409 and refused.json()["code"] == "staff_already_linked"
    assert (await client.get(f"/api/v1/users/{other.id}", headers=admin)).json()["staff_id"] is None


async def test_null_unlinks_and_an_unknown_staff_member_is_a_404(client, app_ctx) -> None:
    person = await make_staff(app_ctx)
    user = await make_user(app_ctx, "staff", staff_id=person.id)
    _, admin = await logged_in(client, app_ctx, "admin")
    assert (await client.put(f"/api/v1/users/{user.id}/staff", json={"staff_id": 999999}, headers=admin)).status_code == 404
    unlinked = await client.put(f"/api/v1/users/{user.id}/staff", json={"staff_id": None}, headers=admin)
    assert unlinked.status_code == 200 and unlinked.json()["staff_id"] is None


async def test_only_an_administrator_links_accounts(client, app_ctx) -> None:
    person = await make_staff(app_ctx)
    user = await make_user(app_ctx, "staff")
    _, hr = await logged_in(client, app_ctx, "hr")
    assert (await client.put(f"/api/v1/users/{user.id}/staff", json={"staff_id": person.id}, headers=hr)).status_code == 403
