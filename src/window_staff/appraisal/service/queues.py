"""What waits for a reviewer across months (reads only): appeals not yet decided."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from piccolo.columns.combination import Combinable

from window_staff.appraisal.tables import Appeal, AppealDecision


async def undecided_appeals(*, staff_ids: Sequence[int] | None = None) -> list[tuple[str, int]]:
    """(month, appeals without a decision) per month that has some, oldest month first; only the staff's when given."""
    decided = AppealDecision.select(AppealDecision.appeal)
    where: Combinable = Appeal.id.not_in(decided)
    if staff_ids is not None:
        where &= Appeal.staff.is_in(sorted(set(staff_ids)) or [0])
    rows = await Appeal.select(Appeal.period.month.as_alias("month")).where(where)
    counts = Counter(r["month"] for r in rows)
    return sorted(counts.items())
