"""Queue tickets and window figures from a day's events, pure (no I/O, tested without a database).

A ticket is built from its events sorted by time (devices send out of order): issued, every call and recall,
missed calls (过号), service started and finished, transfers. The window that finishes a ticket has served it, and
the staff member named by its last call, start or finish (else whoever was on duty there) is credited. Waiting time is
issue -> first call at any window; service time is the last start -> finish. Pauses (暂停服务) count only inside the
site's opening hours, so a pause over lunch is the minutes before and after the break. 空岗 (vacant post) is:
a call from a window while nobody rostered there had an accepted check-in; a queue waiting for the window's
categories for at least ``vacant_min_minutes`` of opening hours while nobody was on duty there; or a pause longer
than the policy allows. Medians are the middle value (the mean of the two middle ones); the 90th percentile is
the nearest rank (the value below which 90 % of waits lie, taken from the list).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from window_staff.queues.reading import CALLED, FINISHED, ISSUED, MISSED, PAUSED, RECALLED, RESUMED, STARTED, TRANSFERRED

_TENTH = Decimal("0.1")
_LAST = datetime.max.replace(tzinfo=UTC)
# Reasons for a 空岗 event.
CALL_UNSTAFFED, QUEUE_UNSTAFFED, LONG_PAUSE = "call_unstaffed", "queue_unstaffed", "long_pause"


@dataclass(frozen=True, slots=True)
class Event:
    """One stored queue event (instants in UTC); ``seq`` orders events of the same instant as they arrived."""

    seq: int
    site_id: int
    kind: str
    at: datetime
    ticket: str = ""
    category: str = ""
    window_id: int | None = None
    staff_id: int | None = None
    to_window_id: int | None = None


@dataclass(frozen=True, slots=True)
class Interval:
    """[start, end) in UTC; for on-duty intervals ``staff_id`` and ``window_id`` say who was where."""

    start: datetime
    end: datetime
    staff_id: int | None = None
    window_id: int | None = None


@dataclass(slots=True)
class Ticket:
    """One ticket of one day at one site."""

    number: str
    category: str = ""
    issued_at: datetime | None = None
    first_call_at: datetime | None = None
    first_call_window: int | None = None
    calls: int = 0
    missed: int = 0
    transfers: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    window_id: int | None = None  # where it is (last called, started or transferred to); the serving window once finished
    staff_id: int | None = None  # who served it: the last call, start or finish that named someone (since any transfer)
    last_call_at: datetime | None = None
    last_missed_at: datetime | None = None
    transferred_at: datetime | None = None

    @property
    def wait(self) -> timedelta | None:
        """Issue -> first call, when both are known."""
        if self.issued_at is None or self.first_call_at is None:
            return None
        return max(self.first_call_at - self.issued_at, timedelta(0))

    @property
    def service(self) -> timedelta | None:
        """Last start -> finish, when both are known."""
        if self.started_at is None or self.finished_at is None:
            return None
        return max(self.finished_at - self.started_at, timedelta(0))


@dataclass(frozen=True, slots=True)
class Pause:
    """A window's pause: from ``start`` to ``end`` (None while still paused at the day's end), who paused it when known."""

    window_id: int
    start: datetime
    end: datetime | None
    staff_id: int | None


@dataclass(frozen=True, slots=True)
class Vacancy:
    """One 空岗 event at a window: why, when, how long (minutes), and the staff it is held against."""

    window_id: int
    reason: str
    at: datetime
    minutes: int
    staff_ids: tuple[int, ...]


def _order(events: Iterable[Event]) -> list[Event]:
    return sorted(events, key=lambda e: (e.at, e.seq))


def build_tickets(events: Iterable[Event]) -> list[Ticket]:
    """The tickets of one site's day from its events (any order); window events are ignored."""
    tickets: dict[str, Ticket] = {}
    for e in _order(events):
        if not e.ticket:
            continue
        t = tickets.setdefault(e.ticket, Ticket(number=e.ticket))
        if e.kind == ISSUED:
            t.issued_at = e.at if t.issued_at is None else min(t.issued_at, e.at)
            t.category = e.category or t.category
        elif e.kind in (CALLED, RECALLED):
            t.calls += 1
            if t.first_call_at is None:
                t.first_call_at, t.first_call_window = e.at, e.window_id
            t.window_id, t.last_call_at = e.window_id, e.at
            t.staff_id = e.staff_id if e.staff_id is not None else t.staff_id
        elif e.kind == MISSED:
            t.missed += 1
            t.last_missed_at = e.at
        elif e.kind == STARTED:
            t.started_at, t.finished_at, t.window_id = e.at, None, e.window_id
            t.staff_id = e.staff_id if e.staff_id is not None else t.staff_id
        elif e.kind == FINISHED:
            t.finished_at, t.window_id = e.at, e.window_id
            t.staff_id = e.staff_id if e.staff_id is not None else t.staff_id
            if t.started_at is None:
                t.started_at = t.last_call_at  # a machine without a start event: service from the (last) call
        elif e.kind == TRANSFERRED:
            t.transfers += 1
            t.transferred_at = e.at
            t.window_id, t.started_at, t.staff_id = e.to_window_id, None, None  # whoever serves it next is not known yet
    return sorted(tickets.values(), key=lambda t: (t.issued_at or t.first_call_at or _LAST, t.number))


def build_pauses(events: Iterable[Event]) -> list[Pause]:
    """Each window's pauses from its pause and resume events (any order); a second pause before a resume is the same pause."""
    open_: dict[int, tuple[datetime, int | None]] = {}
    out: list[Pause] = []
    for e in _order(events):
        if e.window_id is None:
            continue
        if e.kind == PAUSED and e.window_id not in open_:
            open_[e.window_id] = (e.at, e.staff_id)
        elif e.kind == RESUMED and e.window_id in open_:
            start, who = open_.pop(e.window_id)
            out.append(Pause(e.window_id, start, e.at, who))
    out += [Pause(w, start, None, who) for w, (start, who) in open_.items()]
    return sorted(out, key=lambda p: (p.start, p.window_id))


def _overlap(start: datetime, end: datetime, spans: Iterable[Interval]) -> timedelta:
    total = timedelta(0)
    for s in spans:
        lo, hi = max(start, s.start), min(end, s.end)
        if hi > lo:
            total += hi - lo
    return total


def paused_within(pause: Pause, *, open_hours: Sequence[Interval]) -> timedelta:
    """The part of a pause inside opening hours (an unended pause runs to the last opening hour's end)."""
    end = pause.end or max((h.end for h in open_hours), default=pause.start)
    return _overlap(pause.start, end, open_hours)


def _uncovered(start: datetime, end: datetime, cover: Sequence[Interval]) -> list[tuple[datetime, datetime]]:
    """The stretches of [start, end) no interval of ``cover`` covers."""
    out: list[tuple[datetime, datetime]] = []
    at = start
    for c in sorted(cover, key=lambda c: c.start):
        if c.end <= at or c.start >= end:
            continue
        if c.start > at:
            out.append((at, c.start))
        at = max(at, c.end)
    if at < end:
        out.append((at, end))
    return out


def _on_duty(duty: Sequence[Interval], *, window_id: int, at: datetime) -> list[int]:
    return sorted({d.staff_id for d in duty if d.window_id == window_id and d.start <= at < d.end and d.staff_id is not None})


def minutes(span: timedelta) -> int:
    """Whole minutes (a started minute is not counted: devices and clocks disagree by seconds)."""
    return int(span.total_seconds() // 60)


@dataclass(frozen=True, slots=True)
class Day:
    """What the vacancy check needs of one site's day besides the events.

    ``open_hours`` are the site's sessions (lunch left out); ``duty`` the accepted check-in intervals of staff at their
    windows; ``rostered`` each window's staff expected there that day; ``categories`` the categories each window serves."""

    open_hours: Sequence[Interval]
    duty: Sequence[Interval]
    rostered: Mapping[int, Sequence[int]] = field(default_factory=dict)
    categories: Mapping[int, frozenset[str]] = field(default_factory=dict)


def vacancies(events: Sequence[Event], *, day: Day, max_pause_minutes: int, vacant_min_minutes: int) -> list[Vacancy]:
    """The day's 空岗 events at one site (see the module's docstring for the three reasons)."""
    out: list[Vacancy] = []
    for e in _order(events):
        if e.kind in (CALLED, RECALLED) and e.window_id is not None and not _on_duty(day.duty, window_id=e.window_id, at=e.at):
            out.append(Vacancy(e.window_id, CALL_UNSTAFFED, e.at, 0, tuple(day.rostered.get(e.window_id, ()))))
    tickets = build_tickets(events)
    for window_id, served in sorted(day.categories.items()):
        waiting = [
            Interval(t.issued_at, t.first_call_at or max((h.end for h in day.open_hours), default=t.issued_at))
            for t in tickets
            if t.issued_at is not None and t.category in served
        ]
        staffed = [d for d in day.duty if d.window_id == window_id]
        for w_start, w_end in _merge(waiting):
            for h in day.open_hours:
                lo, hi = max(w_start, h.start), min(w_end, h.end)
                if hi <= lo:
                    continue
                for gap_start, gap_end in _uncovered(lo, hi, staffed):
                    length = minutes(gap_end - gap_start)
                    if length >= vacant_min_minutes:
                        out.append(Vacancy(window_id, QUEUE_UNSTAFFED, gap_start, length, tuple(day.rostered.get(window_id, ()))))
    for p in build_pauses(events):
        length = minutes(paused_within(p, open_hours=day.open_hours))
        if length > max_pause_minutes:
            who = (p.staff_id,) if p.staff_id is not None else tuple(_on_duty(day.duty, window_id=p.window_id, at=p.start))
            out.append(Vacancy(p.window_id, LONG_PAUSE, p.start, length, who))
    return sorted(out, key=lambda v: (v.at, v.window_id, v.reason))


def _merge(spans: Iterable[Interval]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for s in sorted(spans, key=lambda s: s.start):
        if out and s.start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], s.end))
        elif s.end > s.start:
            out.append((s.start, s.end))
    return out


# --- figures per staff member or window ----------------------------------------------------------------------


@dataclass(slots=True)
class Figures:
    """The counts behind one staff member's or window's figures over a day or a month."""

    served: int = 0
    waits: list[timedelta] = field(default_factory=list)
    services: list[timedelta] = field(default_factory=list)
    missed: int = 0
    paused: timedelta = timedelta(0)
    vacancies: list[Vacancy] = field(default_factory=list)

    def add(self, other: Figures) -> None:
        """Fold another day's figures in (month figures are over all the month's tickets, not medians of days)."""
        self.served += other.served
        self.waits += other.waits
        self.services += other.services
        self.missed += other.missed
        self.paused += other.paused
        self.vacancies += other.vacancies

    @property
    def wait_median(self) -> Decimal | None:
        """Median waiting time in minutes (0.1), None without waits."""
        return as_minutes(median(self.waits)) if self.waits else None

    @property
    def wait_p90(self) -> Decimal | None:
        """90th-percentile waiting time in minutes (0.1, nearest rank), None without waits."""
        return as_minutes(percentile(self.waits, 90)) if self.waits else None

    @property
    def service_median(self) -> Decimal | None:
        """Median service time in minutes (0.1), None without finished services."""
        return as_minutes(median(self.services)) if self.services else None

    @property
    def paused_minutes(self) -> int:
        """Paused minutes inside opening hours."""
        return minutes(self.paused)


def median(values: Sequence[timedelta]) -> timedelta:
    """The middle value of a non-empty list (the mean of the two middle ones for an even count)."""
    ranked = sorted(values)
    mid = len(ranked) // 2
    return ranked[mid] if len(ranked) % 2 else (ranked[mid - 1] + ranked[mid]) / 2


def percentile(values: Sequence[timedelta], pct: int) -> timedelta:
    """Nearest-rank percentile of a non-empty list."""
    ranked = sorted(values)
    return ranked[max(math.ceil(pct / 100 * len(ranked)), 1) - 1]


def as_minutes(span: timedelta) -> Decimal:
    """Minutes to 0.1, half up."""
    return (Decimal(span.total_seconds()) / 60).quantize(_TENTH, rounding=ROUND_HALF_UP)


def day_figures(
    events: Sequence[Event], *, day: Day, max_pause_minutes: int, vacant_min_minutes: int
) -> tuple[dict[int, Figures], dict[int, Figures]]:
    """One site's day: figures per staff member and per window (a ticket counts for the staff who finished it, else the one on duty)."""
    staff: dict[int, Figures] = defaultdict(Figures)
    windows: dict[int, Figures] = defaultdict(Figures)
    # Missed calls belong to the window (and staff) that called; the event says where.
    for e in events:
        if e.kind == MISSED and e.window_id is not None:
            windows[e.window_id].missed += 1
            who = e.staff_id if e.staff_id is not None else next(iter(_on_duty(day.duty, window_id=e.window_id, at=e.at)), None)
            if who is not None:
                staff[who].missed += 1
    for t in build_tickets(events):
        if t.finished_at is None or t.window_id is None:
            continue
        who = t.staff_id if t.staff_id is not None else next(iter(_on_duty(day.duty, window_id=t.window_id, at=t.finished_at)), None)
        targets = [windows[t.window_id]] + ([staff[who]] if who is not None else [])
        for f in targets:
            f.served += 1
            if t.wait is not None:
                f.waits.append(t.wait)
            if t.service is not None:
                f.services.append(t.service)
    for p in build_pauses(events):
        span = paused_within(p, open_hours=day.open_hours)
        windows[p.window_id].paused += span
        who = p.staff_id if p.staff_id is not None else next(iter(_on_duty(day.duty, window_id=p.window_id, at=p.start)), None)
        if who is not None:
            staff[who].paused += span
    for v in vacancies(events, day=day, max_pause_minutes=max_pause_minutes, vacant_min_minutes=vacant_min_minutes):
        windows[v.window_id].vacancies.append(v)
        for who in v.staff_ids:
            staff[who].vacancies.append(v)
    return dict(staff), dict(windows)


def local_day_of(at: datetime, *, zone: str) -> date:
    """The local date of an instant at a site."""
    return at.astimezone(ZoneInfo(zone)).date()
