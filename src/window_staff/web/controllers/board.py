"""The public board (曝光台) as a page for phones."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from window_staff.common.context import AppContext
from window_staff.common.guards import PUBLIC
from window_staff.common.pagination import PageParams
from window_staff.common.web import PAGE
from window_staff.inspections.service import board as service_board
from window_staff.web.pages import render


class BoardPageController(Controller):
    """The board page: the same entries as ``GET /api/v1/board``, server-rendered, everything escaped, no script."""

    dependencies = {"page": PAGE}

    @get("/board", opt=PUBLIC, include_in_schema=False)
    async def board_page(self, ctx: AppContext, request: Request, page: PageParams) -> Template:
        """The board as a page for phones (zh-CN, server-rendered, everything escaped, no script)."""
        # Rendered like every other page so one set of security headers (web.pages.HEADERS) covers it; no caller is shown.
        return render(request, "inspections/board.html", principal=None, page=await service_board.board(ctx, page))
