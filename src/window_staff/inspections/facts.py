"""Inspections as a fact source of the appraisal: one ``inspection.finding`` fact per published finding that still counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from window_staff.common.context import AppContext
from window_staff.inspections import service
from window_staff.org.service import Posting
from window_staff.scoring import Fact


async def month_facts(ctx: AppContext, *, postings: Sequence[Posting], first: date) -> dict[int, list[Fact]]:
    """Published findings about these staff observed in the month (site local time), an upheld appeal's finding left out; reads only."""
    out: dict[int, list[Fact]] = {p.staff_id: [] for p in postings}
    for fact in await service.month_facts(ctx, staff_ids=list(out), month=first):
        out[fact.staff_id].append(fact)
    return out
