"""The caller's own notifications (anyone logged in; nobody reads another's)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide

from window_staff.common.context import AppContext
from window_staff.common.guards import authenticated, provide_principal
from window_staff.common.pagination import PageParams
from window_staff.common.principal import Principal
from window_staff.common.web import PAGE
from window_staff.notifications import service
from window_staff.notifications.schemas import NotificationOut, NotificationPage


class MyNotificationController(Controller):
    """My notifications: list, mark one read, mark all read."""

    path = "/api/v1/me/notifications"
    tags = ["notifications"]
    dependencies = {"principal": Provide(provide_principal), "page": PAGE}

    @get("", guards=[authenticated])
    async def my_notifications(self, ctx: AppContext, principal: Principal, page: PageParams, unread: bool = False) -> NotificationPage:
        """My notifications, newest first (``unread=true``: only unread ones), with the unread count."""
        return await service.list_notifications(ctx, principal.user_id, page, unread_only=unread)

    @post("/{notification_id:int}/read", guards=[authenticated], status_code=200, request_max_body_size=1024)
    async def mark_read(self, ctx: AppContext, principal: Principal, notification_id: int) -> NotificationOut:
        """Mark one of my notifications read."""
        return await service.mark_read(ctx, principal.user_id, notification_id)

    @post("/read-all", guards=[authenticated], status_code=200, request_max_body_size=1024)
    async def mark_all_read(self, ctx: AppContext, principal: Principal) -> dict[str, int]:
        """Mark all my notifications read; answers how many were unread."""
        return {"marked": await service.mark_all_read(ctx, principal.user_id)}
