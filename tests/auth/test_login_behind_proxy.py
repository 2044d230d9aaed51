"""Login throttling behind a reverse proxy: the client's address comes from X-Forwarded-For only when the proxy is trusted.

The in-process client connects from 203.0.113.7 (tests/conftest.py). With one failure allowed per user, an
address is throttled after four failures (settings: login_max_failures; an address gets 4x): its failing
attempts then answer 429 instead of 401, while a correct login from it still succeeds.
"""

from __future__ import annotations

import pytest

from tests.conftest import TEST_AUDIT_KEY
from tests.factories import PASSWORD, make_user
from window_staff.settings import load_settings

PEER_NETWORK = "203.0.113.0/24"
ADDRESS_LIMIT = 4
# A failing attempt: answered 429 from a throttled address, 401 from any other.
PROBE = {"username": "nobody-probe", "password": "wrong-wrong-wrong"}


@pytest.fixture
def trusted() -> list[str]:
    """The proxies the service trusts: by default the network the test client connects from."""
    return [PEER_NETWORK]


@pytest.fixture
def settings(database_url, tmp_path, trusted):
    return load_settings(
        {},
        database_url=database_url,
        data_dir=tmp_path,
        login_max_failures=1,
        face_pool_warm=False,
        audit_key=TEST_AUDIT_KEY,
        trusted_proxies=trusted,
    )


async def fail_logins(client, *forwarded_for: str) -> None:
    """One failed login per value of X-Forwarded-For, each for another unknown username."""
    for i, value in enumerate(forwarded_for):
        wrong = {"username": f"nobody-{i}", "password": "wrong-wrong-wrong"}
        response = await client.post("/api/v1/auth/login", json=wrong, headers={"X-Forwarded-For": value})
        assert response.status_code == 401


async def test_behind_a_trusted_proxy_the_throttle_follows_the_forwarded_client(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    await fail_logins(client, *["198.51.100.1"] * ADDRESS_LIMIT)
    from_sprayer = await client.post("/api/v1/auth/login", json=PROBE, headers={"X-Forwarded-For": "198.51.100.1"})
    other_name = PROBE | {"username": "nobody-other"}  # the probe's own name now waits its backoff
    from_colleague = await client.post("/api/v1/auth/login", json=other_name, headers={"X-Forwarded-For": "198.51.100.2"})
    assert from_sprayer.status_code == 429 and from_sprayer.json()["code"] == "login_throttled"
    assert from_colleague.status_code == 401
    body = {"username": user.username, "password": PASSWORD}
    assert (await client.post("/api/v1/auth/login", json=body, headers={"X-Forwarded-For": "198.51.100.1"})).status_code == 200


async def test_behind_a_trusted_proxy_a_prefixed_x_forwarded_for_does_not_escape_the_throttle(client, app_ctx):
    # The proxy appends the address it saw (198.51.100.1) to whatever the client sent before it.
    await fail_logins(client, *[f"192.0.2.{i}, 198.51.100.1" for i in range(ADDRESS_LIMIT)])
    response = await client.post("/api/v1/auth/login", json=PROBE, headers={"X-Forwarded-For": "192.0.2.99, 198.51.100.1"})
    assert response.status_code == 429


@pytest.mark.parametrize("trusted", [[], ["10.0.0.0/8"]], ids=["none", "another-network"])
async def test_from_an_untrusted_peer_a_spoofed_x_forwarded_for_does_not_move_the_throttle(client, app_ctx):
    await fail_logins(client, *[f"192.0.2.{i}" for i in range(ADDRESS_LIMIT)])
    response = await client.post("/api/v1/auth/login", json=PROBE, headers={"X-Forwarded-For": "192.0.2.200"})
    assert response.status_code == 429


async def test_a_login_a_trusted_proxy_reports_as_https_gets_a_secure_cookie(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    body = {"username": user.username, "password": PASSWORD}
    proxied = await client.post("/api/v1/auth/login", json=body, headers={"X-Forwarded-For": "198.51.100.1", "X-Forwarded-Proto": "https"})
    plain = await client.post("/api/v1/auth/login", json=body)
    assert "secure" in proxied.headers["set-cookie"].lower()
    assert "secure" not in plain.headers["set-cookie"].lower()


@pytest.mark.parametrize("trusted", [[]], ids=["none"])
async def test_an_untrusted_peer_claiming_https_gets_no_secure_cookie(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    body = {"username": user.username, "password": PASSWORD}
    response = await client.post("/api/v1/auth/login", json=body, headers={"X-Forwarded-Proto": "https"})
    assert "secure" not in response.headers["set-cookie"].lower()
