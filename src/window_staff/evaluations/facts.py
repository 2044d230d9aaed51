"""Evaluations as a fact source of the appraisal: delegates' evaluations, citizen ratings and bad-review cases, satisfaction,
on-site and on-time rates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from window_staff.common.context import AppContext
from window_staff.evaluations.service import delegates as service_delegates, metrics as service_metrics, ratings as service_ratings
from window_staff.org.service import Posting
from window_staff.scoring import Fact


async def month_facts(ctx: AppContext, *, postings: Sequence[Posting], first: date) -> dict[int, list[Fact]]:
    """The month's evaluation facts per staff member of ``postings``; reads only."""
    out: dict[int, list[Fact]] = {p.staff_id: [] for p in postings}
    staff_ids = list(out)
    for source in (service_delegates.month_facts, service_ratings.month_facts, service_metrics.month_facts):
        for staff_id, facts in (await source(ctx, staff_ids=staff_ids, month=first)).items():
            if staff_id in out:
                out[staff_id].extend(facts)
    return out
