"""Today at a site (pure): who is at which window now, who is late, absent or on leave, which open windows are empty.

Read from today's accepted punches up to ``now`` and the rota, through the same day records the month uses, so the
board and the month agree. For a session [start, end] (the site's local time), at ``now``:
- signed in and not (yet) signed out: at the window (late when the sign-in was after start plus the grace);
- signed out: left;
- no sign-in yet: expected until start plus the grace, then late (not here yet) until the session's midpoint,
  then absent (after the midpoint a lone punch is a sign-out by the day-record rules, so nobody can sign in any more);
- approved leave (whole session, or its start while nobody signed in): on leave.
A window is open while one of the staff the rota seats at it has a session running; open and nobody at it is 空岗.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from window_staff.attendance.calendar import WorkCalendar
from window_staff.attendance.domain import DayRecord, GraceSettings, LeaveSpan, Punch, Schedule, Status, day_records


class Presence(StrEnum):
    """One staff member's state in one session at a moment."""

    HERE = "here"
    LEFT = "left"
    EXPECTED = "expected"
    NOT_IN = "not_in"
    ABSENT = "absent"
    ON_LEAVE = "on_leave"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class Seen:
    """A staff member in one session of today: state, late minutes (so far, for someone not in yet), window."""

    staff_id: int
    session: str
    presence: Presence
    late_minutes: int
    window_id: int | None
    signed_in_punch: int | None = None


@dataclass(slots=True)
class Board:
    """Today at one moment: the state now per staff member, windows, and today's late, absent and on-leave lists."""

    now: Mapping[int, Seen] = field(default_factory=dict)
    at_window: dict[int, list[int]] = field(default_factory=dict)
    open_windows: list[int] = field(default_factory=list)
    vacant: list[int] = field(default_factory=list)
    late: list[Seen] = field(default_factory=list)
    absent: list[Seen] = field(default_factory=list)
    on_leave: list[Seen] = field(default_factory=list)


def _minutes(a: datetime, b: datetime) -> int:
    # whole minutes from a to b, rounded up (as day records count lateness)
    return max(0, -(-int((b - a).total_seconds()) // 60))


def presence_of(r: DayRecord, *, now: datetime, grace: GraceSettings) -> tuple[Presence, int]:
    """A day record read at ``now``: the presence and the late minutes (so far, when not in yet)."""
    if r.status == Status.ON_LEAVE:
        return Presence.ON_LEAVE, 0
    if r.sign_in_punch_id is not None:
        if r.status == Status.ABSENT:  # the settings turn very late arrivals into absence
            return Presence.ABSENT, r.late_minutes
        return (Presence.LEFT if r.sign_out_punch_id is not None else Presence.HERE), r.late_minutes
    if r.leave_kind is not None and now < r.end:
        return Presence.ON_LEAVE, 0  # leave covers the start: expected only from its end
    if r.sign_out_punch_id is not None or now >= r.start + (r.end - r.start) / 2:
        return Presence.ABSENT, 0
    if now <= r.start + timedelta(minutes=grace.late_grace_minutes):
        return Presence.EXPECTED, 0
    return Presence.NOT_IN, _minutes(r.start, now)


def _current(records: Sequence[DayRecord], *, now: datetime, grace: GraceSettings) -> DayRecord | None:
    # the session whose sign-in window has opened and which has not ended; the earliest when two touch
    before = timedelta(minutes=grace.sign_in_window_before)
    for r in records:
        if r.start - before <= now < r.end:
            return r
    return None


def live_board(
    records: Iterable[DayRecord],
    *,
    now: datetime,
    seats: Mapping[int, int],
    grace: GraceSettings,
    windows: Iterable[int] = (),
    staff_ids: Iterable[int] = (),
) -> Board:
    """Today's board at ``now`` from today's day records (derived from punches up to ``now``); ``seats``: staff -> window.

    ``staff_ids`` without a session today are off duty.
    """
    by_staff: dict[int, list[DayRecord]] = {s: [] for s in staff_ids}
    for r in records:
        by_staff.setdefault(r.staff_id, []).append(r)
    board = Board()
    states: dict[int, Seen] = {}
    at_window: dict[int, list[int]] = {w: [] for w in windows}
    open_: set[int] = set()
    for staff_id in sorted(by_staff):
        mine = sorted(by_staff[staff_id], key=lambda r: r.start)
        seat = seats.get(staff_id)
        late = leave = absent = None
        for r in mine:
            presence, minutes = presence_of(r, now=now, grace=grace)
            seen = Seen(staff_id, r.session, presence, minutes, seat, r.sign_in_punch_id)
            if presence == Presence.ON_LEAVE and leave is None:
                leave = seen
            if r.start <= now and minutes and late is None:
                late = seen
            if r.start <= now and presence == Presence.ABSENT and absent is None:
                absent = seen
        for found, into in ((late, board.late), (absent, board.absent), (leave, board.on_leave)):
            if found is not None:
                into.append(found)
        current = _current(mine, now=now, grace=grace)
        if current is None:
            states[staff_id] = Seen(staff_id, "", Presence.OFF, 0, seat)
            continue
        presence, minutes = presence_of(current, now=now, grace=grace)
        states[staff_id] = Seen(staff_id, current.session, presence, minutes, seat, current.sign_in_punch_id)
        if seat is None:
            continue
        at_window.setdefault(seat, [])
        if current.start <= now:
            open_.add(seat)
        if presence == Presence.HERE:
            at_window[seat].append(staff_id)
            open_.add(seat)  # someone signed in early opens the window
    board.now = states
    board.at_window = at_window
    board.open_windows = sorted(open_)
    board.vacant = [w for w in board.open_windows if not at_window.get(w)]
    return board


def today_board(
    *,
    calendar: WorkCalendar,
    schedule: Schedule,
    punches: Iterable[Punch],
    leave: Iterable[LeaveSpan],
    grace: GraceSettings,
    staff_ids: Iterable[int],
    day: date,
    now: datetime,
    windows: Iterable[int] = (),
) -> Board:
    """The board of ``day`` at ``now`` from check-ins and the rota: punches after ``now`` are not yet known."""
    staff = sorted(set(staff_ids))
    known = [p for p in punches if p.at <= now]
    records = day_records(
        calendar=calendar, schedule=schedule, punches=known, leave=leave, grace=grace, staff_ids=staff, period_start=day, period_end=day
    )
    seats = {s: d.window_id for s in staff if (d := schedule.duty_on(s, day=day)) is not None}
    return live_board(records, now=now, seats=seats, grace=grace, windows=windows, staff_ids=staff)


# --- the month so far -----------------------------------------------------------------------

# Statuses of a session that was not attended.
_MISSED = frozenset({Status.ABSENT})


def attendance_rate(records: Iterable[DayRecord]) -> Decimal | None:
    """100 x sessions attended / sessions due (leave is not due), truncated to 0.1; None when nothing was due."""
    due = attended = 0
    for r in records:
        if r.status == Status.ON_LEAVE:
            continue
        due += 1
        attended += r.status not in _MISSED
    if not due:
        return None
    return (Decimal(100) * attended / due).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def rate_by_day(records: Iterable[DayRecord]) -> list[tuple[date, Decimal]]:
    """The attendance rate of each day that had sessions due, by day."""
    days: dict[date, list[DayRecord]] = defaultdict(list)
    for r in records:
        days[r.day].append(r)
    out = []
    for day in sorted(days):
        rate = attendance_rate(days[day])
        if rate is not None:
            out.append((day, rate))
    return out


def late_minutes_by(records: Iterable[DayRecord], *, group_of: Mapping[int, int]) -> dict[int, int]:
    """Late minutes per group (e.g. department) of the staff member, absences left out as the month's facts do."""
    out: dict[int, int] = defaultdict(int)
    for r in records:
        group = group_of.get(r.staff_id)
        if group is not None and r.status not in _MISSED:
            out[group] += r.late_minutes
    return dict(out)
