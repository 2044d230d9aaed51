"""Failed logins slow guessing without locking the rightful user out, and the account holder is told."""

from __future__ import annotations

from tests.factories import PASSWORD, login, make_user

WRONG = "wrong-wrong-wrong"


async def _fail(client, username: str, times: int, *, totp: str | None = None) -> list:
    body = {"username": username, "password": WRONG} | ({"totp": totp} if totp else {})
    return [await client.post("/api/v1/auth/login", json=body) for _ in range(times)]


async def test_an_administrator_whose_password_was_guessed_at_logs_in_once_the_short_wait_is_over(client, app_ctx):
    admin = await make_user(app_ctx, "admin")
    await _fail(client, admin.username, app_ctx.settings.login_max_failures)
    body = {"username": admin.username, "password": PASSWORD, "totp": admin.code(app_ctx)}
    during = await client.post("/api/v1/auth/login", json=body)
    assert during.status_code == 429 and during.json()["code"] == "login_throttled"
    wait = int(during.headers["retry-after"])
    assert 0 < wait <= app_ctx.settings.login_backoff_base_seconds
    app_ctx.clock.advance(seconds=wait)
    body["totp"] = admin.code(app_ctx)
    assert (await client.post("/api/v1/auth/login", json=body)).status_code == 200


async def test_each_further_failure_makes_the_wait_longer_up_to_the_cap(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    s = app_ctx.settings
    await _fail(client, user.username, s.login_max_failures)
    waits = []
    for _ in range(8):
        refused = (await _fail(client, user.username, 1))[0]
        waits.append(int(refused.headers["retry-after"]))
        app_ctx.clock.advance(seconds=waits[-1])
        assert (await _fail(client, user.username, 1))[0].status_code == 401  # looked at again: one more guess
    assert waits == sorted(waits) and waits[0] < waits[-1] == s.login_backoff_max_seconds


async def test_inside_the_wait_the_password_is_not_looked_at(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    await _fail(client, user.username, app_ctx.settings.login_max_failures)
    right = await client.post("/api/v1/auth/login", json={"username": user.username, "password": PASSWORD})
    wrong = (await _fail(client, user.username, 1))[0]
    assert right.status_code == wrong.status_code == 429  # no answer tells a guess was right


async def test_a_success_starts_the_count_again(client, app_ctx):
    user = await make_user(app_ctx, "staff")
    await _fail(client, user.username, app_ctx.settings.login_max_failures - 1)
    await login(client, app_ctx, user)
    failures = await _fail(client, user.username, app_ctx.settings.login_max_failures - 1)
    assert [r.status_code for r in failures] == [401] * (app_ctx.settings.login_max_failures - 1)
    await login(client, app_ctx, user)


async def test_twenty_failures_from_one_address_do_not_shut_out_a_colleague_behind_it(client, app_ctx):
    colleague = await make_user(app_ctx, "staff")
    limit = app_ctx.settings.login_max_failures * 4
    for i in range(limit):
        await client.post("/api/v1/auth/login", json={"username": f"nobody-{i}", "password": WRONG})
    sprayed = await client.post("/api/v1/auth/login", json={"username": "nobody-else", "password": WRONG})
    guessed = (await _fail(client, colleague.username, 1))[0]
    assert sprayed.status_code == guessed.status_code == 429 and int(sprayed.headers["retry-after"]) > 0
    assert (await client.post("/api/v1/auth/login", json={"username": colleague.username, "password": PASSWORD})).status_code == 200


async def test_the_account_holder_is_told_of_repeated_failures_at_the_next_login(client, app_ctx):
    user = await make_user(app_ctx, "hr")
    n = app_ctx.settings.login_max_failures
    await _fail(client, user.username, n)
    app_ctx.clock.advance(seconds=app_ctx.settings.login_backoff_max_seconds)
    headers = await login(client, app_ctx, user)
    notices = (await client.get("/api/v1/me/notifications", params={"unread": "true"}, headers=headers)).json()
    [notice] = notices["items"]
    assert notice["kind"] == "login_failures" and f"{n} 次登录失败" in notice["text"]


async def test_failures_on_a_name_nobody_holds_tell_nobody(client, app_ctx):
    await _fail(client, "nobody-at-all", app_ctx.settings.login_max_failures)
    other = await make_user(app_ctx, "staff")
    headers = await login(client, app_ctx, other)
    assert (await client.get("/api/v1/me/notifications", headers=headers)).json()["total"] == 0
