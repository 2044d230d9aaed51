"""The hall's screens (电子显示屏): public, read-only pages of who serves at each window, and the photos they show."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.exceptions import NotFoundException

from window_staff.common.context import AppContext
from window_staff.common.guards import PUBLIC
from window_staff.org import service as org
from window_staff.web.pages import HEADERS


class HallController(Controller):
    """Public screens for the hall; nothing here needs a login and nothing here changes anything."""

    include_in_schema = False
    path = "/hall"

    @get("/photos/{token:str}", opt=PUBLIC)
    async def photo(self, ctx: AppContext, token: str) -> Response[bytes]:
        """A public photo by its token (``….jpg``); an unknown or withdrawn one is a 404."""
        image = await org.public_photo(token.removesuffix(".jpg"))
        if image is None:
            raise NotFoundException()
        # Short caching: a withdrawn photo leaves the screens within minutes.
        return Response(image, media_type="image/jpeg", headers={**HEADERS, "Cache-Control": "public, max-age=300"})
