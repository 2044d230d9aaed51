"""HR's window rating codes (好差评二维码) on pages: make codes and print a table card per window (the code is shown once),
replace a leaked code, stop one."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError, InvalidInput
from window_staff.common.guards import principal_of
from window_staff.errors import status_of
from window_staff.evaluations.service import ratings as service
from window_staff.org import service as org
from window_staff.web.confirm import confirmed
from window_staff.web.controllers.hr_campaigns import every
from window_staff.web.i18n import lang_of, translator
from window_staff.web.pages import PAGE, page_roles, refusal_of, render
from window_staff.web.public_link import public_link
from window_staff.web.qr import qr_svg
from window_staff.web.words_evaluations import CODE_DONE

_hr = page_roles("hr")
_FORM_LIMIT = 65_536
HERE = "/app/hr/rating-codes"


class HrRatingCodePages(Controller):
    """The windows with their code's state; cards printed when codes are made."""

    include_in_schema = False
    path = HERE

    async def _page(self, ctx: AppContext, request: Request, *, message: str | None = None, status: int = 200) -> Template:
        windows = [w for w in await every(lambda p: org.list_windows(ctx, p)) if w.active]
        labels = await org.window_labels([w.id for w in windows])
        sites = await org.site_names()
        live = await service.live_codes([w.id for w in windows])
        done = request.query_params.get("done")
        rows = [
            {"id": w.id, "label": labels.get(w.id, w.name), "site": sites.get(w.site_id, ""), "since": live.get(w.id)}
            for w in sorted(windows, key=lambda w: (w.site_id, labels.get(w.id, "")))
        ]
        return render(
            request,
            "hr/evaluations/codes.html",
            principal=await principal_of(request),
            status=status,
            message=message,
            notice=f"rc.done.{done}" if done in CODE_DONE else None,
            rows=rows,
            confirm=request.query_params.get("confirm"),
        )

    @get("", guards=[_hr], opt=PAGE)
    async def index(self, ctx: AppContext, request: Request) -> Template:
        """Every window in service and whether it has a code in use."""
        return await self._page(ctx, request)

    async def _cards(self, ctx: AppContext, request: Request, window_ids: list[int]) -> Template:
        """Make a code for each window and render their cards: the only time these codes are ever shown."""
        principal = await principal_of(request)
        words = translator(lang_of(request))
        labels = await org.window_labels(window_ids)
        cards: list[dict[str, Any]] = []
        configured = True
        for window_id in window_ids:
            made = await service.create_rating_code(ctx, principal, window_id)
            link, configured = public_link(request, made.url)
            cards.append({"label": labels.get(window_id, ""), "qr": qr_svg(link, label=words("rc.qr_label"), scale=8), "link": link})
        return render(request, "hr/evaluations/cards.html", principal=principal, cards=cards, link_configured=configured, back=HERE)

    @post("/generate", guards=[_hr], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def generate(self, ctx: AppContext, request: Request) -> Template:
        """Codes for the ticked windows that have none yet (a window with a code is replaced one by one, after asking)."""
        form = await request.form()
        wanted = sorted({int(v) for v in form.getall("window_id", []) if str(v).isdigit()})
        try:
            if not wanted:
                raise InvalidInput("choose windows", code="codes_none_chosen")
            if await service.live_codes(wanted):
                raise InvalidInput("some windows already have a code", code="codes_need_confirm")
            return await self._cards(ctx, request, wanted)
        except DomainError as exc:
            return await self._page(ctx, request, message=refusal_of(request, exc), status=status_of(exc))

    @post("/{window_id:int}/replace", guards=[_hr], opt=PAGE, request_max_body_size=4096)
    async def replace(self, ctx: AppContext, request: Request, window_id: int) -> Template | Redirect:
        """A new code for a window whose code leaked, from the confirmation step; the old one stops working."""
        if not confirmed(await request.form()):
            return Redirect(f"{HERE}?confirm=code-replace-{window_id}#confirm-code-replace-{window_id}", status_code=303)
        try:
            return await self._cards(ctx, request, [window_id])
        except DomainError as exc:
            return await self._page(ctx, request, message=refusal_of(request, exc), status=status_of(exc))

    @post("/{window_id:int}/revoke", guards=[_hr], opt=PAGE, request_max_body_size=4096)
    async def revoke(self, ctx: AppContext, request: Request, window_id: int) -> Template | Redirect:
        """Stop a window's code, from the confirmation step."""
        if not confirmed(await request.form()):
            return Redirect(f"{HERE}?confirm=code-revoke-{window_id}#confirm-code-revoke-{window_id}", status_code=303)
        try:
            await service.revoke_rating_code(ctx, await principal_of(request), window_id)
        except DomainError as exc:
            return await self._page(ctx, request, message=refusal_of(request, exc), status=status_of(exc))
        return Redirect(f"{HERE}?done=revoked", status_code=303)
