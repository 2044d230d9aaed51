"""The appraisal's heavy work as jobs: computing a month and closing it.

Requests are checked here before anything is queued (a bad month or a state that does not allow the step is
refused at once), then the job runs the same service function the CLI runs, with progress.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from window_staff.appraisal import domain, store
from window_staff.appraisal.service import close as service_close, lifecycle
from window_staff.common import periods
from window_staff.common.context import AppContext
from window_staff.common.principal import Principal
from window_staff.common.progress import Progress
from window_staff.jobs import service as jobs
from window_staff.jobs.schemas import JobOut

COMPUTE, CLOSE = "appraisal.compute", "appraisal.close"
CLOSING = "closing"


def lock_of(month: str) -> str:
    """One appraisal job per month at a time: computing and closing the same month never overlap."""
    return f"appraisal/{month}"


async def request_compute(ctx: AppContext, month: str, *, principal: Principal) -> JobOut:
    """Queue the month's compute (202); refused at once for a bad month or a state that does not allow it."""
    key = periods.month_key(lifecycle.checked_month(ctx, month))
    before = await store.find_period(key)
    domain.next_state(before["state"] if before else domain.OPEN, action="compute")
    return await jobs.submit(ctx, COMPUTE, subject=key, lock=lock_of(key), params={"month": key}, principal=principal)


async def request_close(ctx: AppContext, month: str, *, principal: Principal) -> JobOut:
    """Queue the month's close (202); refused at once unless the month is published."""
    key = periods.month_key(periods.parse_month(month))
    domain.next_state((await store.period_or_404(key))["state"], action="close")
    return await jobs.submit(ctx, CLOSE, subject=key, lock=lock_of(key), params={"month": key}, principal=principal)


async def _compute(ctx: AppContext, params: Mapping[str, Any], *, principal: Principal, progress: Progress) -> Any:
    return await lifecycle.compute(ctx, params["month"], principal=principal, progress=progress)


async def _close(ctx: AppContext, params: Mapping[str, Any], *, principal: Principal, progress: Progress) -> Any:
    await progress(CLOSING, done=0, total=1)
    return await service_close.close(ctx, params["month"], principal=principal)


KINDS: dict[str, jobs.JobKind] = {
    COMPUTE: jobs.JobKind(
        handler=_compute,
        name={"zh": "月度考核计算", "en": "Computing the month's appraisal"},
        phases={
            lifecycle.GATHER: {"zh": "汇总考勤、检查和评价记录", "en": "Gathering attendance, inspections and ratings"},
            lifecycle.SCORE: {"zh": "计算得分", "en": "Scoring"},
            lifecycle.WRITE: {"zh": "保存考核表", "en": "Saving the sheets"},
        },
    ),
    CLOSE: jobs.JobKind(
        handler=_close,
        name={"zh": "月度考核结账", "en": "Closing the month"},
        phases={CLOSING: {"zh": "冻结奖金并签署结账记录", "en": "Freezing bonuses and signing the close"}},
    ),
}
