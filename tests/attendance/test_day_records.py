"""Daily attendance: an example for every status and rule, and hypothesis properties of day_records."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from window_staff.attendance.calendar import SessionHours, SiteOverride, WorkCalendar, load_national_calendar
from window_staff.attendance.domain import (
    DayRecord,
    Duty,
    GraceSettings,
    LeaveSpan,
    Punch,
    RotaChange,
    Schedule,
    Status,
    WindowClosure,
    day_records,
    monthly_facts,
)
from window_staff.attendance.errors import (
    AttendanceInputInvalid,
    CalendarYearMissing,
    GraceSettingsInvalid,
    ScheduleInvalid,
)

SH = ZoneInfo("Asia/Shanghai")
MON = date(2025, 3, 3)  # an ordinary week: Monday 3 to Friday 7 March 2025
SAT = date(2025, 3, 8)
NATIONAL = load_national_calendar(None)
HOURS = SessionHours("all", date(2024, 1, 1), date(2027, 12, 31), time(8, 30), time(12), time(14, 30), time(17, 30))
CAL = WorkCalendar(NATIONAL, [SiteOverride(1, date(2025, 3, 5), "closed")], hours={1: [HOURS]})
STAFF = 7
SCHEDULE = Schedule([Duty(STAFF, 10, 1)])
GRACE = GraceSettings()


def at(day: date, hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=SH)


def punches(*times: tuple[int, int] | tuple[int, int, int], day: date = MON, kind: str = "any") -> list[Punch]:
    return [Punch(i + 1, STAFF, at(day, *t), kind, "test") for i, t in enumerate(times)]


def run(ps=(), leave=(), *, grace=GRACE, schedule=SCHEDULE, start=MON, end=MON, staff=(STAFF,)) -> list[DayRecord]:
    return day_records(
        calendar=CAL, schedule=schedule, punches=ps, leave=leave, grace=grace,
        staff_ids=staff, period_start=start, period_end=end,
    )  # fmt: skip


def am(ps=(), leave=(), **kw) -> DayRecord:
    return run(ps, leave, **kw)[0]


# --- one example per status -------------------------------------------------------------------


def test_present() -> None:
    r = am(punches((8, 25), (12, 5)))
    assert (r.status, r.late_minutes, r.early_minutes, r.punch_ids) == (Status.PRESENT, 0, 0, (1, 2))
    assert (r.day, r.session, r.site_id) == (MON, "am", 1)
    assert r.start == datetime(2025, 3, 3, 0, 30, tzinfo=UTC) and r.start.tzinfo is UTC


def test_late_counts_minutes_after_start_rounded_up() -> None:
    assert am(punches((8, 35), (12, 0))).status == Status.PRESENT  # exactly on the grace limit
    r = am(punches((8, 35, 1), (12, 0)))
    assert (r.status, r.late_minutes) == (Status.LATE, 6)
    assert am(punches((8, 40), (12, 0))).late_minutes == 10


def test_early_leave() -> None:
    r = am(punches((8, 30), (11, 50)))
    assert (r.status, r.early_minutes, r.late_minutes) == (Status.EARLY_LEAVE, 10, 0)
    assert am(punches((8, 30), (11, 58)), grace=GraceSettings(early_grace_minutes=2)).status == Status.PRESENT


def test_late_and_early_leave() -> None:
    r = am(punches((9, 0), (11, 0)))
    assert (r.status, r.late_minutes, r.early_minutes) == (Status.LATE_AND_EARLY_LEAVE, 30, 60)


def test_absent_and_punches_outside_the_windows() -> None:
    r = am(punches((6, 0), (14, 10)))  # before 07:30 and after 14:00: neither window of the morning
    assert (r.status, r.punch_ids) == (Status.ABSENT, ())


def test_missing_sign_in_single_punch_after_midpoint() -> None:
    r = am(punches((11, 58)))
    assert (r.status, r.sign_in_punch_id, r.sign_out_punch_id) == (Status.MISSING_SIGN_IN, None, 1)
    assert r.early_minutes == 2


def test_missing_sign_out_single_punch_before_midpoint() -> None:
    r = am(punches((8, 29)))
    assert (r.status, r.sign_in_punch_id, r.sign_out_punch_id) == (Status.MISSING_SIGN_OUT, 1, None)


def test_missing_sign_out_still_records_lateness() -> None:
    r = am(punches((8, 50)))
    assert (r.status, r.late_minutes) == (Status.MISSING_SIGN_OUT, 20)


def test_on_leave_whole_session() -> None:
    span = LeaveSpan(STAFF, "training", at(MON, 8, 0), at(MON, 12, 0), approved=True)
    r = am(punches((8, 25)), [span])
    assert (r.status, r.leave_kind, r.punch_ids) == (Status.ON_LEAVE, "training", ())
    assert run([], [span])[1].status == Status.ABSENT  # the afternoon is not covered


def test_unapproved_leave_is_ignored() -> None:
    span = LeaveSpan(STAFF, "leave", at(MON, 8, 0), at(MON, 18, 0), approved=False)
    assert am([], [span]).status == Status.ABSENT


def test_joined_spans_cover_a_session() -> None:
    spans = [
        LeaveSpan(STAFF, "leave", at(MON, 8, 30), at(MON, 10, 0), True),
        LeaveSpan(STAFF, "official_business", at(MON, 10, 0), at(MON, 12, 0), True),
    ]
    r = am([], spans)
    assert (r.status, r.leave_kind) == (Status.ON_LEAVE, "official_business")  # the larger share


def test_partial_leave_at_start_moves_the_expected_start() -> None:
    span = LeaveSpan(STAFF, "leave", at(MON, 8, 30), at(MON, 10, 0), True)
    assert am(punches((10, 3), (12, 0)), [span]).status == Status.PRESENT
    r = am(punches((10, 20), (12, 0)), [span])
    assert (r.status, r.late_minutes, r.leave_kind) == (Status.LATE, 20, "leave")
    assert am([], [span]).status == Status.ABSENT  # the uncovered part still needs punches


def test_partial_leave_at_end_moves_the_expected_end() -> None:
    span = LeaveSpan(STAFF, "official_business", at(MON, 10, 0), at(MON, 12, 0), True)
    r = am(punches((8, 28), (10, 0)), [span])
    assert (r.status, r.early_minutes, r.leave_kind) == (Status.PRESENT, 0, "official_business")
    assert am(punches((8, 28), (9, 30)), [span]).early_minutes == 30


def test_leave_in_the_middle_changes_nothing_but_is_noted() -> None:
    span = LeaveSpan(STAFF, "training", at(MON, 9, 0), at(MON, 10, 0), True)
    r = am(punches((8, 30), (12, 0)), [span])
    assert (r.status, r.leave_kind) == (Status.PRESENT, "training")
    assert am(punches((8, 50), (12, 0)), [span]).late_minutes == 20


# --- punches ------------------------------------------------------------------------------------


def test_duplicates_within_the_window_count_once() -> None:
    ps = punches((8, 29, 0), (8, 29, 30), (12, 1))
    r = am(ps)
    assert (r.status, r.sign_in_punch_id, r.sign_out_punch_id) == (Status.PRESENT, 1, 3)
    # a double press across the start: counted once it is one sign-in, else a sign-out 3.5 hours early
    double = punches((8, 29, 50), (8, 30, 40))
    assert am(double).status == Status.MISSING_SIGN_OUT
    r = am(double, grace=GraceSettings(duplicate_seconds=30))
    assert (r.status, r.early_minutes, r.punch_ids) == (Status.EARLY_LEAVE, 210, (1, 2))


def test_explicit_kinds() -> None:
    r = am(punches((8, 31), kind="out"))  # an "out" is never a sign-in, even before the midpoint
    assert (r.status, r.sign_out_punch_id, r.early_minutes) == (Status.MISSING_SIGN_IN, 1, 209)
    backwards = [Punch(1, STAFF, at(MON, 9, 0), "out"), Punch(2, STAFF, at(MON, 10, 0), "in")]
    r = am(backwards)  # a sign-out before the sign-in is dropped
    assert (r.status, r.sign_in_punch_id, r.sign_out_punch_id) == (Status.MISSING_SIGN_OUT, 2, None)


def test_punch_time_zone_does_not_matter() -> None:
    ps = [Punch(1, STAFF, datetime(2025, 3, 3, 0, 40, tzinfo=UTC)), Punch(2, STAFF, at(MON, 12, 0))]
    assert (am(ps).status, am(ps).late_minutes) == (Status.LATE, 10)


def test_bad_inputs() -> None:
    with pytest.raises(AttendanceInputInvalid):
        Punch(1, STAFF, datetime(2025, 3, 3, 8, 30))
    with pytest.raises(AttendanceInputInvalid):
        Punch(1, STAFF, at(MON, 8, 30), "maybe")
    with pytest.raises(AttendanceInputInvalid):
        LeaveSpan(STAFF, "holiday", at(MON, 8, 0), at(MON, 9, 0), True)
    with pytest.raises(AttendanceInputInvalid):
        LeaveSpan(STAFF, "leave", at(MON, 9, 0), at(MON, 8, 0), True)
    with pytest.raises(AttendanceInputInvalid, match="id 1"):
        run([Punch(1, STAFF, at(MON, 8, 30)), Punch(1, STAFF, at(MON, 9, 30))])
    assert am([Punch(1, STAFF, at(MON, 8, 30))] * 2).status == Status.MISSING_SIGN_OUT  # a resent punch
    with pytest.raises(AttendanceInputInvalid):
        run(start=MON, end=MON - timedelta(days=1))


# --- absence settings -----------------------------------------------------------------------------


def test_missing_punch_as_absent() -> None:
    grace = GraceSettings(missing_punch_as_absent=True)
    assert am(punches((8, 29)), grace=grace).status == Status.ABSENT


def test_very_late_counts_as_absent() -> None:
    grace = GraceSettings(late_absent_after_minutes=30, early_absent_after_minutes=60)
    assert am(punches((9, 0), (12, 0)), grace=grace).status == Status.LATE
    r = am(punches((9, 1), (12, 0)), grace=grace)
    assert (r.status, r.late_minutes) == (Status.ABSENT, 31)
    assert am(punches((8, 30), (10, 59)), grace=grace).status == Status.ABSENT


def test_grace_settings_from_mapping() -> None:
    g = GraceSettings.from_mapping({"late_grace_minutes": 3, "late_absent_after_minutes": 30})
    assert (g.late_grace_minutes, g.late_absent_after_minutes, g.duplicate_seconds) == (3, 30, 60)
    with pytest.raises(GraceSettingsInvalid, match="late_grace") as err:
        GraceSettings.from_mapping({"late_grace": 3}, source="rules/attendance.toml")
    assert "rules/attendance.toml" in err.value.detail
    for bad in ({"late_grace_minutes": -1}, {"late_grace_minutes": True}, {"duplicate_seconds": 1.5},
                {"missing_punch_as_absent": 1}):  # fmt: skip
        with pytest.raises(GraceSettingsInvalid):
            GraceSettings.from_mapping(bad)


# --- schedule and calendar ----------------------------------------------------------------------


def test_week_follows_calendar_and_order_is_deterministic() -> None:
    rs = run(start=MON, end=date(2025, 3, 9), staff=(9, STAFF, 8))
    # Wednesday is closed at site 1, the weekend is off; staff 8 and 9 have no posting
    assert [(r.day.day, r.session) for r in rs] == [(d, s) for d in (3, 4, 6, 7) for s in ("am", "pm")]
    assert rs == sorted(rs, key=lambda r: (r.staff_id, r.day, r.start))


def test_holiday_has_no_sessions() -> None:
    assert run(start=date(2025, 1, 28), end=date(2025, 2, 4)) == []
    assert {r.day for r in run(start=date(2025, 1, 26), end=date(2025, 1, 26))} == {date(2025, 1, 26)}


def test_uncovered_year_propagates() -> None:
    with pytest.raises(CalendarYearMissing):
        run(start=date(2027, 1, 4), end=date(2027, 1, 4))


def test_rota_changes_and_closures() -> None:
    rota = [
        RotaChange(STAFF, SAT, "am", "add", note="weekend duty"),
        RotaChange(STAFF, MON, "pm", "remove"),
        RotaChange(STAFF, MON, "extended", "add", time(12), time(14), note="延时服务"),
        RotaChange(STAFF, date(2025, 3, 4), "am", "add"),
    ]
    sched = Schedule([Duty(STAFF, 10, 1)], rota, [WindowClosure(10, date(2025, 3, 4))])
    rs = run(punches((12, 0, 30), (14, 1)), schedule=sched, start=MON, end=SAT)
    got = [(r.day.day, r.session, r.status) for r in rs]
    assert got[:2] == [(3, "am", Status.MISSING_SIGN_IN), (3, "extended", Status.PRESENT)]
    assert (4, "am", Status.ABSENT) in got and (4, "pm", Status.ABSENT) not in got  # closure; rota add wins
    assert got[-1] == (8, "am", Status.ABSENT)


def test_schedule_errors() -> None:
    with pytest.raises(ScheduleInvalid):
        Schedule([Duty(STAFF, 10, 1), Duty(STAFF, 11, 1, valid_from=date(2025, 3, 1))])
    with pytest.raises(ScheduleInvalid):
        RotaChange(STAFF, MON, "extended", "add")
    with pytest.raises(ScheduleInvalid):
        RotaChange(STAFF, MON, "am", "swap")
    overlapping = Schedule([Duty(STAFF, 10, 1)], [RotaChange(STAFF, MON, "extended", "add", time(11), time(13))])
    with pytest.raises(ScheduleInvalid, match="overlap"):
        run(schedule=overlapping)
    orphan = Schedule([], [RotaChange(STAFF, SAT, "am", "add")])
    with pytest.raises(ScheduleInvalid, match="no posting"):
        run(schedule=orphan, start=SAT, end=SAT)


def test_postings_are_dated() -> None:
    sched = Schedule([Duty(STAFF, 10, 1, valid_from=date(2025, 3, 4), valid_to=date(2025, 3, 6))])
    assert sorted({r.day.day for r in run(schedule=sched, start=MON, end=date(2025, 3, 7))}) == [4, 6]


def test_monthly_facts() -> None:
    ps = punches((8, 40), (12, 0), (14, 30), (17, 0))  # Monday: late 10, early 30
    ps += [Punch(10, STAFF, at(date(2025, 3, 4), 8, 30))]  # Tuesday am missing sign-out; pm absent
    leave = [LeaveSpan(STAFF, "leave", at(date(2025, 3, 6), 8, 0), at(date(2025, 3, 6), 18, 0), True)]
    facts = monthly_facts(run(ps, leave, start=MON, end=date(2025, 3, 6)))
    f = facts[STAFF].as_dict()
    assert f == {
        "staff_id": STAFF, "sessions": 6, "present": 0, "late_count": 1, "late_minutes": 10,
        "early_count": 1, "early_minutes": 30, "absent_half_days": 1, "missing_sign_in": 0,
        "missing_sign_out": 1, "leave_half_days": 2, "leave_by_kind": {"leave": 2}, "missing_punches": 1,
    }  # fmt: skip


# --- properties -----------------------------------------------------------------------------------

S_AM = at(MON, 8, 30)
E_AM = at(MON, 12, 0)
graces = st.builds(
    GraceSettings,
    late_grace_minutes=st.integers(0, 15),
    early_grace_minutes=st.integers(0, 15),
    sign_in_window_before=st.integers(0, 90),
    sign_out_window_after=st.integers(0, 90),
    duplicate_seconds=st.integers(0, 120),
)
kinds = st.sampled_from(["any", "any", "in", "out"])
# seconds after 06:00 on Monday, through 20:00
offsets = st.lists(st.tuples(st.integers(0, 14 * 3600), kinds), max_size=12)


def to_punches(raw: list[tuple[int, str]], staff: int = STAFF, first_id: int = 1) -> list[Punch]:
    base = at(MON, 6, 0)
    return [Punch(first_id + i, staff, base + timedelta(seconds=s), k) for i, (s, k) in enumerate(raw)]


@settings(max_examples=200, deadline=None)
@given(grace=graces, data=st.data(), kind=st.sampled_from(["in", "any"]), others=offsets)
def test_a_punch_inside_grace_is_never_late(grace: GraceSettings, data, kind: str, others) -> None:
    # start the range past the window's edge by one duplicate run, so no earlier punch outside
    # the window can absorb this one
    lo = -grace.sign_in_window_before * 60 + grace.duplicate_seconds + 1
    u = data.draw(st.integers(min(lo, grace.late_grace_minutes * 60), grace.late_grace_minutes * 60))
    key = Punch(1000, STAFF, S_AM + timedelta(seconds=u), kind)
    r = am([key, *to_punches(others)], grace=grace)
    assert r.late_minutes == 0
    assert r.status not in (Status.LATE, Status.LATE_AND_EARLY_LEAVE, Status.ABSENT, Status.MISSING_SIGN_IN)


@settings(max_examples=200, deadline=None)
@given(
    grace=graces, raw=offsets, kind=st.sampled_from(["leave", "official_business", "training"]),
    before=st.integers(0, 600), after=st.integers(0, 600), cut=st.integers(1, 209),
)  # fmt: skip
def test_approved_leave_always_wins(grace, raw, kind, before, after, cut) -> None:
    whole = LeaveSpan(STAFF, kind, S_AM - timedelta(minutes=before), E_AM + timedelta(minutes=after), True)
    r = am(to_punches(raw), [whole], grace=grace)
    assert (r.status, r.leave_kind) == (Status.ON_LEAVE, kind)
    # two approved pieces that meet also cover the session
    middle = S_AM + timedelta(minutes=cut)
    pieces = [LeaveSpan(STAFF, kind, whole.start, middle, True), LeaveSpan(STAFF, "leave", middle, whole.end, True)]
    assert am(to_punches(raw), pieces, grace=grace).status == Status.ON_LEAVE
    # leave over the start: lateness only counts from the leave's end
    first = LeaveSpan(STAFF, kind, whole.start, middle, True)
    sign_in = Punch(999, STAFF, middle + timedelta(seconds=grace.late_grace_minutes * 60), "in")
    assert am([sign_in], [first], grace=grace).late_minutes == 0


@settings(max_examples=150, deadline=None)
@given(
    grace=graces,
    a=offsets,
    b=offsets,
    seed=st.integers(0, 2**32 - 1),
    leave_min=st.lists(st.integers(0, 840), max_size=4),
)
def test_same_inputs_in_any_order_give_the_same_records(grace, a, b, seed, leave_min) -> None:
    ps = to_punches(a, STAFF) + to_punches(b, 8, first_id=100)
    base = at(MON, 6, 0)
    leave = [LeaveSpan(STAFF if m % 2 else 8, "leave", base + timedelta(minutes=m), base + timedelta(minutes=m + 90), m % 3 != 0)
             for m in leave_min]  # fmt: skip
    sched = Schedule([Duty(STAFF, 10, 1), Duty(8, 11, 1)])
    first = run(ps, leave, grace=grace, schedule=sched, staff=(STAFF, 8))
    rng = random.Random(seed)
    rng.shuffle(ps)
    rng.shuffle(leave)
    again = run(ps, leave, grace=grace, schedule=sched, staff=(8, STAFF, 8))
    assert first == again
    assert [r.staff_id for r in first] == sorted(r.staff_id for r in first)


@settings(max_examples=150, deadline=None)
@given(grace=graces, gaps=st.lists(st.integers(1, 3600), max_size=8), kinds_=st.lists(kinds, min_size=8, max_size=8),
       copies=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 120)), max_size=6))  # fmt: skip
def test_duplicates_count_once(grace, gaps, kinds_, copies) -> None:
    # originals further apart than the duplicate window; copies land inside an original's run
    t, originals = at(MON, 7, 0), []
    for i, gap in enumerate(gaps):
        t += timedelta(seconds=grace.duplicate_seconds + gap)
        originals.append(Punch(i + 1, STAFF, t, kinds_[i]))
    extra = [
        Punch(100 + n, STAFF, originals[i].at + timedelta(seconds=min(d, grace.duplicate_seconds)), originals[i].kind)
        for n, (i, d) in enumerate(copies)
        if i < len(originals)
    ]
    assert run(originals + extra, grace=grace) == run(originals, grace=grace)
