"""The inspector's pages (phone first): my visits and their outcomes, one visit's finding form, start and end (confirmed).

The lead's pages live in ``inspect_lead``; both are wired from here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from window_staff.common.context import AppContext
from window_staff.common.csrf import TOKEN_PART
from window_staff.common.errors import DomainError
from window_staff.common.form import TEXT_TYPES, Field, read_multipart, text_field
from window_staff.common.guards import principal_of
from window_staff.common.pagination import PageParams
from window_staff.common.principal import Principal
from window_staff.common.web import read_body
from window_staff.inspections import service
from window_staff.inspections.errors import EvidenceTooLarge, InspectionInputInvalid
from window_staff.inspections.evidence import PHOTO_TYPES, clean_photo
from window_staff.inspections.policy import policy_of
from window_staff.inspections.schemas.visits import FindingIn, FindingOut
from window_staff.inspections.service import evidence as service_evidence, review as service_review
from window_staff.org import service as org
from window_staff.web.controllers.inspect_lead import LeadPages
from window_staff.web.controllers.inspect_words import (
    actor_user_id,
    checklist_sections,
    int_or_none,
    item_words,
    outcome_text,
    people_names,
    staff_names,
    when,
    words_of,
)
from window_staff.web.i18n import lang_of
from window_staff.web.pages import HEADERS, PAGE, page_roles, refusal_of, render

__all__ = ["InspectorPages", "LeadPages"]

_LIST = PageParams(limit=200, offset=0)
# Ended visits shown with their outcomes on the inspector's list.
HISTORY_VISITS = 20
_FORM_LIMIT = 65_536
# Photos per submit: each is checked, stripped and stored once, then attached to every finding of the submit.
MAX_PHOTOS = 6
MAX_ITEMS = 40
MULTIPART_OVERHEAD = 64 * 1024
BODY_CEILING = 64 * 1024 * 1024
NOTE_FIELD = Field(8192, TEXT_TYPES)
# The offline worker (see its header): served from this folder so that it may control /app/inspect and the visits.
WORKER_SCRIPT = (Path(__file__).parents[1] / "static" / "inspect-sw.js").read_bytes()
WORKER_HEADERS = {**HEADERS, "Service-Worker-Allowed": "/app/inspect"}


def _one(form: dict[str, list[bytes]], name: str) -> str:
    values = form.get(name) or [b""]
    return values[0].decode("utf-8", "replace").strip()


async def _read_finding_form(ctx: AppContext, request: Request) -> dict[str, list[bytes]]:
    limit = service_evidence.upload_limit(ctx)
    ceiling = MAX_PHOTOS * limit + MULTIPART_OVERHEAD
    body = await read_body(
        request, limit=ceiling, too_large=lambda: EvidenceTooLarge(f"the photos are over {MAX_PHOTOS} x {limit} bytes", limit_bytes=limit)
    )
    fields = {
        "window_id": text_field(),
        "staff_id": text_field(),
        "item": text_field(),
        "severity": text_field(),
        "note": NOTE_FIELD,
        "photo": Field(limit, PHOTO_TYPES),
        **TOKEN_PART,
    }
    try:
        return read_multipart(body, request.headers.get("content-type", ""), fields=fields, max_parts=MAX_ITEMS + MAX_PHOTOS + 7)
    except DomainError as exc:
        raise InspectionInputInvalid(exc.detail, code=exc.code) from None


class InspectorPages(Controller):
    """The inspector's pages: my visits and their outcomes, one visit's finding form (photos, offline draft), start and end."""

    include_in_schema = False
    path = "/app/inspect"

    @get("", guards=[page_roles("inspector")], opt=PAGE)
    async def my_visits(self, ctx: AppContext, request: Request) -> Template:
        """My planned and running visits, each with its start or open button; then my ended visits with each finding's outcome."""
        principal = await principal_of(request)
        words = words_of(request)
        visits = (await service.list_visits(ctx, _LIST, principal=principal)).items
        active = [v for v in visits if v.status in ("planned", "in_progress")]
        ended = [v for v in visits if v.status == "done"][:HISTORY_VISITS]
        findings = (await service.list_findings(ctx, _LIST, principal=principal)).items if ended else []
        outcomes = await service_review.outcomes(ctx, [f.id for f in findings], principal=principal)
        names = await people_names(ctx, [actor_user_id(o.by) for o in outcomes.values()])
        history = []
        for v in ended:
            items = []
            for f in (f for f in findings if f.visit_id == v.id):
                outcome = outcomes.get(f.id)
                code = outcome.outcome if outcome else "pending"
                reason = outcome.reason if outcome and code == "rejected" else ""
                items.append((f, code, outcome_text(outcome, words, names), reason))
            history.append((v, items))
        ended_id = request.query_params.get("ended", "")
        return render(
            request,
            "inspect/visits.html",
            principal=principal,
            visits=active,
            history=history,
            words=item_words(ctx, lang_of(request)),
            names=await staff_names([f.staff_id for f in findings]),
            notice=words("insp.ended") if ended_id.isdigit() else None,
            sites=await org.site_names(),
            when=when,
        )

    @get("/sw.js", guards=[page_roles("inspector")], opt=PAGE)
    async def worker(self) -> Response[bytes]:
        """The offline worker of the inspector's pages, with the page headers and leave to control all of /app/inspect."""
        return Response(WORKER_SCRIPT, media_type="application/javascript", headers=WORKER_HEADERS)

    async def _visit_page(
        self,
        ctx: AppContext,
        request: Request,
        principal: Principal,
        visit_id: int,
        *,
        message: str | None = None,
        status: int = 200,
        submitted: int = 0,
    ) -> Template:
        lang = lang_of(request)
        visit = await service.get_visit(ctx, visit_id, principal=principal)
        findings = (await service.list_findings(ctx, _LIST, principal=principal, visit_id=visit_id)).items
        problems, praise = checklist_sections(ctx, lang)
        # The findings the last submit logged (newest first), named in the notice at the top of the page.
        logged = sorted(findings, key=lambda f: f.id, reverse=True)[:submitted]
        return render(
            request,
            "inspect/visit.html",
            principal=principal,
            status=status,
            visit=visit,
            findings=findings,
            logged=logged,
            windows=await org.window_labels(visit.window_ids),
            people=await org.people_at(visit.window_ids),
            names=await staff_names([f.staff_id for f in findings]),
            problems=problems,
            praise=praise,
            words=item_words(ctx, lang),
            sites=await org.site_names(),
            message=message,
            max_photos=MAX_PHOTOS,
            when=when,
        )

    @get("/visits/{visit_id:int}", guards=[page_roles("inspector")], opt=PAGE)
    async def visit(self, ctx: AppContext, request: Request, visit_id: int) -> Template:
        """One visit: what the last submit logged, its findings, and the finding form while it runs."""
        submitted = request.query_params.get("submitted", "")
        return await self._visit_page(
            ctx, request, await principal_of(request), visit_id, submitted=min(int(submitted), MAX_ITEMS) if submitted.isdigit() else 0
        )

    @post("/visits/{visit_id:int}/start", guards=[page_roles("inspector")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def start(self, ctx: AppContext, request: Request, visit_id: int) -> Redirect:
        """Start the visit and open it."""
        await service.move_visit(ctx, visit_id, action="start", principal=await principal_of(request))
        return Redirect(f"/app/inspect/visits/{visit_id}", status_code=303)

    @get("/visits/{visit_id:int}/end", guards=[page_roles("inspector")], opt=PAGE)
    async def end_confirm(self, ctx: AppContext, request: Request, visit_id: int) -> Template:
        """The deliberate second step before ending a visit: what ending means, then confirm or go back."""
        principal = await principal_of(request)
        words = words_of(request)
        await service.get_visit(ctx, visit_id, principal=principal)
        count = (await service.list_findings(ctx, PageParams(limit=1, offset=0), principal=principal, visit_id=visit_id)).total
        return render(
            request,
            "inspect/confirm.html",
            principal=principal,
            title=f"{words('insp.end_title')} · {words('insp.visit')} #{visit_id}",
            text=words("insp.end_text").format(n=count),
            action=f"/app/inspect/visits/{visit_id}/end",
            hidden=[],
            confirm=words("insp.end_confirm"),
            back=words("insp.back"),
            back_href=f"/app/inspect/visits/{visit_id}",
            back_form=False,
            entry=None,
        )

    @post("/visits/{visit_id:int}/end", guards=[page_roles("inspector")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def end(self, ctx: AppContext, request: Request, visit_id: int) -> Redirect:
        """End the visit (after the confirmation page) and go back to my visits, where it is listed with its outcomes."""
        await service.move_visit(ctx, visit_id, action="end", principal=await principal_of(request))
        return Redirect(f"/app/inspect?ended={visit_id}", status_code=303)

    @post("/visits/{visit_id:int}/findings", guards=[page_roles("inspector")], opt=PAGE, request_max_body_size=BODY_CEILING)
    async def log(self, ctx: AppContext, request: Request, visit_id: int) -> Template | Redirect:
        """One finding per ticked item, observed now; the photos are checked first, then attached to each finding."""
        principal = await principal_of(request)
        words = words_of(request)
        try:
            form = await _read_finding_form(ctx, request)
            items = [v.decode("utf-8", "replace").strip() for v in form.get("item", []) if v.strip()]
            if not items:
                raise InspectionInputInvalid(words("insp.tick_one"), field="item")
            window_id = int_or_none(_one(form, "window_id"), field="window_id")
            staff_id = int_or_none(_one(form, "staff_id"), field="staff_id")
            if window_id is None and staff_id is not None:
                postings = await org.postings_of([staff_id])
                window_id = postings[0].window_id if postings else None
            if window_id is None:
                raise InspectionInputInvalid("pick a window", field="window_id")
            severity = _one(form, "severity") or "minor"
            if severity not in ("minor", "major", "serious"):
                raise InspectionInputInvalid(f"severity {severity!r} is unknown", field="severity")
            note = _one(form, "note")
            photos = [p for p in form.get("photo", []) if p]
            if len(photos) > MAX_PHOTOS:
                raise InspectionInputInvalid(f"{words('insp.too_many_photos')} (> {MAX_PHOTOS})", field="photo")
            policy = policy_of(ctx)
            for data in photos:  # refuse a bad photo before anything is logged
                await asyncio.to_thread(clean_photo, data, max_bytes=policy.evidence_max_bytes, max_pixels=policy.evidence_max_pixels)
            now = ctx.clock.now()
            logged: list[FindingOut] = []
            for item in items:
                data_in = FindingIn(window_id=window_id, staff_id=staff_id, item=item, observed_at=now, severity=severity, note=note)  # type: ignore[arg-type]
                logged.append(await service.log_finding(ctx, visit_id, data_in, principal=principal))
            for finding in logged:
                for data in photos:
                    await service_evidence.upload(ctx, principal, finding.id, data)
        except DomainError as exc:
            return await self._visit_page(ctx, request, principal, visit_id, message=refusal_of(request, exc), status=422)
        # Back to the top of the visit, where the notice names what was logged (not to the end of a long form).
        return Redirect(f"/app/inspect/visits/{visit_id}?submitted={len(logged)}", status_code=303)
