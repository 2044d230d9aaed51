"""What the evaluations domain gives the appraisal: the month's facts from delegates, citizens and service transactions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from window_staff.common.context import AppContext
from window_staff.evaluations.service import delegates as service_delegates, metrics as service_metrics, ratings as service_ratings
from window_staff.scoring import Fact


async def month_facts(ctx: AppContext, *, staff_ids: Sequence[int], month: date) -> dict[int, list[Fact]]:
    """Delegate evaluations, citizen ratings and bad-review cases, satisfaction, on-site and on-time rates per staff member."""
    out: dict[int, list[Fact]] = {}
    for source in (service_delegates.month_facts, service_ratings.month_facts, service_metrics.month_facts):
        for staff_id, facts in (await source(ctx, staff_ids=staff_ids, month=month)).items():
            out.setdefault(staff_id, []).extend(facts)
    return out
