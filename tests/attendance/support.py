"""Builders for the attendance service tests: a site with hours, staff at one window, punches."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from tests.factories import make_staff, make_window
from window_staff.attendance.schemas import SiteHoursIn
from window_staff.attendance.service import admin as service_admin
from window_staff.attendance.service.punches import NewPunch, record_punches
from window_staff.common.context import AppContext
from window_staff.common.db import write_transaction
from window_staff.org.schemas import StaffOut, WindowOut

SH = ZoneInfo("Asia/Shanghai")
MONTH = "2025-03"  # Saturday 1 March; Monday 3 to Friday 7 an ordinary week


@dataclass
class World:
    """One site with 2025-2027 hours, one window, its staff."""

    site_id: int
    window: WindowOut
    staff: list[StaffOut]


async def make_world(ctx: AppContext, *, n_staff: int = 1) -> World:
    """A site with hours 08:30-12:00 and 14:30-17:30 and ``n_staff`` staff at one window."""
    window = await make_window(ctx)
    await service_admin.add_site_hours(
        ctx,
        SiteHoursIn(
            site_id=window.site_id,
            name="all",
            valid_from=date(2025, 1, 1),
            valid_to=date(2027, 12, 31),
            am_start=time(8, 30),
            am_end=time(12),
            pm_start=time(14, 30),
            pm_end=time(17, 30),
        ),
        actor="test",
    )
    staff = [await make_staff(ctx, window=window) for _ in range(n_staff)]
    return World(window.site_id, window, staff)


def local(day: int, hh: int, mm: int, *, month: int = 3, year: int = 2025) -> datetime:
    """A Shanghai wall-clock instant."""
    return datetime(year, month, day, hh, mm, tzinfo=SH)


async def terminal_punch(ctx: AppContext, staff_id: int, at: datetime, *, site_id: int) -> int:
    """Store a punch the way the terminal check-in does (closed month -> exception queue)."""
    async with write_transaction(ctx.engine):
        stored = await record_punches(
            ctx,
            [
                NewPunch(
                    staff_id=staff_id,
                    captured_at=at,
                    source="signed_terminal",
                    verify_mode="face+fingerprint",
                    event_key=f"test:{uuid.uuid4()}",
                )
            ],
            site_id=site_id,
            received_at=ctx.clock.now(),
        )
    return stored.ids[0]


async def full_day(ctx: AppContext, staff_id: int, day: int, *, site_id: int, am_in: tuple[int, int] = (8, 20)) -> None:
    """Four punches on a day: am sign-in (default on time), am out, pm in, pm out."""
    for hh, mm in (am_in, (12, 5), (14, 20), (17, 35)):
        await terminal_punch(ctx, staff_id, local(day, hh, mm), site_id=site_id)


def session(month: dict, day: str, name: str) -> dict:
    """One record of a month answer."""
    return next(r for r in month["records"] if r["day"] == day and r["session"] == name)
