"""The citizen's QR page: HR makes a window's code, the page rates a ticket, revoked codes are gone."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from tests.evaluations.support_ratings import make_rating_desk, settings  # noqa: F401
from tests.factories import logged_in
from window_staff.evaluations.tables import Rating, RatingCode

FORM = {"ticket": " a012 ", "level": "4", "efficiency": "5", "service_level": "4", "attitude": "5", "comment": "很耐心"}


async def _code(client, app_ctx, window_id: int) -> str:
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await client.post(f"/api/v1/evaluations/windows/{window_id}/rating-code", headers=hr)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["url"] == f"/rate/{body['token']}"
    return body["token"]


async def test_only_the_hash_of_the_code_is_stored(client, app_ctx):
    desk = await make_rating_desk(app_ctx)
    token = await _code(client, app_ctx, desk.window.id)
    [row] = await RatingCode.select()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest() and token not in str(row)


async def test_the_page_shows_the_window_and_the_person_on_duty_without_login(client, app_ctx):
    desk = await make_rating_desk(app_ctx)
    token = await _code(client, app_ctx, desk.window.id)
    response = await client.get(f"/rate/{token}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert 'lang="zh-CN"' in response.text and f"{desk.window.number}号窗口" in response.text
    assert desk.staff[0].name in response.text and desk.staff[0].employee_no not in response.text
    assert "非常不满意" in response.text and "办事效率" in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"] and "<script" not in response.text


async def test_a_posted_form_stores_a_qr_rating_of_todays_ticket(client, app_ctx, clock):
    desk = await make_rating_desk(app_ctx)
    token = await _code(client, app_ctx, desk.window.id)
    response = await client.post(f"/rate/{token}", data=FORM)
    assert response.status_code == 200 and "感谢您的评价" in response.text
    [row] = await Rating.select()
    today = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert (row["source"], row["transaction_ref"], row["staff"], row["level"], row["efficiency"], row["comment"]) == (
        "qr",
        f"{today}:A012",
        desk.staff[0].id,
        4,
        5,
        "很耐心",
    )


async def test_the_ticket_date_is_the_local_date_at_the_window(client, app_ctx, clock):
    clock.at = dt.datetime(2025, 3, 3, 17, 30, tzinfo=dt.UTC)  # 01:30 on 4 March in Shanghai
    desk = await make_rating_desk(app_ctx)
    token = await _code(client, app_ctx, desk.window.id)
    await client.post(f"/rate/{token}", data=FORM)
    assert (await Rating.select(Rating.transaction_ref))[0]["transaction_ref"] == "2025-03-04:A012"


async def test_a_double_tap_stores_one_rating_and_thanks_twice(client, app_ctx, clock):
    desk = await make_rating_desk(app_ctx)
    token = await _code(client, app_ctx, desk.window.id)
    first = await client.post(f"/rate/{token}", data=FORM)
    clock.advance(seconds=2)
    second = await client.post(f"/rate/{token}", data=FORM)
    assert (first.status_code, second.status_code) == (200, 200)
    assert await Rating.count() == 1


async def test_the_same_ticket_rated_differently_shows_the_form_with_a_conflict(client, app_ctx):
    desk = await make_rating_desk(app_ctx)
    token = await _code(client, app_ctx, desk.window.id)
    await client.post(f"/rate/{token}", data=FORM)
    response = await client.post(f"/rate/{token}", data={**FORM, "level": "1"})
    assert response.status_code == 409 and "已经评价过" in response.text
    assert await Rating.count() == 1


async def test_a_form_with_missing_choices_comes_back_with_chinese_messages_and_escaped_values(client, app_ctx):
    desk = await make_rating_desk(app_ctx)
    token = await _code(client, app_ctx, desk.window.id)
    response = await client.post(f"/rate/{token}", data={"ticket": "", "level": "4", "comment": "<script>alert(1)</script>"})
    assert response.status_code == 422
    assert "请填写业务号码" in response.text and "请选择“服务态度”的评价" in response.text
    assert "<script>alert" not in response.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert await Rating.count() == 0


async def test_a_new_code_revokes_the_old_one(client, app_ctx):
    desk = await make_rating_desk(app_ctx)
    old = await _code(client, app_ctx, desk.window.id)
    new = await _code(client, app_ctx, desk.window.id)
    gone, live = await client.get(f"/rate/{old}"), await client.get(f"/rate/{new}")
    assert gone.status_code == 404 and "评价码无效" in gone.text and live.status_code == 200
    assert (await client.post(f"/rate/{old}", data=FORM)).status_code == 404
    assert await Rating.count() == 0


async def test_a_revoked_code_and_an_unknown_token_are_404(client, app_ctx):
    desk = await make_rating_desk(app_ctx)
    token = await _code(client, app_ctx, desk.window.id)
    _, hr = await logged_in(client, app_ctx, "hr")
    assert (await client.delete(f"/api/v1/evaluations/windows/{desk.window.id}/rating-code", headers=hr)).status_code == 204
    assert (await client.get(f"/rate/{token}")).status_code == 404
    assert (await client.get("/rate/" + "x" * 32)).status_code == 404


async def test_only_hr_makes_codes(client, app_ctx):
    desk = await make_rating_desk(app_ctx)
    _, staff = await logged_in(client, app_ctx, "staff", staff_id=desk.staff[0].id)
    assert (await client.post(f"/api/v1/evaluations/windows/{desk.window.id}/rating-code", headers=staff)).status_code == 403


async def test_a_large_form_body_is_refused(client, app_ctx):
    desk = await make_rating_desk(app_ctx)
    token = await _code(client, app_ctx, desk.window.id)
    response = await client.post(f"/rate/{token}", data={**FORM, "comment": "长" * 4000})
    assert response.status_code == 413
    assert await Rating.count() == 0
