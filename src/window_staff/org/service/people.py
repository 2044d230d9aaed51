"""Staff use cases (HR manages them): add, find, change and leave; places are in ``places``, reads for other domains in ``reads``."""

from __future__ import annotations

import functools
import operator
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import Combinable

from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.db import INTEGRITY_ERRORS, erase_traces, insert_rows, is_sqlite, write_transaction
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.org import search
from window_staff.org.errors import DuplicateCode, InvalidReference, StaffAlreadyLeft, StaffNotFound
from window_staff.org.schemas import StaffBriefOut, StaffIn, StaffLeaveIn, StaffOut, StaffUpdateIn
from window_staff.org.service.reads import site_of_staff
from window_staff.org.tables import Department, Staff, StaffPublicPhoto, Window


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
        post=r["post"],
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
        post=out.post,
    )


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
                    Staff.post,
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
                        r.post.strip(),
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
            post=r.post.strip(),
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
    if "post" in changes:
        changes["post"] = changes["post"].strip()  # "" clears the post
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
