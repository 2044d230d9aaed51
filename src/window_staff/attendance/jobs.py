"""Attendance's heavy work as jobs: closing a site's month (deriving and storing every day record of it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from window_staff.attendance import service
from window_staff.attendance.errors import AttendanceItemNotFound, MonthAlreadyClosed
from window_staff.attendance.service import admin
from window_staff.common import periods
from window_staff.common.context import AppContext
from window_staff.common.principal import Principal
from window_staff.common.progress import Progress
from window_staff.jobs import service as jobs
from window_staff.jobs.schemas import JobOut
from window_staff.org import service as org

CLOSE_MONTH = "attendance.close_month"
CLOSING = "closing"


async def request_close_month(ctx: AppContext, *, site_id: int, month: str, principal: Principal) -> JobOut:
    """Queue closing a site's month (202); refused at once for an unknown site or a month already closed."""
    first = periods.parse_month(month)
    names = await org.site_names()
    if site_id not in names:
        raise AttendanceItemNotFound(f"site {site_id} does not exist")
    if await service.closed_sites([site_id], month=first):
        raise MonthAlreadyClosed()
    key = periods.month_key(first)
    return await jobs.submit(
        ctx,
        CLOSE_MONTH,
        subject=f"{key} {names[site_id]}",
        # One close per site and month at a time; sites close their months side by side.
        lock=f"attendance/{key}/site-{site_id}",
        params={"site_id": site_id, "month": key},
        principal=principal,
    )


async def _close_month(ctx: AppContext, params: Mapping[str, Any], *, principal: Principal, progress: Progress) -> Any:
    await progress(CLOSING, done=0, total=1)
    return await admin.close_month(ctx, site_id=params["site_id"], month=params["month"], actor=principal.actor)


KINDS: dict[str, jobs.JobKind] = {
    CLOSE_MONTH: jobs.JobKind(
        handler=_close_month,
        name={"zh": "考勤月结", "en": "Closing a site's attendance month"},
        phases={CLOSING: {"zh": "生成并保存当月每日考勤记录", "en": "Storing the month's day records"}},
    )
}
