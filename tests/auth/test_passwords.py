"""Changing one's own password, and an administrator's one-time reset link."""

from __future__ import annotations

import re

from tests.factories import PASSWORD, logged_in, login, make_user
from window_staff.common.db import execute

NEW = "a new and long password"


async def _events(ctx, action: str) -> list[dict]:
    return await execute(ctx.engine, "SELECT * FROM audit_event WHERE action = {} ORDER BY id", action)


async def _log_in(client, username: str, password: str, totp: str | None = None):
    body = {"username": username, "password": password} | ({"totp": totp} if totp else {})
    return await client.post("/api/v1/auth/login", json=body)


async def test_a_staff_member_changes_their_password_and_their_other_sessions_end(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    other = await login(client, app_ctx, user)
    mine = await login(client, app_ctx, user)
    response = await client.post("/api/v1/auth/password", json={"old_password": PASSWORD, "new_password": NEW}, headers=mine)
    assert response.status_code == 204
    assert (await client.get("/api/v1/auth/me", headers=mine)).status_code == 200
    assert (await client.get("/api/v1/auth/me", headers=other)).status_code == 401
    assert (await _log_in(client, user.username, PASSWORD)).status_code == 401
    assert (await _log_in(client, user.username, NEW)).status_code == 200
    assert len(await _events(app_ctx, "user.password_changed")) == 1


async def test_a_wrong_current_password_changes_nothing(client, app_ctx):
    user, headers = await logged_in(client, app_ctx, "staff")
    response = await client.post("/api/v1/auth/password", json={"old_password": "not-it-at-all", "new_password": NEW}, headers=headers)
    assert response.status_code == 403 and response.json()["code"] == "password_not_confirmed"
    assert (await _log_in(client, user.username, PASSWORD)).status_code == 200


async def test_an_mfa_account_needs_a_fresh_code_to_change_its_password(client, app_ctx):
    user, headers = await logged_in(client, app_ctx, "hr")
    without = await client.post("/api/v1/auth/password", json={"old_password": PASSWORD, "new_password": NEW}, headers=headers)
    assert without.status_code == 403
    app_ctx.clock.advance(seconds=30)
    body = {"old_password": PASSWORD, "new_password": NEW, "totp": user.code(app_ctx)}
    assert (await client.post("/api/v1/auth/password", json=body, headers=headers)).status_code == 204
    app_ctx.clock.advance(seconds=30)
    assert (await _log_in(client, user.username, NEW, user.code(app_ctx))).status_code == 200


async def test_a_new_password_follows_the_password_rules(client, app_ctx):
    _, headers = await logged_in(client, app_ctx, "staff")
    response = await client.post("/api/v1/auth/password", json={"old_password": PASSWORD, "new_password": "short"}, headers=headers)
    assert response.status_code == 400


async def test_an_admin_issues_a_reset_link_the_user_sets_a_password_once_and_every_session_ends(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    session = await login(client, app_ctx, user)
    _, admin = await logged_in(client, app_ctx, "admin")
    issued = await client.post(f"/api/v1/users/{user.id}/password-reset", headers=admin)
    assert issued.status_code == 201
    token = issued.json()["token"]
    assert f"/password-reset?token={token}" in issued.json()["url"]
    done = await client.post("/api/v1/auth/password-reset", json={"token": token, "new_password": NEW})
    assert done.status_code == 204
    assert (await client.get("/api/v1/auth/me", headers=session)).status_code == 401
    assert (await _log_in(client, user.username, NEW)).status_code == 200
    again = await client.post("/api/v1/auth/password-reset", json={"token": token, "new_password": "yet another password"})
    assert again.status_code == 404 and again.json()["code"] == "reset_link_invalid"
    assert len(await _events(app_ctx, "user.password_reset_issued")) == 1 and len(await _events(app_ctx, "user.password_reset")) == 1
    stored = await execute(app_ctx.engine, "SELECT token_hash FROM password_reset")
    assert token not in str(stored)


async def test_a_reset_link_expires_after_a_day(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    _, admin = await logged_in(client, app_ctx, "admin")
    token = (await client.post(f"/api/v1/users/{user.id}/password-reset", headers=admin)).json()["token"]
    app_ctx.clock.advance(hours=24, seconds=1)
    response = await client.post("/api/v1/auth/password-reset", json={"token": token, "new_password": NEW})
    assert response.status_code == 404
    assert (await _log_in(client, user.username, PASSWORD)).status_code == 200


async def test_a_newer_link_replaces_an_older_one(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    _, admin = await logged_in(client, app_ctx, "admin")
    first = (await client.post(f"/api/v1/users/{user.id}/password-reset", headers=admin)).json()["token"]
    second = (await client.post(f"/api/v1/users/{user.id}/password-reset", headers=admin)).json()["token"]
    assert (await client.post("/api/v1/auth/password-reset", json={"token": first, "new_password": NEW})).status_code == 404
    assert (await client.post("/api/v1/auth/password-reset", json={"token": second, "new_password": NEW})).status_code == 204


async def test_only_an_admin_issues_reset_links(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    _, hr = await logged_in(client, app_ctx, "hr")
    assert (await client.post(f"/api/v1/users/{user.id}/password-reset", headers=hr)).status_code == 403


async def test_the_pages_change_a_password_and_set_one_through_a_link(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    await client.post("/login", data={"username": user.username, "password": PASSWORD, "next": "/app"})
    form = await client.get("/app/password")
    assert form.status_code == 200 and "修改密码" in form.text and 'name="totp"' not in form.text
    token = form_token(form.text)
    differ = await client.post(
        "/app/password", data={"csrf_token": token, "old_password": PASSWORD, "new_password": NEW, "new_password_again": NEW + "x"}
    )
    assert differ.status_code == 422 and "两次输入的新密码不一致" in differ.text
    changed = await client.post(
        "/app/password", data={"csrf_token": token, "old_password": PASSWORD, "new_password": NEW, "new_password_again": NEW}
    )
    assert changed.status_code == 200 and "密码已修改" in changed.text
    _, admin = await logged_in(client, app_ctx, "admin")
    link = (await client.post(f"/api/v1/users/{user.id}/password-reset", headers=admin)).json()["url"]
    path = link[link.index("/password-reset") :]
    client.cookies.clear()
    assert "重置密码" in (await client.get(path)).text
    token = path.split("token=", 1)[1]
    reset = await client.post(
        "/password-reset", data={"token": token, "new_password": "third password!", "new_password_again": "third password!"}
    )
    assert reset.status_code == 200 and "密码已重置" in reset.text
    used = await client.get(path)
    assert used.status_code == 404 and "此重置链接无效" in used.text
    assert (await _log_in(client, user.username, "third password!")).status_code == 200


async def test_the_admin_page_shows_a_reset_link_once(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    admin = await make_user(app_ctx, "admin")
    body = {"username": admin.username, "password": PASSWORD, "totp": admin.code(app_ctx), "next": "/app"}
    await client.post("/login", data=body)
    token = form_token((await client.get(f"/app/admin/users/{user.id}")).text)
    unconfirmed = await client.post(f"/app/admin/users/{user.id}/password-reset", data={"csrf_token": token})
    assert unconfirmed.status_code == 303 and unconfirmed.headers["location"].endswith("?confirm=password-reset#confirm-password-reset")
    page = await client.post(f"/app/admin/users/{user.id}/password-reset", data={"csrf_token": token, "confirm": "yes"})
    assert page.status_code == 200 and "重置链接（只显示这一次）" in page.text
    assert "/password-reset?token=" in page.text
    assert "/password-reset?token=" not in (await client.get(f"/app/admin/users/{user.id}")).text


def form_token(page: str) -> str:
    """The page's own form token (every form posted with a session cookie carries it)."""
    return re.findall(r'name="csrf_token" value="([0-9a-f]+)"', page)[0]
