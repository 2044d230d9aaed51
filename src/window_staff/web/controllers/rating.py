"""The citizen's rating page behind a window's QR code (好差评): no login, no cookie, nothing about the citizen kept."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Template

from window_staff.common.context import AppContext
from window_staff.common.guards import PUBLIC
from window_staff.evaluations.errors import RatingConflict
from window_staff.evaluations.service import ratings as service_ratings
from window_staff.web.pages import render

# 500 Chinese characters percent-encoded are 4,500 bytes; the rest of the form is small.
FORM_BODY_LIMIT = 8 * 1024


# The citizen pages are rendered like every other page (one set of security headers, web.pages.HEADERS): they load
# nothing from elsewhere, run no script, post only to themselves, and send no Referer off this site (the token is in the URL).
def _form_page(
    request: Request, window: service_ratings.QrWindow, *, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Template:
    context: dict[str, Any] = {
        "window": window,
        "values": values,
        "errors": errors,
        "indicators": service_ratings.INDICATORS,
        "levels": service_ratings.LEVEL_LABELS,
        "ticket_max": service_ratings.TICKET_MAX,
        "comment_max": service_ratings.COMMENT_MAX,
    }
    return render(request, "ratings/form.html", principal=None, status=status, **context)


def _not_found(request: Request) -> Template:
    return render(request, "ratings/not_found.html", principal=None, status=404)


class RatingPageController(Controller):
    """The citizen's page behind a window's QR code: no login, no cookie, nothing about the citizen kept."""

    path = "/rate"
    tags = ["ratings"]

    @get("/{token:str}", opt=PUBLIC, include_in_schema=False)
    async def form(self, ctx: AppContext, request: Request, token: str) -> Template:
        """The rating form (zh-CN, for phones) with the window's name and the person on duty."""
        window = await service_ratings.qr_window(ctx, token)
        if window is None:
            return _not_found(request)
        return _form_page(request, window, values={}, errors={})

    @post("/{token:str}", opt=PUBLIC, include_in_schema=False, request_max_body_size=FORM_BODY_LIMIT, status_code=200)
    async def submit(self, ctx: AppContext, token: str, request: Request) -> Template:
        """Store the rating and thank the citizen, or show the form again with what to fix (422; 409 when already rated)."""
        window = await service_ratings.qr_window(ctx, token)
        if window is None:
            return _not_found(request)
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
            return _form_page(request, window, values={}, errors={"form": "提交的内容无法识别，请刷新页面后重新填写。"}, status=422)
        form = service_ratings.parse_qr_form(await request.body())
        if form.errors:
            return _form_page(request, window, values=form.values, errors=form.errors, status=422)
        try:
            await service_ratings.record_qr_rating(ctx, window, form)
        except RatingConflict:
            message = "这个业务号码今天已经评价过了，每笔业务只能评价一次。"
            return _form_page(request, window, values=form.values, errors={"ticket": message}, status=409)
        return render(request, "ratings/thanks.html", principal=None, window=window)
