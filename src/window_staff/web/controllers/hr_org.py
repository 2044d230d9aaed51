"""HR's staff, windows and schedules pages (auditors read the staff and windows pages without the forms)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from window_staff.attendance import jobs as attendance_jobs
from window_staff.attendance.service import admin as service_admin
from window_staff.common.context import AppContext
from window_staff.common.csrf import TOKEN_PART
from window_staff.common.errors import DomainError, InvalidInput
from window_staff.common.form import TEXT_TYPES, Field, read_multipart, text_field
from window_staff.common.guards import principal_of
from window_staff.errors import status_of
from window_staff.jobs.schemas import JobOut
from window_staff.org import service as org
from window_staff.org.service.photos import MAX_UPLOAD_BYTES
from window_staff.web import forms_hr_org as forms
from window_staff.web.confirm import confirmed
from window_staff.web.controllers.jobs import job_context, panel
from window_staff.web.i18n import lang_of, translator
from window_staff.web.pages import PAGE, offset_of, page_roles, refusal_of, render

_FORM_LIMIT = 16_384
PHOTO_BODY_LIMIT = MAX_UPLOAD_BYTES + 64 * 1024
# What browsers and phones declare for a photo (the decoder decides what it really is).
PHOTO_TYPES = frozenset({None, "application/octet-stream", "image/jpeg", "image/png", "image/webp"})
BASE = "/app/hr/org"
# The org API lets auditors read staff (with contact details); writing, and the attendance set-up, are HR's.
readers = page_roles("hr", "auditor")
writers = page_roles("hr")

# A schedules form's work: given the context, (the form's fields, the page's site, the whole form) and the actor.
Act = Callable[[AppContext, Any, str], Awaitable[Any]]


def _back(path: str, **params: Any) -> Redirect:
    """PRG: back to a page with its notice (``done``) and the same selection."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return Redirect(f"{BASE}{path}?{query}" if query else f"{BASE}{path}", status_code=303)


class HrOrgPages(Controller):
    """Staff list and detail, windows and departments, and a site's monthly schedules."""

    include_in_schema = False
    path = BASE

    # --- staff -----------------------------------------------------------------------------

    async def _staff_page(
        self, ctx: AppContext, request: Request, *, message: str | None = None, status: int = 200, form: dict[str, str] | None = None
    ) -> Template:
        principal = await principal_of(request)
        q = request.query_params
        status_filter = q.get("status") if q.get("status") in ("active", "left") else None
        context = await forms.staff_list(
            ctx,
            department_id=forms.query_int(q.get("department_id")),
            status=status_filter,
            offset=offset_of(request),
            search_text=(q.get("q") or "").strip()[:40] or None,
        )
        return render(
            request,
            "hr/org/staff.html",
            principal=principal,
            status=status,
            message=message,
            form=form or {},
            done=q.get("done"),
            created=q.get("created"),
            can_write=principal.has_any("hr"),
            **context,
        )

    @get("", guards=[readers], opt=PAGE)
    async def index(self, ctx: AppContext, request: Request) -> Response:
        """The staff list (search, filter by department and status, page by 50); a whole employee number opens that person."""
        q = request.query_params
        wanted = (q.get("employee_no") or q.get("q") or "").strip()
        if wanted:
            found = await org.staff_ids_by_employee_no([wanted])
            if wanted in found:
                return Redirect(f"{BASE}/staff/{found[wanted]}", status_code=303)
            if q.get("employee_no"):
                return await self._staff_page(ctx, request, message=translator(lang_of(request))("org.not_found"), status=404)
        return await self._staff_page(ctx, request)

    @post("/staff", guards=[writers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def create_staff(self, ctx: AppContext, request: Request) -> Response:
        """Add a staff member; back to the list of their department."""
        principal = await principal_of(request)
        raw = forms.read_form(await request.form(), "staff")
        try:
            person = await org.create_staff(ctx, forms.to_input(raw, "staff"), actor=principal.actor)
        except DomainError as exc:
            return await self._staff_page(ctx, request, message=refusal_of(request, exc), status=status_of(exc), form=raw)
        return _back("", department_id=person.department_id, done="staff_created", created=person.employee_no)

    async def _person_page(
        self,
        ctx: AppContext,
        request: Request,
        staff_id: int,
        *,
        message: str | None = None,
        status: int = 200,
        form: dict[str, str] | None = None,
    ) -> Template:
        principal = await principal_of(request)
        context = await forms.staff_detail(ctx, staff_id)
        return render(
            request,
            "hr/org/person.html",
            principal=principal,
            status=status,
            message=message,
            form=form or {},
            done=request.query_params.get("done"),
            can_write=principal.has_any("hr"),
            **context,
        )

    @get("/staff/{staff_id:int}", guards=[readers], opt=PAGE)
    async def person(self, ctx: AppContext, request: Request, staff_id: int) -> Template:
        """One staff member, with the edit and the leaving forms."""
        return await self._person_page(ctx, request, staff_id)

    @post("/staff/{staff_id:int}", guards=[writers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def update_staff(self, ctx: AppContext, request: Request, staff_id: int) -> Response:
        """Change details or post the person to another department or window."""
        principal = await principal_of(request)
        raw = forms.read_form(await request.form(), "update")
        try:
            await org.update_staff(ctx, staff_id, forms.to_input(raw, "update"), actor=principal.actor)
        except DomainError as exc:
            return await self._person_page(ctx, request, staff_id, message=refusal_of(request, exc), status=status_of(exc), form=raw)
        return _back(f"/staff/{staff_id}", done="staff_updated")

    @post("/staff/{staff_id:int}/leave", guards=[writers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def leave_staff(self, ctx: AppContext, request: Request, staff_id: int) -> Response:
        """Record that the person left the centre (history kept)."""
        principal = await principal_of(request)
        raw = forms.read_form(await request.form(), "leave")
        try:
            await org.leave_staff(ctx, staff_id, forms.to_input(raw, "leave"), actor=principal.actor)
        except DomainError as exc:
            return await self._person_page(ctx, request, staff_id, message=refusal_of(request, exc), status=status_of(exc), form=raw)
        return _back(f"/staff/{staff_id}", done="staff_left")

    @post("/staff/{staff_id:int}/photo", guards=[writers], opt=PAGE, request_max_body_size=PHOTO_BODY_LIMIT)
    async def set_photo(self, ctx: AppContext, request: Request, staff_id: int) -> Response:
        """Keep the person's public photo for the hall's screens, with the day they consented to its display."""
        principal = await principal_of(request)
        fields = {"image": Field(MAX_UPLOAD_BYTES, PHOTO_TYPES), "consented_on": text_field(), "note": Field(800, TEXT_TYPES), **TOKEN_PART}
        try:
            parts = read_multipart(await request.body(), request.headers.get("content-type", ""), fields=fields, max_parts=5)
            day = (parts.get("consented_on") or [b""])[0].decode("utf-8", "replace").strip()
            await org.set_public_photo(
                ctx,
                staff_id,
                image=(parts.get("image") or [b""])[0],
                consented_on=forms.day_or_none(day),
                note=(parts.get("note") or [b""])[0].decode("utf-8", "replace").strip(),
                actor=principal.actor,
            )
        except DomainError as exc:
            return await self._person_page(ctx, request, staff_id, message=refusal_of(request, exc), status=status_of(exc))
        return _back(f"/staff/{staff_id}", done="photo_set")

    @post("/staff/{staff_id:int}/photo/remove", guards=[writers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def remove_photo(self, ctx: AppContext, request: Request, staff_id: int) -> Response:
        """The person withdrew their consent: delete the public photo (sent only from the confirmation step)."""
        principal = await principal_of(request)
        if not confirmed(await request.form()):
            return Redirect(f"{BASE}/staff/{staff_id}?confirm=photo-remove", status_code=303)
        await org.withdraw_public_photo(ctx, staff_id, actor=principal.actor)
        return _back(f"/staff/{staff_id}", done="photo_removed")

    # --- windows and departments -----------------------------------------------------------

    async def _windows_page(
        self, ctx: AppContext, request: Request, *, message: str | None = None, status: int = 200, form: dict[str, str] | None = None
    ) -> Template:
        principal = await principal_of(request)
        context = await forms.windows_page(ctx, site_id=forms.query_int(request.query_params.get("site_id")))
        return render(
            request,
            "hr/org/windows.html",
            principal=principal,
            status=status,
            message=message,
            form=form or {},
            done=request.query_params.get("done"),
            can_write=principal.has_any("hr"),
            **context,
        )

    @get("/windows", guards=[readers], opt=PAGE)
    async def windows(self, ctx: AppContext, request: Request) -> Template:
        """Windows by site (department, number, name) and departments with their heads."""
        return await self._windows_page(ctx, request)

    @post("/windows", guards=[writers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def create_window(self, ctx: AppContext, request: Request) -> Response:
        """Add a window to a site; back to that site's windows."""
        principal = await principal_of(request)
        raw = forms.read_form(await request.form(), "window")
        try:
            window = await org.create_window(ctx, forms.to_input(raw, "window"), actor=principal.actor)
        except DomainError as exc:
            return await self._windows_page(ctx, request, message=refusal_of(request, exc), status=status_of(exc), form=raw)
        return _back("/windows", site_id=window.site_id, done="window_created")

    @post("/departments/{department_id:int}/head", guards=[writers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def set_head(self, ctx: AppContext, request: Request, department_id: int) -> Response:
        """Name a department's head (an active staff member of it)."""
        principal = await principal_of(request)
        raw = forms.read_form(await request.form(), "head")
        try:
            await org.set_department_head(ctx, department_id, forms.to_input(raw, "head"), actor=principal.actor)
        except DomainError as exc:
            return await self._windows_page(ctx, request, message=refusal_of(request, exc), status=status_of(exc))
        return _back("/windows", done="head_set")

    # --- schedules -------------------------------------------------------------------------

    async def _schedules_page(
        self,
        ctx: AppContext,
        request: Request,
        *,
        site_id: int | None,
        month: str,
        message: str | None = None,
        status: int = 200,
        form: dict[str, str] | None = None,
    ) -> Template:
        principal = await principal_of(request)
        context = await forms.schedules_page(ctx, site_id=site_id, month=month)
        site, key = context["site"], context["month"]
        job = await panel(ctx, request, subject=f"{key} {site.name}", kinds=[attendance_jobs.CLOSE_MONTH])
        if job is not None and job.state not in ("queued", "running"):
            # Read again after the finished job: it may have finished after the closed months were read.
            context = await forms.schedules_page(ctx, site_id=site.id, month=key)
        back = f"/app/hr/org/schedules?{urlencode({'site_id': site.id, 'month': key})}"
        context.update(job_context(job, back=back, lang=lang_of(request)))
        # While the close runs, it is not offered again.
        context["closing"] = job is not None and job.state in ("queued", "running")
        return render(
            request,
            "hr/org/schedules.html",
            principal=principal,
            status=status,
            message=message,
            form=form or {},
            done=request.query_params.get("done"),
            **context,
        )

    @get("/schedules", guards=[writers], opt=PAGE)
    async def schedules(self, ctx: AppContext, request: Request) -> Template:
        """A site's month (``?site_id=&month=YYYY-MM``, default the first site and this month)."""
        q = request.query_params
        return await self._schedules_page(
            ctx, request, site_id=forms.query_int(q.get("site_id")), month=q.get("month") or forms.this_month(ctx)
        )

    @get("/schedules/people", guards=[writers], opt=PAGE)
    async def rota_people(self, ctx: AppContext, request: Request) -> Template:
        """The rota form's choice of people as HR types in its find box (htmx swaps the options in)."""
        q = request.query_params
        site_id = forms.query_int(q.get("site_id"))
        people = await forms.rota_people(
            ctx, site_id=site_id or 0, month=forms.month_or_this(ctx, q.get("month") or ""), search_text=q.get("pick") or ""
        )
        return render(request, "hr/org/_rota_people.html", principal=await principal_of(request), people=people, f={})

    async def _schedule_act(self, ctx: AppContext, request: Request, *, kind: str | None, act: Act, done: str | None) -> Response:
        """Read the form (its site and month ride along as hidden fields), run the service, PRG back or show the refusal."""
        principal = await principal_of(request)
        form = await request.form()
        site_id = forms.query_int(str(form.get("site_id", "")))
        month = forms.month_or_this(ctx, str(form.get("month", "")))
        raw = forms.read_form(form, kind) if kind else {}
        try:
            outcome = await act(ctx, (raw, site_id, form), principal.actor)
        except DomainError as exc:
            return await self._schedules_page(
                ctx, request, site_id=site_id, month=month, message=refusal_of(request, exc), status=status_of(exc), form=raw
            )
        job = outcome.id if isinstance(outcome, JobOut) else None  # queued: the page follows the job
        return _back("/schedules", site_id=site_id, month=month, done=done, job=job)

    @post("/schedules/hours", guards=[writers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def add_hours(self, ctx: AppContext, request: Request) -> Response:
        """Session hours of the site over a dated range (ranges never overlap)."""

        async def act(ctx: AppContext, got: Any, actor: str) -> Any:
            return await service_admin.add_site_hours(ctx, forms.to_input(got[0], "hours", site_id=got[1]), actor=actor)

        return await self._schedule_act(ctx, request, kind="hours", act=act, done="hours_added")

    @post("/schedules/closures", guards=[writers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def add_closure(self, ctx: AppContext, request: Request) -> Response:
        """Close one of the site's windows for a day."""

        async def act(ctx: AppContext, got: Any, actor: str) -> Any:
            return await service_admin.add_closure(ctx, forms.to_input(got[0], "closure"), actor=actor)

        return await self._schedule_act(ctx, request, kind="closure", act=act, done="closure_added")

    @post("/schedules/closures/{closure_id:int}/delete", guards=[writers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def delete_closure(self, ctx: AppContext, request: Request, closure_id: int) -> Response:
        """Reopen a window's day (open months only)."""

        async def act(ctx: AppContext, _: Any, actor: str) -> Any:
            return await service_admin.delete_closure(ctx, closure_id, actor=actor)

        return await self._schedule_act(ctx, request, kind=None, act=act, done="closure_deleted")

    @post("/schedules/overrides", guards=[writers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def add_override(self, ctx: AppContext, request: Request) -> Response:
        """A local holiday, closed day or weekend service day of the site."""

        async def act(ctx: AppContext, got: Any, actor: str) -> Any:
            return await service_admin.add_override(ctx, forms.to_input(got[0], "override", site_id=got[1]), actor=actor)

        return await self._schedule_act(ctx, request, kind="override", act=act, done="override_added")

    @post("/schedules/overrides/{override_id:int}/delete", guards=[writers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def delete_override(self, ctx: AppContext, request: Request, override_id: int) -> Response:
        """Withdraw an override (open months only)."""

        async def act(ctx: AppContext, _: Any, actor: str) -> Any:
            return await service_admin.delete_override(ctx, override_id, actor=actor)

        return await self._schedule_act(ctx, request, kind=None, act=act, done="override_deleted")

    @post("/schedules/rota", guards=[writers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def add_rota(self, ctx: AppContext, request: Request) -> Response:
        """Add weekend or extended-hours duty for one person, or remove one of their sessions."""

        async def act(ctx: AppContext, got: Any, actor: str) -> Any:
            return await service_admin.add_rota(ctx, forms.to_input(got[0], "rota"), actor=actor)

        return await self._schedule_act(ctx, request, kind="rota", act=act, done="rota_added")

    @post("/schedules/rota/{rota_id:int}/delete", guards=[writers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def delete_rota(self, ctx: AppContext, request: Request, rota_id: int) -> Response:
        """Withdraw a rota change (open months only)."""

        async def act(ctx: AppContext, _: Any, actor: str) -> Any:
            return await service_admin.delete_rota(ctx, rota_id, actor=actor)

        return await self._schedule_act(ctx, request, kind=None, act=act, done="rota_deleted")

    @post("/schedules/close", guards=[writers], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def close_month(self, ctx: AppContext, request: Request) -> Response:
        """Freeze the site's month for attendance (asks for a ticked confirmation: it cannot be undone here)."""

        principal = await principal_of(request)

        async def act(ctx: AppContext, got: Any, actor: str) -> Any:
            _, site_id, form = got
            if not form.get("confirm"):
                raise InvalidInput("tick the confirmation box first", code="org_close_unconfirmed")
            return await attendance_jobs.request_close_month(
                ctx, site_id=site_id if site_id is not None else 0, month=str(form.get("month", "")), principal=principal
            )

        # Queued: the schedules page follows the job and says how it ended.
        return await self._schedule_act(ctx, request, kind=None, act=act, done=None)
