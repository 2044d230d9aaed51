"""Write a notification inside the caller's transaction; list and mark one's own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from window_staff.auth import service as auth
from window_staff.common.clock import as_utc
from window_staff.common.context import AppContext
from window_staff.common.db import insert_rows, write_transaction
from window_staff.common.pagination import PageParams, page_of
from window_staff.notifications.errors import NotificationNotFound
from window_staff.notifications.schemas import NotificationOut, NotificationPage
from window_staff.notifications.tables import Notification


async def notify(ctx: AppContext, texts: Mapping[int, str], *, kind: str, subject_type: str, subject_id: int) -> int:
    """Store one message per user id (in the caller's transaction, so the event and its messages commit together); how many."""
    if not texts:
        return 0
    now = ctx.clock.now()
    # A month shown to a whole centre is one message per person: bulk rows, not one Piccolo object each.
    columns = [
        Notification.recipient,
        Notification.kind,
        Notification.subject_type,
        Notification.subject_id,
        Notification.text,
        Notification.created_at,
    ]
    await insert_rows(
        ctx.engine, Notification, columns, [(uid, kind, subject_type, subject_id, text, now) for uid, text in sorted(texts.items())]
    )
    return len(texts)


def _out(r: dict[str, Any]) -> NotificationOut:
    return NotificationOut(
        id=r["id"],
        kind=r["kind"],
        subject_type=r["subject_type"],
        subject_id=r["subject_id"],
        text=r["text"],
        created_at=as_utc(r["created_at"]),
        read_at=as_utc(r["read_at"]) if r["read_at"] else None,
    )


async def list_notifications(ctx: AppContext, user_id: int, params: PageParams, *, unread_only: bool = False) -> NotificationPage:
    """The user's notifications, newest first, with how many are unread."""
    mine = Notification.recipient == user_id
    shown = mine & Notification.read_at.is_null() if unread_only else mine
    rows = await Notification.select().where(shown).order_by(Notification.id, ascending=False).limit(params.limit).offset(params.offset)
    total = await Notification.count().where(shown)
    unread = await Notification.count().where(mine & Notification.read_at.is_null())
    page = page_of([_out(r) for r in rows], total=total, params=params)
    return NotificationPage(
        items=page.items, total=total, unread=unread, limit=page.limit, offset=page.offset, next_offset=page.next_offset
    )


async def mark_read(ctx: AppContext, user_id: int, notification_id: int) -> NotificationOut:
    """Mark one of the user's notifications read (someone else's answers 404); reading twice keeps the first time."""
    where = (Notification.id == notification_id) & (Notification.recipient == user_id)
    async with write_transaction(ctx.engine):
        row = await Notification.select().where(where).first()
        if row is None:
            raise NotificationNotFound()
        if row["read_at"] is None:
            await Notification.update({Notification.read_at: ctx.clock.now()}).where(where)
    row = await Notification.select().where(where).first()
    assert row is not None  # found above, and notifications are never deleted
    return _out(row)


async def mark_all_read(ctx: AppContext, user_id: int) -> int:
    """Mark every unread notification of the user read; how many were."""
    where = (Notification.recipient == user_id) & Notification.read_at.is_null()
    async with write_transaction(ctx.engine):
        count = await Notification.count().where(where)
        if count:
            await Notification.update({Notification.read_at: ctx.clock.now()}).where(where)
    return count


async def _tell_of_failed_logins(ctx: AppContext, user_id: int, failures: int) -> None:
    """Auth's hook, in the transaction recording the failure: the account holder learns someone is trying their password."""
    text = f"您的账号有 {failures} 次登录失败（最近一次在刚才）。如非本人操作，请尽快修改密码并联系系统管理员。"
    await notify(ctx, {user_id: text}, kind="login_failures", subject_type="user", subject_id=user_id)


auth.on_repeated_failures(_tell_of_failed_logins)
