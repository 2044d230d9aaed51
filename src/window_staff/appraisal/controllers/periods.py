"""Appraisal routes for HR, approvers and auditors: the month's lifecycle, its sheets, reports and payroll files.

Months are ``YYYY-MM`` strings in the path; the services parse them, so a bad one is a 422 ``month_invalid``.
Staff routes (their own sheet and appeals) and the reviewers' appeal queue are in ``controllers_appeals``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.params import Parameter

from window_staff.appraisal import jobs as appraisal_jobs, service
from window_staff.appraisal.errors import AppraisalInputInvalid
from window_staff.appraisal.schemas import (
    DiffOut,
    EventOut,
    PeriodOut,
    RankingOut,
    ReasonIn,
    SheetOut,
    SheetSummaryOut,
    TrendOut,
)
from window_staff.appraisal.service import close as service_close, payroll as service_payroll, reports as service_reports
from window_staff.auth.errors import RoleRequired
from window_staff.common import periods
from window_staff.common.context import AppContext
from window_staff.common.guards import authenticated, provide_principal, roles
from window_staff.common.pagination import Page, PageParams
from window_staff.common.principal import Principal
from window_staff.common.web import PAGE, accepted
from window_staff.jobs.schemas import JobOut

_deps = {"principal": Provide(provide_principal), "page": PAGE}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
# Bodies: none on plain transitions, a reason (<= 2000 characters, escaped or not) on return and reopen.
_EMPTY_BODY = 1024
_REASON_BODY = 16384

can_read = roles(*service_reports.READER_ROLES)
can_prepare = roles("hr")
can_approve = roles("approver")

Lang = Annotated[Literal["zh", "en"], Parameter(description="language of the explanation text or file", required=False)]


def _attachment(body: bytes, *, media_type: str, filename: str) -> Response[bytes]:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


class AppraisalController(Controller):
    """A month's appraisal: HR prepares it, a second person approves it, HR publishes and closes it."""

    path = "/api/v1/appraisal"
    tags = ["appraisal"]
    dependencies = _deps

    # --- reading ------------------------------------------------------------------------------------------

    @get("/periods", guards=[can_read])
    async def periods(self, ctx: AppContext) -> list[PeriodOut]:
        """Every month with an appraisal, newest first."""
        return await service.list_periods(ctx)

    @get("/periods/{month:str}", guards=[can_read])
    async def period(self, ctx: AppContext, month: str) -> PeriodOut:
        """One month: state, latest computation, appeal window, approval and, once closed, its hashes."""
        return await service.get_period(ctx, month)

    @get("/periods/{month:str}/trail", guards=[can_read])
    async def trail(self, ctx: AppContext, month: str) -> list[EventOut]:
        """The month's transitions with who did them and why, oldest first."""
        return await service.trail(ctx, month)

    @get("/periods/{month:str}/sheets", guards=[can_read])
    async def sheets(
        self, ctx: AppContext, month: str, page: PageParams, department_id: Annotated[int | None, Parameter(ge=1, required=False)] = None
    ) -> Page[SheetSummaryOut]:
        """A page of the month's sheets by employee number (optionally one department's)."""
        return await service_reports.list_sheets(ctx, month, page, department_id=department_id)

    @get("/periods/{month:str}/sheets/{staff_id:int}", guards=[authenticated])
    async def sheet(self, ctx: AppContext, principal: Principal, month: str, staff_id: int, lang: Lang = "zh") -> SheetOut:
        """One person's sheet with every line's facts and a readable explanation (staff: only their own, once shown)."""
        return await service_reports.sheet(ctx, month, staff_id, principal=principal, lang=lang)

    @get("/periods/{month:str}/ranking", guards=[authenticated])
    async def ranking(
        self,
        ctx: AppContext,
        principal: Principal,
        month: str,
        by: Annotated[Literal["department", "window"], Parameter(required=False)] = "department",
    ) -> RankingOut:
        """Departments or windows ranked by average total: HR, approvers, auditors, and department heads once the month is shown.

        A group under the policy's ``ranking_min_group`` people is listed unranked with its headcount only.
        """
        return await service_reports.ranking(ctx, month, by=by, principal=principal)

    @get("/periods/{month:str}/diff", guards=[can_read])
    async def diff(self, ctx: AppContext, month: str, since: Annotated[int | None, Parameter(ge=0, required=False)] = None) -> DiffOut:
        """Sheets changed since computation ``since`` (default: the one before the latest whole-month run)."""
        return await service_reports.diff(ctx, month, since=since)

    @get("/trend", guards=[authenticated])
    async def trend(
        self,
        ctx: AppContext,
        principal: Principal,
        staff_id: Annotated[int | None, Parameter(ge=1, required=False)] = None,
        department_id: Annotated[int | None, Parameter(ge=1, required=False)] = None,
        months: Annotated[int, Parameter(ge=1, le=60, required=False)] = 12,
    ) -> TrendOut:
        """A person's or a department's last months (exactly one of ``staff_id``, ``department_id``); staff ask their own."""
        if (staff_id is None) == (department_id is None):
            raise AppraisalInputInvalid("give exactly one of staff_id and department_id", key="staff_id")
        if department_id is not None and not principal.has_any(*service_reports.READER_ROLES):
            raise RoleRequired(f"a department's trend needs one of: {', '.join(service_reports.READER_ROLES)}")
        return await service_reports.trend(ctx, principal=principal, staff_id=staff_id, department_id=department_id, months=months)

    # --- payroll and proof -----------------------------------------------------------------------------

    @get("/periods/{month:str}/bonus", guards=[can_read])
    async def bonus(
        self,
        ctx: AppContext,
        month: str,
        format: Annotated[Literal["xlsx", "csv"], Parameter(required=False)] = "xlsx",  # noqa: A002 (the query name)
        lang: Lang = "zh",
    ) -> Response[bytes]:
        """The month's bonus for payroll as an XLSX form (default) or a CSV import, in ``lang``; 409 until approved."""
        key = periods.month_key(periods.parse_month(month))
        body = await service_payroll.payroll_file(ctx, key, file=format, lang=lang)
        return _attachment(body, media_type=CSV if format == "csv" else XLSX, filename=f"bonus-{key}.{format}")

    @get("/periods/{month:str}/chain-head", guards=[can_read])
    async def chain_head(self, ctx: AppContext, month: str) -> Response[bytes]:
        """The signed chain head of the month's latest close (check it with ``window-staff appraisal verify-head``)."""
        key = periods.month_key(periods.parse_month(month))
        return _attachment(await service_close.chain_head(ctx, key), media_type="application/json", filename=f"chain-head-{key}.json")

    # --- lifecycle -------------------------------------------------------------------------------------

    @post("/periods/{month:str}/compute", guards=[can_prepare], status_code=202, request_max_body_size=_EMPTY_BODY)
    async def compute(self, ctx: AppContext, principal: Principal, month: str) -> Response[JobOut]:
        """Queue scoring every staff member employed in the month (again, until it is approved): 202 with the job's
        address (``Location``); the finished job's result says how many sheets changed. Asking again while it runs
        answers the same job."""
        return accepted(await appraisal_jobs.request_compute(ctx, month, principal=principal))

    @post("/periods/{month:str}/open-appeals", guards=[can_prepare], status_code=200, request_max_body_size=_EMPTY_BODY)
    async def open_appeals(self, ctx: AppContext, principal: Principal, month: str) -> PeriodOut:
        """Show staff their sheets and open the appeal window (the month must have ended)."""
        return await service.open_appeals(ctx, month, principal=principal)

    @post("/periods/{month:str}/end-appeals", guards=[can_prepare], status_code=200, request_max_body_size=_EMPTY_BODY)
    async def end_appeals(self, ctx: AppContext, principal: Principal, month: str) -> PeriodOut:
        """End the appeal window once it has run out and every appeal is decided."""
        return await service.end_appeals(ctx, month, principal=principal)

    @post("/periods/{month:str}/approve", guards=[can_approve], status_code=200, request_max_body_size=_EMPTY_BODY)
    async def approve(self, ctx: AppContext, principal: Principal, month: str) -> PeriodOut:
        """Approve the figures: never by someone who computed them or decided an appeal in them (403 four_eyes_required)."""
        return await service.approve(ctx, month, principal=principal)

    @post("/periods/{month:str}/return", guards=[can_approve], status_code=200, request_max_body_size=_REASON_BODY)
    async def return_month(self, ctx: AppContext, principal: Principal, month: str, data: ReasonIn) -> PeriodOut:
        """Send a decided or approved month back to HR, with a reason."""
        return await service.return_month(ctx, month, principal=principal, reason=data.reason)

    @post("/periods/{month:str}/publish", guards=[can_prepare], status_code=200, request_max_body_size=_EMPTY_BODY)
    async def publish(self, ctx: AppContext, principal: Principal, month: str) -> PeriodOut:
        """Publish the approved figures to staff as final."""
        return await service.publish(ctx, month, principal=principal)

    @post("/periods/{month:str}/close", guards=[can_prepare], status_code=202, request_max_body_size=_EMPTY_BODY)
    async def close(self, ctx: AppContext, principal: Principal, month: str) -> Response[JobOut]:
        """Queue the close: freeze the bonuses, store the month's hashes and sign its chain head (202 with the job's address)."""
        return accepted(await appraisal_jobs.request_close(ctx, month, principal=principal))

    @post("/periods/{month:str}/reopen", guards=[can_approve], status_code=200, request_max_body_size=_REASON_BODY)
    async def request_reopen(self, ctx: AppContext, principal: Principal, month: str, data: ReasonIn) -> PeriodOut:
        """Ask to reopen a closed month, with a reason; nothing changes until a second approver confirms."""
        return await service_close.request_reopen(ctx, month, principal=principal, reason=data.reason)

    @post("/periods/{month:str}/reopen/confirm", guards=[can_approve], status_code=200, request_max_body_size=_EMPTY_BODY)
    async def confirm_reopen(self, ctx: AppContext, principal: Principal, month: str) -> PeriodOut:
        """Confirm another approver's request: the month goes back to computed."""
        return await service_close.confirm_reopen(ctx, month, principal=principal)
