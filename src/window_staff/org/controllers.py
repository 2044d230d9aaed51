"""Organisation routes."""

from __future__ import annotations

from litestar import Controller, get, patch, post, put
from litestar.di import Provide
from litestar.params import Parameter

from window_staff.common.context import AppContext
from window_staff.common.guards import provide_principal
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.common.principal import Principal
from window_staff.common.web import PAGE
from window_staff.org import service
from window_staff.org.guards import STAFF_FULL_READERS, can_read_org, can_write_org
from window_staff.org.schemas import (
    DepartmentHeadIn,
    DepartmentIn,
    DepartmentOut,
    SiteIn,
    SiteOut,
    StaffBriefOut,
    StaffIn,
    StaffLeaveIn,
    StaffOut,
    StaffUpdateIn,
    WindowIn,
    WindowOut,
)

_deps = {"principal": Provide(provide_principal), "page": PAGE}


class SiteController(Controller):
    """Sites."""

    path = "/api/v1/sites"
    tags = ["organisation"]
    dependencies = _deps

    @get("/", guards=[can_read_org])
    async def list_sites(self, ctx: AppContext, page: PageParams) -> Page[SiteOut]:
        """All sites."""
        return await service.list_sites(ctx, page)

    @get("/{site_id:int}", guards=[can_read_org])
    async def get_site(self, ctx: AppContext, site_id: int) -> SiteOut:
        """One site."""
        return await service.get_site(ctx, site_id)

    @post("/", guards=[can_write_org], request_max_body_size=8192)
    async def create_site(self, ctx: AppContext, principal: Principal, data: SiteIn) -> SiteOut:
        """Add a site."""
        return await service.create_site(ctx, data, actor=principal.actor)


class DepartmentController(Controller):
    """Departments."""

    path = "/api/v1/departments"
    tags = ["organisation"]
    dependencies = _deps

    @get("/", guards=[can_read_org])
    async def list_departments(self, ctx: AppContext, page: PageParams) -> Page[DepartmentOut]:
        """All departments."""
        return await service.list_departments(ctx, page)

    @post("/", guards=[can_write_org], request_max_body_size=8192)
    async def create_department(self, ctx: AppContext, principal: Principal, data: DepartmentIn) -> DepartmentOut:
        """Add a department."""
        return await service.create_department(ctx, data, actor=principal.actor)

    @put("/{department_id:int}/head", guards=[can_write_org], request_max_body_size=1024)
    async def set_head(self, ctx: AppContext, principal: Principal, department_id: int, data: DepartmentHeadIn) -> DepartmentOut:
        """Name the department's head (notified of published findings about its staff)."""
        return await service.set_department_head(ctx, department_id, data, actor=principal.actor)


class WindowController(Controller):
    """Windows."""

    path = "/api/v1/windows"
    tags = ["organisation"]
    dependencies = _deps

    @get("/", guards=[can_read_org])
    async def list_windows(self, ctx: AppContext, page: PageParams, site_id: int | None = None) -> Page[WindowOut]:
        """Windows, optionally of one site."""
        return await service.list_windows(ctx, page, site_id=site_id)

    @get("/{window_id:int}", guards=[can_read_org])
    async def get_window(self, ctx: AppContext, window_id: int) -> WindowOut:
        """One window."""
        return await service.get_window(ctx, window_id)

    @post("/", guards=[can_write_org], request_max_body_size=8192)
    async def create_window(self, ctx: AppContext, principal: Principal, data: WindowIn) -> WindowOut:
        """Add a window."""
        return await service.create_window(ctx, data, actor=principal.actor)


class StaffController(Controller):
    """Staff: HR manages; inspection roles see the brief view; staff see only themselves."""

    path = "/api/v1/staff"
    tags = ["organisation"]
    dependencies = _deps

    @get("/", guards=[can_read_org])
    async def list_staff(
        self,
        ctx: AppContext,
        principal: Principal,
        page: PageParams,
        department_id: int | None = None,
        status: str | None = Parameter(default=None, pattern="^(active|left)$"),
        q: str | None = Parameter(default=None, max_length=40),
    ) -> Page[StaffOut] | Page[StaffBriefOut]:
        """Staff, filtered by department and status, found by ``q``: part of a name, pinyin initials, employee no., window or department."""
        full = principal.has_any(*STAFF_FULL_READERS)
        only = None if full or principal.has_any("inspector", "inspection_lead") else (principal.staff_id or -1)
        result = await service.list_staff(ctx, page, department_id=department_id, status=status, only_staff_id=only, search_text=q)
        if full or only is not None:
            return result
        return page_of([service.staff_brief(s) for s in result.items], total=result.total, params=page)

    @get("/{staff_id:int}", guards=[can_read_org])
    async def get_staff(self, ctx: AppContext, principal: Principal, staff_id: int) -> StaffOut | StaffBriefOut:
        """One staff member (a staff user may read only their own record)."""
        full = principal.has_any(*STAFF_FULL_READERS)
        inspects = principal.has_any("inspector", "inspection_lead")
        only = None if full or inspects else (principal.staff_id or -1)
        out = await service.get_staff(ctx, staff_id, only_staff_id=only)
        return out if full or only is not None else service.staff_brief(out)

    @post("/", guards=[can_write_org], request_max_body_size=16384)
    async def create_staff(self, ctx: AppContext, principal: Principal, data: StaffIn) -> StaffOut:
        """Add a staff member."""
        return await service.create_staff(ctx, data, actor=principal.actor)

    @patch("/{staff_id:int}", guards=[can_write_org], request_max_body_size=16384)
    async def update_staff(self, ctx: AppContext, principal: Principal, staff_id: int, data: StaffUpdateIn) -> StaffOut:
        """Change a staff member's details."""
        return await service.update_staff(ctx, staff_id, data, actor=principal.actor)

    @post("/{staff_id:int}/leave", guards=[can_write_org], status_code=200, request_max_body_size=8192)
    async def leave(self, ctx: AppContext, principal: Principal, staff_id: int, data: StaffLeaveIn) -> StaffOut:
        """Record that a staff member left; their history stays."""
        return await service.leave_staff(ctx, staff_id, data, actor=principal.actor)
