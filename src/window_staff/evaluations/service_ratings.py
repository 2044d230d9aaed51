"""(placeholder: written next) ."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from window_staff.common.context import AppContext
from window_staff.scoring import Fact


async def month_facts(ctx: AppContext, *, staff_ids: Sequence[int], month: date) -> dict[int, list[Fact]]:
    """The month's facts per staff member."""
    return {}
