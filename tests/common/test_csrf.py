"""Cross-site requests: a cookie is not enough. Origin (or Sec-Fetch-Site), the pages' form token, JSON as JSON."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_user
from window_staff.common.form import first_text_part
from window_staff.common.guards import SESSION_COOKIE
from window_staff.settings import load_settings

READ_ALL = "/api/v1/me/notifications/read-all"
PUBLIC_URL = "https://staff.example.gov.cn"


@pytest.fixture
def settings(database_url, tmp_path):
    # The test client connects from 203.0.113.7: here that address is a trusted reverse proxy.
    return load_settings(
        {}, database_url=database_url, data_dir=tmp_path, face_pool_warm=False, trusted_proxies=["203.0.113.0/24"], public_url=PUBLIC_URL
    )


async def session_cookie(client, ctx) -> str:
    """Log a staff user in through the API and keep only the session cookie (no bearer header on later calls)."""
    user = await make_user(ctx, "staff")
    response = await client.post("/api/v1/auth/login", json={"username": user.username, "password": user.password})
    assert response.status_code == 200, response.text
    return response.cookies[SESSION_COOKIE]


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://testserver.evil.example", "https://testserver"])
async def test_a_cookie_borne_post_from_another_origin_is_refused(client, app_ctx, origin) -> None:
    await session_cookie(client, app_ctx)
    response = await client.post(READ_ALL, headers={"Origin": origin})
    assert response.status_code == 403 and response.json()["code"] == "cross_origin_refused"


async def test_a_cookie_borne_post_from_a_cross_site_page_without_origin_is_refused(client, app_ctx) -> None:
    await session_cookie(client, app_ctx)
    response = await client.post(READ_ALL, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403 and response.json()["code"] == "cross_origin_refused"


@pytest.mark.parametrize(
    ("origin", "headers"),
    [
        ("http://testserver", {}),
        ("http://testserver:80", {}),
        (PUBLIC_URL, {}),
        ("https://testserver", {"X-Forwarded-Proto": "https"}),  # the trusted proxy says the client used HTTPS
    ],
)
async def test_the_services_own_origins_are_accepted(client, app_ctx, origin, headers) -> None:
    await session_cookie(client, app_ctx)
    response = await client.post(READ_ALL, headers={"Origin": origin, **headers})
    assert response.status_code == 200, response.text


async def test_a_bearer_call_is_not_cookie_borne_and_needs_no_origin(client, app_ctx) -> None:
    user = await make_user(app_ctx, "staff")
    token = (await client.post("/api/v1/auth/login", json={"username": user.username, "password": user.password})).json()["token"]
    client.cookies.clear()
    response = await client.post(READ_ALL, headers={"Authorization": f"Bearer {token}", "Origin": "https://tool.example"})
    assert response.status_code == 200, response.text


async def test_a_json_route_refuses_a_text_plain_body(client, app_ctx) -> None:
    user = await make_user(app_ctx, "staff")
    body = f'{{"username": "{user.username}", "password": "{user.password}"}}'
    response = await client.post("/api/v1/auth/login", content=body, headers={"Content-Type": "text/plain"})
    assert response.status_code == 415 and response.json()["code"] == "json_required"
    assert SESSION_COOKIE not in response.cookies


async def test_a_page_form_without_the_sessions_token_is_refused_with_a_page(client, app_ctx) -> None:
    await session_cookie(client, app_ctx)
    response = await client.post("/logout", data={})
    assert response.status_code == 403 and response.headers["content-type"].startswith("text/html")
    assert "请刷新页面后重新提交" in response.text
    forged = await client.post("/logout", data={"csrf_token": "0" * 64})
    assert forged.status_code == 403


async def test_a_page_form_with_the_token_the_page_rendered_is_accepted(client, app_ctx) -> None:
    await session_cookie(client, app_ctx)
    page = await client.get("/app")
    (token,) = re.findall(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)[:1]
    response = await client.post("/logout", data={"csrf_token": token}, headers={"Origin": "http://testserver"})
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_the_token_is_found_in_a_multipart_form_before_a_large_photo() -> None:
    body = (
        b'--XX\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\nabc123\r\n'
        b'--XX\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        + b"\xff" * 100_000
        + b"\r\n--XX--\r\n"
    )
    assert first_text_part(body, "multipart/form-data; boundary=XX", name="csrf_token") == "abc123"
    assert first_text_part(body, "multipart/form-data; boundary=XX", name="missing") is None
