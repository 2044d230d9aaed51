"""HR's delegate campaigns (作风监督评议) on pages: delegates, a campaign's targets and dimensions, invitations printed as a
letter with a QR code of the link (shown once), the answers followed against ``min_answers``, open and close."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

import msgspec
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError
from window_staff.common.guards import principal_of
from window_staff.common.pagination import Page, PageParams
from window_staff.errors import status_of
from window_staff.evaluations.errors import EvaluationInputInvalid
from window_staff.evaluations.schemas.delegates import CampaignIn, DelegateIn, InvitationIn
from window_staff.evaluations.service import campaigns as service
from window_staff.evaluations.service.delegates import DEFAULT_DIMENSIONS
from window_staff.org import search, service as org
from window_staff.web.confirm import confirmed
from window_staff.web.i18n import lang_of
from window_staff.web.pages import PAGE, page_roles, refusal_of, render
from window_staff.web.public_link import public_link
from window_staff.web.qr import qr_svg
from window_staff.web.words_evaluations import CAMPAIGN_DONE

T = TypeVar("T")
_FORM_LIMIT = 65_536
_ALL = 200
KINDS = ("npc_deputy", "cppcc_member", "business", "citizen", "other")
START_PATH = "/delegate/start"
_hr = page_roles("hr")


async def every(fetch: Callable[[PageParams], Awaitable[Page[T]]]) -> list[T]:
    """Every item of a paged list (org lists are a few hundred rows at most)."""
    items: list[T] = []
    offset = 0
    while True:
        page = await fetch(PageParams(limit=_ALL, offset=offset))
        items.extend(page.items)
        if page.next_offset is None:
            return items
        offset = page.next_offset


def _convert(values: dict[str, Any], schema: type[T]) -> T:
    try:
        return msgspec.convert(values, schema)
    except msgspec.ValidationError as exc:
        raise EvaluationInputInvalid(str(exc), code="campaign_form_invalid") from None


async def _choices(ctx: AppContext) -> dict[str, Any]:
    """What a new campaign can target: departments, windows and staff in service, by name."""
    departments = [d for d in await every(lambda p: org.list_departments(ctx, p)) if d.active]
    windows = [w for w in await every(lambda p: org.list_windows(ctx, p)) if w.active]
    labels = await org.window_labels([w.id for w in windows])
    staff = await every(lambda p: org.list_staff(ctx, p, status="active"))
    return {
        "departments": [(d.id, d.name) for d in departments],
        "windows": [(w.id, labels.get(w.id, w.name)) for w in windows],
        "staff": [(s.id, s.name, s.employee_no, labels.get(s.window_id, "") if s.window_id else "") for s in staff],
        "dimensions": DEFAULT_DIMENSIONS,
    }


def _campaign_in(form: Any) -> CampaignIn:
    dims = set(form.getall("dimension", []))
    targets = [
        {"kind": kind, "id": int(raw)}
        for kind in ("department", "window", "staff")
        for raw in form.getall(f"t_{kind}", [])
        if str(raw).isdigit()
    ]
    if not targets:
        raise EvaluationInputInvalid("choose at least one target", code="campaign_no_targets")
    if not dims:
        raise EvaluationInputInvalid("choose at least one dimension", code="campaign_no_dimensions")
    values: dict[str, Any] = {
        "title": str(form.get("title", "")).strip(),
        "month": str(form.get("month", "")).strip(),
        "opens_on": str(form.get("opens_on", "")).strip(),
        "closes_on": str(form.get("closes_on", "")).strip(),
        "targets": targets,
        "form": [{"code": c, "title_zh": zh, "title_en": en} for c, zh, en in DEFAULT_DIMENSIONS if c in dims],
    }
    return _convert(values, CampaignIn)


class HrCampaignPages(Controller):
    """Delegates and campaigns: create, invite (the letter once), follow the answers, open and close."""

    include_in_schema = False
    path = "/app/hr/campaigns"

    async def _index(
        self, ctx: AppContext, request: Request, *, message: str | None = None, status: int = 200, kept: Any = None
    ) -> Template:
        campaigns = (await service.list_campaigns(ctx, params=PageParams(limit=100, offset=0))).items
        delegates = await every(lambda p: service.list_delegates(ctx, params=p))
        done = request.query_params.get("done")
        today = date.today()
        return render(
            request,
            "hr/evaluations/campaigns.html",
            principal=await principal_of(request),
            status=status,
            message=message,
            notice=f"cp.done.{done}" if done in CAMPAIGN_DONE else None,
            campaigns=campaigns,
            delegates=delegates,
            kinds=KINDS,
            # A refused form comes back as it was filled in.
            kept=kept,
            month_default=f"{today.year:04d}-{today.month:02d}",
            **await _choices(ctx),
        )

    @get("", guards=[_hr], opt=PAGE)
    async def index(self, ctx: AppContext, request: Request) -> Template:
        """Campaigns, the new-campaign form and the delegates."""
        return await self._index(ctx, request)

    @get("/staff-choices", guards=[_hr], opt=PAGE)
    async def staff_choices(self, ctx: AppContext, request: Request) -> Template:
        """The staff HR may target, found by name, pinyin initials, employee no. or window; those already ticked stay (htmx)."""
        query = search.normalise(request.query_params.get("q"))
        ticked = {int(v) for v in request.query_params.getall("t_staff", []) if str(v).isdigit()}
        staff = [
            (sid, name, no, window, sid in ticked)
            for sid, name, no, window in (await _choices(ctx))["staff"]
            if sid in ticked or search.matches(query, name=name, employee_no=no, window=window)
        ]
        return render(request, "hr/evaluations/_staff_choices.html", principal=await principal_of(request), staff=staff)

    @post("", guards=[_hr], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def create(self, ctx: AppContext, request: Request) -> Template | Redirect:
        """Create a draft campaign from the chosen targets and dimensions."""
        principal = await principal_of(request)
        form = await request.form()
        try:
            created = await service.create_campaign(ctx, principal=principal, data=_campaign_in(form))
        except DomainError as exc:
            return await self._index(ctx, request, message=refusal_of(request, exc), status=status_of(exc), kept=form)
        return Redirect(f"/app/hr/campaigns/{created.id}?done=created", status_code=303)

    @post("/delegates", guards=[_hr], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def add_delegate(self, ctx: AppContext, request: Request) -> Template | Redirect:
        """Register a delegate (no staff account is made)."""
        principal = await principal_of(request)
        form = await request.form()
        values: dict[str, Any] = {k: str(form.get(k, "")).strip() for k in ("name", "kind", "organisation")}
        phone = str(form.get("phone", "")).strip()
        if phone:
            values["phone"] = phone
        try:
            await service.create_delegate(ctx, principal=principal, data=_convert(values, DelegateIn))
        except DomainError as exc:
            return await self._index(ctx, request, message=refusal_of(request, exc), status=status_of(exc))
        return Redirect("/app/hr/campaigns?done=delegate#delegates", status_code=303)

    async def _detail(self, ctx: AppContext, request: Request, campaign_id: int, **extra: Any) -> Template:
        principal = await principal_of(request)
        campaign = await service.get_campaign(ctx, campaign_id=campaign_id)
        results = await service.campaign_results(ctx, principal=principal, campaign_id=campaign_id)
        invitations = await every(lambda p: service.list_invitations(ctx, campaign_id=campaign_id, params=p))
        delegates = [d for d in await every(lambda p: service.list_delegates(ctx, params=p, active=True))]
        done = request.query_params.get("done")
        return render(
            request,
            "hr/evaluations/campaign.html",
            principal=principal,
            campaign=campaign,
            results=results,
            invitations=invitations,
            delegates=delegates,
            here=f"/app/hr/campaigns/{campaign_id}",
            confirm=request.query_params.get("confirm"),
            notice=f"cp.done.{done}" if done in CAMPAIGN_DONE else None,
            **{"message": None, "status": 200, **extra},
        )

    @get("/{campaign_id:int}", guards=[_hr], opt=PAGE)
    async def campaign(self, ctx: AppContext, request: Request, campaign_id: int) -> Template:
        """One campaign: targets with their answers against min_answers, invitations, the steps its state allows."""
        return await self._detail(ctx, request, campaign_id)

    @post("/{campaign_id:int}/open", guards=[_hr], opt=PAGE, request_max_body_size=4096)
    async def open(self, ctx: AppContext, request: Request, campaign_id: int) -> Template | Redirect:
        """Open a draft campaign for evaluations."""
        return await self._move(ctx, request, campaign_id, "open")

    @post("/{campaign_id:int}/close", guards=[_hr], opt=PAGE, request_max_body_size=4096)
    async def close(self, ctx: AppContext, request: Request, campaign_id: int) -> Template | Redirect:
        """Close an open campaign from the confirmation step (no more evaluations; final)."""
        if not confirmed(await request.form()):
            return Redirect(f"/app/hr/campaigns/{campaign_id}?confirm=campaign-close#confirm-campaign-close", status_code=303)
        return await self._move(ctx, request, campaign_id, "close")

    async def _move(self, ctx: AppContext, request: Request, campaign_id: int, action: str) -> Template | Redirect:
        principal = await principal_of(request)
        try:
            await service.move_campaign(ctx, principal=principal, campaign_id=campaign_id, action=action)
        except DomainError as exc:
            return await self._detail(ctx, request, campaign_id, message=refusal_of(request, exc), status=status_of(exc))
        return Redirect(f"/app/hr/campaigns/{campaign_id}?done={'opened' if action == 'open' else 'closed'}", status_code=303)

    @post("/{campaign_id:int}/invitations", guards=[_hr], opt=PAGE, request_max_body_size=4096)
    async def invite(self, ctx: AppContext, request: Request, campaign_id: int) -> Template:
        """Invite a delegate: the link and one-time code are on this answer only, as a letter to print (never stored or redirected)."""
        principal = await principal_of(request)
        form = await request.form()
        raw = str(form.get("delegate_id", ""))
        try:
            data = _convert({"delegate_id": int(raw) if raw.isdigit() else 0}, InvitationIn)
            issued = await service.issue_invitation(ctx, principal=principal, campaign_id=campaign_id, data=data)
        except DomainError as exc:
            return await self._detail(ctx, request, campaign_id, message=refusal_of(request, exc), status=status_of(exc))
        campaign = await service.get_campaign(ctx, campaign_id=campaign_id)
        delegate = next((d for d in await every(lambda p: service.list_delegates(ctx, params=p)) if d.id == issued.delegate_id), None)
        link, configured = public_link(request, f"{START_PATH}?token={issued.token}")
        words = "邀请链接" if lang_of(request) == "zh" else "Invitation link"
        return render(
            request,
            "hr/evaluations/letter.html",
            principal=principal,
            campaign=campaign,
            delegate=delegate,
            link=link,
            link_configured=configured,
            code=issued.code,
            expires_at=issued.expires_at,
            qr=qr_svg(link, label=words),
            back=f"/app/hr/campaigns/{campaign_id}",
        )
