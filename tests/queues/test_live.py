"""The queue now: who waits for which category and how long, and which ticket each window is serving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from window_staff.queues.domain import CALLED, FINISHED, ISSUED, MISSED, STARTED, TRANSFERRED, Event, build_tickets
from window_staff.queues.live import queue_now

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
_seq = iter(range(1, 10_000))


def ev(kind: str, minute: int, ticket: str, *, category: str = "TAX", window: int | None = None, to: int | None = None) -> Event:
    return Event(next(_seq), 1, kind, T0 + timedelta(minutes=minute), ticket, category, window, None, to)


def now_of(events: list[Event], minute: int, windows: dict[int, frozenset[str]] | None = None):
    return queue_now(build_tickets(events), now=T0 + timedelta(minutes=minute), window_categories=windows or {})


def test_an_uncalled_ticket_waits_and_its_wait_grows() -> None:
    found = now_of([ev(ISSUED, 0, "A001")], 12)
    assert [(c.category, c.waiting, c.longest) for c in found.categories] == [("TAX", 1, timedelta(minutes=12))]


def test_a_called_ticket_is_at_its_window_until_finished() -> None:
    events = [ev(ISSUED, 0, "A001"), ev(CALLED, 5, "A001", window=7)]
    assert now_of(events, 6).serving == {7: "A001"} and now_of(events, 6).categories == []
    events.append(ev(FINISHED, 9, "A001", window=7))
    assert now_of(events, 10).serving == {}


def test_a_window_shows_the_ticket_it_took_last() -> None:
    events = [ev(ISSUED, 0, "A001"), ev(ISSUED, 1, "A002"), ev(CALLED, 2, "A001", window=7), ev(CALLED, 4, "A002", window=7)]
    assert now_of(events, 5).serving == {7: "A002"}


def test_a_missed_ticket_leaves_the_queue_until_it_is_called_again() -> None:
    events = [ev(ISSUED, 0, "A001"), ev(CALLED, 3, "A001", window=7), ev(MISSED, 5, "A001", window=7)]
    assert now_of(events, 6).categories == [] and now_of(events, 6).serving == {}
    events.append(ev(CALLED, 8, "A001", window=7))
    assert now_of(events, 9).serving == {7: "A001"}


def test_a_transferred_ticket_waits_again_for_the_next_window() -> None:
    events = [ev(ISSUED, 0, "A001"), ev(STARTED, 2, "A001", window=7), ev(TRANSFERRED, 6, "A001", window=7, to=9)]
    found = now_of(events, 8)
    assert found.serving == {} and [c.waiting for c in found.categories] == [1]
    events.append(ev(CALLED, 10, "A001", window=9))
    assert now_of(events, 11).serving == {9: "A001"}


def test_each_window_counts_the_waiting_of_its_categories() -> None:
    events = [ev(ISSUED, 0, "A001"), ev(ISSUED, 1, "B001", category="LAND"), ev(ISSUED, 2, "A002")]
    found = now_of(events, 3, {7: frozenset({"TAX"}), 8: frozenset({"TAX", "LAND"}), 9: frozenset({"SOC"})})
    assert found.waiting_for_window == {7: 2, 8: 3, 9: 0} and found.longest == timedelta(minutes=3)
