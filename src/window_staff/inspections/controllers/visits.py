"""Inspection routes: visits, findings and the lead's review; a staff member's own published findings."""

from __future__ import annotations

from typing import Literal

from litestar import Controller, get, patch, post
from litestar.di import Provide

from window_staff.common.context import AppContext
from window_staff.common.guards import provide_principal
from window_staff.common.pagination import Page, PageParams
from window_staff.common.principal import Principal
from window_staff.common.web import PAGE
from window_staff.inspections import service
from window_staff.inspections.guards import (
    can_plan_visits,
    can_read_checklist,
    can_read_findings,
    can_read_revisions,
    can_read_visits,
    can_review,
    is_inspector,
    is_staff_member,
)
from window_staff.inspections.schemas.visits import (
    ChecklistItemOut,
    FindingEditIn,
    FindingIn,
    FindingOut,
    FindingRejectIn,
    MyFindingOut,
    RevisionOut,
    VisitCancelIn,
    VisitIn,
    VisitOut,
)
from window_staff.inspections.service import review as service_review

_deps = {"principal": Provide(provide_principal), "page": PAGE}
SMALL_BODY = 16_384
VisitStatus = Literal["planned", "in_progress", "done", "cancelled"]
FindingStatus = Literal["draft", "rejected", "published"]


class VisitController(Controller):
    """Visits: the lead plans them, their inspectors start and end them and log findings."""

    path = "/api/v1/inspections"
    tags = ["inspections"]
    dependencies = _deps

    @get("/checklist", guards=[can_read_checklist])
    async def checklist(self, ctx: AppContext) -> list[ChecklistItemOut]:
        """The checklist items (from the loaded rules)."""
        return service.checklist(ctx)

    @post("/visits", guards=[can_plan_visits], request_max_body_size=SMALL_BODY)
    async def plan_visit(self, ctx: AppContext, principal: Principal, data: VisitIn) -> VisitOut:
        """Plan an open or undercover visit."""
        return await service.plan_visit(ctx, data, principal=principal)

    @get("/visits", guards=[can_read_visits])
    async def list_visits(
        self,
        ctx: AppContext,
        principal: Principal,
        page: PageParams,
        kind: Literal["open", "undercover"] | None = None,
        status: VisitStatus | None = None,
    ) -> Page[VisitOut]:
        """The visits the caller may see."""
        return await service.list_visits(ctx, page, principal=principal, kind=kind, status=status)

    @get("/visits/{visit_id:int}", guards=[can_read_visits])
    async def get_visit(self, ctx: AppContext, principal: Principal, visit_id: int) -> VisitOut:
        """One visit (404 when the caller may not see it)."""
        return await service.get_visit(ctx, visit_id, principal=principal)

    @post("/visits/{visit_id:int}/cancel", guards=[can_plan_visits], status_code=200, request_max_body_size=SMALL_BODY)
    async def cancel_visit(self, ctx: AppContext, principal: Principal, visit_id: int, data: VisitCancelIn) -> VisitOut:
        """The lead cancels a visit that has not started."""
        return await service.cancel_visit(ctx, visit_id, reason=data.reason, principal=principal)

    @post("/visits/{visit_id:int}/start", guards=[is_inspector], status_code=200, request_max_body_size=SMALL_BODY)
    async def start_visit(self, ctx: AppContext, principal: Principal, visit_id: int) -> VisitOut:
        """An inspector of the visit starts it."""
        return await service.move_visit(ctx, visit_id, action="start", principal=principal)

    @post("/visits/{visit_id:int}/end", guards=[is_inspector], status_code=200, request_max_body_size=SMALL_BODY)
    async def end_visit(self, ctx: AppContext, principal: Principal, visit_id: int) -> VisitOut:
        """An inspector of the visit ends it."""
        return await service.move_visit(ctx, visit_id, action="end", principal=principal)

    @post("/visits/{visit_id:int}/findings", guards=[is_inspector], request_max_body_size=SMALL_BODY)
    async def log_finding(self, ctx: AppContext, principal: Principal, visit_id: int, data: FindingIn) -> FindingOut:
        """An inspector of the visit logs a draft finding."""
        return await service.log_finding(ctx, visit_id, data, principal=principal)

    @get("/visits/{visit_id:int}/findings", guards=[can_read_findings])
    async def visit_findings(self, ctx: AppContext, principal: Principal, visit_id: int, page: PageParams) -> Page[FindingOut]:
        """The findings of a visit the caller may see."""
        return await service.list_findings(ctx, page, principal=principal, visit_id=visit_id)


class FindingController(Controller):
    """Findings and the lead's review."""

    path = "/api/v1/inspections/findings"
    tags = ["inspections"]
    dependencies = _deps

    @get("/", guards=[can_read_findings])
    async def list_findings(
        self,
        ctx: AppContext,
        principal: Principal,
        page: PageParams,
        status: FindingStatus | None = None,
        staff_id: int | None = None,
        visit_id: int | None = None,
    ) -> Page[FindingOut]:
        """The findings the caller may see."""
        return await service.list_findings(ctx, page, principal=principal, status=status, staff_id=staff_id, visit_id=visit_id)

    @get("/{finding_id:int}", guards=[can_read_findings])
    async def get_finding(self, ctx: AppContext, principal: Principal, finding_id: int) -> FindingOut:
        """One finding (404 when the caller may not see it)."""
        return await service.get_finding(ctx, finding_id, principal=principal)

    @get("/{finding_id:int}/revisions", guards=[can_read_revisions])
    async def revisions(self, ctx: AppContext, principal: Principal, finding_id: int) -> list[RevisionOut]:
        """Every kept state of the finding."""
        return await service_review.revisions(ctx, finding_id, principal=principal)

    @patch("/{finding_id:int}", guards=[can_review], request_max_body_size=SMALL_BODY)
    async def edit_finding(self, ctx: AppContext, principal: Principal, finding_id: int, data: FindingEditIn) -> FindingOut:
        """The lead corrects a draft (with a reason; the previous state is kept)."""
        return await service_review.edit_finding(ctx, finding_id, data, principal=principal)

    @post("/{finding_id:int}/reject", guards=[can_review], status_code=200, request_max_body_size=SMALL_BODY)
    async def reject_finding(self, ctx: AppContext, principal: Principal, finding_id: int, data: FindingRejectIn) -> FindingOut:
        """The lead rejects a draft."""
        return await service_review.reject_finding(ctx, finding_id, data, principal=principal)

    @post("/{finding_id:int}/publish", guards=[can_review], status_code=200, request_max_body_size=SMALL_BODY)
    async def publish_finding(self, ctx: AppContext, principal: Principal, finding_id: int) -> FindingOut:
        """The lead publishes a draft: it leaves the embargo."""
        return await service_review.publish_finding(ctx, finding_id, principal=principal)


class MyFindingsController(Controller):
    """A staff member's own published findings."""

    path = "/api/v1/me/findings"
    tags = ["inspections"]
    dependencies = _deps

    @get("/", guards=[is_staff_member])
    async def my_findings(self, ctx: AppContext, principal: Principal, page: PageParams) -> Page[MyFindingOut]:
        """My published findings, newest first."""
        return await service.my_findings(ctx, page, principal=principal)

    @get("/{finding_id:int}", guards=[is_staff_member])
    async def my_finding(self, ctx: AppContext, principal: Principal, finding_id: int) -> MyFindingOut:
        """One of my published findings (404 for anyone else's, or one not yet published)."""
        return await service.my_finding(ctx, finding_id, principal=principal)
