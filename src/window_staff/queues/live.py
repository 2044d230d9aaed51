"""The queue now (pure): who waits for which category and for how long, and which ticket each window is serving.

Read from today's tickets (domain.build_tickets): a ticket waits from its issue until a window calls it, and again
after a transfer until the next window calls it; it is at a window from that call until it is finished; a ticket
missed (过号) after its last call has left the queue unless a window calls it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from window_staff.queues.domain import Ticket


@dataclass(frozen=True, slots=True)
class CategoryNow:
    """One service category: tickets waiting and the longest wait so far."""

    category: str
    waiting: int
    longest: timedelta


@dataclass(frozen=True, slots=True)
class QueueNow:
    """A site's queue at one moment."""

    categories: list[CategoryNow] = field(default_factory=list)
    serving: dict[int, str] = field(default_factory=dict)  # window id -> ticket number at it
    waiting_for_window: dict[int, int] = field(default_factory=dict)  # window id -> tickets waiting for its categories

    @property
    def longest(self) -> timedelta:
        """The longest wait of anyone waiting now."""
        return max((c.longest for c in self.categories), default=timedelta(0))


def _called_since(t: Ticket, at: datetime | None) -> bool:
    return at is None or (t.last_call_at is not None and t.last_call_at > at) or (t.started_at is not None and t.started_at > at)


def _at_window(t: Ticket) -> bool:
    """Called (or started) since any transfer and any miss, and not finished."""
    if t.finished_at is not None or t.window_id is None or (t.last_call_at is None and t.started_at is None):
        return False
    return _called_since(t, t.transferred_at) and _called_since(t, t.last_missed_at)


def _waiting(t: Ticket) -> bool:
    """Issued, not finished, not at a window, and not missed (过号) unless transferred since."""
    if t.finished_at is not None or t.issued_at is None or _at_window(t):
        return False
    if t.last_missed_at is None:
        return True
    return t.transferred_at is not None and t.transferred_at > t.last_missed_at


def queue_now(tickets: Iterable[Ticket], *, now: datetime, window_categories: Mapping[int, frozenset[str]]) -> QueueNow:
    """Waiting per category (longest first), the ticket at each window, and how many wait for each window's categories."""
    waits: dict[str, list[timedelta]] = {}
    serving: dict[int, tuple[datetime, str]] = {}
    for t in tickets:
        if _waiting(t):
            assert t.issued_at is not None
            waits.setdefault(t.category, []).append(max(now - t.issued_at, timedelta(0)))
        elif _at_window(t):
            assert t.window_id is not None
            since = t.started_at or t.last_call_at or t.issued_at or now
            # A window shows the ticket it took last.
            if t.window_id not in serving or since >= serving[t.window_id][0]:
                serving[t.window_id] = (since, t.number)
    categories = sorted(
        (CategoryNow(code, len(spans), max(spans)) for code, spans in waits.items()), key=lambda c: (-c.longest, c.category)
    )
    counts = {c.category: c.waiting for c in categories}
    return QueueNow(
        categories=categories,
        serving={w: number for w, (_, number) in serving.items()},
        waiting_for_window={w: sum(counts.get(code, 0) for code in codes) for w, codes in window_categories.items()},
    )
