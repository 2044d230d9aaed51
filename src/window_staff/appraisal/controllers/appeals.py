"""Appraisal routes for staff (their own sheet and appeals) and for the reviewers who decide appeals."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import Parameter

from window_staff.appraisal.errors import SheetNotFound
from window_staff.appraisal.schemas import AppealDecisionIn, AppealIn, AppealReviewOut, SheetAppealOut, SheetOut
from window_staff.appraisal.service import appeals as service_appeals, reports as service_reports
from window_staff.common.context import AppContext
from window_staff.common.guards import authenticated, provide_principal, roles
from window_staff.common.principal import Principal, own_staff_id

_deps = {"principal": Provide(provide_principal)}
_APPEAL_BODY = 32768  # rule id, a reason of up to 2000 characters (escaped or not) and up to 100 fact ids

can_appeal = roles("staff")
can_review = roles(*service_appeals.REVIEWER_ROLES)


class MyAppraisalController(Controller):
    """A staff member's own monthly sheet and their appeals against its lines."""

    path = "/api/v1/me/appraisal"
    tags = ["appraisal"]
    dependencies = _deps

    @get("/appeals", guards=[authenticated])
    async def my_appeals(
        self, ctx: AppContext, principal: Principal, month: Annotated[str | None, Parameter(description="YYYY-MM", required=False)] = None
    ) -> list[SheetAppealOut]:
        """My appraisal appeals (of one month when given), oldest first."""
        return await service_appeals.my_appeals(ctx, principal=principal, month=month)

    @get("/{month:str}", guards=[authenticated])
    async def my_sheet(
        self, ctx: AppContext, principal: Principal, month: str, lang: Annotated[Literal["zh", "en"], Parameter(required=False)] = "zh"
    ) -> SheetOut:
        """My sheet of a month, once HR has shown it (404 before): every line with its facts, and the explanation."""
        return await service_reports.sheet(ctx, month, own_staff_id(principal, missing=SheetNotFound), principal=principal, lang=lang)

    @post("/{month:str}/appeals", guards=[can_appeal], request_max_body_size=_APPEAL_BODY)
    async def appeal(self, ctx: AppContext, principal: Principal, month: str, data: AppealIn) -> SheetAppealOut:
        """Appeal facts of one line of my sheet (``facts``: a day, a finding) or, without them, the whole line, while the
        appeal window is open; a fact is appealed once."""
        return await service_appeals.file_appeal(ctx, month, principal=principal, data=data)


class AppraisalAppealController(Controller):
    """HR and the inspection lead decide appraisal appeals (never their own, never one about a finding they made)."""

    path = "/api/v1/appraisal"
    tags = ["appraisal"]
    dependencies = _deps

    @get("/periods/{month:str}/appeals", guards=[can_review])
    async def appeals(
        self,
        ctx: AppContext,
        principal: Principal,
        month: str,
        pending: Annotated[bool, Parameter(required=False)] = False,
        lang: Annotated[Literal["zh", "en"], Parameter(description="language of the disputed facts' sentences", required=False)] = "zh",
    ) -> list[AppealReviewOut]:
        """The month's appeals, oldest first (only those awaiting a decision with ``pending=true``), each disputed
        fact in a sentence with what backs it (sign-in and sign-out times, links to a finding's photos)."""
        return await service_appeals.review_queue(ctx, month, pending_only=pending, lang=lang, principal=principal)

    @post("/appeals/{appeal_id:int}/decision", guards=[can_review], status_code=200, request_max_body_size=_APPEAL_BODY)
    async def decide(self, ctx: AppContext, principal: Principal, appeal_id: int, data: AppealDecisionIn) -> AppealReviewOut:
        """Uphold (the disputed facts' points, or the whole line's, are restored, all or part, and the sheet recomputed)
        or reject an appeal."""
        return await service_appeals.decide_appeal(ctx, appeal_id, principal=principal, data=data)
