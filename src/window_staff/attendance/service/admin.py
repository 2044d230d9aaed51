"""HR's attendance set-up: rota changes, window closures, site overrides, session hours; closing a month."""

from __future__ import annotations

from datetime import date
from typing import Any

from window_staff.attendance import service
from window_staff.attendance.calendar import SessionHours
from window_staff.attendance.errors import (
    AttendanceDuplicate,
    AttendanceItemNotFound,
    AttendanceStaffNotFound,
    MonthAlreadyClosed,
    MonthClosed,
    ScheduleInvalid,
    SessionHoursInvalid,
)
from window_staff.attendance.schedule import RotaChange
from window_staff.attendance.schemas import (
    ClosureIn,
    ClosureOut,
    MonthCloseOut,
    OverrideIn,
    OverrideOut,
    RotaIn,
    RotaOut,
    SiteHoursIn,
    SiteHoursOut,
)
from window_staff.attendance.service.inputs import time_of
from window_staff.attendance.tables import CalendarOverride, MonthClose, RotaEntry, SiteHours, WindowClosureDay
from window_staff.common import audit, periods
from window_staff.common.context import AppContext
from window_staff.common.db import INTEGRITY_ERRORS, write_transaction
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.org import service as org


async def _refuse_closed(site_id: int | None, *days: date) -> None:
    # set-up changes for a closed month would silently disagree with its frozen records
    if site_id is None:
        return
    for d in days:
        if await service.closed_sites([site_id], month=d):
            raise MonthClosed(f"{periods.month_key(d)} is closed for site {site_id}")


def _t(v: Any) -> Any:
    return time_of(v)


# --- rota ------------------------------------------------------------------------------------


def _rota_out(r: dict[str, Any]) -> RotaOut:
    return RotaOut(
        id=r["id"],
        staff_id=r["staff"],
        day=r["day"],
        session=r["session"],
        action=r["action"],
        start=_t(r["start_time"]),
        end=_t(r["end_time"]),
        note=r["note"],
    )


async def add_rota(ctx: AppContext, data: RotaIn, *, actor: str) -> RotaOut:
    """Add or remove a session for one staff member's day."""
    RotaChange(data.staff_id, data.day, data.session, data.action, data.start, data.end, data.note)  # validates
    if data.start is not None and data.end is not None and not data.start < data.end:
        raise ScheduleInvalid("start must be before end")
    postings = await org.postings_of([data.staff_id])
    if not postings:
        raise AttendanceStaffNotFound()
    now = ctx.clock.now()
    try:
        async with write_transaction(ctx.engine):
            await _refuse_closed(postings[0].site_id, data.day)
            rows = await RotaEntry.insert(
                RotaEntry(
                    staff=data.staff_id,
                    day=data.day,
                    session=data.session,
                    action=data.action,
                    start_time=data.start,
                    end_time=data.end,
                    note=data.note,
                    created_by=actor,
                    created_at=now,
                )
            ).returning(RotaEntry.id)
            await audit.record(
                ctx.engine,
                at=now,
                actor=actor,
                action="rota.added",
                subject_type="rota_change",
                subject_id=rows[0]["id"],
                data={"staff": data.staff_id, "day": data.day.isoformat(), "session": data.session, "action": data.action},
            )
    except INTEGRITY_ERRORS as exc:
        raise AttendanceDuplicate(f"staff {data.staff_id} already has a rota change for {data.day} {data.session}") from exc
    row = await RotaEntry.select().where(RotaEntry.id == rows[0]["id"]).first()
    if row is None:  # withdrawn by a concurrent delete_rota since the transaction above
        raise AttendanceItemNotFound()
    return _rota_out(row)


async def list_rota(ctx: AppContext, params: PageParams, *, month: str, staff_id: int | None = None) -> Page[RotaOut]:
    """Rota changes of a month, by day."""
    first = periods.parse_month(month)
    where = (RotaEntry.day >= first) & (RotaEntry.day <= periods.month_end(first))
    if staff_id is not None:
        where = where & (RotaEntry.staff == staff_id)
    rows = await RotaEntry.select().where(where).order_by(RotaEntry.day).order_by(RotaEntry.id).limit(params.limit).offset(params.offset)
    return page_of([_rota_out(r) for r in rows], total=await RotaEntry.count().where(where), params=params)


async def delete_rota(ctx: AppContext, rota_id: int, *, actor: str) -> None:
    """Withdraw a rota change of an open month."""
    async with write_transaction(ctx.engine):
        row = await RotaEntry.select().where(RotaEntry.id == rota_id).first()
        if row is None:
            raise AttendanceItemNotFound()
        postings = await org.postings_of([row["staff"]])
        await _refuse_closed(postings[0].site_id if postings else None, row["day"])
        await RotaEntry.delete().where(RotaEntry.id == rota_id)
        await audit.record(
            ctx.engine,
            at=ctx.clock.now(),
            actor=actor,
            action="rota.deleted",
            subject_type="rota_change",
            subject_id=rota_id,
            data={"staff": row["staff"], "day": row["day"].isoformat(), "session": row["session"]},
        )


# --- window closures -------------------------------------------------------------------------


async def add_closure(ctx: AppContext, data: ClosureIn, *, actor: str) -> ClosureOut:
    """Close a window for a day."""
    site = await org.window_site(data.window_id)
    if site is None:
        raise AttendanceItemNotFound(f"window {data.window_id} does not exist")
    now = ctx.clock.now()
    try:
        async with write_transaction(ctx.engine):
            await _refuse_closed(site, data.day)
            rows = await WindowClosureDay.insert(
                WindowClosureDay(window=data.window_id, day=data.day, note=data.note, created_by=actor, created_at=now)
            ).returning(WindowClosureDay.id)
            await audit.record(
                ctx.engine,
                at=now,
                actor=actor,
                action="window.closed_for_day",
                subject_type="window",
                subject_id=data.window_id,
                data={"day": data.day.isoformat()},
            )
    except INTEGRITY_ERRORS as exc:
        raise AttendanceDuplicate(f"window {data.window_id} is already closed on {data.day}") from exc
    return ClosureOut(id=rows[0]["id"], window_id=data.window_id, day=data.day, note=data.note)


async def list_closures(ctx: AppContext, params: PageParams, *, month: str) -> Page[ClosureOut]:
    """Window closures of a month."""
    first = periods.parse_month(month)
    where = (WindowClosureDay.day >= first) & (WindowClosureDay.day <= periods.month_end(first))
    rows = await WindowClosureDay.select().where(where).order_by(WindowClosureDay.day).limit(params.limit).offset(params.offset)
    items = [ClosureOut(id=r["id"], window_id=r["window"], day=r["day"], note=r["note"]) for r in rows]
    return page_of(items, total=await WindowClosureDay.count().where(where), params=params)


async def delete_closure(ctx: AppContext, closure_id: int, *, actor: str) -> None:
    """Reopen a window's day in an open month."""
    async with write_transaction(ctx.engine):
        row = await WindowClosureDay.select().where(WindowClosureDay.id == closure_id).first()
        if row is None:
            raise AttendanceItemNotFound()
        await _refuse_closed(await org.window_site(row["window"]), row["day"])
        await WindowClosureDay.delete().where(WindowClosureDay.id == closure_id)
        await audit.record(
            ctx.engine,
            at=ctx.clock.now(),
            actor=actor,
            action="window.reopened_for_day",
            subject_type="window",
            subject_id=row["window"],
            data={"day": row["day"].isoformat()},
        )


# --- site overrides and hours ----------------------------------------------------------------


async def add_override(ctx: AppContext, data: OverrideIn, *, actor: str) -> OverrideOut:
    """A site's local holiday, closure, or weekend service day."""
    if not await org.site_time_zones([data.site_id]):
        raise AttendanceItemNotFound(f"site {data.site_id} does not exist")
    now = ctx.clock.now()
    try:
        async with write_transaction(ctx.engine):
            await _refuse_closed(data.site_id, data.day)
            rows = await CalendarOverride.insert(
                CalendarOverride(site=data.site_id, day=data.day, kind=data.kind, note=data.note, created_at=now)
            ).returning(CalendarOverride.id)
            await audit.record(
                ctx.engine,
                at=now,
                actor=actor,
                action="calendar.override_added",
                subject_type="site",
                subject_id=data.site_id,
                data={"day": data.day.isoformat(), "kind": data.kind},
            )
    except INTEGRITY_ERRORS as exc:
        raise AttendanceDuplicate(f"site {data.site_id} already has an override for {data.day}") from exc
    return OverrideOut(id=rows[0]["id"], site_id=data.site_id, day=data.day, kind=data.kind, note=data.note)


async def list_overrides(ctx: AppContext, params: PageParams, *, site_id: int, year: int) -> Page[OverrideOut]:
    """A site's overrides of a year."""
    where = (CalendarOverride.site == site_id) & (CalendarOverride.day >= date(year, 1, 1)) & (CalendarOverride.day <= date(year, 12, 31))
    rows = await CalendarOverride.select().where(where).order_by(CalendarOverride.day).limit(params.limit).offset(params.offset)
    items = [OverrideOut(id=r["id"], site_id=r["site"], day=r["day"], kind=r["kind"], note=r["note"]) for r in rows]
    return page_of(items, total=await CalendarOverride.count().where(where), params=params)


async def delete_override(ctx: AppContext, override_id: int, *, actor: str) -> None:
    """Withdraw an override of an open month."""
    async with write_transaction(ctx.engine):
        row = await CalendarOverride.select().where(CalendarOverride.id == override_id).first()
        if row is None:
            raise AttendanceItemNotFound()
        await _refuse_closed(row["site"], row["day"])
        await CalendarOverride.delete().where(CalendarOverride.id == override_id)
        await audit.record(
            ctx.engine,
            at=ctx.clock.now(),
            actor=actor,
            action="calendar.override_deleted",
            subject_type="site",
            subject_id=row["site"],
            data={"day": row["day"].isoformat()},
        )


def _hours_out(r: dict[str, Any]) -> SiteHoursOut:
    return SiteHoursOut(
        id=r["id"],
        site_id=r["site"],
        name=r["name"],
        valid_from=r["valid_from"],
        valid_to=r["valid_to"],
        am_start=_t(r["am_start"]),
        am_end=_t(r["am_end"]),
        pm_start=_t(r["pm_start"]),
        pm_end=_t(r["pm_end"]),
    )


async def add_site_hours(ctx: AppContext, data: SiteHoursIn, *, actor: str) -> SiteHoursOut:
    """A site's session times over a range; ranges of a site never overlap."""
    SessionHours(data.name, data.valid_from, data.valid_to, data.am_start, data.am_end, data.pm_start, data.pm_end)  # validates
    if not await org.site_time_zones([data.site_id]):
        raise AttendanceItemNotFound(f"site {data.site_id} does not exist")
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        closed = await MonthClose.select(MonthClose.month).where(MonthClose.site == data.site_id)
        if any(periods.month_key(data.valid_from) <= r["month"] <= periods.month_key(data.valid_to) for r in closed):
            raise MonthClosed("the range covers a closed month of the site")
        if await SiteHours.exists().where(
            (SiteHours.site == data.site_id) & (SiteHours.valid_from <= data.valid_to) & (SiteHours.valid_to >= data.valid_from)
        ):
            raise SessionHoursInvalid("the range overlaps another session hours range of the site")
        rows = await SiteHours.insert(
            SiteHours(
                site=data.site_id,
                name=data.name,
                valid_from=data.valid_from,
                valid_to=data.valid_to,
                am_start=data.am_start,
                am_end=data.am_end,
                pm_start=data.pm_start,
                pm_end=data.pm_end,
            )
        ).returning(SiteHours.id)
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="site_hours.added",
            subject_type="site",
            subject_id=data.site_id,
            data={"name": data.name, "from": data.valid_from.isoformat(), "to": data.valid_to.isoformat()},
        )
    row = await SiteHours.select().where(SiteHours.id == rows[0]["id"]).first()
    assert row is not None  # inserted above; session hours are never deleted
    return _hours_out(row)


async def list_site_hours(ctx: AppContext, *, site_id: int) -> list[SiteHoursOut]:
    """A site's session hours ranges, oldest first."""
    return [_hours_out(r) for r in await SiteHours.select().where(SiteHours.site == site_id).order_by(SiteHours.valid_from)]


# --- month close -----------------------------------------------------------------------------


async def close_month(ctx: AppContext, *, site_id: int, month: str, actor: str) -> MonthCloseOut:
    """Store the site's month one last time, then close it: later inputs go to the exception queue."""
    first = periods.parse_month(month)
    if not await org.site_time_zones([site_id]):
        raise AttendanceItemNotFound(f"site {site_id} does not exist")
    if await service.closed_sites([site_id], month=first):
        raise MonthAlreadyClosed()
    # Leavers of the month are frozen too: their days up to leaving belong to this month's appraisal.
    staff_ids = await org.staff_ids_at_site_between(site_id, first=first, last=periods.month_end(first))
    postings = [p for p in await org.postings_of(staff_ids) if p.site_id == site_id]
    records = await service.derive(ctx, postings, month=first)
    now = ctx.clock.now()
    try:
        async with write_transaction(ctx.engine):
            await service.store(ctx, [p.staff_id for p in postings], month=first, records=records)
            await MonthClose.insert(MonthClose(site=site_id, month=periods.month_key(first), closed_at=now, closed_by=actor))
            await audit.record(
                ctx.engine,
                at=now,
                actor=actor,
                action="attendance.month_closed",
                subject_type="site",
                subject_id=site_id,
                data={"month": periods.month_key(first), "records": len(records)},
            )
    except INTEGRITY_ERRORS as exc:
        raise MonthAlreadyClosed() from exc
    return MonthCloseOut(site_id=site_id, month=periods.month_key(first), closed_at=now, closed_by=actor, records=len(records))


async def list_closed_months(ctx: AppContext, *, site_id: int) -> list[MonthCloseOut]:
    """A site's closed months, newest first."""
    rows = await MonthClose.select().where(MonthClose.site == site_id).order_by(MonthClose.month, ascending=False)
    return [
        MonthCloseOut(site_id=r["site"], month=r["month"], closed_at=r["closed_at"], closed_by=r["closed_by"], records=None) for r in rows
    ]
