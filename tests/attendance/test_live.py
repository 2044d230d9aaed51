"""Today's board from check-ins and the rota (pure): at the window, late, absent, on leave, 空岗; the month's rates."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from window_staff.attendance.calendar import SessionHours, WorkCalendar, load_national_calendar
from window_staff.attendance.domain import DayRecord, Duty, GraceSettings, LeaveSpan, Punch, RotaChange, Schedule, Status, WindowClosure
from window_staff.attendance.live import Board, Presence, attendance_rate, late_minutes_by, rate_by_day, today_board

SH = ZoneInfo("Asia/Shanghai")
MON = date(2025, 3, 3)
HOURS = SessionHours("all", date(2024, 1, 1), date(2027, 12, 31), time(8, 30), time(12), time(14, 30), time(17, 30))
CAL = WorkCalendar(load_national_calendar(None), [], hours={1: [HOURS]})
A, B = 7, 8  # two staff
W1, W2 = 10, 20  # two windows
A_AT_W1 = (Duty(A, W1, 1),)


def at(hh: int, mm: int) -> datetime:
    return datetime(MON.year, MON.month, MON.day, hh, mm, tzinfo=SH)


def board(now: datetime, *, punches=(), leave=(), rota=(), closures=(), duties=A_AT_W1, staff=(A,), windows=(W1, W2)) -> Board:
    return today_board(
        calendar=CAL,
        schedule=Schedule(duties, rota, closures),
        punches=[Punch(i + 1, s, t, "any", "test") for i, (s, t) in enumerate(punches)],
        leave=leave,
        grace=GraceSettings(),
        staff_ids=staff,
        day=MON,
        now=now,
        windows=windows,
    )


def test_signed_in_on_time_is_at_the_window() -> None:
    b = board(at(9, 0), punches=[(A, at(8, 25))])
    assert b.now[A].presence == Presence.HERE
    assert b.at_window[W1] == [A]
    assert b.vacant == [] and b.late == []


def test_signed_in_late_is_at_the_window_and_late() -> None:
    b = board(at(9, 0), punches=[(A, at(8, 50))])
    assert b.at_window[W1] == [A]
    assert [(s.staff_id, s.late_minutes) for s in b.late] == [(A, 20)]


def test_before_the_grace_ends_nobody_is_late_but_the_open_window_is_empty() -> None:
    b = board(at(8, 33))
    assert b.now[A].presence == Presence.EXPECTED
    assert b.late == []
    assert b.vacant == [W1]


def test_not_in_after_the_grace_is_late_by_the_minutes_so_far() -> None:
    b = board(at(9, 0))
    assert b.now[A].presence == Presence.NOT_IN
    assert [(s.staff_id, s.late_minutes) for s in b.late] == [(A, 30)]
    assert b.absent == []


def test_not_in_by_the_sessions_midpoint_is_absent() -> None:
    b = board(at(10, 30))
    assert b.now[A].presence == Presence.ABSENT
    assert [s.staff_id for s in b.absent] == [A]
    assert b.vacant == [W1]


def test_a_punch_after_now_is_not_known_yet() -> None:
    b = board(at(9, 0), punches=[(A, at(9, 10))])
    assert b.now[A].presence == Presence.NOT_IN


def test_approved_leave_is_on_leave_and_leaves_the_window_empty() -> None:
    leave = [LeaveSpan(A, "leave", at(0, 0), at(23, 59), approved=True)]
    b = board(at(9, 0), leave=leave)
    assert b.now[A].presence == Presence.ON_LEAVE
    assert [s.staff_id for s in b.on_leave] == [A]
    assert b.late == [] and b.absent == []
    assert b.vacant == [W1]


def test_leave_of_the_afternoon_is_listed_in_the_morning() -> None:
    leave = [LeaveSpan(A, "training", at(14, 0), at(18, 0), approved=True)]
    b = board(at(9, 0), punches=[(A, at(8, 20))], leave=leave)
    assert b.now[A].presence == Presence.HERE
    assert [(s.staff_id, s.session) for s in b.on_leave] == [(A, "pm")]


def test_one_of_two_at_a_window_keeps_it_staffed() -> None:
    b = board(at(9, 0), punches=[(B, at(8, 20))], duties=(Duty(A, W1, 1), Duty(B, W1, 1)), staff=(A, B))
    assert b.at_window[W1] == [B]
    assert b.vacant == []
    assert [s.staff_id for s in b.late] == [A]


def test_signed_out_has_left_the_window() -> None:
    b = board(at(11, 0), punches=[(A, at(8, 20)), (A, at(10, 50))])
    assert b.now[A].presence == Presence.LEFT
    assert b.vacant == [W1]


def test_a_window_without_staff_on_duty_is_not_open() -> None:
    b = board(at(9, 0), punches=[(A, at(8, 20))])
    assert b.open_windows == [W1]
    assert W2 not in b.vacant


def test_a_closed_window_is_not_open_and_its_staff_are_off() -> None:
    b = board(at(9, 0), closures=[WindowClosure(W1, MON)])
    assert b.now[A].presence == Presence.OFF
    assert b.open_windows == [] and b.late == []


def test_a_session_taken_off_the_rota_is_not_due() -> None:
    b = board(at(9, 0), rota=[RotaChange(A, MON, "am", "remove")])
    assert b.now[A].presence == Presence.OFF
    assert b.vacant == [] and b.late == []


def test_at_lunch_no_window_is_open_and_the_morning_absence_stays_listed() -> None:
    b = board(at(12, 30))
    assert b.now[A].presence == Presence.OFF
    assert b.open_windows == []
    assert [(s.staff_id, s.session) for s in b.absent] == [(A, "am")]


def test_signing_in_before_the_session_opens_the_window_early() -> None:
    b = board(at(8, 20), punches=[(A, at(8, 10))])
    assert b.now[A].presence == Presence.HERE
    assert b.open_windows == [W1] and b.vacant == []


def _rec(staff: int, day: int, status: Status, late: int = 0) -> DayRecord:
    d = date(2025, 3, day)
    return DayRecord(staff, 1, d, "am", at(8, 30), at(12, 0), status, late_minutes=late)


def test_attendance_rate_leaves_leave_out_of_what_was_due() -> None:
    records = [_rec(A, 3, Status.PRESENT), _rec(A, 4, Status.LATE, 9), _rec(A, 5, Status.MISSING_SIGN_OUT), _rec(A, 6, Status.ABSENT)]
    assert attendance_rate([*records, _rec(A, 7, Status.ON_LEAVE)]) == Decimal("75.0")


def test_attendance_rate_of_nothing_due_is_none() -> None:
    assert attendance_rate([_rec(A, 3, Status.ON_LEAVE)]) is None


def test_rate_by_day_skips_days_with_nothing_due() -> None:
    records = [_rec(A, 3, Status.PRESENT), _rec(B, 3, Status.ABSENT), _rec(A, 4, Status.ON_LEAVE)]
    assert rate_by_day(records) == [(date(2025, 3, 3), Decimal("50.0"))]


def test_late_minutes_add_up_per_group() -> None:
    records = [_rec(A, 3, Status.LATE, 9), _rec(A, 4, Status.LATE, 6), _rec(B, 3, Status.LATE, 4)]
    assert late_minutes_by(records, group_of={A: 1, B: 2}) == {1: 15, 2: 4}
