"""Service transaction routes: CSV upload and JSON import (HR), the list (HR), the month's rates (HR, approver, auditor)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import Parameter

from window_staff.common.context import AppContext
from window_staff.common.form import Field, UnknownField, read_multipart
from window_staff.common.guards import provide_principal, roles
from window_staff.common.pagination import Page, PageParams
from window_staff.common.principal import Principal
from window_staff.common.web import PAGE, accepted
from window_staff.evaluations import jobs as evaluation_jobs
from window_staff.evaluations.errors import EvaluationInputInvalid
from window_staff.evaluations.schemas.metrics import (
    CSV_TYPES,
    FILE_LIMIT,
    MULTIPART_OVERHEAD,
    ServiceRateOut,
    TransactionIn,
    TransactionOut,
)
from window_staff.evaluations.service import metrics as service
from window_staff.jobs.schemas import JobOut

can_import = roles("hr")
can_read_rates = roles("hr", "approver", "auditor")
MONTH = Parameter(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")


class ServiceMetricsController(Controller):
    """Service transactions (办件) and the on-site and on-time completion rates."""

    path = "/api/v1/evaluations"
    tags = ["evaluations"]
    dependencies = {"principal": Provide(provide_principal), "page": PAGE}

    @post("/transactions/import", guards=[can_import], request_max_body_size=FILE_LIMIT + MULTIPART_OVERHEAD)
    async def import_csv(self, ctx: AppContext, principal: Principal, request: Request) -> Response[JobOut]:
        """Queue the import of a CSV file (multipart field ``file``): 202 and the job, which imports every row or none and
        otherwise fails with ``import_rejected`` listing each bad line and column; a file that cannot be read is refused at once."""
        try:
            form = read_multipart(
                await request.body(), request.headers.get("content-type", ""), fields={"file": Field(FILE_LIMIT, CSV_TYPES)}, max_parts=2
            )
        except UnknownField as exc:
            # The reader speaks check-in; an unknown field here is an import request error.
            raise EvaluationInputInvalid(exc.detail, code=exc.code) from None
        files = form.get("file", [])
        if len(files) != 1:
            raise EvaluationInputInvalid("send exactly one part named 'file'", code="file_part_required")
        return accepted(await evaluation_jobs.request_csv_import(ctx, files[0], principal=principal))

    @post("/transactions", guards=[can_import], request_max_body_size=FILE_LIMIT)
    async def import_json(self, ctx: AppContext, principal: Principal, data: list[TransactionIn]) -> Response[JobOut]:
        """Queue the import of a JSON list of transactions (the CSV's columns), checked the same way in the job: every row or none."""
        return accepted(await evaluation_jobs.request_json_import(ctx, data, principal=principal))

    @get("/transactions", guards=[can_import])
    async def list_transactions(
        self,
        ctx: AppContext,
        page: PageParams,
        month: str | None = Parameter(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM received"),
        staff_id: int | None = None,
        window_id: int | None = None,
    ) -> Page[TransactionOut]:
        """Transactions by received time, optionally of one month (site local time), staff member or window."""
        return await service.list_transactions(ctx, page, month=month, staff_id=staff_id, window_id=window_id)

    @get("/service-rates", guards=[can_read_rates])
    async def service_rates(
        self,
        ctx: AppContext,
        page: PageParams,
        month: str = MONTH,
        by: str = Parameter(default="staff", pattern="^(staff|window|department)$"),
    ) -> Page[ServiceRateOut]:
        """现场办结率 and 按时办结率 of a month per staff member, window or department, with the counts behind them."""
        return await service.service_rates(ctx, page, month=month, by=by)
