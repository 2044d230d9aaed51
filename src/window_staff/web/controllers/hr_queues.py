"""HR's queue-machine page: each site's categories (业务类型) with their department and windows, added, changed and
removed on forms; the events of categories nobody has mapped, by site and code, mapped or closed with a note."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from window_staff.common.context import AppContext
from window_staff.common.dates import time_words
from window_staff.common.errors import DomainError
from window_staff.common.guards import principal_of
from window_staff.common.pagination import PageParams
from window_staff.errors import status_of
from window_staff.org import service as org
from window_staff.org.schemas import WindowOut
from window_staff.queues.schemas import CategoryIn, CategoryOut, ResolveGroupIn
from window_staff.queues.service import categories as service
from window_staff.web.confirm import confirmed
from window_staff.web.controllers.hr_campaigns import every
from window_staff.web.i18n import lang_of
from window_staff.web.names import name_book
from window_staff.web.pages import PAGE, page_roles, refusal_of, render
from window_staff.web.words_queues import QUEUE_DONE, windows_words

_hr = page_roles("hr")
HERE = "/app/hr/queues"
_FORM_LIMIT = 16 * 1024
# A site has tens of categories, not thousands: one bounded read.
_CATEGORIES = PageParams(limit=1000, offset=0)


def _int(value: object) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else 0


def _asked_site(request: Request, sites: Mapping[int, str]) -> int | None:
    asked = _int(request.query_params.get("site"))
    return asked if asked in sites else (min(sites) if sites else None)


async def _windows(ctx: AppContext, site_id: int) -> list[WindowOut]:
    windows = await every(lambda p: org.list_windows(ctx, p, site_id=site_id))
    return sorted(windows, key=lambda w: (len(w.number), w.number))


def _form_of(form: Mapping[str, Any], *, site_id: int, code: str | None = None) -> CategoryIn:
    """The posted form as the service's input (a missing department is 0, which the service refuses in words)."""
    return CategoryIn(
        site_id=site_id,
        code=code if code is not None else str(form.get("code", "")),
        name=str(form.get("name", "")),
        department_id=_int(form.get("department_id")),
        window_ids=sorted({_int(v) for v in form.getall("window_id", [])} - {0}),  # type: ignore[attr-defined]
    )


class HrQueuePages(Controller):
    """The categories of a site's ticket machine and the events to look at."""

    include_in_schema = False
    path = HERE

    @get("", guards=[_hr], opt=PAGE)
    async def index(self, ctx: AppContext, request: Request) -> Template:
        """A site's categories, and the open events of unmapped codes at every site."""
        return await self._index(ctx, request)

    async def _index(self, ctx: AppContext, request: Request, *, message: str | None = None, status: int = 200) -> Template:
        lang = lang_of(request)
        sites = await org.site_names()
        site_id = _asked_site(request, sites)
        zones = await org.site_time_zones(list(sites))
        departments = await org.department_codes()
        people = name_book(ctx)
        rows: list[dict[str, Any]] = []
        if site_id is not None:
            numbers = {w.id: w.number for w in await _windows(ctx, site_id)}
            for c in (await service.list_categories(ctx, _CATEGORIES, site_id=site_id)).items:
                shown = [numbers[w] for w in c.window_ids if w in numbers]
                rows.append(
                    {
                        "id": c.id,
                        "name": c.name,
                        "code": c.code,
                        "department": departments.get(c.department_id, ("", ""))[1],
                        "windows": windows_words(sorted(shown, key=lambda n: (len(n), n)), lang),
                        "who": people.who(c.updated_by, lang),
                        "at": time_words(c.updated_at, lang, zone=zones.get(site_id, "Asia/Shanghai")),
                    }
                )
        mapped = {(c.site_id, c.code) for c in (await service.list_categories(ctx, PageParams(limit=10_000, offset=0))).items}
        groups = [
            {
                "site": sites.get(g.site_id, ""),
                "code": g.category,
                "events": g.events,
                "first": time_words(g.first_at, lang, zone=zones.get(g.site_id, "Asia/Shanghai")),
                "last": time_words(g.last_at, lang, zone=zones.get(g.site_id, "Asia/Shanghai")),
                "map": None if (g.site_id, g.category) in mapped else f"{HERE}/new?{urlencode({'site': g.site_id, 'code': g.category})}",
                "site_id": g.site_id,
                "through": g.through_id,
            }
            for g in await service.exception_groups(ctx)
        ]
        done = request.query_params.get("done")
        settled = _int(request.query_params.get("n"))
        notice = None
        if done in QUEUE_DONE:
            notice = f"qp.done.{done}_settled" if done == "created" and settled else f"qp.done.{done}"
        return render(
            request,
            "hr/queues/index.html",
            principal=await principal_of(request),
            status=status,
            message=message,
            notice=notice,
            settled=settled,
            sites=sorted(sites.items()),
            site_id=site_id,
            rows=rows,
            groups=groups,
            pending=sum(g["events"] for g in groups),
            confirm=request.query_params.get("confirm"),
        )

    async def _form(
        self,
        ctx: AppContext,
        request: Request,
        *,
        site_id: int,
        kept: CategoryIn,
        category: CategoryOut | None = None,
        message: str | None = None,
        status: int = 200,
    ) -> Template:
        sites = await org.site_names()
        windows = [w for w in await _windows(ctx, site_id) if w.active or w.id in kept.window_ids]
        departments = sorted(((i, n) for i, (_, n) in (await org.department_codes()).items()), key=lambda d: d[1])
        return render(
            request,
            "hr/queues/form.html",
            principal=await principal_of(request),
            status=status,
            message=message,
            site_name=sites.get(site_id, ""),
            site_id=site_id,
            category=category,
            title_key="qp.edit_title" if category else "qp.new_title",
            kept=kept,
            windows=[(w.id, windows_words([w.number], lang_of(request)), w.name) for w in windows],
            departments=departments,
            back=f"{HERE}?site={site_id}",
        )

    @get("/new", guards=[_hr], opt=PAGE)
    async def new(self, ctx: AppContext, request: Request) -> Template:
        """The add form for a site (from the site's table, or prefilled with a code from the events to look at)."""
        sites = await org.site_names()
        site_id = _asked_site(request, sites)
        if site_id is None:
            return await self._index(ctx, request)
        kept = CategoryIn(site_id=site_id, code=str(request.query_params.get("code", ""))[:32], name="", department_id=0)
        return await self._form(ctx, request, site_id=site_id, kept=kept)

    @post("/new", guards=[_hr], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def create(self, ctx: AppContext, request: Request) -> Template | Redirect:
        """Add the category; its site's open events of the code are settled with it."""
        form = await request.form()
        data = _form_of(form, site_id=_int(form.get("site_id")))
        try:
            made = await service.create_category(ctx, data, actor=(await principal_of(request)).actor)
        except DomainError as exc:
            if data.site_id not in await org.site_names():
                return await self._index(ctx, request, message=refusal_of(request, exc), status=status_of(exc))
            return await self._form(ctx, request, site_id=data.site_id, kept=data, message=refusal_of(request, exc), status=status_of(exc))
        return Redirect(f"{HERE}?site={made.site_id}&done=created&n={made.resolved_exceptions}", status_code=303)

    @get("/{category_id:int}", guards=[_hr], opt=PAGE)
    async def edit(self, ctx: AppContext, request: Request, category_id: int) -> Template:
        """The change form (name, department, windows; the code and site are fixed) and the removal step."""
        category = await service.get_category(ctx, category_id)
        kept = CategoryIn(
            site_id=category.site_id,
            code=category.code,
            name=category.name,
            department_id=category.department_id,
            window_ids=category.window_ids,
        )
        return await self._form(ctx, request, site_id=category.site_id, kept=kept, category=category)

    @post("/{category_id:int}", guards=[_hr], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def update(self, ctx: AppContext, request: Request, category_id: int) -> Template | Redirect:
        """Save the change; a refusal keeps what was typed and says what to fix."""
        category = await service.get_category(ctx, category_id)
        data = _form_of(await request.form(), site_id=category.site_id, code=category.code)
        try:
            await service.update_category(ctx, category_id, data, actor=(await principal_of(request)).actor)
        except DomainError as exc:
            return await self._form(
                ctx,
                request,
                site_id=category.site_id,
                kept=data,
                category=category,
                message=refusal_of(request, exc),
                status=status_of(exc),
            )
        return Redirect(f"{HERE}?site={category.site_id}&done=changed", status_code=303)

    @post("/{category_id:int}/remove", guards=[_hr], opt=PAGE, request_max_body_size=4096)
    async def remove(self, ctx: AppContext, request: Request, category_id: int) -> Template | Redirect:
        """Remove the category, from the confirmation step (its events stay)."""
        if not confirmed(await request.form()):
            return Redirect(f"{HERE}/{category_id}?confirm=queue-remove#confirm-queue-remove", status_code=303)
        try:
            category = await service.get_category(ctx, category_id)
            await service.delete_category(ctx, category_id, actor=(await principal_of(request)).actor)
        except DomainError as exc:
            return await self._index(ctx, request, message=refusal_of(request, exc), status=status_of(exc))
        return Redirect(f"{HERE}?site={category.site_id}&done=removed", status_code=303)

    @post("/events/close", guards=[_hr], opt=PAGE, request_max_body_size=4096)
    async def close(self, ctx: AppContext, request: Request) -> Template | Redirect:
        """Close a site's open events of one code with a note, from the confirmation step (the events stay)."""
        form = await request.form()
        site_id = _int(form.get("site_id"))
        if not confirmed(form):
            return Redirect(f"{HERE}?site={site_id}", status_code=303)
        data = ResolveGroupIn(
            site_id=site_id, category=str(form.get("category", "")), through_id=_int(form.get("through")), note=str(form.get("note", ""))
        )
        try:
            done = await service.resolve_group(ctx, data, actor=(await principal_of(request)).actor)
        except DomainError as exc:
            return await self._index(ctx, request, message=refusal_of(request, exc), status=status_of(exc))
        return Redirect(f"{HERE}?site={site_id}&done=closed&n={done}#pending", status_code=303)
