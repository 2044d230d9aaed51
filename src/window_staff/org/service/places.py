"""Organisation use cases for places: sites, departments (with their heads) and windows; HR manages them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.db import INTEGRITY_ERRORS, write_transaction
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.org.errors import DepartmentNotFound, DuplicateCode, InvalidReference, SiteNotFound, TimeZoneUnknown, WindowNotFound
from window_staff.org.schemas import DepartmentHeadIn, DepartmentIn, DepartmentOut, SiteIn, SiteOut, WindowIn, WindowOut
from window_staff.org.tables import Department, DepartmentHead, Site, Staff, Window


def _site_out(r: dict[str, Any]) -> SiteOut:
    return SiteOut(id=r["id"], code=r["code"], name=r["name"], kind=r["kind"], parent_id=r["parent"], timezone=r["timezone"])


def _window_out(r: dict[str, Any]) -> WindowOut:
    return WindowOut(id=r["id"], site_id=r["site"], department_id=r["department"], number=r["number"], name=r["name"], active=r["active"])


# --- sites -----------------------------------------------------------------------------------


def _check_time_zone(name: str) -> None:
    # Every later computation for the site (sessions, lateness, months) reads this zone: refuse it here, not there.
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # a folder such as "Asia" raises IsADirectoryError
        raise TimeZoneUnknown(f"unknown time zone {name!r}; use an IANA name such as Asia/Shanghai", timezone=name) from None


async def create_site(ctx: AppContext, data: SiteIn, *, actor: str) -> SiteOut:
    """Add a site under an optional parent; its time zone must be one zoneinfo knows."""
    _check_time_zone(data.timezone)
    now = ctx.clock.now()
    try:
        async with write_transaction(ctx.engine):
            if data.parent_id is not None and not await Site.exists().where(Site.id == data.parent_id):
                raise InvalidReference(f"parent site {data.parent_id} does not exist")
            rows = await Site.insert(
                Site(code=data.code, name=data.name, kind=data.kind, parent=data.parent_id, timezone=data.timezone, created_at=now)
            ).returning(Site.id)
            await audit.record(
                ctx.engine,
                at=now,
                actor=actor,
                action="site.created",
                subject_type="site",
                subject_id=rows[0]["id"],
                data={"code": data.code},
            )
    except INTEGRITY_ERRORS as exc:
        raise DuplicateCode(f"site code {data.code!r} already exists") from exc
    return await get_site(ctx, rows[0]["id"])


async def get_site(ctx: AppContext, site_id: int) -> SiteOut:
    """One site."""
    row = await Site.select().where(Site.id == site_id).first()
    if row is None:
        raise SiteNotFound()
    return _site_out(row)


async def list_sites(ctx: AppContext, params: PageParams) -> Page[SiteOut]:
    """All sites by code."""
    rows = await Site.select().order_by(Site.code).limit(params.limit).offset(params.offset)
    return page_of([_site_out(r) for r in rows], total=await Site.count(), params=params)


# --- departments -----------------------------------------------------------------------------


async def create_department(ctx: AppContext, data: DepartmentIn, *, actor: str) -> DepartmentOut:
    """Add a department."""
    now = ctx.clock.now()
    try:
        async with write_transaction(ctx.engine):
            rows = await Department.insert(Department(code=data.code, name=data.name, created_at=now)).returning(Department.id)
            await audit.record(
                ctx.engine,
                at=now,
                actor=actor,
                action="department.created",
                subject_type="department",
                subject_id=rows[0]["id"],
                data={"code": data.code},
            )
    except INTEGRITY_ERRORS as exc:
        raise DuplicateCode(f"department code {data.code!r} already exists") from exc
    return DepartmentOut(id=rows[0]["id"], code=data.code, name=data.name, active=True)


async def list_departments(ctx: AppContext, params: PageParams) -> Page[DepartmentOut]:
    """All departments by code, with their current heads."""
    rows = await Department.select().order_by(Department.code).limit(params.limit).offset(params.offset)
    heads = await department_heads([r["id"] for r in rows])
    items = [DepartmentOut(id=r["id"], code=r["code"], name=r["name"], active=r["active"], head_staff_id=heads.get(r["id"])) for r in rows]
    return page_of(items, total=await Department.count(), params=params)


async def set_department_head(ctx: AppContext, department_id: int, data: DepartmentHeadIn, *, actor: str) -> DepartmentOut:
    """Make an active staff member of the department its head (history kept: the newest row counts)."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        dept = await Department.select().where(Department.id == department_id).first()
        if dept is None:
            raise DepartmentNotFound()
        staff = await Staff.select(Staff.department, Staff.status).where(Staff.id == data.staff_id).first()
        if staff is None or staff["department"] != department_id or staff["status"] != "active":
            raise InvalidReference("the head must be an active staff member of the department", code="head_not_in_department")
        await DepartmentHead.insert(DepartmentHead(department=department_id, staff=data.staff_id, since=now, set_by=actor))
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="department.head_set",
            subject_type="department",
            subject_id=department_id,
            data={"staff": data.staff_id},
        )
    return DepartmentOut(id=dept["id"], code=dept["code"], name=dept["name"], active=dept["active"], head_staff_id=data.staff_id)


async def department_heads(department_ids: Sequence[int]) -> dict[int, int]:
    """Map departments to the staff id of their current head (departments without one are left out)."""
    if not department_ids:
        return {}
    rows = (
        await DepartmentHead.select(DepartmentHead.department, DepartmentHead.staff)
        .where(DepartmentHead.department.is_in(list(department_ids)))
        .order_by(DepartmentHead.id)
    )
    return {r["department"]: r["staff"] for r in rows}  # later rows win


async def departments_headed_by(staff_id: int) -> list[int]:
    """The departments whose current head is this staff member (empty for everyone else)."""
    rows = await DepartmentHead.select(DepartmentHead.department).where(DepartmentHead.staff == staff_id)
    heads = await department_heads(sorted({r["department"] for r in rows}))
    return sorted(d for d, head in heads.items() if head == staff_id)


# --- windows ---------------------------------------------------------------------------------


async def create_window(ctx: AppContext, data: WindowIn, *, actor: str) -> WindowOut:
    """Add a window to a site, for a department."""
    now = ctx.clock.now()
    try:
        async with write_transaction(ctx.engine):
            if not await Site.exists().where(Site.id == data.site_id):
                raise InvalidReference(f"site {data.site_id} does not exist")
            if not await Department.exists().where(Department.id == data.department_id):
                raise InvalidReference(f"department {data.department_id} does not exist")
            rows = await Window.insert(
                Window(site=data.site_id, department=data.department_id, number=data.number, name=data.name, created_at=now)
            ).returning(Window.id)
            await audit.record(
                ctx.engine,
                at=now,
                actor=actor,
                action="window.created",
                subject_type="window",
                subject_id=rows[0]["id"],
                data={"number": data.number, "site": data.site_id},
            )
    except INTEGRITY_ERRORS as exc:
        raise DuplicateCode(f"window {data.number!r} already exists at site {data.site_id}") from exc
    return await get_window(ctx, rows[0]["id"])


async def get_window(ctx: AppContext, window_id: int) -> WindowOut:
    """One window."""
    row = await Window.select().where(Window.id == window_id).first()
    if row is None:
        raise WindowNotFound()
    return _window_out(row)


async def list_windows(ctx: AppContext, params: PageParams, *, site_id: int | None = None) -> Page[WindowOut]:
    """Windows, optionally of one site, by site and number."""
    where = Window.site == site_id if site_id is not None else None
    q = Window.select().order_by(Window.site, Window.number).limit(params.limit).offset(params.offset)
    c = Window.count()
    if where is not None:
        q, c = q.where(where), c.where(where)
    return page_of([_window_out(r) for r in await q], total=await c, params=params)
