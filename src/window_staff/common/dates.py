"""Dates as people write them: 2026年11月6日 in Chinese, 6 November 2026 in English (never 2026-11-06 or a key).

Pages, exports and stored messages all write dates through these, so a person reads one form everywhere.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from window_staff.common.clock import DEFAULT_TIME_ZONE

_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def month_words(key: str | date | None, lang: str) -> str:
    """A month (``YYYY-MM`` or a date in it) as people write it: 2026年11月 / November 2026."""
    if not key:
        return ""
    year, month = (key.year, key.month) if isinstance(key, date) else (int(key[:4]), int(key[5:7]))
    return f"{_EN_MONTHS[month - 1]} {year}" if lang == "en" else f"{year}年{month}月"


def day_words(day: date | str | None, lang: str, *, year: bool = True) -> str:
    """A day as people write it: 2026年11月6日 / 6 November 2026 (``year=False``: 11月6日 / 6 November)."""
    if not day:
        return ""
    d = date.fromisoformat(day[:10]) if isinstance(day, str) else day
    if lang == "en":
        return f"{d.day} {_EN_MONTHS[d.month - 1]}" + (f" {d.year}" if year else "")
    return (f"{d.year}年" if year else "") + f"{d.month}月{d.day}日"


def time_words(at: datetime | None, lang: str, *, zone: str = DEFAULT_TIME_ZONE) -> str:
    """A stored (UTC) time in the centre's local time, as people write it: 2026年11月6日 08:31 / 6 November 2026 08:31."""
    if at is None:
        return ""
    local = at.astimezone(ZoneInfo(zone))
    return f"{day_words(local.date(), lang)} {local:%H:%M}"
