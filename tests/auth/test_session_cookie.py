"""Session cookies live exactly as long as their sessions (not until 2083)."""

from __future__ import annotations

from http.cookies import SimpleCookie

from tests.evaluations.support_delegates import invite, make_campaign, make_world
from tests.factories import PASSWORD, make_user
from window_staff.evaluations.tables import DelegateSession


def _cookie(response, name: str):
    jar = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return jar[name]


async def test_the_api_login_cookie_lasts_as_long_as_the_session(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    response = await client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
    cookie = _cookie(response, "ws_session")
    assert int(cookie["max-age"]) == app_ctx.settings.session_ttl_hours * 3600
    assert not cookie["expires"] or "2083" not in cookie["expires"]


async def test_the_page_login_cookie_lasts_as_long_as_the_session(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    response = await client.post("/login", data={"username": user.username, "password": PASSWORD, "next": "/app"})
    assert response.status_code == 303
    assert int(_cookie(response, "ws_session")["max-age"]) == app_ctx.settings.session_ttl_hours * 3600


async def test_the_delegate_cookie_lasts_as_long_as_the_delegate_session(client, app_ctx):
    world = await make_world(app_ctx)
    campaign = await make_campaign(app_ctx, world, targets=[("staff", world.staff[0].id)])
    _, issued = await invite(app_ctx, world, campaign.id)
    response = await client.post("/delegate/start", data={"token": issued.token, "code": issued.code})
    assert response.status_code == 303, response.text
    session = await DelegateSession.select(DelegateSession.expires_at).first()
    assert session is not None
    lifetime = int((session["expires_at"] - app_ctx.clock.now()).total_seconds())
    assert int(_cookie(response, "ws_delegate")["max-age"]) == lifetime
