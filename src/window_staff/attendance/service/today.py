"""Today at a site (reads only): the live board from today's accepted punches and the rota, and the month so far."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from window_staff.attendance.calendar import DEFAULT_TIME_ZONE
from window_staff.attendance.domain import DayRecord
from window_staff.attendance.live import Board, today_board
from window_staff.attendance.service.inputs import inputs_for
from window_staff.attendance.service.records import derived_month
from window_staff.attendance.tables import LeaveRequest, Punch as PunchRow
from window_staff.common.clock import as_utc
from window_staff.common.context import AppContext
from window_staff.common.db import execute
from window_staff.org import service as org
from window_staff.org.service import Posting


@dataclass(frozen=True, slots=True)
class Today:
    """A site's board now: the local day and time, the staff in scope and their board."""

    site_id: int
    day: date
    local_now: datetime
    postings: dict[int, Posting]
    board: Board


@dataclass(frozen=True, slots=True)
class MonthSoFar:
    """A site's decided sessions of the month up to now (HR's corrections applied) and the staff they belong to."""

    site_id: int
    first: date
    day: date
    postings: dict[int, Posting]
    records: list[DayRecord]


async def local_now(ctx: AppContext, *, site_id: int) -> datetime:
    """The injected clock's instant in the site's own time zone."""
    zone = (await org.site_time_zones([site_id])).get(site_id, DEFAULT_TIME_ZONE)
    return ctx.clock.now().astimezone(ZoneInfo(zone))


async def today_at(ctx: AppContext, *, site_id: int, department_ids: Sequence[int] | None = None, windows: Sequence[int] = ()) -> Today:
    """Who is at which window of the site now, who is late, absent or on leave today (only the departments' when given)."""
    now = await local_now(ctx, site_id=site_id)
    day = now.date()
    postings = await org.postings_at_site(site_id, first=day, last=day, department_ids=department_ids)
    if not postings:
        return Today(site_id, day, now, {}, today_board_empty(windows))
    inputs = await inputs_for(ctx, postings, start=day, end=day)
    board = today_board(
        calendar=inputs.calendar,
        schedule=inputs.schedule,
        punches=inputs.punches,
        leave=inputs.leave,
        grace=inputs.grace,
        staff_ids=[p.staff_id for p in postings],
        day=day,
        now=ctx.clock.now(),
        windows=windows,
    )
    return Today(site_id, day, now, {p.staff_id: p for p in postings}, board)


def today_board_empty(windows: Sequence[int]) -> Board:
    """The board of a site with nobody posted: every window listed, none open."""
    return Board(at_window={w: [] for w in windows})


async def month_so_far(ctx: AppContext, *, site_id: int, department_ids: Sequence[int] | None = None) -> MonthSoFar:
    """The site's sessions of this month decided by now, with HR's corrections (nothing is stored)."""
    now = await local_now(ctx, site_id=site_id)
    day = now.date()
    first = day.replace(day=1)
    postings = await org.postings_at_site(site_id, first=first, last=day, department_ids=department_ids)
    effective = await derived_month(ctx, postings, month=first) if postings else []
    records = [r for r, _, _ in effective if r.day <= day]
    return MonthSoFar(site_id, first, day, {p.staff_id: p for p in postings}, records)


async def pending_leave(staff_ids: Sequence[int]) -> int:
    """Leave requests of the staff awaiting a decision."""
    if not staff_ids:
        return 0
    return int(await LeaveRequest.count().where(LeaveRequest.staff.is_in(sorted(set(staff_ids))) & (LeaveRequest.status == "requested")))


async def last_punch_by_terminal(terminal_ids: Sequence[int]) -> dict[int, datetime]:
    """When each terminal last handed in a punch (received time); terminals without one are left out."""
    if not terminal_ids:
        return {}
    rows = await execute(
        PunchRow._meta.db,
        "SELECT terminal, MAX(received_at) AS at FROM punch WHERE terminal IN ("
        + ", ".join("{}" for _ in terminal_ids)
        + ") GROUP BY terminal",
        *sorted(set(terminal_ids)),
    )
    return {r["terminal"]: instant(r["at"]) for r in rows if r["at"] is not None}


def instant(value: datetime | str) -> datetime:
    """An aggregate's timestamp as a UTC instant (SQLite hands MAX() of a timestamp back as text)."""
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)
