"""Queues as a fact source of the appraisal: tickets served, the 90th-percentile wait, missed calls, paused minutes
(each one per staff member and month, dated at the month's end) and each 空岗 event (dated on its day)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.common.periods import month_key, next_month
from window_staff.org.service import Posting
from window_staff.queues.domain import Figures, local_day_of
from window_staff.queues.service import figures as service
from window_staff.scoring import Fact


def staff_facts(staff_id: int, f: Figures, *, first: date, zone: str) -> list[Fact]:
    """One staff member's queue facts of the month from their figures (pure; ids are stable across recomputes)."""
    key = month_key(first)
    last_day = next_month(first) - timedelta(days=1)  # a month's figure belongs to the whole month: dated at its end
    out: list[Fact] = []
    if f.served:
        out.append(Fact(f"queue.served:{key}", "queue.served", staff_id, last_day, {"tickets": f.served}))
    p90 = f.wait_p90
    if p90 is not None:
        out.append(
            Fact(f"queue.wait_p90_minutes:{key}", "queue.wait_p90_minutes", staff_id, last_day, {"minutes": p90, "tickets": len(f.waits)})
        )
    if f.missed:
        out.append(Fact(f"queue.missed:{key}", "queue.missed", staff_id, last_day, {"count": f.missed}))
    if f.paused_minutes:
        out.append(Fact(f"queue.paused_minutes:{key}", "queue.paused_minutes", staff_id, last_day, {"minutes": f.paused_minutes}))
    for v in f.vacancies:
        day = local_day_of(v.at, zone=zone)
        out.append(
            Fact(
                f"queue.vacant:{v.window_id}:{v.at.isoformat()}:{v.reason}",
                "queue.vacant",
                staff_id,
                day,
                {"reason": v.reason, "minutes": v.minutes},
            )
        )
    return out


async def month_facts(ctx: AppContext, *, postings: Sequence[Posting], first: date) -> dict[int, list[Fact]]:
    """The month's queue facts per staff member of ``postings``; reads only."""
    out: dict[int, list[Fact]] = {p.staff_id: [] for p in postings}
    found = await service.month_figures(ctx, postings, first=first)
    zones = {p.staff_id: p.timezone or DEFAULT_TIME_ZONE for p in postings}
    for staff_id, f in found.staff.items():
        if staff_id in out:
            out[staff_id] = staff_facts(staff_id, f, first=first, zone=zones[staff_id])
    return out
