"""The exposure board: the public page and API, its photos, and the lead's choices."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.di import Provide

from window_staff.common.context import AppContext
from window_staff.common.guards import PUBLIC, provide_principal, roles
from window_staff.common.pagination import Page, PageParams
from window_staff.common.principal import Principal
from window_staff.common.web import PAGE
from window_staff.inspections.controllers.evidence import photo_response
from window_staff.inspections.schemas.publication import BoardPage, ExposureIn, ExposureOut, ExposureWithdrawIn
from window_staff.inspections.service import board as service_board, evidence as service_evidence

can_manage_board = roles("inspection_lead")
# Whether a problem was put right is known to the lead and to HR, who keeps the staff and windows.
can_mark_rectified = roles("inspection_lead", "hr")


class BoardController(Controller):
    """The public board (自亮家丑): no login."""

    path = "/"
    tags = ["board"]
    dependencies = {"page": PAGE}

    @get("/api/v1/board", opt=PUBLIC)
    async def board(self, ctx: AppContext, page: PageParams) -> BoardPage:
        """Live board entries, newest first (named per the centre's policy, no staff ids)."""
        return await service_board.board(ctx, page)

    @get("/api/v1/board/{entry_id:int}/photos/{index:int}", opt=PUBLIC, response_description="The photo (image/jpeg or image/png)")
    async def photo(self, ctx: AppContext, entry_id: int, index: int) -> Response[bytes]:
        """Photo ``index`` (0-based) of a live entry, when the lead showed photos and the policy allows them."""
        return photo_response(await service_evidence.board_photo(ctx, entry_id=entry_id, index=index))


class ExposureController(Controller):
    """The lead's board entries: choose, withdraw, list with state."""

    path = "/api/v1/inspections/board"
    tags = ["inspections"]
    dependencies = {"principal": Provide(provide_principal), "page": PAGE}

    @get("", guards=[can_manage_board])
    async def entries(self, ctx: AppContext, page: PageParams) -> Page[ExposureOut]:
        """Every entry with its state (live, expired, withdrawn, upheld)."""
        return await service_board.list_entries(ctx, page)

    @post("", guards=[can_manage_board], request_max_body_size=8192)
    async def choose(self, ctx: AppContext, principal: Principal, data: ExposureIn) -> ExposureOut:
        """Put a published finding on the board until ``expires_on`` (default: the policy's exposure_days)."""
        return await service_board.choose(ctx, principal, data)

    @post("/{entry_id:int}/withdraw", guards=[can_manage_board], status_code=200, request_max_body_size=8192)
    async def withdraw(self, ctx: AppContext, principal: Principal, entry_id: int, data: ExposureWithdrawIn) -> ExposureOut:
        """Take an entry off the board."""
        return await service_board.withdraw(ctx, principal, entry_id, data)

    @post("/{entry_id:int}/rectified", guards=[can_mark_rectified], status_code=200, request_max_body_size=1024)
    async def rectified(self, ctx: AppContext, principal: Principal, entry_id: int) -> ExposureOut:
        """Record that the entry's problem was rectified (the board then says 已整改 with the day)."""
        return await service_board.mark_rectified(ctx, principal, entry_id)
