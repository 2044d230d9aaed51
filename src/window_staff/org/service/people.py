"""Organisation use cases: sites, departments, windows and staff (HR manages them); reads for other domains are in ``reads``."""

from __future__ import annotations

import functools
import operator
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from piccolo.columns import Column
from piccolo.columns.combination import Combinable

from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.db import INTEGRITY_ERRORS, erase_traces, insert_rows, is_sqlite, write_transaction
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.org import search
from window_staff.org.errors import (
    DepartmentNotFound,
    DuplicateCode,
    InvalidReference,
    SiteNotFound,
    StaffAlreadyLeft,
    StaffNotFound,
    TimeZoneUnknown,
    WindowNotFound,
)
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
from window_staff.org.service.reads import site_of_staff
from window_staff.org.tables import Department, DepartmentHead, Site, Staff, StaffPublicPhoto, Window


@dataclass(frozen=True, slots=True)
class StaffChange:
    """A staff member left or moved between sites; told to hooks inside the change's transaction."""

    staff_id: int
    old_site_id: int | None
    new_site_id: int | None
    left: bool
    at: datetime
    actor: str


StaffHook = Callable[[AppContext, StaffChange], Awaitable[None]]
# Domains that keep per-staff data (biometrics) register here, so org never imports them.
_staff_hooks: list[StaffHook] = []


def on_staff_changed(hook: StaffHook) -> None:
    """Register a hook run when a staff member leaves or changes site (idempotent)."""
    if hook not in _staff_hooks:
        _staff_hooks.append(hook)


async def _tell_hooks(ctx: AppContext, change: StaffChange) -> None:
    for hook in _staff_hooks:
        await hook(ctx, change)


def _site_out(r: dict[str, Any]) -> SiteOut:
    return SiteOut(id=r["id"], code=r["code"], name=r["name"], kind=r["kind"], parent_id=r["parent"], timezone=r["timezone"])


def _window_out(r: dict[str, Any]) -> WindowOut:
    return WindowOut(id=r["id"], site_id=r["site"], department_id=r["department"], number=r["number"], name=r["name"], active=r["active"])


def _staff_out(r: dict[str, Any]) -> StaffOut:
    return StaffOut(
        id=r["id"],
        employee_no=r["employee_no"],
        name=r["name"],
        department_id=r["department"],
        window_id=r["window"],
        badge_no=r["badge_no"],
        phone=r["phone"],
        card_no=r["card_no"],
        hired_on=r["hired_on"],
        left_on=r["left_on"],
        status=r["status"],
        service_start=r.get("service_start"),
    )


def staff_brief(out: StaffOut) -> StaffBriefOut:
    """The contact-free view of a staff member."""
    return StaffBriefOut(
        id=out.id,
        employee_no=out.employee_no,
        name=out.name,
        department_id=out.department_id,
        window_id=out.window_id,
        badge_no=out.badge_no,
        status=out.status,
    )


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


# --- staff -----------------------------------------------------------------------------------


async def _check_staff_refs(department_id: int | None, window_id: int | None) -> None:
    if department_id is not None and not await Department.exists().where(Department.id == department_id):
        raise InvalidReference(f"department {department_id} does not exist")
    if window_id is not None:
        window = await Window.select(Window.department).where(Window.id == window_id).first()
        if window is None:
            raise InvalidReference(f"window {window_id} does not exist")


async def create_staff(ctx: AppContext, data: StaffIn, *, actor: str) -> StaffOut:
    """Add one staff member."""
    return (await import_staff(ctx, [data], actor=actor))[0]


async def import_staff(ctx: AppContext, rows: Sequence[StaffIn], *, actor: str) -> list[StaffOut]:
    """Add many staff members in one transaction: all or nothing."""
    now = ctx.clock.now()
    dept_ids = {r.department_id for r in rows}
    window_ids = {r.window_id for r in rows if r.window_id is not None}
    try:
        async with write_transaction(ctx.engine):
            known_depts = (
                {r["id"] for r in await Department.select(Department.id).where(Department.id.is_in(list(dept_ids)))} if dept_ids else set()
            )
            known_windows = (
                {r["id"] for r in await Window.select(Window.id).where(Window.id.is_in(list(window_ids)))} if window_ids else set()
            )
            for i, r in enumerate(rows):
                if r.department_id not in known_depts:
                    raise InvalidReference(f"row {i + 1}: department {r.department_id} does not exist")
                if r.window_id is not None and r.window_id not in known_windows:
                    raise InvalidReference(f"row {i + 1}: window {r.window_id} does not exist")
            ids = await insert_rows(
                ctx.engine,
                Staff,
                [
                    Staff.employee_no,
                    Staff.name,
                    Staff.name_initials,
                    Staff.department,
                    Staff.window,
                    Staff.badge_no,
                    Staff.phone,
                    Staff.card_no,
                    Staff.hired_on,
                    Staff.service_start,
                    Staff.status,
                    Staff.created_at,
                ],
                [
                    (
                        r.employee_no,
                        r.name,
                        search.initials(r.name),
                        r.department_id,
                        r.window_id,
                        r.badge_no,
                        r.phone,
                        r.card_no,
                        r.hired_on,
                        r.service_start,
                        "active",
                        now,
                    )
                    for r in rows
                ],
            )
            await audit.record(
                ctx.engine,
                at=now,
                actor=actor,
                action="staff.created",
                subject_type="staff",
                subject_id=ids[0] if len(ids) == 1 else f"{ids[0]}..{ids[-1]}",
                data={"count": len(ids), "employee_nos": [r.employee_no for r in rows[:50]]},
            )
    except INTEGRITY_ERRORS as exc:
        raise DuplicateCode("an employee number is already in use") from exc
    return [
        StaffOut(
            id=i,
            employee_no=r.employee_no,
            name=r.name,
            department_id=r.department_id,
            window_id=r.window_id,
            badge_no=r.badge_no,
            phone=r.phone,
            card_no=r.card_no,
            hired_on=r.hired_on,
            left_on=None,
            status="active",
            service_start=r.service_start,
        )
        for i, r in zip(ids, rows, strict=True)
    ]


async def get_staff(ctx: AppContext, staff_id: int, *, only_staff_id: int | None = None) -> StaffOut:
    """One staff member; ``only_staff_id`` scopes a staff user to themself (others are 404)."""
    where: Combinable = Staff.id == staff_id
    if only_staff_id is not None:
        where = where & (Staff.id == only_staff_id)
    row = await Staff.select().where(where).first()
    if row is None:
        raise StaffNotFound()
    return _staff_out(row)


def _found_by(query: str, *, sqlite: bool) -> Combinable:
    """A person found by part of their name, pinyin initials, employee number, window or department (org/search.py)."""
    like = f"%{query}%"
    # SQLite's LIKE ignores ASCII case already (and warns on ILIKE); PostgreSQL needs ILIKE for employee numbers.
    columns = (Staff.name, Staff.name_initials, Staff.employee_no, Staff.window.number, Staff.window.name, Staff.department.name)
    found = [c.like(like) if sqlite else c.ilike(like) for c in columns]
    return functools.reduce(operator.or_, found)


async def list_staff(
    ctx: AppContext,
    params: PageParams,
    *,
    department_id: int | None = None,
    status: str | None = None,
    only_staff_id: int | None = None,
    search_text: str | None = None,
) -> Page[StaffOut]:
    """Staff by employee number, filtered and searched (``search_text``: see org/search.py); a staff user only ever sees themself."""
    conds = []
    query = search.normalise(search_text)
    if query:
        conds.append(_found_by(query, sqlite=is_sqlite(ctx.engine)))
    if department_id is not None:
        conds.append(Staff.department == department_id)
    if status is not None:
        conds.append(Staff.status == status)
    if only_staff_id is not None:
        conds.append(Staff.id == only_staff_id)
    q = Staff.select().order_by(Staff.employee_no).limit(params.limit).offset(params.offset)
    c = Staff.count()
    for cond in conds:
        q, c = q.where(cond), c.where(cond)
    return page_of([_staff_out(r) for r in await q], total=await c, params=params)


async def update_staff(ctx: AppContext, staff_id: int, data: StaffUpdateIn, *, actor: str) -> StaffOut:
    """Change a staff member's details (set fields only)."""
    changes = {k: v for k, v in ((f, getattr(data, f)) for f in data.__struct_fields__) if v is not None}
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        if not await Staff.exists().where(Staff.id == staff_id):
            raise StaffNotFound()
        await _check_staff_refs(changes.get("department_id"), changes.get("window_id"))
        column_of: dict[str, Column] = {"department_id": Staff.department, "window_id": Staff.window}
        values: dict[Column | str, Any] = {column_of[k] if k in column_of else getattr(Staff, k): v for k, v in changes.items()}
        old_site = await site_of_staff(staff_id) if "window_id" in changes else None
        if "name" in changes:
            values[Staff.name_initials] = search.initials(changes["name"])
        if values:
            await Staff.update(values).where(Staff.id == staff_id)
        if "window_id" in changes:
            new_site = await site_of_staff(staff_id)
            if new_site != old_site:
                await _tell_hooks(
                    ctx, StaffChange(staff_id=staff_id, old_site_id=old_site, new_site_id=new_site, left=False, at=now, actor=actor)
                )
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="staff.updated",
            subject_type="staff",
            subject_id=staff_id,
            data={k: str(v) for k, v in changes.items() if k != "phone"},
        )
    return await get_staff(ctx, staff_id)


async def leave_staff(ctx: AppContext, staff_id: int, data: StaffLeaveIn, *, actor: str) -> StaffOut:
    """Mark a staff member as left; nothing of their history is deleted."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await Staff.select(Staff.status, Staff.hired_on).where(Staff.id == staff_id).first()
        if row is None:
            raise StaffNotFound()
        if row["status"] == "left":
            raise StaffAlreadyLeft()
        if data.left_on < row["hired_on"]:
            raise InvalidReference("left_on is before hired_on", code="left_before_hired")
        old_site = await site_of_staff(staff_id)
        # The window stays as the last posting: attendance still derives the days up to left_on.
        await Staff.update({Staff.status: "left", Staff.left_on: data.left_on}).where(Staff.id == staff_id)
        # The hall's screens no longer show someone who has left: their public photo goes with their leaving.
        await StaffPublicPhoto.delete().where(StaffPublicPhoto.staff == staff_id)
        # Same transaction: if erasing the person's biometric data fails, they have not left yet.
        await _tell_hooks(ctx, StaffChange(staff_id=staff_id, old_site_id=old_site, new_site_id=None, left=True, at=now, actor=actor))
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="staff.left",
            subject_type="staff",
            subject_id=staff_id,
            data={"left_on": data.left_on.isoformat(), "reason": data.reason},
        )
    # The hooks erased the leaver's personal data (biometric templates): leave no copy of it in the SQLite WAL.
    await erase_traces(ctx.engine)
    return await get_staff(ctx, staff_id)
