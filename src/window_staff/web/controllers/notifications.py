"""Every user's messages page: newest first, unread marked, mark one or all read."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from window_staff.common.context import AppContext
from window_staff.common.guards import principal_of
from window_staff.common.pagination import PageParams
from window_staff.notifications import service as notifications
from window_staff.web.i18n import add_words
from window_staff.web.notification_links import subject_links
from window_staff.web.pages import PAGE, offset_of, page_roles, render

_FORM_LIMIT = 1024
_PER_PAGE = 50

add_words(
    {
        "nt.none": {"zh": "暂无消息", "en": "No messages"},
        "nt.unread": {"zh": "未读", "en": "Unread"},
        "nt.unread_count": {"zh": "条未读", "en": "unread"},
        "nt.read": {"zh": "标为已读", "en": "Mark read"},
        "nt.read_all": {"zh": "全部标为已读", "en": "Mark all read"},
        "nt.more": {"zh": "更早的消息", "en": "Older messages"},
    }
)


class NotificationPages(Controller):
    """The caller's messages (any role: staff, heads, HR)."""

    include_in_schema = False
    path = "/app/notifications"

    @get("", guards=[page_roles()], opt=PAGE)
    async def index(self, ctx: AppContext, request: Request) -> Template:
        """My messages, newest first, each linked to the page of what it is about when there is one."""
        principal = await principal_of(request)
        page = await notifications.list_notifications(ctx, principal.user_id, PageParams(limit=_PER_PAGE, offset=offset_of(request)))
        links = await subject_links(ctx, principal, page.items)
        return render(request, "web/notifications.html", principal=principal, page=page, subjects=links)

    @post("/{notification_id:int}/read", guards=[page_roles()], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def read(self, ctx: AppContext, request: Request, notification_id: int) -> Redirect:
        """Mark one of my messages read."""
        await notifications.mark_read(ctx, (await principal_of(request)).user_id, notification_id)
        return Redirect("/app/notifications", status_code=303)

    @post("/read-all", guards=[page_roles()], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def read_all(self, ctx: AppContext, request: Request) -> Redirect:
        """Mark all my messages read."""
        await notifications.mark_all_read(ctx, (await principal_of(request)).user_id)
        return Redirect("/app/notifications", status_code=303)
