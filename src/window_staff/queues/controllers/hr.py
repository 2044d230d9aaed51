"""HR's queue routes: the CSV import, the category mapping, the exception list; the figures for HR, approvers, auditors."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import Provide
from litestar.params import Parameter

from window_staff.common.context import AppContext
from window_staff.common.form import Field, UnknownField, read_multipart
from window_staff.common.guards import provide_principal, roles
from window_staff.common.pagination import Page, PageParams
from window_staff.common.principal import Principal
from window_staff.common.web import PAGE, accepted
from window_staff.jobs.schemas import JobOut
from window_staff.queues import jobs as queue_jobs
from window_staff.queues.errors import QueueInputInvalid
from window_staff.queues.schemas import CSV_TYPES, MULTIPART_OVERHEAD, CategoryIn, CategoryOut, ExceptionOut, FiguresOut, ResolveIn
from window_staff.queues.service import categories as service_categories, events as service_events, figures as service_figures

is_hr = roles("hr")
can_read_figures = roles("hr", "approver", "auditor")
MONTH = Parameter(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")


class QueueController(Controller):
    """Queue-ticket and calling machines (排号机/叫号机): imports, categories, exceptions, figures."""

    path = "/api/v1/queues"
    tags = ["queues"]
    dependencies = {"principal": Provide(provide_principal), "page": PAGE}

    @post("/import", guards=[is_hr], status_code=202, request_max_body_size=service_events.MAX_FILE_BYTES + MULTIPART_OVERHEAD)
    async def import_csv(self, ctx: AppContext, principal: Principal, request: Request) -> Response[JobOut]:
        """Queue the import of a CSV export (multipart field ``file``): 202 and the job, which stores every row or none (its
        problem ``queue_import_rejected`` lists each bad line and column); identical rows already stored are skipped, events
        the device already pushed are not stored twice, a different event under a used id fails the job (409 problem).
        A file that cannot be read at all is refused at once (413, 422)."""
        try:
            form = read_multipart(
                await request.body(),
                request.headers.get("content-type", ""),
                fields={"file": Field(service_events.MAX_FILE_BYTES, CSV_TYPES)},
                max_parts=2,
            )
        except UnknownField as exc:
            raise QueueInputInvalid(exc.detail, code=exc.code) from None
        files = form.get("file", [])
        if len(files) != 1:
            raise QueueInputInvalid("send exactly one part named 'file'", code="file_part_required")
        return accepted(await queue_jobs.request_csv_import(ctx, files[0], principal=principal))

    @get("/categories", guards=[is_hr])
    async def categories(self, ctx: AppContext, page: PageParams, site_id: int | None = None) -> Page[CategoryOut]:
        """The mapping of the machines' service categories to departments and windows."""
        return await service_categories.list_categories(ctx, page, site_id=site_id)

    @post("/categories", guards=[is_hr], request_max_body_size=16 * 1024)
    async def create_category(self, ctx: AppContext, principal: Principal, data: CategoryIn) -> CategoryOut:
        """Map a category of a site's machine (409 when the site has the code already)."""
        return await service_categories.create_category(ctx, data, actor=principal.actor)

    @get("/categories/{category_id:int}", guards=[is_hr])
    async def category(self, ctx: AppContext, category_id: int) -> CategoryOut:
        """One category mapping."""
        return await service_categories.get_category(ctx, category_id)

    @put("/categories/{category_id:int}", guards=[is_hr], request_max_body_size=16 * 1024)
    async def update_category(self, ctx: AppContext, principal: Principal, category_id: int, data: CategoryIn) -> CategoryOut:
        """Change a category's name, department or windows."""
        return await service_categories.update_category(ctx, category_id, data, actor=principal.actor)

    @delete("/categories/{category_id:int}", guards=[is_hr], status_code=204)
    async def delete_category(self, ctx: AppContext, principal: Principal, category_id: int) -> None:
        """Remove a mapping (its events are kept)."""
        await service_categories.delete_category(ctx, category_id, actor=principal.actor)

    @get("/exceptions", guards=[is_hr])
    async def exceptions(self, ctx: AppContext, page: PageParams, open_only: bool = True) -> Page[ExceptionOut]:
        """Events HR must look at (categories without a mapping), oldest first; the events themselves are kept."""
        return await service_categories.list_exceptions(ctx, page, open_only=open_only)

    @post("/exceptions/{exception_id:int}/resolve", guards=[is_hr], status_code=200, request_max_body_size=4 * 1024)
    async def resolve(self, ctx: AppContext, principal: Principal, exception_id: int, data: ResolveIn) -> ExceptionOut:
        """Close an exception with a note."""
        return await service_categories.resolve_exception(ctx, exception_id, data, actor=principal.actor)

    @get("/figures", guards=[can_read_figures])
    async def figures(
        self,
        ctx: AppContext,
        page: PageParams,
        month: str = MONTH,
        by: str = Parameter(default="staff", pattern="^(staff|window)$"),
        day: date | None = None,
        site_id: int | None = None,
    ) -> Page[FiguresOut]:
        """A month's (or one day's) tickets served, median and 90th-percentile wait, median service time, missed calls,
        paused minutes and 空岗 events per staff member or window (one site's with ``site_id``)."""
        return await service_figures.figures(ctx, page, month=month, by=by, day=day, site_id=site_id)
