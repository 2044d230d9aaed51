"""Errors are RFC 9457 problem details with the right status and no internals."""

from litestar import Litestar, get

from tests.factories import logged_in
from window_staff.errors import EXCEPTION_HANDLERS


async def test_unknown_path_is_a_404_problem(client):
    response = await client.get("/no/such/thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


async def test_wrong_method_is_a_405_problem(client):
    response = await client.delete("/health")
    assert response.status_code == 405 and response.json()["status"] == 405


async def test_malformed_json_is_a_400_problem(client):
    response = await client.post("/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["code"] == "bad_request"
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_validation_errors_do_not_echo_the_submitted_value(client):
    response = await client.post("/api/v1/auth/login", json={"username": "ok-name", "password": "secret-value-xyz", "totp": "12"})
    assert response.status_code == 400
    assert "secret-value-xyz" not in response.text


async def test_unknown_fields_are_refused_so_protected_fields_cannot_be_bound(client, app_ctx):
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await client.post("/api/v1/departments", json={"code": "X", "name": "X", "active": False}, headers=hr)
    assert response.status_code == 400


async def test_oversized_body_is_a_413_problem(client):
    response = await client.post("/api/v1/auth/login", content=b"{" + b" " * 10_000 + b"}", headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_page_size_above_the_maximum_is_422(client, app_ctx):
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await client.get("/api/v1/staff?limit=100000", headers=hr)
    assert response.status_code == 422 and response.json()["code"] == "page_size_too_large"


async def test_unexpected_failure_is_a_500_without_trace_or_sql():
    import httpx

    @get("/boom", sync_to_thread=False)
    def boom() -> None:
        raise RuntimeError("SELECT secret FROM vault -- Traceback")

    app = Litestar([boom], exception_handlers=EXCEPTION_HANDLERS, logging_config=None)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "SELECT" not in response.text and "Traceback" not in response.text
