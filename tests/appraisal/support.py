"""Builders for appraisal tests: a March 2025 with one late morning and a published finding, and the people who run it.

month = await make_month(ctx)          # site, window, two staff, punches, a finding about staff[0]
await service.compute(ctx, MONTH, principal=month.hr)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from tests.attendance.support import SH, local, make_world
from tests.factories import TestUser, make_user
from tests.inspections.support import ensure_rules, log_finding, make_visit, principal, publish
from window_staff.attendance.service.punches import NewPunch, record_punches
from window_staff.common.context import AppContext
from window_staff.common.db import write_transaction
from window_staff.common.principal import Principal
from window_staff.org.schemas import StaffOut, WindowOut

MONTH = "2025-03"
# March 2025 has no public holiday: its working days are its 21 weekdays; the staff punch on every one.
DAYS = tuple(d for d in range(1, 32) if date(2025, 3, d).weekday() < 5)
LATE_DAY = 4  # staff 0 signs in at 08:52 on Tuesday 4 March: 22 minutes late


@dataclass
class Month:
    """A month's cast: HR (preparer), two approvers, a reviewer, the inspector who made the finding, two staff."""

    hr: Principal
    approver: Principal
    approver2: Principal
    reviewer: Principal
    inspector: Principal
    staff: list[StaffOut]
    staff_users: list[TestUser]
    finding_id: int
    window: WindowOut

    def staff_p(self, i: int) -> Principal:
        """Staff member ``i`` as a principal."""
        return principal(self.staff_users[i], "staff")


async def person(ctx: AppContext, *roles: str) -> Principal:
    """A new user holding ``roles``, as a principal."""
    return principal(await make_user(ctx, *roles), *roles)


def at(day: int, hh: int = 10, mm: int = 0, *, month: int = 3) -> datetime:
    """A Shanghai instant in 2025."""
    return local(day, hh, mm, month=month)


async def punch_month(ctx: AppContext, staff_ids: list[int], *, late: set[tuple[int, int]]) -> None:
    """Four punches on every working day of March for each staff member, in one transaction (08:52 sign-in where ``late``)."""
    punches = []
    for staff_id in staff_ids:
        for day in DAYS:
            am_in = (8, 52) if (staff_id, day) in late else (8, 20)
            for hh, mm in (am_in, (12, 5), (14, 20), (17, 35)):
                punches.append(
                    NewPunch(
                        staff_id=staff_id,
                        captured_at=local(day, hh, mm),
                        source="signed_terminal",
                        verify_mode="face+fingerprint",
                        event_key=f"test:{uuid.uuid4()}",
                    )
                )
    async with write_transaction(ctx.engine):
        # Through attendance's one entry, so each punch is sealed as the service seals it.
        await record_punches(ctx, punches, site_id=None, received_at=ctx.clock.now())


async def make_month(ctx: AppContext) -> Month:
    """Two staff punching every working day of March (staff 0 late on the 4th), a published badge finding about staff 0; clock left on 1
    April."""
    ensure_rules(ctx)
    ctx.clock.at = at(20)  # type: ignore[attr-defined]
    world = await make_world(ctx, n_staff=2)
    await punch_month(ctx, [s.id for s in world.staff], late={(world.staff[0].id, LATE_DAY)})
    scene = await make_visit(ctx, window=world.window)
    finding = await log_finding(ctx, scene, staff_id=world.staff[0].id, item="badge_worn", observed_at=at(20, 10, 0))
    await publish(ctx, scene, finding.id)
    users = [await make_user(ctx, "staff", staff_id=s.id) for s in world.staff]
    cast = Month(
        hr=await person(ctx, "hr"),
        approver=await person(ctx, "approver"),
        approver2=await person(ctx, "approver"),
        reviewer=await person(ctx, "hr"),
        inspector=scene.inspector_p,
        staff=world.staff,
        staff_users=users,
        finding_id=finding.id,
        window=world.window,
    )
    ctx.clock.at = at(1, 9, 0, month=4)  # type: ignore[attr-defined]
    return cast


__all__ = ["DAYS", "LATE_DAY", "MONTH", "SH", "Month", "at", "make_month", "person"]
