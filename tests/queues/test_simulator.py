"""The simulated queue machine, pure: arrivals only in opening hours and denser at the peaks, calls only while the
window's staff is checked in, every ticket finished, missed or still waiting, the same day for the same seed."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from window_staff.queues.reading import CALLED, ISSUED, PAUSED, RECALLED, read_csv
from window_staff.queues.simulator import DayPlan, Desk, Shift, arrivals, as_csv, generate, outcomes

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2025, 3, 3)


def at(hh: int, mm: int) -> datetime:
    """A Beijing wall-clock instant on the day."""
    return datetime(2025, 3, 3, hh, mm, tzinfo=SH)


def desks() -> list[Desk]:
    """Three windows: one staffed all day, one only from 09:30 to 11:00, one never."""
    return [
        Desk("1", ("tax",), (Shift("E1", at(8, 20), at(12, 5)), Shift("E1", at(14, 20), at(17, 35)))),
        Desk("2", ("social", "tax"), (Shift("E2", at(9, 30), at(11, 0)),)),
        Desk("3", ("permit",)),
    ]


def test_tickets_are_issued_only_in_opening_hours() -> None:
    plan = DayPlan(DAY, tickets=400)
    found = arrivals(plan, random.Random(1))
    assert found and all(at(9, 0) <= a < at(12, 0) or at(14, 0) <= a < at(17, 0) for a in found)


def test_arrivals_are_denser_at_the_morning_peak_than_before_lunch() -> None:
    plan = DayPlan(DAY, tickets=400)
    found = arrivals(plan, random.Random(2))
    peak = sum(1 for a in found if at(9, 30) <= a < at(10, 0))
    quiet = sum(1 for a in found if at(11, 30) <= a < at(12, 0))
    assert peak > 2 * quiet


def test_a_window_calls_only_while_its_staff_is_checked_in() -> None:
    tables = desks()
    events = generate(DayPlan(DAY, tickets=200, seed=4), tables)
    calls = [e for e in events if e.kind in (CALLED, RECALLED)]
    assert calls
    for e in calls:
        desk = next(d for d in tables if d.window_number == e.window_number)
        shift = desk.on_duty(e.at)
        assert shift is not None and shift.employee_no == e.employee_no
    assert not [e for e in calls if e.window_number == "3"]


def test_every_ticket_ends_finished_missed_or_waiting() -> None:
    events = generate(DayPlan(DAY, tickets=200, seed=5, missed=0.2), desks())
    ends = outcomes(events)
    assert len(ends) == sum(1 for e in events if e.kind == ISSUED)
    assert set(ends.values()) == {"finished", "missed", "waiting"}  # window 3 is never staffed: its tickets wait


def test_each_staffed_window_pauses_once_and_resumes() -> None:
    events = generate(DayPlan(DAY, seed=6), desks())
    assert Counter(e.window_number for e in events if e.kind == PAUSED) == {"1": 1, "2": 1}


def test_the_same_seed_gives_the_same_day_and_event_ids_are_unique() -> None:
    first, again = generate(DayPlan(DAY, seed=7), desks()), generate(DayPlan(DAY, seed=7), desks())
    other = generate(DayPlan(DAY, seed=8), desks())
    assert first == again and first != other
    assert len({e.event_id for e in first}) == len(first)


def test_the_csv_export_reads_back_with_the_imports_columns() -> None:
    events = generate(DayPlan(DAY, tickets=30, seed=9), desks())
    rows, errors = read_csv(as_csv(events, site_code="GY", zone="Asia/Shanghai"))
    assert errors == [] and [r.values["event_id"] for r in rows] == [e.event_id for e in events]
    assert all(r.values["site_code"] == "GY" for r in rows)


def random_desks(rng: random.Random) -> list[Desk]:
    """One to five windows, each with up to three check-ins at any time of the day and some categories."""
    out = []
    for w in range(rng.randint(1, 5)):
        starts = [at(rng.randint(7, 16), rng.randint(0, 59)) for _ in range(rng.randint(0, 3))]
        shifts = tuple(Shift(f"E{w}", s, s + timedelta(minutes=rng.randint(10, 300))) for s in starts)
        out.append(Desk(str(w + 1), tuple(rng.sample(["a", "b", "c", "d"], rng.randint(1, 3))), shifts))
    return out


def test_a_tickets_events_follow_each_other_in_time_whatever_the_seed() -> None:
    for seed in range(150):
        rng = random.Random(seed)
        last: dict[str, datetime] = {}
        for e in generate(DayPlan(DAY, tickets=rng.uniform(0, 300), seed=seed, missed=0.3, transferred=0.2), random_desks(rng)):
            if e.ticket:
                assert e.ticket not in last or last[e.ticket] < e.at, (seed, e)
                last[e.ticket] = e.at


def test_no_call_outside_a_check_in_and_no_ticket_left_half_served_whatever_the_seed() -> None:
    for seed in range(150):
        rng = random.Random(seed)
        tables = random_desks(rng)
        events = generate(DayPlan(DAY, tickets=rng.uniform(0, 300), seed=seed, missed=0.3, transferred=0.2), tables)
        for e in events:
            if e.kind in (CALLED, RECALLED):
                assert next(d for d in tables if d.window_number == e.window_number).on_duty(e.at) is not None, (seed, e)
        assert set(outcomes(events).values()) <= {"finished", "missed", "waiting"}, seed
