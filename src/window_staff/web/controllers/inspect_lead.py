"""The inspection lead's pages: review drafts (with their photos), plan visits, and put findings on the board in public words.

Putting a finding on the board takes two deliberate steps without any script: the wording form, then a page that
shows the entry as the public will read it and says what confirming does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from window_staff.auth import service as auth_service
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError
from window_staff.common.guards import principal_of
from window_staff.common.pagination import PageParams
from window_staff.common.principal import Principal
from window_staff.inspections import service
from window_staff.inspections.errors import InspectionInputInvalid
from window_staff.inspections.policy import policy_of
from window_staff.inspections.schemas.publication import ExposureIn
from window_staff.inspections.schemas.visits import FindingOut, FindingRejectIn, VisitIn
from window_staff.inspections.service import board as service_board, evidence as service_evidence, review as service_review
from window_staff.org import service as org
from window_staff.web.controllers.inspect_words import int_or_none, item_words, people_names, staff_names, when, words_of
from window_staff.web.i18n import day_words, lang_of
from window_staff.web.pages import PAGE, page_roles, refusal_of, render

_LIST = PageParams(limit=200, offset=0)
_FORM_LIMIT = 65_536
LEAD = [page_roles("inspection_lead")]


def _local_input(value: str, zone: str) -> datetime:
    """A ``datetime-local`` field read in the site's time zone."""
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        raise InspectionInputInvalid("the planned time is not a date and time", field="planned_at") from None
    return naive.replace(tzinfo=ZoneInfo(zone)) if naive.tzinfo is None else naive


async def _inspector_choices(ctx: AppContext) -> list[tuple[int, str]]:
    """Active inspectors as (user id, name shown): the display name, else the staff name, else the username."""
    users = [u for u in (await auth_service.list_users(ctx, _LIST)).items if u.active and "inspector" in u.roles]
    staff = await staff_names([u.staff_id for u in users if not u.display_name.strip()])
    return [(u.id, u.display_name.strip() or staff.get(u.staff_id or 0) or u.username) for u in users]


class LeadPages(Controller):
    """The inspection lead's page: drafts to review, plan a visit, published findings and the board."""

    include_in_schema = False
    path = "/app/inspections"

    async def _page(
        self,
        ctx: AppContext,
        request: Request,
        principal: Principal,
        *,
        message: str | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> Template:
        drafts = (await service.list_findings(ctx, _LIST, principal=principal, status="draft")).items
        published = (await service.list_findings(ctx, _LIST, principal=principal, status="published")).items
        entries = [e for e in (await service_board.list_entries(ctx, _LIST)).items if e.state == "live"]
        photos = {f.id: await service_evidence.list_evidence(ctx, principal, f.id) for f in drafts}
        windows = (await org.list_windows(ctx, _LIST)).items
        sites = await org.site_names()
        by_site: dict[int, list[Any]] = {}
        for w in windows:
            by_site.setdefault(w.site_id, []).append(w)
        visits = [v for v in (await service.list_visits(ctx, _LIST, principal=principal)).items if v.status in ("planned", "in_progress")]
        return render(
            request,
            "inspect/lead.html",
            principal=principal,
            status=status,
            drafts=drafts,
            photos=photos,
            published=published,
            on_board={e.finding_id: e for e in entries},
            entries=entries,
            finding_items={f.id: f.item for f in published},
            window_groups=[(sid, sites.get(sid, str(sid)), ws) for sid, ws in by_site.items()],
            window_names=await org.window_labels(),
            sites=sites,
            inspectors=await _inspector_choices(ctx),
            inspector_names=await people_names(ctx, [f.logged_by for f in drafts]),
            visits=visits,
            words=item_words(ctx, lang_of(request)),
            names=await staff_names([f.staff_id for f in [*drafts, *published]]),
            message=message,
            notice=notice,
            when=when,
        )

    @get("", guards=LEAD, opt=PAGE)
    async def lead(self, ctx: AppContext, request: Request) -> Template:
        """The lead's page."""
        notice = words_of(request)("insp.done") if request.query_params.get("done") else None
        return await self._page(ctx, request, await principal_of(request), notice=notice)

    async def _act(self, ctx: AppContext, request: Request, action: Any) -> Template | Redirect:
        principal = await principal_of(request)
        try:
            form = await request.form()
            await action(principal, form)
        except DomainError as exc:
            return await self._page(ctx, request, principal, message=refusal_of(request, exc), status=422)
        return Redirect("/app/inspections?done=1", status_code=303)

    @post("/findings/{finding_id:int}/publish", guards=LEAD, opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def publish(self, ctx: AppContext, request: Request, finding_id: int) -> Template | Redirect:
        """Keep a draft finding and publish it."""

        async def act(principal: Principal, form: Any) -> None:
            await service_review.publish_finding(ctx, finding_id, principal=principal)

        return await self._act(ctx, request, act)

    @post("/findings/{finding_id:int}/reject", guards=LEAD, opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def reject(self, ctx: AppContext, request: Request, finding_id: int) -> Template | Redirect:
        """Dismiss a draft finding, with a reason (the inspector reads it in their history)."""

        async def act(principal: Principal, form: Any) -> None:
            reason = str(form.get("reason", "")).strip()
            if not 2 <= len(reason) <= 1000:
                raise InspectionInputInvalid("give a reason (2 to 1000 characters)", field="reason")
            await service_review.reject_finding(ctx, finding_id, FindingRejectIn(reason=reason), principal=principal)

        return await self._act(ctx, request, act)

    async def _board_page(
        self,
        ctx: AppContext,
        request: Request,
        finding: FindingOut,
        *,
        headline: str | None = None,
        text: str | None = None,
        anonymous: bool = False,
        message: str | None = None,
        status: int = 200,
    ) -> Template:
        principal = await principal_of(request)
        windows = await org.window_labels([finding.window_id] if finding.window_id else [])
        problem = item_words(ctx, "zh").get(finding.item, finding.item)  # the board is in Chinese
        day = finding.observed_at.astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).date()
        window = windows.get(finding.window_id or 0, "")
        suggested = service_board.suggested_text(problem=problem, observed_on=day, window=window.split(" ")[0] if window else "")
        return render(
            request,
            "inspect/board_form.html",
            principal=principal,
            status=status,
            finding=finding,
            photos=await service_evidence.list_evidence(ctx, principal, finding.id),
            window=window,
            person=(await staff_names([finding.staff_id])).get(finding.staff_id or 0),
            words=item_words(ctx, lang_of(request)),
            headline=problem if headline is None else headline,
            text=suggested if text is None else text,
            anonymous=anonymous,
            message=message,
            when=when,
        )

    @get("/findings/{finding_id:int}/board", guards=LEAD, opt=PAGE)
    async def board_form(self, ctx: AppContext, request: Request, finding_id: int) -> Template:
        """Step 1 of putting a finding on the board: the public headline and text (suggested, editable)."""
        finding = await service.get_finding(ctx, finding_id, principal=await principal_of(request))
        return await self._board_page(ctx, request, finding)

    @post("/findings/{finding_id:int}/board", guards=LEAD, opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def board(self, ctx: AppContext, request: Request, finding_id: int) -> Template | Redirect:
        """Step 2 shows the entry as the public will read it; only ``confirm=1`` puts it on the board."""
        principal = await principal_of(request)
        words = words_of(request)
        form = await request.form()
        finding = await service.get_finding(ctx, finding_id, principal=principal)
        headline, text = str(form.get("headline", "")).strip()[:60], str(form.get("text", "")).strip()[:500]
        anonymous = form.get("anonymous") == "1"
        if not headline:
            return await self._board_page(
                ctx, request, finding, headline="", text=text, anonymous=anonymous, message=words("insp.headline_needed"), status=422
            )
        if form.get("back"):
            return await self._board_page(ctx, request, finding, headline=headline, text=text, anonymous=anonymous)
        if form.get("confirm") != "1":
            return await self._board_confirm(ctx, request, finding, headline=headline, text=text, anonymous=anonymous)
        try:
            await service_board.choose(ctx, principal, ExposureIn(finding_id=finding_id, anonymous=anonymous, headline=headline, text=text))
        except DomainError as exc:
            return await self._board_page(
                ctx, request, finding, headline=headline, text=text, anonymous=anonymous, message=refusal_of(request, exc), status=422
            )
        return Redirect("/app/inspections?done=1", status_code=303)

    async def _board_confirm(
        self, ctx: AppContext, request: Request, finding: FindingOut, *, headline: str, text: str, anonymous: bool
    ) -> Template:
        words = words_of(request)
        policy = policy_of(ctx)
        naming = "anonymous" if anonymous else policy.exposure_naming
        person = service_board.display_name((await staff_names([finding.staff_id])).get(finding.staff_id or 0), naming)
        today = ctx.clock.now().astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).date()
        windows = await org.window_labels([finding.window_id] if finding.window_id else [])
        entry = {
            "headline": headline,
            "text": text,
            "person": person,
            "place": windows.get(finding.window_id or 0, ""),
            "day": finding.observed_at.astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).date().isoformat(),
        }
        hidden = [("headline", headline), ("text", text), ("anonymous", "1" if anonymous else "")]
        return render(
            request,
            "inspect/confirm.html",
            principal=await principal_of(request),
            title=words("insp.board_confirm_title"),
            text=words("insp.board_confirm_text").format(until=day_words(today + timedelta(days=policy.exposure_days), lang_of(request))),
            action=f"/app/inspections/findings/{finding.id}/board",
            hidden=hidden,
            confirm=words("insp.board_confirm"),
            back=words("insp.edit_again"),
            back_form=True,
            entry=entry,
        )

    @post("/board/{entry_id:int}/rectified", guards=LEAD, opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def rectified(self, ctx: AppContext, request: Request, entry_id: int) -> Template | Redirect:
        """Mark a board entry's problem rectified (the board then says 已整改 with the day)."""

        async def act(principal: Principal, form: Any) -> None:
            await service_board.mark_rectified(ctx, principal, entry_id)

        return await self._act(ctx, request, act)

    @post("/visits", guards=LEAD, opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def plan(self, ctx: AppContext, request: Request) -> Template | Redirect:
        """Plan a visit: kind, site, local time, inspectors and windows (of that site)."""

        async def act(principal: Principal, form: Any) -> None:
            site = int_or_none(str(form.get("site_id", "")), field="site_id")
            if site is None:
                raise InspectionInputInvalid("pick a site", field="site_id")
            zone = (await org.site_time_zones([site])).get(site, "Asia/Shanghai")
            kind = str(form.get("kind", "undercover"))
            if kind not in ("open", "undercover"):
                raise InspectionInputInvalid(f"kind {kind!r} is unknown", field="kind")
            inspector_ids = [int(v) for v in form.getall("inspector_ids", []) if str(v).isdigit()]
            window_ids = [int(v) for v in form.getall("window_ids", []) if str(v).isdigit()]
            if not inspector_ids or not window_ids:
                raise InspectionInputInvalid("pick at least one inspector and one window", field="inspector_ids")
            data = VisitIn(
                kind=kind,  # type: ignore[arg-type]
                site_id=site,
                planned_at=_local_input(str(form.get("planned_at", "")), zone),
                inspector_ids=inspector_ids,
                window_ids=window_ids,
                note=str(form.get("note", ""))[:2000],
            )
            await service.plan_visit(ctx, data, principal=principal)

        return await self._act(ctx, request, act)
