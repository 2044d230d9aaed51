"""Login, TOTP, throttling, logout and disabling through the API."""

import pyotp

from tests.factories import PASSWORD, logged_in, login, make_user


async def test_staff_logs_in_with_password_alone(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    response = await client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {response.json()['token']}"})
    assert me.json()["username"] == user.username and me.json()["roles"] == ["staff"]


async def test_wrong_password_is_a_401_problem_that_does_not_say_which_part_was_wrong(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    wrong = await client.post("/api/v1/auth/login", json={"username": user.username, "password": "nope-nope-nope"})
    unknown = await client.post("/api/v1/auth/login", json={"username": "nobody", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.headers["content-type"].startswith("application/problem+json")
    assert wrong.json()["title"] == unknown.json()["title"]


def _same(response) -> dict:
    body = response.json()
    return {k: v for k, v in body.items() if k not in ("request_id",)}


async def test_a_right_password_without_a_code_is_answered_as_a_wrong_password(client, app_ctx):
    user = await make_user(app_ctx, "hr")
    right = await client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
    wrong = await client.post("/api/v1/auth/login", json={"username": user.username, "password": "nope-nope-nope"})
    assert right.status_code == wrong.status_code == 401
    assert _same(right) == _same(wrong) and right.json()["code"] == "login_failed"


async def test_a_wrong_code_is_answered_as_a_wrong_password(client, app_ctx):
    user = await make_user(app_ctx, "hr")
    good = user.code(app_ctx)
    bad = f"{(int(good) + 1) % 1_000_000:06d}"
    with_code = await client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD, "totp": bad})
    wrong = await client.post("/api/v1/auth/login", json={"username": user.username, "password": "nope-nope-nope", "totp": bad})
    assert with_code.status_code == 401 and _same(with_code) == _same(wrong)


async def test_a_totp_code_cannot_be_replayed(client, app_ctx):
    user = await make_user(app_ctx, "admin")
    await login(client, app_ctx, user)
    again = await client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD, "totp": user.code(app_ctx)})
    assert again.status_code == 401 and again.json()["code"] == "login_failed"


async def test_privileged_user_without_a_second_factor_cannot_log_in(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    _, admin = await logged_in(client, app_ctx, "admin")
    await client.patch(f"/api/v1/users/{user.id}", json={"roles": ["hr"]}, headers=admin)
    response = await client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 403 and response.json()["code"] == "totp_enrolment_required"


async def test_repeated_failures_are_throttled_with_retry_after(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    for _ in range(5):
        await client.post("/api/v1/auth/login", json={"username": user.username, "password": "wrong-wrong-wrong"})
    response = await client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0


async def test_throttling_lifts_after_the_window(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    for _ in range(5):
        await client.post("/api/v1/auth/login", json={"username": user.username, "password": "wrong-wrong-wrong"})
    app_ctx.clock.advance(seconds=app_ctx.settings.login_window_seconds + 1)
    response = await client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200


async def test_logout_ends_the_session(client, app_ctx):
    _, headers = await logged_in(client, app_ctx, "staff")
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401


async def test_disabling_a_user_ends_every_session(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    first = await login(client, app_ctx, user)
    second = await login(client, app_ctx, user)
    _, admin = await logged_in(client, app_ctx, "admin")
    response = await client.patch(f"/api/v1/users/{user.id}", json={"active": False}, headers=admin)
    assert response.status_code == 200 and response.json()["active"] is False
    assert (await client.get("/api/v1/auth/me", headers=first)).status_code == 401
    assert (await client.get("/api/v1/auth/me", headers=second)).status_code == 401
    relogin = await client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
    assert relogin.status_code == 401


async def test_sessions_expire(client, app_ctx):
    _, headers = await logged_in(client, app_ctx, "staff")
    app_ctx.clock.advance(hours=app_ctx.settings.session_ttl_hours + 1)
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401


async def test_admin_creates_an_hr_user_and_gets_the_totp_uri_once(client, app_ctx):
    _, admin = await logged_in(client, app_ctx, "admin")
    response = await client.post("/api/v1/users", json={"username": "newhr", "password": "a good password", "roles": ["hr"]}, headers=admin)
    assert response.status_code == 201
    uri = response.json()["totp_uri"]
    assert pyotp.parse_uri(uri).secret
    listed = await client.get(f"/api/v1/users/{response.json()['user']['id']}", headers=admin)
    assert "totp" not in listed.text.replace('"mfa"', "")
    assert "password" not in listed.text


async def test_unknown_role_is_422(client, app_ctx):
    _, admin = await logged_in(client, app_ctx, "admin")
    response = await client.post("/api/v1/users", json={"username": "x1", "password": "a good password", "roles": ["king"]}, headers=admin)
    assert response.status_code == 422 and response.json()["code"] == "unknown_role"


async def test_duplicate_username_is_409(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    _, admin = await logged_in(client, app_ctx, "admin")
    response = await client.post(
        "/api/v1/users", json={"username": user.username, "password": "a good password", "roles": ["staff"]}, headers=admin
    )
    assert response.status_code == 409


async def test_non_admin_cannot_manage_users(client, app_ctx):
    _, hr = await logged_in(client, app_ctx, "hr")
    assert (await client.get("/api/v1/users", headers=hr)).status_code == 403


async def test_an_administrator_cannot_disable_themselves_or_drop_their_own_admin_role(client, app_ctx):
    me, admin = await logged_in(client, app_ctx, "admin")
    for change in ({"active": False}, {"roles": ["hr"]}):
        refused = await client.patch(f"/api/v1/users/{me.id}", json=change, headers=admin)
        assert refused.status_code == 403 and refused.json()["code"] == "own_admin_access"
    mine = (await client.get(f"/api/v1/users/{me.id}", headers=admin)).json()
    assert mine["active"] is True and mine["roles"] == ["admin"]
    renamed = await client.patch(f"/api/v1/users/{me.id}", json={"display_name": "新名字", "roles": ["admin", "auditor"]}, headers=admin)
    assert renamed.status_code == 200  # other changes to oneself stay allowed
