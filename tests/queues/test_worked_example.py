"""A worked month, checked by hand: March 2025, Anna at window 1 (category 税务 "tax"), the shipped rules and policy
(pauses up to 30 minutes; the sessions 09:00-12:00 and 14:00-17:00; Anna checked in 08:55-12:00 and 13:55-17:00 daily).

Monday 3 March: six tax tickets, each issued at 09:00 and called after 5, 8, 10, 12, 14 and 22 minutes, served 10
  minutes each. 90th percentile by nearest rank: ceil(0.9 x 6) = 6th of the sorted waits = 22.0 minutes.
  queue.wait_p90_over_target: 22 - 15 = 7 minutes over, per started 5 -> 2 units x -0.5 = -1.00 (quality 20 -> 19.00).
Tuesday 4 March: paused 11:30-14:40, across lunch: 30 minutes before noon + 40 after 14:00 = 70 minutes in opening hours.
Wednesday 5 March: paused 10:00-11:00 = 60 minutes.
  Paused minutes of the month 70 + 60 = 130; queue.paused_over_limit: 10 over 120, per started 30 -> 1 unit = -0.50.
  Both pauses are over 30 minutes: two 空岗 (long_pause).
Thursday 6 March: ticket B1 called at 13:00 from window 1 while nobody was checked in (lunch), then missed (过号):
  one 空岗 (call_unstaffed), held against Anna, who was rostered there; the missed call counts for the window only (nobody
  was checked in to make it, and no rule scores missed calls).
  queue.vacant: 3 x -1 = -3.00; management 25 - 0.50 - 3.00 = 21.50.
Total 15 + 19 + 21.50 + 20 + 20 = 95.50 -> 优秀 (>= 95).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from window_staff.queues.domain import Day, Event, Figures, Interval, day_figures
from window_staff.queues.facts import staff_facts
from window_staff.scoring import load_default_rules, score

ANNA, W1, MARCH = 7, 1, date(2025, 3, 1)
_seq = iter(range(1, 1000))


def at(day: int, hhmm: str) -> datetime:
    """A Beijing wall-clock time in March 2025, in UTC."""
    h, m = hhmm.split(":")
    return datetime(2025, 3, day, int(h), int(m), tzinfo=UTC) - timedelta(hours=8)


def ev(kind: str, day: int, hhmm: str, ticket: str = "", *, after: int = 0, category: str = "") -> Event:
    """An event at window 1 (``after`` minutes past ``hhmm``)."""
    return Event(next(_seq), 1, kind, at(day, hhmm) + timedelta(minutes=after), ticket, category, W1)


def the_day(day: int) -> Day:
    """Opening hours, Anna on duty, Anna rostered at window 1 serving "tax"."""
    return Day(
        open_hours=[Interval(at(day, "09:00"), at(day, "12:00")), Interval(at(day, "14:00"), at(day, "17:00"))],
        duty=[Interval(at(day, "08:55"), at(day, "12:00"), ANNA, W1), Interval(at(day, "13:55"), at(day, "17:00"), ANNA, W1)],
        rostered={W1: [ANNA]},
        categories={W1: frozenset({"tax"})},
    )


def month_events() -> dict[int, list[Event]]:
    """The month's events by day, as told in the module's docstring."""
    monday = []
    for i, wait in enumerate((5, 8, 10, 12, 14, 22)):
        t = f"A{i + 1:03d}"
        monday += [
            ev("issued", 3, "09:00", t, category="tax"),
            ev("called", 3, "09:00", t, after=wait),
            ev("started", 3, "09:00", t, after=wait),
            ev("finished", 3, "09:00", t, after=wait + 10),
        ]
    return {
        3: monday,
        4: [ev("paused", 4, "11:30"), ev("resumed", 4, "14:40")],
        5: [ev("paused", 5, "10:00"), ev("resumed", 5, "11:00")],
        6: [ev("issued", 6, "12:55", "B1", category="social"), ev("called", 6, "13:00", "B1"), ev("missed", 6, "13:01", "B1")],
    }


def test_the_worked_month() -> None:
    month = Figures()
    for day, events in month_events().items():
        staff, _ = day_figures(events, day=the_day(day), max_pause_minutes=30, vacant_min_minutes=10)
        month.add(staff[ANNA])
    facts = staff_facts(ANNA, month, first=MARCH, zone="Asia/Shanghai")
    assert {(f.kind, f.occurred_on, tuple(sorted(f.fields.items()))) for f in facts} == {
        ("queue.served", date(2025, 3, 31), (("tickets", 6),)),
        ("queue.wait_p90_minutes", date(2025, 3, 31), (("minutes", Decimal("22.0")), ("tickets", 6))),
        ("queue.paused_minutes", date(2025, 3, 31), (("minutes", 130),)),
        ("queue.vacant", date(2025, 3, 4), (("minutes", 70), ("reason", "long_pause"))),
        ("queue.vacant", date(2025, 3, 5), (("minutes", 60), ("reason", "long_pause"))),
        ("queue.vacant", date(2025, 3, 6), (("minutes", 0), ("reason", "call_unstaffed"))),
    }
    sheet = score({ANNA: facts}, rules=load_default_rules(), period=MARCH)[ANNA]
    assert {(ln.rule_id, ln.points) for ln in sheet.lines} == {
        ("queue.wait_p90_over_target", Decimal("-1.00")),
        ("queue.paused_over_limit", Decimal("-0.50")),
        ("queue.vacant", Decimal("-3.00")),
    }
    assert sheet.categories["quality"] == Decimal("19.00") and sheet.categories["management"] == Decimal("21.50")
    assert sheet.total == Decimal("95.50") and sheet.grade.code == "excellent"
