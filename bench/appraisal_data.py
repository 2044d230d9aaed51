"""Data for bench/appraisal.py: one month of a province, written in bulk at driver speed.

What ``build`` leaves in a freshly migrated database:
- org: ``sites`` sites, ``departments`` departments, ``windows`` windows (spread over the sites, each of one
  department) and N staff spread evenly over the windows; an HR user, an inspection lead and an inspector;
- attendance: every working day of the month (national calendar, chinese-calendar) two sessions per staff,
  with four punches a day (``in``/``out`` per session) unless the session is absent, on leave or missing a
  punch; approved leave requests for leave sessions; the month's stored day records
  (``attendance_day_record``) exactly as the attendance month close would store them, and a month close
  for every site but the last one (``probe_site``, left open so bench/appraisal.py can time ``close_month``
  on it and check its derivation against what was written here);
- inspections: visits (open and undercover, done, published) and published findings on checklist items
  with their ``positive`` flag, observed inside the month in Asia/Shanghai, spread over random staff.

Day records are written directly from the same per-session outcomes the punches are drawn from, instead of
running the close's derivation over millions of punches. The mix per session: ~3 % late (6-60 minutes:
up to 5 is on time by rules/attendance/grace.toml), ~1 % early leave (1-60 minutes), ~0.5 % absent,
~0.5 % missing a punch, ~0.5 % on leave (whole or half days).

Rows go in with ``copy_records_to_table`` on PostgreSQL and ``executemany`` on SQLite, in one transaction
per chunk of staff; punch ids are assigned here so day records can point at their punches.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time as clock, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.table import Table

from window_staff.attendance.calendar import SessionHours, WorkCalendar
from window_staff.attendance.service.inputs import national_of
from window_staff.attendance.tables import LeaveRequest, MonthClose, Punch, SiteHours, StoredDayRecord
from window_staff.auth import service as auth_service
from window_staff.auth.schemas import UserCreateIn
from window_staff.common.context import AppContext
from window_staff.common.db import execute, insert_rows, is_sqlite, write_transaction
from window_staff.common.principal import Principal
from window_staff.inspections.tables import Finding, Visit, VisitInspector
from window_staff.org.tables import Department, Site, Staff, Window
from window_staff.scoring.rules import rules_of

ZONE = "Asia/Shanghai"
HOURS = (clock(8, 30), clock(12), clock(14, 30), clock(17, 30))
PASSWORD = "bench-password-1"

# Per-session chances (per day for whole-day leave).
DAY_LEAVE = 0.003
HALF_LEAVE = 0.004
ABSENT = 0.005
MISSING = 0.005
LATE = 0.03
EARLY = 0.01
LEAVE_KINDS = ("leave", "leave", "official_business", "training")
CHUNK_STAFF = 2000


def progress(message: str) -> None:
    """One line of progress on stderr (the table goes to stdout)."""
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class World:
    """What was written, and who computes."""

    hr: Principal
    site_ids: list[int]
    probe_site: int | None
    staff_ids: list[int]
    staff_site: dict[int, int]
    punches: int = 0
    records: int = 0
    leave: int = 0
    visits: int = 0
    findings: int = 0
    scoring_sessions: int = 0  # stored sessions that yield at least one attendance fact
    site_punches: dict[int, int] = field(default_factory=dict)
    status_counts: dict[str, int] = field(default_factory=dict)


async def bulk(ctx: AppContext, table: type[Table], columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Append rows in the current transaction: COPY on PostgreSQL, one executemany on SQLite."""
    if not rows:
        return
    tx = ctx.engine.current_transaction.get()
    name = table._meta.tablename
    if is_sqlite(ctx.engine):
        marks = ", ".join("?" * len(columns))
        names = ", ".join(f'"{c}"' for c in columns)
        await tx.connection.executemany(f'INSERT INTO "{name}" ({names}) VALUES ({marks})', rows)
    else:
        await tx.connection.copy_records_to_table(name, records=rows, columns=list(columns))


async def make_user(ctx: AppContext, username: str, *roles: str) -> Principal:
    """A user holding ``roles``, as the principal a session would resolve to."""
    user, _ = await auth_service.create_user(ctx, UserCreateIn(username=username, password=PASSWORD, roles=list(roles)), actor="bench")
    return Principal(user_id=user.id, username=username, roles=frozenset(roles), staff_id=None)


def month_sessions(ctx: AppContext, first: date, site_id: int) -> list[tuple[date, tuple[datetime, datetime], tuple[datetime, datetime]]]:
    """(day, am UTC bounds, pm UTC bounds) of every working day of the month, from the app's own calendar."""
    hours = SessionHours("all", date(first.year, 1, 1), date(first.year, 12, 31), *HOURS)
    calendar = WorkCalendar(national_of(ctx), hours={site_id: [hours]}, time_zones={site_id: ZONE})
    out = []
    day = first
    while day.month == first.month:
        windows = calendar.sessions_on(day, site_id=site_id)
        if windows:
            am, pm = ((w.start.astimezone(UTC), w.end.astimezone(UTC)) for w in windows)
            out.append((day, am, pm))
        day += timedelta(days=1)
    return out


_PUNCH_COLUMNS = (
    "id",
    "staff",
    "captured_at",
    "received_at",
    "kind",
    "source",
    "verify_mode",
    "verified_on_device",
    "needs_attestation",
    "future_capture",
    "event_key",
)
_RECORD_COLUMNS = (
    "staff",
    "site",
    "month",
    "day",
    "session",
    "start_at",
    "end_at",
    "status",
    "late_minutes",
    "early_minutes",
    "sign_in_punch",
    "sign_out_punch",
    "leave_kind",
    "computed_at",
)
_LEAVE_COLUMNS = ("staff", "kind", "start_at", "end_at", "reason", "status", "requested_by", "requested_at", "decided_by", "decided_at")


class MonthWriter:
    """Draws each staff member's month: punches, the day records they lead to, leave."""

    def __init__(self, rng: random.Random, *, key: str, now: datetime, next_punch: int) -> None:
        self.rng = rng
        self.key = key
        self.now = now
        self.next_punch = next_punch
        self.punches: list[tuple[Any, ...]] = []
        self.records: list[tuple[Any, ...]] = []
        self.leave: list[tuple[Any, ...]] = []
        self.counts: dict[str, int] = {}
        self.site_punches: dict[int, int] = {}
        self.scoring = 0

    def _punch(self, sid: int, at: datetime, kind: str) -> int:
        pid = self.next_punch
        self.next_punch += 1
        self.punches.append((pid, sid, at, at, kind, "terminal", "face+fingerprint", True, False, False, f"bench:{pid}"))
        return pid

    def _record(
        self,
        sid: int,
        site: int,
        day: date,
        session: str,
        s: datetime,
        e: datetime,
        status: str,
        late: int = 0,
        early: int = 0,
        sin: int | None = None,
        sout: int | None = None,
        leave_kind: str | None = None,
    ) -> None:
        self.records.append((sid, site, self.key, day, session, s, e, status, late, early, sin, sout, leave_kind, self.now))
        self.counts[status] = self.counts.get(status, 0) + 1
        if status not in ("present", "on_leave") or late or early:
            self.scoring += 1

    def _minutes(self, top: int, low: int) -> int:
        r = self.rng.random()
        if r < 0.6:
            return self.rng.randint(low, min(15, top))
        if r < 0.85:
            return self.rng.randint(16, 30)
        return self.rng.randint(31, top)

    def _session(self, sid: int, site: int, day: date, session: str, s: datetime, e: datetime) -> None:
        rng = self.rng
        u = rng.random()
        if u < ABSENT:
            self._record(sid, site, day, session, s, e, "absent")
            return
        if u < ABSENT + MISSING:
            if rng.random() < 0.5:
                sout = self._punch(sid, e + timedelta(seconds=rng.randint(0, 900)), "out")
                self._record(sid, site, day, session, s, e, "missing_sign_in", sout=sout)
            else:
                sin = self._punch(sid, s - timedelta(seconds=rng.randint(60, 1800)), "in")
                self._record(sid, site, day, session, s, e, "missing_sign_out", sin=sin)
            return
        late = self._minutes(60, 6) if rng.random() < LATE else 0
        early = self._minutes(60, 1) if rng.random() < EARLY else 0
        # whole minutes are rounded up: (m - 1) minutes and 1-60 seconds past the start is m minutes late
        at_in = s + timedelta(seconds=(late - 1) * 60 + rng.randint(1, 60)) if late else s - timedelta(seconds=rng.randint(60, 1800))
        at_out = e - timedelta(seconds=(early - 1) * 60 + rng.randint(1, 60)) if early else e + timedelta(seconds=rng.randint(0, 900))
        sin = self._punch(sid, at_in, "in")
        sout = self._punch(sid, at_out, "out")
        status = "late_and_early_leave" if late and early else "late" if late else "early_leave" if early else "present"
        self._record(sid, site, day, session, s, e, status, late, early, sin, sout)

    def staff_month(
        self, sid: int, site: int, sessions: Sequence[tuple[date, tuple[datetime, datetime], tuple[datetime, datetime]]]
    ) -> None:
        """One staff member's month."""
        rng = self.rng
        before = len(self.punches)
        for day, (am_s, am_e), (pm_s, pm_e) in sessions:
            r = rng.random()
            if r < DAY_LEAVE:
                kind = rng.choice(LEAVE_KINDS)
                self.leave.append((sid, kind, am_s, pm_e, "bench", "approved", "bench", self.now, "bench", self.now))
                self._record(sid, site, day, "am", am_s, am_e, "on_leave", leave_kind=kind)
                self._record(sid, site, day, "pm", pm_s, pm_e, "on_leave", leave_kind=kind)
                continue
            half = "am" if r < DAY_LEAVE + HALF_LEAVE / 2 else "pm" if r < DAY_LEAVE + HALF_LEAVE else None
            for session, s, e in (("am", am_s, am_e), ("pm", pm_s, pm_e)):
                if session == half:
                    kind = rng.choice(LEAVE_KINDS)
                    self.leave.append((sid, kind, s, e, "bench", "approved", "bench", self.now, "bench", self.now))
                    self._record(sid, site, day, session, s, e, "on_leave", leave_kind=kind)
                else:
                    self._session(sid, site, day, session, s, e)
        self.site_punches[site] = self.site_punches.get(site, 0) + len(self.punches) - before

    def take(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """The rows drawn since the last take."""
        out = (self.punches, self.records, self.leave)
        self.punches, self.records, self.leave = [], [], []
        return out


async def build_org(
    ctx: AppContext, *, staff: int, sites: int, departments: int, windows: int, first: date
) -> tuple[list[int], list[int], dict[int, int], dict[int, int]]:
    """Sites, departments, windows, staff and the sites' session hours; returns (site ids, staff ids, staff->site, staff->window)."""
    now = ctx.clock.now()
    windows = max(sites, min(windows, staff))
    async with write_transaction(ctx.engine):
        site_ids = await insert_rows(
            ctx.engine,
            Site,
            [Site.code, Site.name, Site.kind, Site.timezone, Site.created_at],
            [(f"S{i:03d}", f"site {i}", "county_centre" if i == 0 else "township_centre", ZONE, now) for i in range(sites)],
        )
        dept_ids = await insert_rows(
            ctx.engine,
            Department,
            [Department.code, Department.name, Department.active, Department.created_at],
            [(f"D{i:04d}", f"department {i}", True, now) for i in range(departments)],
        )
        window_site = [site_ids[w * sites // windows] for w in range(windows)]
        window_dept = [dept_ids[w % departments] for w in range(windows)]
        window_ids = await insert_rows(
            ctx.engine,
            Window,
            [Window.site, Window.department, Window.number, Window.name, Window.active, Window.created_at],
            [(window_site[w], window_dept[w], f"W{w:05d}", "", True, now) for w in range(windows)],
        )
        staff_ids = await insert_rows(
            ctx.engine,
            Staff,
            [Staff.employee_no, Staff.name, Staff.department, Staff.window, Staff.hired_on, Staff.status, Staff.created_at],
            [
                (f"E{i:07d}", f"staff {i}", window_dept[i % windows], window_ids[i % windows], date(2020, 1, 1), "active", now)
                for i in range(staff)
            ],
        )
        h = HOURS
        await insert_rows(
            ctx.engine,
            SiteHours,
            [
                SiteHours.site,
                SiteHours.name,
                SiteHours.valid_from,
                SiteHours.valid_to,
                SiteHours.am_start,
                SiteHours.am_end,
                SiteHours.pm_start,
                SiteHours.pm_end,
            ],
            [(s, "all", date(first.year, 1, 1), date(first.year, 12, 31), *h) for s in site_ids],
        )
    staff_site = {sid: window_site[i % windows] for i, sid in enumerate(staff_ids)}
    staff_window = {sid: window_ids[i % windows] for i, sid in enumerate(staff_ids)}
    return site_ids, staff_ids, staff_site, staff_window


async def build_attendance(ctx: AppContext, world: World, *, first: date, seed: int) -> None:
    """Punches, leave and stored day records for every staff member; month closes for all sites but the probe."""
    key = f"{first.year:04d}-{first.month:02d}"
    now = ctx.clock.now()
    sessions = month_sessions(ctx, first, world.site_ids[0])
    writer = MonthWriter(random.Random(seed), key=key, now=now, next_punch=1)
    started = time.perf_counter()
    ids = world.staff_ids
    for i in range(0, len(ids), CHUNK_STAFF):
        for sid in ids[i : i + CHUNK_STAFF]:
            writer.staff_month(sid, world.staff_site[sid], sessions)
        punches, records, leave = writer.take()
        async with write_transaction(ctx.engine):
            await bulk(ctx, Punch, _PUNCH_COLUMNS, punches)
            await bulk(ctx, StoredDayRecord, _RECORD_COLUMNS, records)
            await bulk(ctx, LeaveRequest, _LEAVE_COLUMNS, leave)
        world.punches += len(punches)
        world.records += len(records)
        world.leave += len(leave)
        done = min(i + CHUNK_STAFF, len(ids))
        if done == len(ids) or (i // CHUNK_STAFF) % 10 == 9:
            rate = world.punches / (time.perf_counter() - started)
            progress(
                f"attendance: {done:,}/{len(ids):,} staff, {world.punches:,} punches, {world.records:,} day records ({rate:,.0f} punches/s)"
            )
    world.scoring_sessions = writer.scoring
    world.site_punches = writer.site_punches
    world.status_counts = dict(sorted(writer.counts.items()))
    async with write_transaction(ctx.engine):
        if not is_sqlite(ctx.engine):
            await execute(ctx.engine, "SELECT setval(pg_get_serial_sequence('punch', 'id'), {})", writer.next_punch)
        closed = [s for s in world.site_ids if s != world.probe_site]
        await bulk(ctx, MonthClose, ("site", "month", "closed_at", "closed_by"), [(s, key, now, "bench") for s in closed])
    progress(
        f"attendance: {len(sessions)} working days in {key}; sessions by status {world.status_counts}; month closed for {len(closed)} sites"
    )


async def build_findings(
    ctx: AppContext,
    world: World,
    *,
    first: date,
    findings: int,
    seed: int,
    staff_window: dict[int, int],
    lead: Principal,
    inspector: Principal,
) -> None:
    """Done, published visits per site and ``findings`` published findings about random staff of the visited site."""
    rng = random.Random(seed + 1)
    now = ctx.clock.now()
    items = [(c.id, c.category, c.positive) for c in rules_of(ctx).checklist]
    bad = [c for c in items if not c[2]]
    good = [c for c in items if c[2]]
    days = [d for d, _, _ in month_sessions(ctx, first, world.site_ids[0])]
    tz = ZoneInfo(ZONE)
    per_site = max(1, findings // (25 * len(world.site_ids)))
    plan = []
    for site in world.site_ids:
        for _ in range(per_site):
            day = rng.choice(days)
            start = datetime.combine(day, clock(9), tzinfo=tz).astimezone(UTC)
            plan.append((rng.choice(("open", "open", "undercover")), site, start))
    by_site: dict[int, list[int]] = {}
    for sid in world.staff_ids:
        by_site.setdefault(world.staff_site[sid], []).append(sid)
    async with write_transaction(ctx.engine):
        visit_ids = await insert_rows(
            ctx.engine,
            Visit,
            [
                Visit.kind,
                Visit.site,
                Visit.planned_at,
                Visit.started_at,
                Visit.ended_at,
                Visit.status,
                Visit.note,
                Visit.planned_by,
                Visit.created_at,
                Visit.published_at,
            ],
            [
                (
                    kind,
                    site,
                    start,
                    start,
                    start + timedelta(hours=7),
                    "done",
                    "",
                    lead.actor,
                    start - timedelta(days=2),
                    start + timedelta(days=1),
                )
                for kind, site, start in plan
            ],
        )
        await bulk(ctx, VisitInspector, ("visit", "inspector"), [(v, inspector.user_id) for v in visit_ids])
        rows = []
        for _ in range(findings):
            v = rng.randrange(len(plan))
            _, site, start = plan[v]
            if not by_site.get(site):
                continue
            sid = rng.choice(by_site[site])
            item, category, positive = rng.choice(bad if rng.random() < 0.85 or not good else good)
            seen = start + timedelta(seconds=rng.randint(0, 7 * 3600 - 1))
            severity = "minor" if positive else rng.choice(("minor",) * 6 + ("major",) * 3 + ("serious",))
            rows.append(
                (
                    visit_ids[v],
                    sid,
                    staff_window[sid],
                    item,
                    category,
                    positive,
                    severity,
                    seen,
                    "",
                    "published",
                    1,
                    inspector.user_id,
                    seen,
                    start + timedelta(days=1),
                    lead.actor,
                )
            )
        await bulk(
            ctx,
            Finding,
            (
                "visit",
                "staff",
                "window",
                "item",
                "category",
                "positive",
                "severity",
                "observed_at",
                "note",
                "status",
                "revision",
                "logged_by",
                "created_at",
                "published_at",
                "published_by",
            ),
            rows,
        )
    world.visits, world.findings = len(visit_ids), len(rows)
    progress(f"inspections: {len(visit_ids):,} visits, {len(rows):,} published findings ({now:%Y-%m-%d})")


async def build(
    ctx: AppContext, *, staff: int, sites: int, departments: int, windows: int, findings: int, first: date, seed: int, probe: bool
) -> World:
    """The whole month; ``probe`` leaves the last site's month open (for timing close_month on it)."""
    started = time.perf_counter()
    hr = await make_user(ctx, "bench_hr", "hr")
    lead = await make_user(ctx, "bench_lead", "inspection_lead")
    inspector = await make_user(ctx, "bench_inspector", "inspector")
    site_ids, staff_ids, staff_site, staff_window = await build_org(
        ctx, staff=staff, sites=sites, departments=departments, windows=windows, first=first
    )
    progress(
        f"org: {len(site_ids)} sites, {departments} departments, {len(set(staff_window.values())):,} windows, {len(staff_ids):,} staff"
    )
    world = World(hr=hr, site_ids=site_ids, probe_site=site_ids[-1] if probe else None, staff_ids=staff_ids, staff_site=staff_site)
    await build_attendance(ctx, world, first=first, seed=seed)
    await build_findings(ctx, world, first=first, findings=findings, seed=seed, staff_window=staff_window, lead=lead, inspector=inspector)
    if not is_sqlite(ctx.engine):
        # autovacuum would analyse the new tables shortly after such a load; do it now so plans do not depend on timing
        await execute(ctx.engine, "ANALYZE")
    progress(f"data built in {time.perf_counter() - started:.0f} s")
    return world
