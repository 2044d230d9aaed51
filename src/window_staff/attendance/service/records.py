"""Attendance use cases: what a punch means, month state, derived and stored day records, month facts."""

from __future__ import annotations

import time as time_module
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from window_staff.attendance.calendar import DEFAULT_TIME_ZONE, WorkCalendar
from window_staff.attendance.domain import DayRecord, Status, day_records
from window_staff.attendance.errors import (
    AttendanceStaffNotFound,
    CalendarYearMissing,
    SessionHoursMissing,
)
from window_staff.attendance.service.inputs import grace_of, inputs_for, work_calendar
from window_staff.attendance.tables import DayRecordCorrection, MonthClose, StoredDayRecord
from window_staff.common.clock import as_utc
from window_staff.common.context import AppContext
from window_staff.common.db import execute, insert_rows, write_transaction
from window_staff.common.periods import month_end, month_key, parse_month
from window_staff.org import service as org
from window_staff.org.service import Posting

LATE_GRACE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class PunchMeaning:
    """What a punch means for the day: the session it falls in, on time / late / early leave, minutes."""

    session: str | None
    status: str
    minutes: int

    def as_dict(self) -> dict[str, object]:
        """The fields a terminal shows."""
        return {"session": self.session, "status": self.status, "minutes": self.minutes}


def meaning_of(local: datetime, *, am: tuple[time, time], pm: tuple[time, time], grace: timedelta = LATE_GRACE) -> PunchMeaning:
    """Classify a local punch time against the day's two sessions (pure).

    Before the session's start plus grace it is on time; in the first half of a session it is a late
    sign-in; in the second half an early sign-out; from the end on it is an on-time sign-out.
    """
    day = local.date()
    tz = local.tzinfo

    def at(t: time) -> datetime:
        return datetime.combine(day, t, tzinfo=tz)

    boundary = at(am[1]) + (at(pm[0]) - at(am[1])) / 2
    name, (start, end) = ("am", am) if local < boundary else ("pm", pm)
    s, e = at(start), at(end)
    if local <= s + grace or local >= e:
        return PunchMeaning(session=name, status="on_time", minutes=0)
    if local < s + (e - s) / 2:
        return PunchMeaning(session=name, status="late", minutes=int((local - s).total_seconds() // 60))
    return PunchMeaning(session=name, status="early_leave", minutes=int(-(-(e - local).total_seconds() // 60)))


_DAY_CACHE = "attendance.checkin_days"
DAY_CACHE_SECONDS = 60.0


async def _site_day(ctx: AppContext, site_id: int, at: datetime) -> tuple[date, WorkCalendar]:
    # Every check-in asks this; a minute-old answer only delays HR's calendar edits in the terminal's
    # quick reply (day records are always derived from the database).
    cache: dict[int, tuple[float, str]] = ctx.resources.setdefault(_DAY_CACHE + ".zones", {})
    now = time_module.monotonic()
    hit = cache.get(site_id)
    if hit is None or hit[0] < now:
        zone = (await org.site_time_zones([site_id])).get(site_id, DEFAULT_TIME_ZONE)
        hit = cache[site_id] = (now + DAY_CACHE_SECONDS, zone)
    day = at.astimezone(ZoneInfo(hit[1])).date()
    days: dict[tuple[int, date], tuple[float, WorkCalendar]] = ctx.resources.setdefault(_DAY_CACHE, {})
    found = days.get((site_id, day))
    if found is None or found[0] < now:
        if len(days) > 4096:
            days.clear()
        found = days[(site_id, day)] = (now + DAY_CACHE_SECONDS, await work_calendar(ctx, site_ids=[site_id], start=day, end=day))
    return day, found[1]


async def describe_punch(ctx: AppContext, *, site_id: int, at: datetime) -> PunchMeaning:
    """What a punch at a site means today, in the site's local time (the terminal's quick answer)."""
    day, calendar = await _site_day(ctx, site_id, at)
    try:
        if not calendar.is_working_day(day, site_id=site_id):
            return PunchMeaning(session=None, status="not_a_working_day", minutes=0)
        hours = calendar.hours_on(day, site_id=site_id)
    except CalendarYearMissing:
        # never guess a year nobody published: the terminal shows it and HR adds the year's file
        return PunchMeaning(session=None, status="calendar_year_missing", minutes=0)
    except SessionHoursMissing:
        return PunchMeaning(session=None, status="no_session_hours", minutes=0)
    grace = timedelta(minutes=grace_of(ctx).late_grace_minutes)
    local = at.astimezone(calendar.time_zone(site_id))
    return meaning_of(local, am=(hours.am_start, hours.am_end), pm=(hours.pm_start, hours.pm_end), grace=grace)


# --- months ----------------------------------------------------------------------------------


async def closed_sites(site_ids: Sequence[int], *, month: date) -> set[int]:
    """The sites among ``site_ids`` whose month is closed."""
    if not site_ids:
        return set()
    rows = await MonthClose.select(MonthClose.site).where(
        MonthClose.site.is_in(sorted(set(site_ids))) & (MonthClose.month == month_key(month))
    )
    return {r["site"] for r in rows}


async def closed_months(site_id: int, months: Sequence[str]) -> set[str]:
    """Which of the site's months (``YYYY-MM``) are closed, in one query."""
    if not months:
        return set()
    marks = ", ".join("{}" for _ in months)
    rows = await execute(
        MonthClose._meta.db, f"SELECT month FROM attendance_month_close WHERE site = {{}} AND month IN ({marks})", site_id, *months
    )
    return {r["month"] for r in rows}


async def is_month_closed(ctx: AppContext, *, site_id: int, at: datetime) -> bool:
    """True when the site's attendance month of this instant (in the site's local time) is closed."""
    zone = (await org.site_time_zones([site_id])).get(site_id, DEFAULT_TIME_ZONE)
    return bool(await closed_sites([site_id], month=at.astimezone(ZoneInfo(zone)).date()))


def _decided(records: list[DayRecord], *, now: datetime, after: timedelta) -> list[DayRecord]:
    # a session is judged only once its sign-out window has passed; earlier it would read "absent"
    return [r for r in records if r.end + after <= now]


async def derive(ctx: AppContext, postings: Sequence[Posting], *, month: date) -> list[DayRecord]:
    """Day records of the postings for the month, from current inputs (nothing stored)."""
    start, end = month, month_end(month)
    posted = [p for p in postings if p.site_id is not None]
    if not posted:
        return []
    inputs = await inputs_for(ctx, posted, start=start, end=end)
    records = day_records(
        calendar=inputs.calendar,
        schedule=inputs.schedule,
        punches=inputs.punches,
        leave=inputs.leave,
        grace=inputs.grace,
        staff_ids=[p.staff_id for p in posted],
        period_start=start,
        period_end=end,
    )
    return _decided(records, now=ctx.clock.now(), after=timedelta(minutes=inputs.grace.sign_out_window_after))


_STORED = [
    StoredDayRecord.staff,
    StoredDayRecord.site,
    StoredDayRecord.month,
    StoredDayRecord.day,
    StoredDayRecord.session,
    StoredDayRecord.start_at,
    StoredDayRecord.end_at,
    StoredDayRecord.status,
    StoredDayRecord.late_minutes,
    StoredDayRecord.early_minutes,
    StoredDayRecord.sign_in_punch,
    StoredDayRecord.sign_out_punch,
    StoredDayRecord.leave_kind,
    StoredDayRecord.computed_at,
]


async def store(ctx: AppContext, staff_ids: Sequence[int], *, month: date, records: Sequence[DayRecord]) -> None:
    """Replace the stored records of the staff for the month (caller holds the write transaction)."""
    key, now = month_key(month), ctx.clock.now()
    ids = sorted(set(staff_ids))
    for i in range(0, len(ids), 500):
        await StoredDayRecord.delete().where(StoredDayRecord.staff.is_in(ids[i : i + 500]) & (StoredDayRecord.month == key))
    rows = [
        (
            r.staff_id,
            r.site_id,
            key,
            r.day,
            r.session,
            r.start,
            r.end,
            r.status.value,
            r.late_minutes,
            r.early_minutes,
            r.sign_in_punch_id,
            r.sign_out_punch_id,
            r.leave_kind,
            now,
        )
        for r in records
    ]
    if rows:
        await insert_rows(ctx.engine, StoredDayRecord, _STORED, rows)


async def load_stored(staff_ids: Sequence[int], *, month: date) -> list[DayRecord]:
    """Stored records of the staff for the month."""
    out: list[DayRecord] = []
    ids = sorted(set(staff_ids))
    for i in range(0, len(ids), 500):
        rows = await StoredDayRecord.select().where(
            StoredDayRecord.staff.is_in(ids[i : i + 500]) & (StoredDayRecord.month == month_key(month))
        )
        out.extend(
            DayRecord(
                r["staff"],
                r["site"],
                r["day"],
                r["session"],
                as_utc(r["start_at"]),
                as_utc(r["end_at"]),
                Status(r["status"]),
                r["late_minutes"],
                r["early_minutes"],
                r["sign_in_punch"],
                r["sign_out_punch"],
                r["leave_kind"],
            )
            for r in rows
        )
    return out


# Statuses that score only through their minutes: a clean session of them yields no appraisal fact.
_QUIET_STATUSES = (Status.PRESENT.value, Status.ON_LEAVE.value)
# Bound parameters per statement stay far below the drivers' ~32k limit (asyncpg, SQLite).
_IN_CHUNK = 5000


async def stored_sessions(ctx: AppContext, *, staff_ids: Sequence[int], month: date, scoring_only: bool = False) -> list[Any]:
    """Bare stored sessions (staff, day, session, status, late/early minutes) of the staff for the month; no DayRecords."""
    ids = sorted(set(staff_ids))
    table = StoredDayRecord._meta.tablename
    out: list[Any] = []
    for i in range(0, len(ids), _IN_CHUNK):
        part = ids[i : i + _IN_CHUNK]
        where = '"month" = {} AND "staff" IN (' + ", ".join(["{}"] * len(part)) + ")"
        args: list[Any] = [month_key(month), *part]
        if scoring_only:
            # most of a closed month is clean: leave those rows in the database instead of reading them
            where += ' AND ("status" NOT IN ({}, {}) OR "late_minutes" > 0 OR "early_minutes" > 0)'
            args += _QUIET_STATUSES
        out.extend(
            await execute(
                ctx.engine,
                f'SELECT "staff", "day", "session", "status", "late_minutes", "early_minutes" FROM "{table}" WHERE {where}',
                *args,
            )
        )
    return out


def _order(records: list[DayRecord]) -> list[DayRecord]:
    return sorted(records, key=lambda r: (r.staff_id, r.day, r.start, r.session))


async def recompute(ctx: AppContext, postings: Sequence[Posting], *, month: date) -> list[DayRecord]:
    """Derive and store the month for staff of open months; staff of closed months get their stored records."""
    first = parse_month(month)
    closed = await closed_sites([p.site_id for p in postings if p.site_id is not None], month=first)
    frozen = [p.staff_id for p in postings if p.site_id in closed]
    open_ = [p for p in postings if p.site_id not in closed]
    records = await derive(ctx, open_, month=first)
    raced: set[int] = set()
    if open_:
        async with write_transaction(ctx.engine):
            # re-check inside the write lock: a month closed meanwhile keeps what was stored at close
            raced = await closed_sites([p.site_id for p in open_ if p.site_id is not None], month=first)
            if not raced:
                await store(ctx, [p.staff_id for p in open_], month=first, records=records)
    if raced:
        return await recompute(ctx, postings, month=first)
    if frozen:
        records = records + await load_stored(frozen, month=first)
    return _order(records)


async def recompute_staff_month(ctx: AppContext, *, staff_ids: Sequence[int], month: str | date) -> list[DayRecord]:
    """Recompute and store one month for the staff (called when late punches or approvals arrive)."""
    return await recompute(ctx, await org.postings_of(staff_ids), month=parse_month(month))


@dataclass(frozen=True, slots=True)
class Correction:
    """HR's latest correction of one session."""

    id: int
    status: str
    late_minutes: int
    early_minutes: int
    leave_kind: str | None
    reason: str
    corrected_by: str
    at: datetime


async def corrections_of(staff_ids: Sequence[int], *, month: date) -> dict[tuple[int, date, str], Correction]:
    """The latest correction per (staff, day, session) in the month."""
    if not staff_ids:
        return {}
    rows = (
        await DayRecordCorrection.select()
        .where(
            DayRecordCorrection.staff.is_in(sorted(set(staff_ids)))
            & (DayRecordCorrection.day >= month)
            & (DayRecordCorrection.day <= month_end(month))
        )
        .order_by(DayRecordCorrection.id)
    )
    return {
        (r["staff"], r["day"], r["session"]): Correction(
            r["id"], r["status"], r["late_minutes"], r["early_minutes"], r["leave_kind"], r["reason"], r["corrected_by"], as_utc(r["at"])
        )
        for r in rows
    }


def apply_corrections(
    records: Sequence[DayRecord], corrections: dict[tuple[int, date, str], Correction]
) -> list[tuple[DayRecord, DayRecord | None, Correction | None]]:
    """(effective record, derived record if corrected, correction) per record (pure)."""
    out: list[tuple[DayRecord, DayRecord | None, Correction | None]] = []
    for r in records:
        c = corrections.get((r.staff_id, r.day, r.session))
        if c is None:
            out.append((r, None, None))
        else:
            fixed = replace(r, status=Status(c.status), late_minutes=c.late_minutes, early_minutes=c.early_minutes, leave_kind=c.leave_kind)
            out.append((fixed, r, c))
    return out


async def derived_month(
    ctx: AppContext, postings: Sequence[Posting], *, month: date
) -> list[tuple[DayRecord, DayRecord | None, Correction | None]]:
    """The month's records of postings at open sites, derived from current inputs with HR's corrections applied; nothing is stored."""
    records = await derive(ctx, postings, month=parse_month(month))
    return apply_corrections(_order(records), await corrections_of([p.staff_id for p in postings], month=month))


async def effective_month(
    ctx: AppContext, postings: Sequence[Posting], *, month: date
) -> list[tuple[DayRecord, DayRecord | None, Correction | None]]:
    """The month's records (recomputed unless closed) with HR's corrections applied."""
    records = await recompute(ctx, postings, month=month)
    return apply_corrections(records, await corrections_of([p.staff_id for p in postings], month=month))


async def posting_or_404(staff_id: int, *, only_staff_id: int | None = None) -> Posting:
    """One staff member's posting; a staff user asking about someone else gets 404."""
    if only_staff_id is not None and only_staff_id != staff_id:
        raise AttendanceStaffNotFound()
    found = await org.postings_of([staff_id])
    if not found:
        raise AttendanceStaffNotFound()
    return found[0]


def by_staff(
    effective: Sequence[tuple[DayRecord, DayRecord | None, Correction | None]],
) -> dict[int, list[tuple[DayRecord, DayRecord | None, Correction | None]]]:
    """Group effective records per staff member, keeping order."""
    out: dict[int, list[tuple[DayRecord, DayRecord | None, Correction | None]]] = defaultdict(list)
    for item in effective:
        out[item[0].staff_id].append(item)
    return out
