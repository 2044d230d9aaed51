"""A window's citizen ratings this month as the hall's screens show them: the mean level (1 to 5 stars) and the count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from window_staff.evaluations.tables import BadReviewCase, Rating


def month_stars(levels: Sequence[int]) -> Decimal | None:
    """The mean level to one decimal (half up), or None without ratings (pure)."""
    if not levels:
        return None
    return (Decimal(sum(levels)) / len(levels)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


async def window_stars(window_ids: Sequence[int], *, first: date, last: date) -> dict[int, tuple[Decimal, int]]:
    """Each window's stars and number of valid ratings between two days (UTC bounds: a screen's figure, not a sheet's)."""
    if not window_ids:
        return {}
    lo = datetime.combine(first, time(), tzinfo=UTC)
    hi = datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC)
    voided = BadReviewCase.select(BadReviewCase.rating).where((BadReviewCase.voided == True) & BadReviewCase.rating.is_not_null())  # noqa: E712
    rows = await Rating.select(Rating.window, Rating.level).where(
        Rating.window.is_in(sorted(set(window_ids))) & (Rating.rated_at >= lo) & (Rating.rated_at < hi) & Rating.id.not_in(voided)
    )
    levels: dict[int, list[int]] = {}
    for r in rows:
        levels.setdefault(r["window"], []).append(int(r["level"]))
    return {w: (stars, len(found)) for w, found in levels.items() if (stars := month_stars(found)) is not None}
