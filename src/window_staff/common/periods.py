"""Months as people name them (``YYYY-MM``) and their bounds: one reading for every domain."""

from __future__ import annotations

from datetime import date, timedelta

from window_staff.common.errors import InvalidInput


class MonthInvalid(InvalidInput):
    """The month is not ``YYYY-MM`` (or, where a domain says so, lies in the future)."""

    code = "month_invalid"
    title = "Invalid month"


FIRST_YEAR = 1900
LAST_YEAR = 2999


def parse_month(month: str | date) -> date:
    """The first day of a month given as ``YYYY-MM`` or any date in it."""
    if isinstance(month, date):
        return month.replace(day=1)
    try:
        year, number = month.split("-")
        # int() reads full-width and other Unicode digits too: only ASCII ones are a month here.
        if len(year) != 4 or len(number) != 2 or not (year + number).isascii() or not (year + number).isdigit():
            raise ValueError(month)
        first = date(int(year), int(number), 1)
        if not FIRST_YEAR <= first.year <= LAST_YEAR:
            # Month arithmetic (the day before, the next month) must stay inside what dates can hold.
            raise ValueError(month)
        return first
    except ValueError:
        raise MonthInvalid(f"month must be YYYY-MM between {FIRST_YEAR} and {LAST_YEAR}, got {month!r}", month=month) from None


def month_key(first: date) -> str:
    """``YYYY-MM`` of a date's month."""
    return f"{first.year:04d}-{first.month:02d}"


def next_month(first: date) -> date:
    """The first day of the following month."""
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_end(first: date) -> date:
    """The last day of the month starting at ``first``."""
    return next_month(first.replace(day=1)) - timedelta(days=1)


def month_bounds(month: str | date) -> tuple[date, date]:
    """The month's first day and the first day of the next one (a half-open range)."""
    first = parse_month(month)
    return first, next_month(first)
