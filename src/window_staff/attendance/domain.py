"""Daily attendance (pure): calendar + schedule + punches + leave -> one record per staff and session.

Rules, for a session [start, end] in the site's local time (instants compared in UTC):
- Duplicates: per staff, punches within ``duplicate_seconds`` of the first punch of a run count once
  (the earliest is kept; if the run mixes in/out it counts as ``any``).
- Sign-in = first ``in``/``any`` punch in [start - sign_in_window_before, end];
  sign-out = last ``out``/``any`` punch in [start, end + sign_out_window_after].
  If both are the same punch it counts once: as sign-in before the session's midpoint, else as
  sign-out. A sign-out earlier than the sign-in is dropped. Sessions are judged independently, so
  one punch may close a session and open the next (e.g. am sign-out and 延时服务 sign-in at 12:00).
- Late when sign-in > start + late grace; ``late_minutes`` = whole minutes after start, rounded up.
  Early when sign-out < end - early grace; ``early_minutes`` = minutes before end, rounded up.
- No punch = absent; one side = missing_sign_in / missing_sign_out (or absent if the settings say so).
- Approved leave (refused or pending spans are ignored) covering the whole session, alone or
  joined with other spans, makes it ``on_leave`` whatever the punches. Leave covering only the start
  moves the expected start to the leave's end (lateness counts from there); leave covering only the
  end moves the expected end to the leave's start. Both punches are still needed for the uncovered
  part, so partial leave never excuses absence from it; the record carries ``leave_kind``.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from window_staff.attendance.calendar import SessionWindow, WorkCalendar
from window_staff.attendance.errors import AttendanceInputInvalid, GraceSettingsInvalid
from window_staff.attendance.leave_rules import KINDS, LEGACY_KINDS

# re-exported: schedules lived here before they moved to their own module
from window_staff.attendance.schedule import Duty, RotaChange, Schedule, WindowClosure

PUNCH_KINDS = frozenset({"in", "out", "any"})
# the kinds of rules/attendance/leave.toml, and "leave" as stored before they were split (read as 事假)
LEAVE_KINDS = frozenset({*KINDS, *LEGACY_KINDS})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_MINUTE_US = 60_000_000


def _us(at: datetime) -> int:
    # exact integer microseconds: float timestamps would make "one second late" rounding-dependent
    return (at - _EPOCH) // _US


class Status(StrEnum):
    """Outcome of one session for one staff member."""

    PRESENT = "present"
    LATE = "late"
    EARLY_LEAVE = "early_leave"
    LATE_AND_EARLY_LEAVE = "late_and_early_leave"
    ABSENT = "absent"
    MISSING_SIGN_IN = "missing_sign_in"
    MISSING_SIGN_OUT = "missing_sign_out"
    ON_LEAVE = "on_leave"


def _aware(at: datetime, what: str) -> None:
    if at.utcoffset() is None:
        raise AttendanceInputInvalid(f"{what}: time {at} has no time zone")


@dataclass(frozen=True, slots=True)
class Punch:
    """One sign-in or sign-out as captured (``at`` is aware; compared as an instant)."""

    id: int
    staff_id: int
    at: datetime
    kind: str = "any"
    source: str = ""

    def __post_init__(self) -> None:
        _aware(self.at, f"punch {self.id}")
        if self.kind not in PUNCH_KINDS:
            raise AttendanceInputInvalid(f"punch {self.id}: kind {self.kind!r} is not in, out or any")


@dataclass(frozen=True, slots=True)
class LeaveSpan:
    """Leave, official business or training over [start, end); only approved spans count."""

    staff_id: int
    kind: str
    start: datetime
    end: datetime
    approved: bool

    def __post_init__(self) -> None:
        _aware(self.start, f"leave of staff {self.staff_id}")
        _aware(self.end, f"leave of staff {self.staff_id}")
        if self.kind not in LEAVE_KINDS:
            raise AttendanceInputInvalid(f"leave kind {self.kind!r} is not one of {sorted(LEAVE_KINDS)}")
        if not self.start < self.end:
            raise AttendanceInputInvalid(f"leave of staff {self.staff_id}: start {self.start} is not before end")


@dataclass(frozen=True, slots=True)
class GraceSettings:
    """Attendance tolerances (minutes unless named otherwise); loaded from rules/ via ``from_mapping``."""

    late_grace_minutes: int = 5
    early_grace_minutes: int = 0
    sign_in_window_before: int = 60
    sign_out_window_after: int = 120
    duplicate_seconds: int = 60
    missing_punch_as_absent: bool = False
    late_absent_after_minutes: int | None = None  # later than this counts as absent (None: never)
    early_absent_after_minutes: int | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "missing_punch_as_absent":
                ok = type(value) is bool
            elif f.name.endswith("_after_minutes"):
                ok = value is None or (type(value) is int and value >= 0)
            else:
                ok = type(value) is int and value >= 0
            if not ok:
                raise GraceSettingsInvalid(f"attendance setting {f.name!r}: invalid value {value!r}", key=f.name)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "attendance settings") -> GraceSettings:
        """Build from a parsed TOML table; unknown keys are errors naming the key."""
        known = {f.name for f in fields(cls)}
        for key in sorted(data):
            if key not in known:
                raise GraceSettingsInvalid(f"{source}: unknown key {key!r}", key=key)
        try:
            return cls(**dict(data))
        except GraceSettingsInvalid as exc:
            raise GraceSettingsInvalid(f"{source}: {exc.detail}", **exc.extra) from None


@dataclass(frozen=True, slots=True)
class DayRecord:
    """One staff member's outcome for one session; ``start``/``end`` are UTC instants."""

    staff_id: int
    site_id: int
    day: date
    session: str
    start: datetime
    end: datetime
    status: Status
    late_minutes: int = 0
    early_minutes: int = 0
    sign_in_punch_id: int | None = None
    sign_out_punch_id: int | None = None
    leave_kind: str | None = None

    @property
    def punch_ids(self) -> tuple[int, ...]:
        """Ids of the punches the record rests on."""
        return tuple(i for i in (self.sign_in_punch_id, self.sign_out_punch_id) if i is not None)


# (instant in µs, punch id, kind) after de-duplication; per staff, sorted by time then id
_Entry = tuple[int, int, str]


def _index_punches(punches: Iterable[Punch], wanted: set[int], duplicate_seconds: int) -> dict[int, list[_Entry]]:
    by_id: dict[int, Punch] = {}
    raw: dict[int, list[_Entry]] = defaultdict(list)
    for p in punches:
        if p.staff_id not in wanted:
            continue
        seen = by_id.get(p.id)
        if seen is not None:
            if seen != p:
                raise AttendanceInputInvalid(f"punch id {p.id} appears twice with different content")
            continue
        by_id[p.id] = p
        raw[p.staff_id].append((_us(p.at), p.id, p.kind))
    window = duplicate_seconds * 1_000_000
    out: dict[int, list[_Entry]] = {}
    for staff_id, entries in raw.items():
        entries.sort()
        kept: list[_Entry] = []
        anchor = None
        for e in entries:
            if anchor is not None and e[0] - anchor <= window:
                if e[2] != kept[-1][2]:
                    kept[-1] = (kept[-1][0], kept[-1][1], "any")
                continue
            anchor = e[0]
            kept.append(e)
        out[staff_id] = kept
    return out


def _index_leave(leave: Iterable[LeaveSpan], wanted: set[int]) -> dict[int, list[tuple[int, int, str]]]:
    out: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for span in leave:
        if span.approved and span.staff_id in wanted:
            out[span.staff_id].append((_us(span.start), _us(span.end), span.kind))
    for spans in out.values():
        spans.sort()
    return out


def _leave_cover(spans: list[tuple[int, int, str]], s: int, e: int) -> tuple[str | None, int, int]:
    """(kind with most overlap, expected start, expected end); start >= end means fully covered."""
    parts = [(max(a, s), min(b, e), k) for a, b, k in spans if a < e and b > s]
    if not parts:
        return None, s, e
    weight: dict[str, int] = defaultdict(int)
    for a, b, k in parts:
        weight[k] += b - a
    kind = min(weight, key=lambda k: (-weight[k], k))
    runs: list[list[int]] = []
    for a, b, _ in parts:  # parts keep the spans' start order
        if runs and a <= runs[-1][1]:
            runs[-1][1] = max(runs[-1][1], b)
        else:
            runs.append([a, b])
    start = runs[0][1] if runs[0][0] <= s else s
    end = runs[-1][0] if runs[-1][1] >= e else e
    if runs[0][0] <= s and runs[0][1] >= e:
        start, end = e, s
    return kind, start, end


def _select(entries: list[_Entry], times: list[int], s: int, e: int, g: GraceSettings) -> tuple[int, int]:
    """Indices of the sign-in and sign-out candidates (-1 when none), before the same-punch rule."""
    hi_in = e
    i = bisect.bisect_left(times, s - g.sign_in_window_before * _MINUTE_US)
    sin = -1
    while i < len(entries) and entries[i][0] <= hi_in:
        if entries[i][2] != "out":
            sin = i
            break
        i += 1
    j = bisect.bisect_right(times, e + g.sign_out_window_after * _MINUTE_US) - 1
    sout = -1
    while j >= 0 and entries[j][0] >= s:
        if entries[j][2] != "in":
            sout = j
            break
        j -= 1
    return sin, sout


# per session: (start µs, end µs, (site, day, session, start UTC, end UTC)); shared by a site's staff
_Bounds = tuple[int, int, tuple[int, date, str, datetime, datetime]]


def _bounds(w: SessionWindow) -> _Bounds:
    return _us(w.start), _us(w.end), (w.site_id, w.day, w.session, w.start.astimezone(UTC), w.end.astimezone(UTC))


def _record(
    staff_id: int,
    b: _Bounds,
    entries: list[_Entry],
    sin: int,
    sout: int,
    spans: list[tuple[int, int, str]],
    g: GraceSettings,
) -> DayRecord:
    s, e = b[0], b[1]
    base = (staff_id, *b[2])
    kind, exp_s, exp_e = _leave_cover(spans, s, e) if spans else (None, s, e)
    if exp_s >= exp_e:
        return DayRecord(*base, Status.ON_LEAVE, leave_kind=kind)
    if sin >= 0 and sin == sout:
        if entries[sin][0] < (exp_s + exp_e) // 2:
            sout = -1
        else:
            sin = -1
    elif sin >= 0 and sout >= 0 and entries[sout][0] < entries[sin][0]:
        sout = -1
    if sin < 0 and sout < 0:
        return DayRecord(*base, Status.ABSENT, leave_kind=kind)
    late = early = 0
    if sin >= 0 and entries[sin][0] > exp_s + g.late_grace_minutes * _MINUTE_US:
        late = -(-(entries[sin][0] - exp_s) // _MINUTE_US)
    if sout >= 0 and entries[sout][0] < exp_e - g.early_grace_minutes * _MINUTE_US:
        early = -(-(exp_e - entries[sout][0]) // _MINUTE_US)
    if sin < 0:
        status = Status.ABSENT if g.missing_punch_as_absent else Status.MISSING_SIGN_IN
    elif sout < 0:
        status = Status.ABSENT if g.missing_punch_as_absent else Status.MISSING_SIGN_OUT
    elif late and early:
        status = Status.LATE_AND_EARLY_LEAVE
    else:
        status = Status.LATE if late else Status.EARLY_LEAVE if early else Status.PRESENT
    if (g.late_absent_after_minutes is not None and late > g.late_absent_after_minutes) or (
        g.early_absent_after_minutes is not None and early > g.early_absent_after_minutes
    ):
        status = Status.ABSENT
    return DayRecord(
        *base, status, late, early,
        entries[sin][1] if sin >= 0 else None, entries[sout][1] if sout >= 0 else None, kind,
    )  # fmt: skip


def _days(start: date, end: date) -> list[date]:
    if end < start:
        raise AttendanceInputInvalid(f"period ends {end} before it starts {start}")
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def day_records(
    *,
    calendar: WorkCalendar,
    schedule: Schedule,
    punches: Iterable[Punch],
    leave: Iterable[LeaveSpan],
    grace: GraceSettings,
    staff_ids: Iterable[int],
    period_start: date,
    period_end: date,
) -> list[DayRecord]:
    """One record per staff member and scheduled session of [period_start, period_end] (local dates)."""
    staff = sorted(set(staff_ids))
    wanted = set(staff)
    days = _days(period_start, period_end)
    by_staff = _index_punches(punches, wanted, grace.duplicate_seconds)
    leave_by_staff = _index_leave(leave, wanted)
    bounds: dict[SessionWindow, _Bounds] = {}
    records: list[DayRecord] = []
    for staff_id in staff:
        entries = by_staff.get(staff_id, [])
        times = [t for t, _, _ in entries]
        spans = leave_by_staff.get(staff_id, [])
        for day in days:
            for w in schedule.sessions_for(staff_id, calendar=calendar, day=day):
                b = bounds.get(w)
                if b is None:
                    b = bounds[w] = _bounds(w)
                sin, sout = _select(entries, times, b[0], b[1], grace)
                records.append(_record(staff_id, b, entries, sin, sout, spans, grace))
    return records


@dataclass(slots=True)
class MonthFacts:
    """Per staff member counts and minutes over one period's records, for the appraisal.

    Every scheduled session (am, pm or an added duty session) counts as one half-day. Lateness and
    early leave are counted wherever minutes were found and the session is not absent, so a late
    sign-in with no sign-out counts both as late and as a missing punch.
    """

    staff_id: int
    sessions: int = 0
    present: int = 0
    late_count: int = 0
    late_minutes: int = 0
    early_count: int = 0
    early_minutes: int = 0
    absent_half_days: int = 0
    missing_sign_in: int = 0
    missing_sign_out: int = 0
    leave_half_days: int = 0
    leave_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def missing_punches(self) -> int:
        """Sessions with one side missing."""
        return self.missing_sign_in + self.missing_sign_out

    def as_dict(self) -> dict[str, Any]:
        """Plain facts for the rules engine."""
        out = asdict(self)
        out["missing_punches"] = self.missing_punches
        return out


def monthly_facts(records: Iterable[DayRecord]) -> dict[int, MonthFacts]:
    """Aggregate day records per staff member (ordered by staff id)."""
    facts: dict[int, MonthFacts] = {}
    for r in records:
        f = facts.get(r.staff_id)
        if f is None:
            f = facts[r.staff_id] = MonthFacts(r.staff_id)
        f.sessions += 1
        st = r.status
        if st == Status.PRESENT:
            f.present += 1
        elif st == Status.ABSENT:
            f.absent_half_days += 1
        elif st == Status.ON_LEAVE:
            f.leave_half_days += 1
            kind = r.leave_kind or "leave"
            f.leave_by_kind[kind] = f.leave_by_kind.get(kind, 0) + 1
        elif st == Status.MISSING_SIGN_IN:
            f.missing_sign_in += 1
        elif st == Status.MISSING_SIGN_OUT:
            f.missing_sign_out += 1
        if st != Status.ABSENT:
            if r.late_minutes:
                f.late_count += 1
                f.late_minutes += r.late_minutes
            if r.early_minutes:
                f.early_count += 1
                f.early_minutes += r.early_minutes
    return dict(sorted(facts.items()))


__all__ = [
    "DayRecord",
    "Duty",
    "GraceSettings",
    "LeaveSpan",
    "MonthFacts",
    "Punch",
    "RotaChange",
    "Schedule",
    "Status",
    "WindowClosure",
    "day_records",
    "monthly_facts",
]
