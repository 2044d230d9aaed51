"""Routes of citizen ratings (好差评): signed evaluator devices, the QR page, rating codes, the bad-review loop, satisfaction."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import Provide
from litestar.params import Parameter

from window_staff.common.context import AppContext
from window_staff.common.guards import provide_principal, roles
from window_staff.common.pagination import Page, PageParams
from window_staff.common.periods import parse_month
from window_staff.common.principal import Principal, own_staff_id
from window_staff.common.web import PAGE
from window_staff.evaluations.errors import CaseNotFound
from window_staff.evaluations.schemas.ratings import (
    CaseAppealIn,
    CaseDecisionIn,
    CaseOut,
    CaseStatus,
    CaseStepIn,
    MyCaseOut,
    MyRatingsOut,
    RatingCodeOut,
    RatingOut,
    SatisfactionPage,
)
from window_staff.evaluations.service import cases as service_cases, ratings as service_ratings
from window_staff.terminals.guards import signed_terminal

DEVICE_BODY_LIMIT = 8 * 1024
STEP_BODY_LIMIT = 8 * 1024

_deps = {"principal": Provide(provide_principal), "page": PAGE}
can_manage_codes = roles("hr")
can_read_cases = roles(*service_cases.READER_ROLES)
can_step_cases = roles(*service_cases.STEP_ROLES)
can_file_for_staff = roles("hr")
can_read_report = roles("hr", "approver", "auditor")
is_staff = roles("staff")


class DeviceRatingController(Controller):
    """Window evaluator devices: registered, approved terminals with a window, signing every request like check-ins."""

    path = "/api/v1/devices/ratings"
    tags = ["terminal protocol"]

    @post(
        "",
        guards=[signed_terminal],
        request_max_body_size=DEVICE_BODY_LIMIT,
        status_code=201,
        response_description="The stored rating: 201 when new, 200 for an identical resend",
    )
    async def rate(self, ctx: AppContext, request: Request) -> Response[RatingOut]:
        """Store one rating of a service transaction (JSON); a different rating of a rated transaction is 409."""
        # The guard has read and verified the whole body; it is cached on the request.
        out, created = await service_ratings.record_device_rating(ctx, request.scope["terminal"], await request.body())  # type: ignore[typeddict-item]
        return Response(out, status_code=201 if created else 200)


class RatingCodeController(Controller):
    """HR makes and revokes a window's QR code secret."""

    path = "/api/v1/evaluations/windows"
    tags = ["ratings"]
    dependencies = _deps

    @post("/{window_id:int}/rating-code", guards=[can_manage_codes], request_max_body_size=1024)
    async def create_code(self, ctx: AppContext, principal: Principal, window_id: int) -> RatingCodeOut:
        """A new code for the window (the token is shown once); the old one stops working."""
        return await service_ratings.create_rating_code(ctx, principal, window_id)

    @delete("/{window_id:int}/rating-code", guards=[can_manage_codes], status_code=204)
    async def revoke_code(self, ctx: AppContext, principal: Principal, window_id: int) -> None:
        """Stop the window's code without a replacement."""
        await service_ratings.revoke_rating_code(ctx, principal, window_id)


class RatingCaseController(Controller):
    """The bad-review loop for HR and the inspection lead; approvers and auditors read it."""

    path = "/api/v1/evaluations/cases"
    tags = ["ratings"]
    dependencies = _deps

    @get("", guards=[can_read_cases])
    async def cases(self, ctx: AppContext, page: PageParams, status: CaseStatus | None = None, overdue: bool = False) -> Page[CaseOut]:
        """Cases by nearest deadline; ``overdue=true`` keeps unfinished cases past it (with days overdue)."""
        return await service_cases.list_cases(ctx, page, status=status, overdue=overdue)

    @get("/{case_id:int}", guards=[can_read_cases])
    async def case(self, ctx: AppContext, case_id: int) -> CaseOut:
        """One case with every step."""
        return await service_cases.get_case(ctx, case_id)

    @post("/{case_id:int}/verify", guards=[can_step_cases], status_code=200, request_max_body_size=STEP_BODY_LIMIT)
    async def verify(self, ctx: AppContext, principal: Principal, case_id: int, data: CaseStepIn) -> CaseOut:
        """open -> verified: the review was checked against the transaction."""
        return await service_cases.step(ctx, principal, case_id, action="verify", data=data)

    @post("/{case_id:int}/rectify", guards=[can_step_cases], status_code=200, request_max_body_size=STEP_BODY_LIMIT)
    async def rectify(self, ctx: AppContext, principal: Principal, case_id: int, data: CaseStepIn) -> CaseOut:
        """verified -> rectified: what was put right (on time when on or before the deadline)."""
        return await service_cases.step(ctx, principal, case_id, action="rectify", data=data)

    @post("/{case_id:int}/call-back", guards=[can_step_cases], status_code=200, request_max_body_size=STEP_BODY_LIMIT)
    async def call_back(self, ctx: AppContext, principal: Principal, case_id: int, data: CaseStepIn) -> CaseOut:
        """rectified -> called_back: the answer to the citizen (回访)."""
        return await service_cases.step(ctx, principal, case_id, action="call_back", data=data)

    @post("/{case_id:int}/close", guards=[can_step_cases], status_code=200, request_max_body_size=STEP_BODY_LIMIT)
    async def close(self, ctx: AppContext, principal: Principal, case_id: int, data: CaseStepIn) -> CaseOut:
        """called_back -> closed."""
        return await service_cases.step(ctx, principal, case_id, action="close", data=data)

    @post("/{case_id:int}/appeal", guards=[can_file_for_staff], status_code=200, request_max_body_size=STEP_BODY_LIMIT)
    async def appeal(self, ctx: AppContext, principal: Principal, case_id: int, data: CaseAppealIn) -> CaseOut:
        """HR files an appeal (复核) for an open or verified case."""
        return await service_cases.file_appeal(ctx, principal, case_id, data)

    @post("/{case_id:int}/appeal-decision", guards=[can_step_cases], status_code=200, request_max_body_size=STEP_BODY_LIMIT)
    async def decide(self, ctx: AppContext, principal: Principal, case_id: int, data: CaseDecisionIn) -> CaseOut:
        """Void the review or uphold it; never by the staff member or their department head (403)."""
        return await service_cases.decide_appeal(ctx, principal, case_id, data)


class MyRatingCaseController(Controller):
    """A staff member's own bad-review cases: the rating's indicators and comment, nothing about the citizen."""

    path = "/api/v1/me/rating-cases"
    tags = ["ratings"]
    dependencies = _deps

    @get("", guards=[is_staff])
    async def my_cases(self, ctx: AppContext, principal: Principal, page: PageParams) -> Page[MyCaseOut]:
        """My cases, newest first."""
        return await service_cases.list_my_cases(ctx, own_staff_id(principal, missing=CaseNotFound), page)

    @get("/{case_id:int}", guards=[is_staff])
    async def my_case(self, ctx: AppContext, principal: Principal, case_id: int) -> MyCaseOut:
        """One of my cases."""
        return await service_cases.get_my_case(ctx, own_staff_id(principal, missing=CaseNotFound), case_id)

    @post("/{case_id:int}/appeal", guards=[is_staff], status_code=200, request_max_body_size=STEP_BODY_LIMIT)
    async def appeal(self, ctx: AppContext, principal: Principal, case_id: int, data: CaseAppealIn) -> MyCaseOut:
        """Appeal (复核) one of my open or verified cases, once."""
        staff_id = own_staff_id(principal, missing=CaseNotFound)
        await service_cases.file_appeal(ctx, principal, case_id, data, own_staff_id=staff_id)
        return await service_cases.get_my_case(ctx, staff_id, case_id)


class MyRatingsController(Controller):
    """A staff member's own ratings of a month, counted: levels and the satisfaction rate (nothing about citizens)."""

    path = "/api/v1/me/ratings"
    tags = ["ratings"]
    dependencies = _deps

    @get("", guards=[is_staff])
    async def my_ratings(
        self, ctx: AppContext, principal: Principal, month: Annotated[str, Parameter(pattern=r"^\d{4}-\d{2}$")]
    ) -> MyRatingsOut:
        """My valid ratings of the month by level, satisfied and the rate."""
        return await service_ratings.my_month_ratings(ctx, own_staff_id(principal, missing=CaseNotFound), month=parse_month(month))


class SatisfactionController(Controller):
    """The month's satisfaction rate (满意度) per staff member, window or department."""

    path = "/api/v1/evaluations/satisfaction"
    tags = ["ratings"]
    dependencies = _deps

    @get("", guards=[can_read_report])
    async def report(
        self,
        ctx: AppContext,
        page: PageParams,
        month: Annotated[str, Parameter(pattern=r"^\d{4}-\d{2}$")],
        by: Literal["staff", "window", "department"] = "staff",
    ) -> SatisfactionPage:
        """Valid ratings, satisfied (基本满意 or better) and the rate, per group."""
        return await service_ratings.satisfaction_report(ctx, month=parse_month(month), by=by, params=page)
