"""A user's notifications: only their own, unread ones on their own, marking one or all read."""

from __future__ import annotations

from tests.factories import logged_in, make_user
from window_staff.common.db import write_transaction
from window_staff.common.pagination import PageParams
from window_staff.notifications import service as notifications


async def _told(ctx, user_id: int, *texts: str) -> None:
    async with write_transaction(ctx.engine):  # messages are written with the event they tell of
        for n, text in enumerate(texts, start=1):
            await notifications.notify(ctx, {user_id: text}, kind="test", subject_type="test", subject_id=n)


async def test_a_user_lists_unread_ones_and_marks_all_read(client, app_ctx):
    user, headers = await logged_in(client, app_ctx, "staff")
    await _told(app_ctx, user.id, "一", "二", "三")
    first = (await client.get("/api/v1/me/notifications", headers=headers)).json()["items"][-1]
    assert (await client.post(f"/api/v1/me/notifications/{first['id']}/read", headers=headers)).status_code == 200
    unread = (await client.get("/api/v1/me/notifications", params={"unread": "true"}, headers=headers)).json()
    assert [n["text"] for n in unread["items"]] == ["三", "二"] and unread["unread"] == 2
    marked = await client.post("/api/v1/me/notifications/read-all", headers=headers)
    assert marked.json() == {"marked": 2}
    assert (await client.get("/api/v1/me/notifications", headers=headers)).json()["unread"] == 0


async def test_marking_all_read_leaves_other_users_unread(client, app_ctx):
    user, headers = await logged_in(client, app_ctx, "staff")
    other = await make_user(app_ctx, "staff")
    await _told(app_ctx, user.id, "mine")
    await _told(app_ctx, other.id, "theirs")
    await client.post("/api/v1/me/notifications/read-all", headers=headers)
    assert (await notifications.list_notifications(app_ctx, other.id, PageParams(limit=10, offset=0))).unread == 1
