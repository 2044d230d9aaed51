"""A simulated queue machine (排号机/叫号机), pure and seeded: one site-day of events, and the vendor's daily CSV of them.

Tickets are issued by a non-homogeneous Poisson process (thinning): a base rate with a morning and an afternoon peak,
only inside the opening sessions. Each window calls the oldest waiting ticket of its categories, but only while one of
its staff is checked in (the shifts are the simulated staff's check-ins, given as input). A call is answered
(started, then finished after a lognormal service time), or missed (过号); a missed ticket may be recalled later
(recalled) and is then served or finally missed. Some served tickets are transferred to another window of the site,
which calls them again. Each window pauses (暂停服务) once and resumes. Ticket events are strictly ordered in time;
event ids are unique per run (the date, the seed and a counter: the same run sent twice is the same events).
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from window_staff.queues.reading import CALLED, COLUMNS, FINISHED, ISSUED, MISSED, PAUSED, RECALLED, RESUMED, STARTED, TRANSFERRED

_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Shift:
    """A staff member checked in at a window from ``start`` to ``end`` (aware instants)."""

    employee_no: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Desk:
    """A window: its number, the categories it calls, and its staff's check-ins."""

    window_number: str
    categories: tuple[str, ...]
    shifts: tuple[Shift, ...] = ()

    def on_duty(self, at: datetime) -> Shift | None:
        """The shift covering ``at`` (the first), if anyone is checked in."""
        return next((s for s in self.shifts if s.start <= at < s.end), None)

    def next_check_in(self, at: datetime) -> datetime | None:
        """The start of the next shift after ``at``."""
        return min((s.start for s in self.shifts if s.start > at), default=None)


@dataclass(frozen=True, slots=True)
class DayPlan:
    """How busy the day is and how people behave; the defaults are a county centre's ordinary day."""

    day: date
    zone: str = "Asia/Shanghai"
    sessions: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(14), time(17)))
    tickets: float = 120.0  # expected tickets of the day
    peaks: tuple[tuple[time, float], ...] = ((time(9, 45), 3.0), (time(15), 2.0))  # centre and height over the base rate
    peak_minutes: float = 40.0  # the peaks' spread (standard deviation)
    service_median_minutes: float = 6.0
    service_sigma: float = 0.5  # lognormal shape
    missed: float = 0.06  # share of calls nobody answers
    recalled: float = 0.5  # share of missed tickets called again later
    transferred: float = 0.03  # share of served tickets sent on to another window
    pause_minutes: tuple[float, float] = (5.0, 25.0)  # one pause per window, its length drawn in this range
    seed: int = 0


@dataclass(frozen=True, slots=True)
class SimEvent:
    """One event as the machine reports it (window numbers and employee numbers, not ids)."""

    event_id: str
    kind: str
    at: datetime
    ticket: str = ""
    category: str = ""
    window_number: str = ""
    employee_no: str = ""
    to_window: str = ""

    def row(self, *, zone: str) -> dict[str, str]:
        """The event as the device's JSON item or a CSV row (without the site): local time with its offset."""
        at = self.at.astimezone(ZoneInfo(zone)).isoformat()
        out = {"event_id": self.event_id, "kind": self.kind, "at": at, "ticket": self.ticket, "category": self.category}
        out |= {"window_number": self.window_number, "employee_no": self.employee_no, "to_window": self.to_window}
        return {k: v for k, v in out.items() if v}


@dataclass(slots=True)
class _Ticket:
    number: str
    category: str
    ready: datetime  # when it may be called (issue, recall, transfer)
    window: str = ""  # only this window may call it (after a transfer)
    missed_once: bool = False


@dataclass(slots=True)
class _Run:
    plan: DayPlan
    rng: random.Random
    out: list[tuple[datetime, int, str, dict[str, str]]] = field(default_factory=list)

    def emit(self, kind: str, at: datetime, **fields: str) -> None:
        self.out.append((at, len(self.out), kind, fields))


def opening_hours(plan: DayPlan) -> list[tuple[datetime, datetime]]:
    """The day's sessions as aware instants."""
    zone = ZoneInfo(plan.zone)
    return [(datetime.combine(plan.day, a, zone), datetime.combine(plan.day, b, zone)) for a, b in plan.sessions]


def arrival_rate(plan: DayPlan, at: datetime) -> float:
    """Relative arrival intensity at ``at`` (0 outside opening hours): 1 plus a Gaussian bump per peak."""
    if not any(a <= at < b for a, b in opening_hours(plan)):
        return 0.0
    zone = ZoneInfo(plan.zone)
    rate = 1.0
    for centre, height in plan.peaks:
        delta = (at - datetime.combine(plan.day, centre, zone)).total_seconds() / 60
        rate += height * math.exp(-0.5 * (delta / plan.peak_minutes) ** 2)
    return rate


def arrivals(plan: DayPlan, rng: random.Random) -> list[datetime]:
    """Issue instants (whole seconds, increasing) by thinning a homogeneous process at the highest rate."""
    hours = opening_hours(plan)
    top = 1.0 + sum(h for _, h in plan.peaks)
    # Scale so the expected count is plan.tickets: integrate the relative rate minute by minute.
    total = sum(arrival_rate(plan, a + timedelta(minutes=m + 0.5)) for a, b in hours for m in range(int((b - a).total_seconds() // 60)))
    per_minute = plan.tickets / total if total else 0.0
    out: list[datetime] = []
    for start, end in hours:
        at = start
        while per_minute:
            at += timedelta(minutes=rng.expovariate(per_minute * top))
            if at >= end:
                break
            if rng.random() * top < arrival_rate(plan, at):
                second = at.replace(microsecond=0)
                out.append(max(second, out[-1] + _SECOND) if out else second)
    return [a for a in out if any(s <= a < e for s, e in hours)]


def _service(plan: DayPlan, rng: random.Random) -> timedelta:
    minutes = rng.lognormvariate(math.log(plan.service_median_minutes), plan.service_sigma)
    return timedelta(seconds=max(30, round(minutes * 60)))


def generate(plan: DayPlan, desks: Sequence[Desk]) -> list[SimEvent]:
    """One site-day of events, in time order (see the module's docstring); deterministic for a plan and its seed."""
    rng = random.Random(f"{plan.seed}:{plan.day.isoformat()}")
    run = _Run(plan, rng)
    categories = sorted({c for d in desks for c in d.categories})
    letters = {c: chr(ord("A") + i % 26) for i, c in enumerate(categories)}
    counts = dict.fromkeys(categories, 0)
    waiting: list[_Ticket] = []
    for at in arrivals(plan, rng) if categories else []:
        category = rng.choice(categories)
        counts[category] += 1
        ticket = _Ticket(f"{letters[category]}{counts[category]:03d}", category, at)
        waiting.append(ticket)
        run.emit(ISSUED, at, ticket=ticket.number, category=category)
    close = max(b for _, b in opening_hours(plan))
    free = {d.window_number: min((s.start for s in d.shifts), default=close) for d in desks}
    pauses = {d.window_number: _pause_plan(plan, d, rng) for d in desks}
    while True:
        desk = min(
            (d for d in desks if free[d.window_number] < close), key=lambda d: (free[d.window_number], d.window_number), default=None
        )
        if desk is None:
            break
        number, at = desk.window_number, free[desk.window_number]
        shift = desk.on_duty(at)
        if shift is None:  # nobody checked in: the caller waits for the next check-in
            free[number] = desk.next_check_in(at) or close
            continue
        pause = pauses[number]
        if pause is not None and at >= pause[0]:
            pauses[number] = None
            resume = at + pause[1]
            run.emit(PAUSED, at, window_number=number, employee_no=shift.employee_no)
            run.emit(RESUMED, resume, window_number=number, employee_no=shift.employee_no)
            free[number] = resume + _SECOND
            continue
        ready = [t for t in waiting if t.category in desk.categories and t.window in ("", number)]
        now_ready = [t for t in ready if t.ready < at]  # a ticket is called a moment after it is ready, never at once
        if not now_ready:
            later = min((t.ready + _SECOND for t in ready), default=close)  # the caller presses 'next' a moment later
            nxt = min(later, shift.end, close)
            free[number] = nxt if nxt > at else at + _SECOND
            if pause is not None and pause[0] < free[number]:
                free[number] = max(pause[0], at + _SECOND)
            continue
        ticket = min(now_ready, key=lambda t: (t.ready, t.number))
        waiting.remove(ticket)
        free[number] = _call(run, ticket, desk=desk, shift=shift, at=at, waiting=waiting, desks=desks)
    return _numbered(plan, run)


def _pause_plan(plan: DayPlan, desk: Desk, rng: random.Random) -> tuple[datetime, timedelta] | None:
    """When (inside a shift) and how long the window pauses, or None without shifts."""
    if not desk.shifts:
        return None
    shift = rng.choice(desk.shifts)
    span = (shift.end - shift.start).total_seconds()
    at = shift.start + timedelta(seconds=round(rng.uniform(0.3, 0.7) * span))
    return at, timedelta(seconds=round(rng.uniform(*plan.pause_minutes) * 60))


def _call(run: _Run, ticket: _Ticket, *, desk: Desk, shift: Shift, at: datetime, waiting: list[_Ticket], desks: Sequence[Desk]) -> datetime:
    """Call a ticket at a window; when the window is free again."""
    plan, rng, number, who = run.plan, run.rng, desk.window_number, shift.employee_no
    run.emit(RECALLED if ticket.missed_once else CALLED, at, ticket=ticket.number, window_number=number, employee_no=who)
    if rng.random() < plan.missed:
        missed_at = at + timedelta(seconds=rng.randint(45, 120))  # called (and called out) for a minute or two
        run.emit(MISSED, missed_at, ticket=ticket.number, window_number=number, employee_no=who)
        if not ticket.missed_once and rng.random() < plan.recalled:
            ticket.missed_once, ticket.ready, ticket.window = True, missed_at + timedelta(minutes=rng.uniform(3, 15)), number
            waiting.append(ticket)
        return missed_at + _SECOND
    started = at + timedelta(seconds=rng.randint(20, 90))  # walking to the window
    run.emit(STARTED, started, ticket=ticket.number, window_number=number, employee_no=who)
    others = [d.window_number for d in desks if d.window_number != number and d.shifts]
    if others and not ticket.window and rng.random() < plan.transferred:
        moved = started + timedelta(seconds=rng.randint(60, 240))
        target = rng.choice(others)
        run.emit(TRANSFERRED, moved, ticket=ticket.number, window_number=number, employee_no=who, to_window=target)
        ticket.ready, ticket.window, ticket.category = moved + _SECOND, target, _category_of(desks, target, ticket.category)
        waiting.append(ticket)
        return moved + _SECOND
    finished = started + _service(plan, rng)
    run.emit(FINISHED, finished, ticket=ticket.number, window_number=number, employee_no=who)
    return finished + timedelta(seconds=rng.randint(5, 30))


def _category_of(desks: Sequence[Desk], number: str, category: str) -> str:
    """A transferred ticket keeps its category, unless the target window does not call it (then its first category)."""
    desk = next(d for d in desks if d.window_number == number)
    return category if category in desk.categories else desk.categories[0]


def _numbered(plan: DayPlan, run: _Run) -> list[SimEvent]:
    ordered = sorted(run.out, key=lambda e: (e[0], e[1]))
    prefix = f"{plan.day:%Y%m%d}-{plan.seed}"
    return [SimEvent(f"{prefix}-{i:05d}", kind, at, **fields) for i, (at, _, kind, fields) in enumerate(ordered, start=1)]


def outcomes(events: Iterable[SimEvent]) -> dict[str, str]:
    """Each ticket's state at the day's end: finished, missed, waiting (never called, or transferred or to be recalled),
    or the kind of its last event when it is none of these (a simulator bug)."""
    last: dict[str, str] = {}
    for e in sorted(events, key=lambda e: e.at):
        if e.ticket:
            last[e.ticket] = e.kind
    names = {FINISHED: "finished", MISSED: "missed", ISSUED: "waiting", TRANSFERRED: "waiting"}
    return {t: names.get(kind, kind) for t, kind in last.items()}


def as_csv(events: Iterable[SimEvent], *, site_code: str, zone: str) -> bytes:
    """The vendor's daily export of these events: UTF-8 with a header of the import's columns."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for e in events:
        row = e.row(zone=zone) | {"site_code": site_code}
        writer.writerow([row.get(c, "") for c in COLUMNS])
    return out.getvalue().encode("utf-8")
