"""Daily attendance benchmark: one month of day records from synthetic punches, beside a naive loop.

Run: uv run python bench/attendance.py [--sizes 450 10000] [--month 2025-09] [--seed 5]

Both runs share punch de-duplication, leave indexing and the per-session rules; they differ only in
how a session finds its punches: ``day_records`` bisects the staff member's sorted punches, the
baseline scans all of that staff member's punches for every session (a plain Python loop). The
baseline's records must equal ``day_records``'s, or the benchmark fails.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, time as clock, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from window_staff.attendance.calendar import SessionHours, WorkCalendar, load_national_calendar
from window_staff.attendance.domain import (
    _MINUTE_US,
    DayRecord,
    Duty,
    GraceSettings,
    LeaveSpan,
    Punch,
    Schedule,
    _bounds,
    _days,
    _index_leave,
    _index_punches,
    _record,
    day_records,
)

SITES = 27  # one county centre and 26 township centres, as in the seed


def build_world(n_staff: int, *, month: date, seed: int):
    """Calendar, schedule, punches (2 per session, some late/early/missing/absent/doubled) and leave."""
    rng = random.Random(seed)
    national = load_national_calendar(REPO / "rules" / "calendar")
    hours = SessionHours("all", date(month.year, 1, 1), date(month.year, 12, 31),
                         clock(8, 30), clock(12), clock(14, 30), clock(17, 30))  # fmt: skip
    calendar = WorkCalendar(national, hours={s: [hours] for s in range(1, SITES + 1)})
    schedule = Schedule([Duty(i, i // 8, 1 + i % SITES) for i in range(n_staff)])
    end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    punches: list[Punch] = []
    leave: list[LeaveSpan] = []
    pid = 0
    for staff in range(n_staff):
        if rng.random() < 0.03:
            first = month + timedelta(days=rng.randrange(20))
            tz = calendar.time_zone(1 + staff % SITES)
            kind = rng.choice(["leave", "official_business", "training"])
            start = datetime.combine(first, clock(8), tzinfo=tz)
            leave.append(LeaveSpan(staff, kind, start, start + timedelta(days=1, hours=10), approved=True))
        for day in _days(month, end):
            for w in schedule.sessions_for(staff, calendar=calendar, day=day):
                roll = rng.random()
                if roll < 0.01:
                    continue  # absent
                stamps = []
                if roll >= 0.02:  # else sign-in missing
                    late = rng.random() < 0.06
                    stamps.append(w.start + timedelta(seconds=rng.randrange(360, 2700) if late else -rng.randrange(0, 1200)))
                if not 0.02 <= roll < 0.03:  # else sign-out missing
                    early = rng.random() < 0.04
                    stamps.append(w.end + timedelta(seconds=-rng.randrange(300, 3600) if early else rng.randrange(0, 900)))
                if stamps and rng.random() < 0.02:
                    stamps.append(stamps[0] + timedelta(seconds=rng.randrange(3, 20)))  # a double press
                for at in stamps:
                    pid += 1
                    punches.append(Punch(pid, staff, at.astimezone(UTC), "any", "bench"))
    rng.shuffle(punches)  # as they would arrive from many terminals
    return calendar, schedule, punches, leave, end


def naive_day_records(*, calendar, schedule, punches, leave, grace, staff_ids, period_start, period_end) -> list[DayRecord]:
    """Same records; each session scans every punch of its staff member instead of bisecting."""
    staff = sorted(set(staff_ids))
    wanted = set(staff)
    by_staff = _index_punches(punches, wanted, grace.duplicate_seconds)
    leave_by_staff = _index_leave(leave, wanted)
    before, after = grace.sign_in_window_before * _MINUTE_US, grace.sign_out_window_after * _MINUTE_US
    out: list[DayRecord] = []
    bounds: dict = {}  # cached as in day_records, so only the punch lookup differs
    for staff_id in staff:
        entries = by_staff.get(staff_id, [])
        spans = leave_by_staff.get(staff_id, [])
        for day in _days(period_start, period_end):
            for w in schedule.sessions_for(staff_id, calendar=calendar, day=day):
                b = bounds.get(w)
                if b is None:
                    b = bounds[w] = _bounds(w)
                s, e = b[0], b[1]
                sin = sout = -1
                for k, (t, _, kind) in enumerate(entries):
                    if sin < 0 and s - before <= t <= e and kind != "out":
                        sin = k
                    if s <= t <= e + after and kind != "in":
                        sout = k
                out.append(_record(staff_id, b, entries, sin, sout, spans, grace))
    return out


def timed(fn, *, repeat: int, **kw) -> tuple[float, list[DayRecord]]:
    """Best wall time of ``repeat`` runs."""
    best, result = float("inf"), []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(**kw)
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[450, 10_000])
    parser.add_argument("--month", default="2025-09", help="YYYY-MM; September 2025 has an adjusted working Sunday")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    month = date.fromisoformat(args.month + "-01")
    grace = GraceSettings()
    rows = []
    for n in args.sizes:
        calendar, schedule, punches, leave, end = build_world(n, month=month, seed=args.seed)
        kw = dict(calendar=calendar, schedule=schedule, punches=punches, leave=leave, grace=grace,
                  staff_ids=range(n), period_start=month, period_end=end)  # fmt: skip
        repeat = 3 if n <= 1000 else 1
        fast_s, fast = timed(day_records, repeat=repeat, **kw)
        naive_s, naive = timed(naive_day_records, repeat=repeat, **kw)
        if fast != naive:
            raise SystemExit(f"{n} staff: the baseline disagrees with day_records")
        statuses = Counter(r.status.value for r in fast)
        rows.append((n, len(punches), len(fast), fast_s, naive_s, statuses))
    print(f"attendance month {args.month}, python {sys.version.split()[0]}, best of 3 below 1000 staff else 1 run")
    head = (
        f"{'staff':>7} {'punches':>9} {'records':>9} {'day_records s':>14} {'records/s':>11} {'naive s':>9} {'records/s':>11} {'ratio':>6}"
    )
    print(head)
    print("-" * len(head))
    for n, np_, nr, fs, ns, _ in rows:
        print(f"{n:>7} {np_:>9} {nr:>9} {fs:>14.3f} {nr / fs:>11,.0f} {ns:>9.3f} {nr / ns:>11,.0f} {ns / fs:>5.1f}x")
    n, *_, statuses = rows[-1]
    print(f"statuses at {n} staff: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))


if __name__ == "__main__":
    main()
