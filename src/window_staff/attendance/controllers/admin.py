"""HR's attendance routes: leave decisions, attestations, corrections, set-up, month close, exception queue."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, post
from litestar.di import Provide
from litestar.params import Parameter

from window_staff.attendance import jobs as attendance_jobs
from window_staff.attendance.controllers.month import MONTH
from window_staff.attendance.guards import can_manage_attendance
from window_staff.attendance.schemas import (
    AttestationIn,
    ClosureIn,
    ClosureOut,
    CorrectionIn,
    CorrectionOut,
    ExceptionOut,
    LeaveCancelIn,
    LeaveDecisionIn,
    LeaveOut,
    ManualPunchForIn,
    ManualPunchIn,
    MonthCloseIn,
    MonthCloseOut,
    OverrideIn,
    OverrideOut,
    PunchOut,
    ResolveIn,
    RotaIn,
    RotaOut,
    SiteHoursIn,
    SiteHoursOut,
)
from window_staff.attendance.service import admin as service_admin, leave as service_leave, punches as service_punches
from window_staff.common.context import AppContext
from window_staff.common.guards import provide_principal
from window_staff.common.pagination import Page, PageParams
from window_staff.common.principal import Principal
from window_staff.common.web import PAGE, accepted
from window_staff.jobs.schemas import JobOut

_deps = {"principal": Provide(provide_principal), "page": PAGE}
_small = 8192


class AttendanceAdminController(Controller):
    """HR manages attendance (guarded per route: HR only)."""

    path = "/api/v1/attendance"
    tags = ["attendance"]
    dependencies = _deps

    @get("/leave", guards=[can_manage_attendance])
    async def list_leave(
        self,
        ctx: AppContext,
        page: PageParams,
        staff_id: int | None = None,
        department_id: int | None = None,
        status: str | None = Parameter(default=None, pattern="^(requested|approved|refused)$"),
    ) -> Page[LeaveOut]:
        """Leave requests, newest first."""
        return await service_leave.list_leave(ctx, page, staff_id=staff_id, status=status, department_id=department_id)

    @post("/leave/{leave_id:int}/decision", guards=[can_manage_attendance], status_code=200, request_max_body_size=_small)
    async def decide_leave(self, ctx: AppContext, principal: Principal, leave_id: int, data: LeaveDecisionIn) -> LeaveOut:
        """Approve or refuse a request (never one's own)."""
        return await service_leave.decide_leave(ctx, leave_id, data, actor=principal.actor, decider_staff_id=principal.staff_id)

    @post("/leave/{leave_id:int}/cancel", guards=[can_manage_attendance], status_code=200, request_max_body_size=_small)
    async def cancel_leave(self, ctx: AppContext, principal: Principal, leave_id: int, data: LeaveCancelIn) -> LeaveOut:
        """Cancel a request or approved leave (a closed month gets an exception, not a change)."""
        return await service_leave.cancel_leave(ctx, leave_id, data, actor=principal.actor)

    @post("/punches/manual", guards=[can_manage_attendance], request_max_body_size=_small)
    async def manual_punch(self, ctx: AppContext, principal: Principal, data: ManualPunchForIn) -> PunchOut:
        """Record a manual punch for a staff member; it counts once attested."""
        body = ManualPunchIn(captured_at=data.captured_at, kind=data.kind, reason=data.reason)
        return await service_punches.record_manual_punch(ctx, data.staff_id, body, actor=principal.actor)

    @get("/attestations", guards=[can_manage_attendance])
    async def pending(self, ctx: AppContext, page: PageParams) -> Page[PunchOut]:
        """Punches waiting for a supervisor (manual, card + PIN)."""
        return await service_punches.pending_attestations(ctx, page)

    @post("/punches/{punch_id:int}/attestation", guards=[can_manage_attendance], status_code=200, request_max_body_size=_small)
    async def attest(self, ctx: AppContext, principal: Principal, punch_id: int, data: AttestationIn) -> PunchOut:
        """Approve or refuse a punch that needs attestation (never one's own)."""
        return await service_punches.attest_punch(ctx, punch_id, data, actor=principal.actor, attester_staff_id=principal.staff_id)

    @post("/corrections", guards=[can_manage_attendance], request_max_body_size=_small)
    async def correct(self, ctx: AppContext, principal: Principal, data: CorrectionIn) -> CorrectionOut:
        """Correct one session with a reason (a new event; the derived record stays visible)."""
        return await service_punches.correct(ctx, data, actor=principal.actor)

    @get("/rota", guards=[can_manage_attendance])
    async def list_rota(self, ctx: AppContext, page: PageParams, month: str = MONTH, staff_id: int | None = None) -> Page[RotaOut]:
        """Rota changes of a month."""
        return await service_admin.list_rota(ctx, page, month=month, staff_id=staff_id)

    @post("/rota", guards=[can_manage_attendance], request_max_body_size=_small)
    async def add_rota(self, ctx: AppContext, principal: Principal, data: RotaIn) -> RotaOut:
        """Add weekend or extended-hours (延时服务) duty, or remove a session."""
        return await service_admin.add_rota(ctx, data, actor=principal.actor)

    @delete("/rota/{rota_id:int}", guards=[can_manage_attendance])
    async def delete_rota(self, ctx: AppContext, principal: Principal, rota_id: int) -> None:
        """Withdraw a rota change (open months only)."""
        await service_admin.delete_rota(ctx, rota_id, actor=principal.actor)

    @get("/closures", guards=[can_manage_attendance])
    async def list_closures(self, ctx: AppContext, page: PageParams, month: str = MONTH) -> Page[ClosureOut]:
        """Window closures of a month."""
        return await service_admin.list_closures(ctx, page, month=month)

    @post("/closures", guards=[can_manage_attendance], request_max_body_size=_small)
    async def add_closure(self, ctx: AppContext, principal: Principal, data: ClosureIn) -> ClosureOut:
        """Close a window for a day."""
        return await service_admin.add_closure(ctx, data, actor=principal.actor)

    @delete("/closures/{closure_id:int}", guards=[can_manage_attendance])
    async def delete_closure(self, ctx: AppContext, principal: Principal, closure_id: int) -> None:
        """Reopen a window's day (open months only)."""
        await service_admin.delete_closure(ctx, closure_id, actor=principal.actor)

    @get("/overrides", guards=[can_manage_attendance])
    async def list_overrides(
        self, ctx: AppContext, page: PageParams, site_id: int, year: int = Parameter(ge=2000, le=2100)
    ) -> Page[OverrideOut]:
        """A site's overrides of a year."""
        return await service_admin.list_overrides(ctx, page, site_id=site_id, year=year)

    @post("/overrides", guards=[can_manage_attendance], request_max_body_size=_small)
    async def add_override(self, ctx: AppContext, principal: Principal, data: OverrideIn) -> OverrideOut:
        """A local holiday, a closed day or a weekend service day for a site."""
        return await service_admin.add_override(ctx, data, actor=principal.actor)

    @delete("/overrides/{override_id:int}", guards=[can_manage_attendance])
    async def delete_override(self, ctx: AppContext, principal: Principal, override_id: int) -> None:
        """Withdraw an override (open months only)."""
        await service_admin.delete_override(ctx, override_id, actor=principal.actor)

    @get("/site-hours", guards=[can_manage_attendance])
    async def list_site_hours(self, ctx: AppContext, site_id: int) -> list[SiteHoursOut]:
        """A site's session hours ranges."""
        return await service_admin.list_site_hours(ctx, site_id=site_id)

    @post("/site-hours", guards=[can_manage_attendance], request_max_body_size=_small)
    async def add_site_hours(self, ctx: AppContext, principal: Principal, data: SiteHoursIn) -> SiteHoursOut:
        """Session times of a site over a dated range (summer, winter)."""
        return await service_admin.add_site_hours(ctx, data, actor=principal.actor)

    @get("/months", guards=[can_manage_attendance])
    async def closed_months(self, ctx: AppContext, site_id: int) -> list[MonthCloseOut]:
        """A site's closed months."""
        return await service_admin.list_closed_months(ctx, site_id=site_id)

    @post("/months/{month:str}/close", guards=[can_manage_attendance], status_code=202, request_max_body_size=_small)
    async def close_month(self, ctx: AppContext, principal: Principal, month: str, data: MonthCloseIn) -> Response[JobOut]:
        """Queue freezing a site's month (202 with the job's address): records stored one last time; later inputs go
        to the exception queue."""
        return accepted(await attendance_jobs.request_close_month(ctx, site_id=data.site_id, month=month, principal=principal))

    @get("/exceptions", guards=[can_manage_attendance])
    async def exceptions(self, ctx: AppContext, page: PageParams, include_resolved: bool = False) -> Page[ExceptionOut]:
        """HR's exception queue (open items unless asked)."""
        return await service_punches.list_exceptions(ctx, page, open_only=not include_resolved)

    @post("/exceptions/{exception_id:int}/resolve", guards=[can_manage_attendance], status_code=200, request_max_body_size=_small)
    async def resolve(self, ctx: AppContext, principal: Principal, exception_id: int, data: ResolveIn) -> ExceptionOut:
        """Resolve an exception with a note."""
        return await service_punches.resolve_exception(ctx, exception_id, note=data.note, actor=principal.actor)
