"""Clocks: the system clock, and a settable one for tests and demos."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

# The centre's zone where a site's own is not at hand (months and appeal days turn at its midnight).
DEFAULT_TIME_ZONE = "Asia/Shanghai"


class Clock(Protocol):
    """Something that tells the current instant (timezone-aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        """The instant this clock was set to."""
        return self.at

    def advance(self, **delta: float) -> None:
        """Move forward by a ``timedelta(**delta)``."""
        self.at += timedelta(**delta)


def as_utc(at: datetime) -> datetime:
    """An instant in UTC; a naive value (SQLite returns timestamps without zone) is taken as UTC."""
    return at.astimezone(UTC) if at.tzinfo is not None else at.replace(tzinfo=UTC)
