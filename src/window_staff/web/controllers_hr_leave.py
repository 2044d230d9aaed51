"""HR's leave approvals page."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from window_staff.auth.guards import principal_of
from window_staff.web.pages import PAGE, page_roles, render


class HrLeavePages(Controller):
    """(being written)"""

    include_in_schema = False
    path = "/app/hr/leave"

    @get("", guards=[page_roles("hr")], opt=PAGE)
    async def index(self, request: Request) -> Template:
        """Placeholder until the page is written."""
        return render(request, "web/home.html", principal=await principal_of(request))


class MyLeavePages(Controller):
    """(being written) A staff member's own leave requests."""

    include_in_schema = False
    path = "/app/me/leave"

    @get("", guards=[page_roles("staff")], opt=PAGE)
    async def index(self, request: Request) -> Template:
        """Placeholder until the page is written."""
        return render(request, "web/home.html", principal=await principal_of(request))
