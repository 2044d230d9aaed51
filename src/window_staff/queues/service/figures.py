"""The month's queue figures per staff member and window: events read, on-duty time from attendance, the pure core.

Only days that are over count (today's numbers are the today-page's).
On duty means an accepted check-in: attendance's day records (the rota and the site's sessions, leave applied)
give each scheduled session, and a session with a counted sign-in punch is on duty from that punch until the
sign-out punch (or the session's end). Opening hours are the sessions of the site's day, so lunch is not one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from window_staff.attendance import service as attendance
from window_staff.attendance.service import inputs as attendance_inputs
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.common.db import chunks
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.common.periods import month_end, next_month, parse_month
from window_staff.org import service as org
from window_staff.org.service import Posting
from window_staff.queues.domain import Day, Event, Figures, Interval, day_figures, local_day_of
from window_staff.queues.policy import policy_of
from window_staff.queues.schemas import FiguresOut
from window_staff.queues.service.categories import window_categories
from window_staff.queues.tables import QueueEvent

_ON_LEAVE = "on_leave"


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """Figures of a month per staff member and per window, each by day and for the whole month."""

    staff: dict[int, Figures]
    windows: dict[int, Figures]
    staff_days: dict[tuple[int, date], Figures]
    window_days: dict[tuple[int, date], Figures]


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


async def _events(site_ids: Sequence[int], *, first: date, zones: dict[int, str]) -> dict[tuple[int, date], list[Event]]:
    lo = datetime.combine(first - timedelta(days=1), time(), tzinfo=UTC)
    hi = datetime.combine(next_month(first) + timedelta(days=1), time(), tzinfo=UTC)
    out: dict[tuple[int, date], list[Event]] = defaultdict(list)
    for part in chunks(list(site_ids)):
        rows = await QueueEvent.select().where(QueueEvent.site.is_in(part) & (QueueEvent.at >= lo) & (QueueEvent.at < hi))
        for r in rows:
            at = _aware(r["at"])
            day = local_day_of(at, zone=zones.get(r["site"], DEFAULT_TIME_ZONE))
            if first <= day <= month_end(first):
                out[(r["site"], day)].append(
                    Event(r["id"], r["site"], r["kind"], at, r["ticket"], r["category"], r["window"], r["staff"], r["to_window"])
                )
    return out


async def _days(ctx: AppContext, postings: Sequence[Posting], *, first: date) -> dict[tuple[int, date], Day]:
    """Each site's days of the month: opening hours, who was on duty where, who was rostered at each window."""
    window_of = {p.staff_id: p.window_id for p in postings}
    records = await attendance.derive(ctx, postings, month=first)
    staff_ids = sorted({r.staff_id for r in records})
    punch_at: dict[int, datetime] = {}
    for part in chunks(staff_ids):
        for p in await attendance_inputs.counted_punches(part, start=first, end=month_end(first)):
            punch_at[p.id] = p.at
    hours: dict[tuple[int, date], set[tuple[datetime, datetime]]] = defaultdict(set)
    duty: dict[tuple[int, date], list[Interval]] = defaultdict(list)
    rostered: dict[tuple[int, date], dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for r in records:
        key = (r.site_id, r.day)
        hours[key].add((r.start, r.end))
        window = window_of.get(r.staff_id)
        if window is None:
            continue
        if r.status.value != _ON_LEAVE:
            rostered[key][window].add(r.staff_id)
        if r.sign_in_punch_id is not None and r.sign_in_punch_id in punch_at:
            end = punch_at.get(r.sign_out_punch_id, r.end) if r.sign_out_punch_id is not None else r.end
            duty[key].append(Interval(punch_at[r.sign_in_punch_id], max(end, punch_at[r.sign_in_punch_id]), r.staff_id, window))
    categories = await window_categories(sorted({p.site_id for p in postings if p.site_id is not None}))
    return {
        key: Day(
            open_hours=[Interval(s, e) for s, e in sorted(spans)],
            duty=duty.get(key, []),
            rostered={w: sorted(s) for w, s in rostered.get(key, {}).items()},
            categories=categories,
        )
        for key, spans in hours.items()
    }


async def month_figures(ctx: AppContext, postings: Sequence[Posting], *, first: date) -> MonthFigures:
    """The month's figures at the postings' sites; reads only."""
    policy = policy_of(ctx)
    site_ids = sorted({p.site_id for p in postings if p.site_id is not None})
    zones = await org.site_time_zones(site_ids)
    events = await _events(site_ids, first=first, zones=zones)
    days = await _days(ctx, postings, first=first) if events else {}
    out = MonthFigures({}, {}, {}, {})
    now = ctx.clock.now()
    for (site_id, day), site_events in sorted(events.items()):
        if day >= local_day_of(now, zone=zones.get(site_id, DEFAULT_TIME_ZONE)):
            # Attendance judges a session only once its sign-out window has passed: until the day is over nobody would
            # look checked in, and every call would read as 空岗. A day counts once it is over.
            continue
        # A day without scheduled sessions (a weekend opening without a rota) still counts tickets; nobody was on duty.
        known = days.get((site_id, day)) or Day(open_hours=[], duty=[])
        staff, windows = day_figures(
            site_events, day=known, max_pause_minutes=policy.max_pause_minutes, vacant_min_minutes=policy.vacant_min_minutes
        )
        for sid, f in staff.items():
            out.staff_days[(sid, day)] = f
            out.staff.setdefault(sid, Figures()).add(f)
        for wid, f in windows.items():
            out.window_days[(wid, day)] = f
            out.windows.setdefault(wid, Figures()).add(f)
    return out


def figures_out(key: int, f: Figures) -> FiguresOut:
    """The API's form of one set of figures."""
    return FiguresOut(
        id=key,
        served=f.served,
        wait_median_minutes=f.wait_median,
        wait_p90_minutes=f.wait_p90,
        service_median_minutes=f.service_median,
        missed=f.missed,
        paused_minutes=f.paused_minutes,
        vacant=len(f.vacancies),
    )


async def figures(
    ctx: AppContext, params: PageParams, *, month: str, by: str, day: date | None = None, site_id: int | None = None
) -> Page[FiguresOut]:
    """A month's (or one day's) figures per staff member or window, by id; one site's only when given."""
    first = parse_month(month)
    postings = await org.postings_employed_between(first=first, last=month_end(first))
    if site_id is not None:
        postings = [p for p in postings if p.site_id == site_id]
    found = await month_figures(ctx, postings, first=first)
    if day is None:
        chosen = found.staff if by == "staff" else found.windows
    else:
        per_day = found.staff_days if by == "staff" else found.window_days
        chosen = {k: f for (k, d), f in per_day.items() if d == day}
    items = [figures_out(k, chosen[k]) for k in sorted(chosen)]
    return page_of(items[params.offset : params.offset + params.limit], total=len(items), params=params)


@dataclass(frozen=True, slots=True)
class DutyShift:
    """A staff member on duty at a window (an accepted check-in to its sign-out), for the queue simulator."""

    employee_no: str
    start: datetime
    end: datetime


async def site_duty(ctx: AppContext, *, site_code: str, day: date) -> dict[str, list[DutyShift]]:
    """Who was on duty at each window (by number) of a site on a day, from attendance's accepted check-ins."""
    site_id = await org.site_id_by_code(site_code)
    if site_id is None:
        return {}
    postings = [p for p in await org.postings_employed_between(first=day, last=day) if p.site_id == site_id]
    known = (await _days(ctx, postings, first=day.replace(day=1))).get((site_id, day)) if postings else None
    if known is None:
        return {}
    numbers = {w.id: w.number for w in (await org.list_windows(ctx, PageParams(limit=500, offset=0), site_id=site_id)).items}
    employee = {p.staff_id: p.employee_no for p in postings}
    out: dict[str, list[DutyShift]] = defaultdict(list)
    for d in sorted(known.duty, key=lambda d: d.start):
        if d.window_id in numbers and d.staff_id in employee:
            out[numbers[d.window_id]].append(DutyShift(employee[d.staff_id], d.start, d.end))
    return dict(out)
