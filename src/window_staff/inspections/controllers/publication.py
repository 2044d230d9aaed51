"""Routes after publication: my appeals, and the reviewers' appeal queue."""

from __future__ import annotations

from typing import Literal

from litestar import Controller, get, post
from litestar.di import Provide

from window_staff.common.context import AppContext
from window_staff.common.guards import provide_principal, roles
from window_staff.common.pagination import Page, PageParams
from window_staff.common.principal import Principal, own_staff_id
from window_staff.common.web import PAGE
from window_staff.inspections.errors import InspectionStaffNotFound
from window_staff.inspections.schemas.publication import AppealDecisionIn, AppealIn, AppealOut, AppealReviewOut
from window_staff.inspections.service import publication as service_publication

_deps = {"principal": Provide(provide_principal), "page": PAGE}
can_appeal = roles("staff")
can_review_appeals = roles(*service_publication.REVIEWER_ROLES)


class MyAppealController(Controller):
    """A staff member's appeals against published findings about them."""

    path = "/api/v1/me"
    tags = ["inspections"]
    dependencies = _deps

    @post("/findings/{finding_id:int}/appeal", guards=[can_appeal], request_max_body_size=8192)
    async def appeal(self, ctx: AppContext, principal: Principal, finding_id: int, data: AppealIn) -> AppealOut:
        """Appeal a published finding about me, within the policy's appeal period."""
        own_staff_id(principal, missing=InspectionStaffNotFound)
        return await service_publication.file_appeal(ctx, principal, finding_id, data)

    @get("/appeals", guards=[can_appeal])
    async def my_appeals(self, ctx: AppContext, principal: Principal, page: PageParams) -> Page[AppealOut]:
        """My appeals, newest first."""
        return await service_publication.list_my_appeals(ctx, own_staff_id(principal, missing=InspectionStaffNotFound), page)

    @get("/appeals/{appeal_id:int}", guards=[can_appeal])
    async def my_appeal(self, ctx: AppContext, principal: Principal, appeal_id: int) -> AppealOut:
        """One of my appeals."""
        return await service_publication.get_my_appeal(ctx, own_staff_id(principal, missing=InspectionStaffNotFound), appeal_id)


class AppealReviewController(Controller):
    """HR and the inspection lead decide appeals (never an inspector of the visit, never the appellant)."""

    path = "/api/v1/inspections/appeals"
    tags = ["inspections"]
    dependencies = _deps

    @get("", guards=[can_review_appeals])
    async def appeals(
        self, ctx: AppContext, principal: Principal, page: PageParams, status: Literal["open", "upheld", "rejected"] = "open"
    ) -> Page[AppealReviewOut]:
        """Appeals in a state (open by default), oldest first."""
        return await service_publication.list_appeals(ctx, principal, page, status=status)

    @post("/{appeal_id:int}/decision", guards=[can_review_appeals], status_code=200, request_max_body_size=8192)
    async def decide(self, ctx: AppContext, principal: Principal, appeal_id: int, data: AppealDecisionIn) -> AppealReviewOut:
        """Uphold (the finding stops counting and leaves the board) or reject an appeal."""
        return await service_publication.decide_appeal(ctx, principal, appeal_id, data)
