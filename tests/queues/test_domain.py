"""Tickets, pauses, figures and 空岗 from a day's queue events, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from window_staff.queues.domain import (
    CALL_UNSTAFFED,
    LONG_PAUSE,
    QUEUE_UNSTAFFED,
    Day,
    Event,
    Interval,
    build_pauses,
    build_tickets,
    day_figures,
    percentile,
    vacancies,
)

W1, W2, ANNA, BEN = 11, 12, 101, 102


def at(hhmm: str) -> datetime:
    """An instant on 3 March 2025, given in Beijing time."""
    h, m = hhmm.split(":")
    return datetime(2025, 3, 3, int(h), int(m), tzinfo=UTC) - timedelta(hours=8)


_seq = iter(range(1, 10_000))


def ev(kind: str, hhmm: str, ticket: str = "", *, window: int | None = None, staff: int | None = None, **kw: object) -> Event:
    """An event at a Beijing time."""
    return Event(next(_seq), 1, kind, at(hhmm), ticket, window_id=window, staff_id=staff, **kw)  # type: ignore[arg-type]


OPEN = [Interval(at("09:00"), at("12:00")), Interval(at("14:00"), at("17:00"))]
ON_DUTY = [Interval(at("08:55"), at("12:00"), ANNA, W1), Interval(at("13:55"), at("17:00"), ANNA, W1)]


def day(duty: list[Interval] = ON_DUTY, **kw: object) -> Day:
    """A day with Anna on duty at window 1 unless ``duty`` says otherwise."""
    return Day(open_hours=OPEN, duty=duty, rostered={W1: [ANNA]}, **kw)  # type: ignore[arg-type]


def figures(events: list[Event], **kw: object):  # noqa: ANN201
    """Staff and window figures with a 30-minute pause limit and 10 minutes before a waiting queue is 空岗."""
    return day_figures(events, day=day(**kw), max_pause_minutes=30, vacant_min_minutes=10)  # type: ignore[arg-type]


def test_a_plain_ticket_has_its_wait_and_service_time() -> None:
    (t,) = build_tickets(
        [
            ev("issued", "09:00", "A001", category="tax"),
            ev("called", "09:12", "A001", window=W1),
            ev("started", "09:13", "A001", window=W1),
            ev("finished", "09:25", "A001", window=W1, staff=ANNA),
        ]
    )
    assert (t.wait, t.service, t.calls, t.window_id, t.staff_id) == (timedelta(minutes=12), timedelta(minutes=12), 1, W1, ANNA)


def test_events_out_of_order_build_the_same_ticket() -> None:
    events = [
        ev("finished", "09:25", "A001", window=W1),
        ev("called", "09:12", "A001", window=W1),
        ev("issued", "09:00", "A001", category="tax"),
        ev("started", "09:13", "A001", window=W1),
    ]
    (t,) = build_tickets(events)
    assert (t.issued_at, t.first_call_at, t.started_at, t.finished_at) == (at("09:00"), at("09:12"), at("09:13"), at("09:25"))


def test_a_recall_is_another_call_but_the_wait_ends_at_the_first() -> None:
    (t,) = build_tickets(
        [ev("issued", "09:00", "A1", category="tax"), ev("called", "09:10", "A1", window=W1), ev("recalled", "09:12", "A1", window=W1)]
    )
    assert (t.calls, t.wait) == (2, timedelta(minutes=10))


def test_missed_then_served_counts_the_miss_and_the_service() -> None:
    events = [
        ev("issued", "09:00", "A1", category="tax"),
        ev("called", "09:10", "A1", window=W1),
        ev("missed", "09:12", "A1", window=W1),
        ev("recalled", "09:40", "A1", window=W1),
        ev("started", "09:41", "A1", window=W1),
        ev("finished", "09:50", "A1", window=W1),
    ]
    staff, windows = figures(events)
    assert (staff[ANNA].served, staff[ANNA].missed, windows[W1].missed) == (1, 1, 1)
    assert staff[ANNA].wait_median == Decimal("10.0") and staff[ANNA].service_median == Decimal("9.0")


def test_a_transferred_ticket_is_served_by_the_window_that_finishes_it() -> None:
    events = [
        ev("issued", "09:00", "A1", category="tax"),
        ev("called", "09:05", "A1", window=W1),
        ev("started", "09:06", "A1", window=W1),
        ev("transferred", "09:20", "A1", window=W1, to_window_id=W2),
        ev("called", "09:30", "A1", window=W2),
        ev("started", "09:31", "A1", window=W2),
        ev("finished", "09:40", "A1", window=W2, staff=BEN),
    ]
    (t,) = build_tickets(events)
    assert (t.transfers, t.window_id, t.wait, t.service) == (1, W2, timedelta(minutes=5), timedelta(minutes=9))
    staff, windows = figures(events, duty=[*ON_DUTY, Interval(at("08:55"), at("12:00"), BEN, W2)])
    assert (windows[W2].served, W1 in windows, staff[BEN].served, ANNA in staff) == (1, False, 1, False)


def test_a_finish_without_a_staff_member_goes_to_whoever_was_on_duty() -> None:
    staff, _ = figures(
        [ev("issued", "09:00", "A1", category="tax"), ev("called", "09:05", "A1", window=W1), ev("finished", "09:20", "A1", window=W1)]
    )
    assert staff[ANNA].served == 1 and staff[ANNA].service_median == Decimal("15.0")


def test_a_pause_across_lunch_counts_only_opening_hours() -> None:
    events = [ev("paused", "11:40", window=W1, staff=ANNA), ev("resumed", "14:10", window=W1)]
    (p,) = build_pauses(events)
    assert (p.start, p.end) == (at("11:40"), at("14:10"))
    staff, windows = figures(events)
    assert (staff[ANNA].paused_minutes, windows[W1].paused_minutes) == (30, 30)


def test_a_pause_never_resumed_runs_to_closing_time() -> None:
    staff, _ = figures([ev("paused", "16:30", window=W1, staff=ANNA)])
    assert staff[ANNA].paused_minutes == 30


def test_a_pause_over_the_limit_is_vacant_and_one_within_is_not() -> None:
    long = [ev("paused", "09:30", window=W1, staff=ANNA), ev("resumed", "10:01", window=W1)]
    short = [ev("paused", "09:30", window=W1, staff=ANNA), ev("resumed", "10:00", window=W1)]
    found = vacancies(long, day=day(), max_pause_minutes=30, vacant_min_minutes=10)
    assert [(v.reason, v.minutes, v.staff_ids) for v in found] == [(LONG_PAUSE, 31, (ANNA,))]
    assert vacancies(short, day=day(), max_pause_minutes=30, vacant_min_minutes=10) == []


def test_a_call_while_nobody_is_checked_in_is_vacant_against_the_rostered_staff() -> None:
    found = vacancies([ev("called", "12:30", "A1", window=W1)], day=day(), max_pause_minutes=30, vacant_min_minutes=10)
    assert [(v.reason, v.staff_ids) for v in found] == [(CALL_UNSTAFFED, (ANNA,))]


def test_a_queue_waiting_while_the_window_is_unstaffed_is_vacant_from_the_first_uncovered_minute() -> None:
    duty = [Interval(at("09:40"), at("12:00"), ANNA, W1)]
    events = [ev("issued", "09:15", "A1", category="tax"), ev("called", "09:45", "A1", window=W1)]
    found = vacancies(events, day=day(duty=duty, categories={W1: frozenset({"tax"})}), max_pause_minutes=30, vacant_min_minutes=10)
    assert [(v.reason, v.at, v.minutes) for v in found] == [(QUEUE_UNSTAFFED, at("09:15"), 25)]


def test_a_short_unstaffed_wait_or_another_category_is_not_vacant() -> None:
    duty = [Interval(at("09:20"), at("12:00"), ANNA, W1)]
    short = [ev("issued", "09:15", "A1", category="tax"), ev("called", "09:25", "A1", window=W1)]
    other = [ev("issued", "09:00", "B1", category="social")]
    kw = {"day": day(duty=duty, categories={W1: frozenset({"tax"})}), "max_pause_minutes": 30, "vacant_min_minutes": 10}
    assert vacancies(short, **kw) == [] and vacancies(other, **kw) == []  # type: ignore[arg-type]


def test_the_90th_percentile_is_the_nearest_rank() -> None:
    waits = [timedelta(minutes=m) for m in range(1, 11)]
    assert percentile(waits, 90) == timedelta(minutes=9) and percentile(waits[:1], 90) == timedelta(minutes=1)


def test_the_staff_member_named_by_the_call_is_credited_when_the_finish_names_nobody() -> None:
    events = [
        ev("issued", "09:00", "A1", category="tax"),
        ev("called", "09:05", "A1", window=W1, staff=BEN),
        ev("finished", "09:20", "A1", window=W1),
    ]
    staff, _ = figures(events)
    assert (staff[BEN].served, ANNA in staff) == (1, False)
