"""Attendance routes for staff (their own month, leave and manual punches) and HR's read models."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.params import Parameter

from window_staff.attendance import sheet_export, views
from window_staff.attendance.errors import AttendanceStaffNotFound
from window_staff.attendance.guards import MONTH_FULL_READERS, can_read_month, can_read_sheets, is_staff_member
from window_staff.attendance.schemas import (
    LeaveBalanceOut,
    LeaveCancelIn,
    LeaveIn,
    LeaveOut,
    ManualPunchIn,
    MissedPunchDecisionIn,
    MissedPunchIn,
    MissedPunchOut,
    MonthOut,
    PunchOut,
    SheetOut,
)
from window_staff.attendance.service import (
    balances as service_balances,
    leave as service_leave,
    missed_punches as service_missed,
    punches as service_punches,
)
from window_staff.common.context import AppContext
from window_staff.common.guards import provide_principal
from window_staff.common.pagination import Page, PageParams
from window_staff.common.principal import Principal, own_staff_id
from window_staff.common.web import PAGE

_deps = {"principal": Provide(provide_principal), "page": PAGE}
MONTH = Parameter(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Lang = Annotated[Literal["zh", "en"], Parameter(description="language of the file's words", required=False)]


class MyAttendanceController(Controller):
    """A staff member's own attendance."""

    path = "/api/v1/me"
    tags = ["attendance"]
    dependencies = _deps

    @get("/attendance", guards=[is_staff_member])
    async def my_month(self, ctx: AppContext, principal: Principal, month: str = MONTH) -> MonthOut:
        """My day records of a month, with statuses, minutes and HR's corrections."""
        staff_id = own_staff_id(principal, missing=AttendanceStaffNotFound)
        return await views.staff_month(ctx, staff_id, month=month, only_staff_id=staff_id)

    @get("/leave", guards=[is_staff_member])
    async def my_leave(self, ctx: AppContext, principal: Principal, page: PageParams) -> Page[LeaveOut]:
        """My leave requests, newest first."""
        return await service_leave.list_leave(ctx, page, staff_id=own_staff_id(principal, missing=AttendanceStaffNotFound))

    @post("/leave", guards=[is_staff_member], request_max_body_size=8192)
    async def request_leave(self, ctx: AppContext, principal: Principal, data: LeaveIn) -> LeaveOut:
        """Ask for leave, official business or training."""
        return await service_leave.request_leave(ctx, own_staff_id(principal, missing=AttendanceStaffNotFound), data, actor=principal.actor)

    @post("/leave/{leave_id:int}/cancel", guards=[is_staff_member], status_code=200, request_max_body_size=8192)
    async def cancel_my_leave(self, ctx: AppContext, principal: Principal, leave_id: int, data: LeaveCancelIn) -> LeaveOut:
        """Withdraw my request, or cancel my approved leave before it starts."""
        staff_id = own_staff_id(principal, missing=AttendanceStaffNotFound)
        return await service_leave.cancel_leave(ctx, leave_id, data, actor=principal.actor, only_staff_id=staff_id)

    @get("/leave/balances", guards=[is_staff_member])
    async def my_balances(self, ctx: AppContext, principal: Principal, year: int | None = None) -> list[LeaveBalanceOut]:
        """My annual leave and 调休 of a year (this year by default): granted or earned, taken or asked, left."""
        staff_id = own_staff_id(principal, missing=AttendanceStaffNotFound)
        return await service_balances.leave_balances(ctx, staff_id, year=year, only_staff_id=staff_id)

    @get("/missed-punches", guards=[is_staff_member])
    async def my_missed_punches(self, ctx: AppContext, principal: Principal) -> list[MissedPunchOut]:
        """My missed-punch (补卡) requests, newest first."""
        return await service_missed.list_missed_punches(ctx, staff_ids=[own_staff_id(principal, missing=AttendanceStaffNotFound)])

    @post("/missed-punches", guards=[is_staff_member], request_max_body_size=8192)
    async def ask_missed_punch(self, ctx: AppContext, principal: Principal, data: MissedPunchIn) -> MissedPunchOut:
        """Ask for a missed punch (补卡): the day, am or pm, in or out, the local time and why."""
        staff_id = own_staff_id(principal, missing=AttendanceStaffNotFound)
        return await service_missed.request_missed_punch(ctx, staff_id, data, actor=principal.actor)

    @post("/manual-punches", guards=[is_staff_member], request_max_body_size=8192)
    async def manual_punch(self, ctx: AppContext, principal: Principal, data: ManualPunchIn) -> PunchOut:
        """Record a manual punch (terminal failure, no biometric consent); a supervisor attests it."""
        return await service_punches.record_manual_punch(
            ctx, own_staff_id(principal, missing=AttendanceStaffNotFound), data, actor=principal.actor
        )


class AttendanceReadController(Controller):
    """Months and monthly sheets."""

    path = "/api/v1/attendance"
    tags = ["attendance"]
    dependencies = _deps

    @get("/staff/{staff_id:int}/month", guards=[can_read_month])
    async def staff_month(self, ctx: AppContext, principal: Principal, staff_id: int, month: str = MONTH) -> MonthOut:
        """One staff member's month; a staff user asking about someone else gets 404."""
        only = None if principal.has_any(*MONTH_FULL_READERS) else (principal.staff_id or -1)
        return await views.staff_month(ctx, staff_id, month=month, only_staff_id=only)

    @post("/missed-punches/{request_id:int}/decision", status_code=200, request_max_body_size=8192)
    async def decide_missed_punch(
        self, ctx: AppContext, principal: Principal, request_id: int, data: MissedPunchDecisionIn
    ) -> MissedPunchOut:
        """The staff member's department head or HR approves (the punch is recorded as 补卡) or refuses with a note."""
        return await service_missed.decide_missed_punch(ctx, request_id, data, principal=principal)

    @get("/sheet", guards=[can_read_sheets])
    async def sheet(self, ctx: AppContext, department_id: int, month: str = MONTH) -> SheetOut:
        """A department's monthly sheet: one row a person, a symbol per day, totals."""
        return await views.department_sheet(ctx, department_id=department_id, month=month)

    @get("/sheet.xlsx", guards=[can_read_sheets], media_type=XLSX)
    async def sheet_xlsx(self, ctx: AppContext, department_id: int, month: str = MONTH, lang: Lang = "zh") -> Response[bytes]:
        """The same sheet as an XLSX form to print and sign, in ``lang``."""
        sheet, body = await sheet_export.sheet_file(ctx, department_id=department_id, month=month, lang=lang)
        name = f"attendance-{department_id}-{sheet.month}.xlsx"
        return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
