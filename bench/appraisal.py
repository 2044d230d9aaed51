"""Appraisal benchmark: compute one month for a province (100,000 staff) through the service, beside the engine alone.

Run: uv run python bench/appraisal.py [--staff 100000] [--findings 50000] [--month 2025-09] [--postgres URL | --no-postgres] [--no-sqlite]

Per engine, a fresh database (SQLite file in a temp dir; a new PostgreSQL database) is migrated and filled by
bench/appraisal_data.py: ~20 sites, ~200 departments, ~5,000 windows, N staff; four punches per staff and
working day (~9 million at 100k staff); the month's stored day records written directly as the attendance
month close leaves them (NOT derived by close_month: see below), a month close for every site but one;
~50,000 published findings from open and undercover visits. Then:
- close_month: ``attendance.service_admin.close_month`` on the one site left open (derives from its punches
  and leave, stores, closes); its stored records must equal the ones written directly, or the run fails;
- raw read: the rows compute needs (postings, scoring day records, published findings) read with the bare
  driver (asyncpg / sqlite3), no objects built;
- engine: ``window_staff.scoring.score`` on the month's facts already in memory (gathered once with
  ``appraisal.service.month_facts``), best of --repeat; this is the baseline of the ratio;
- compute: ``appraisal.service.compute`` on a fresh period (writes every sheet), once;
- recompute: ``compute`` again with nothing changed (writes no sheet), best of --repeat.
The breakdown times compute's own steps (wrapped in this process, nothing else changed). Goal: compute of
the whole month under 60 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from appraisal_data import World, build, progress

from window_staff.app import (
    FACT_SOURCES,
    build_context,
    load_rules_at_start,
)
from window_staff.appraisal import (
    sources as appraisal_sources,
    store as appraisal_store,
)
from window_staff.appraisal.service import lifecycle as appraisal
from window_staff.attendance import (
    facts as attendance_facts,
    service as attendance,
)
from window_staff.attendance.service import admin as service_admin
from window_staff.common.db import close_pool, create_engine, start_pool
from window_staff.evaluations import facts as evaluations_facts
from window_staff.inspections import facts as inspections_facts
from window_staff.migrations import migrate
from window_staff.org import service as org
from window_staff.scoring import score
from window_staff.scoring.rules import rules_of
from window_staff.settings import load_settings

GOAL_S = 60.0

# compute's steps, wrapped by attribute so compute itself runs unchanged: (owner, attribute, label)
STEPS: list[tuple[Any, str, str]] = [
    (org, "postings_employed_between", "postings"),
    (attendance_facts, "month_facts", "attendance facts"),
    (inspections_facts, "month_facts", "findings"),
    (evaluations_facts, "month_facts", "evaluations"),
    (appraisal_store, "adjustment_facts", "appeal adjustments"),
    (appraisal, "month_facts", "facts total"),
    (appraisal, "score_sheets", "score + sheet rows"),
    (appraisal_store, "current_hashes", "current hashes"),
    (appraisal_store, "replace_sheets", "insert sheets"),
    (appraisal, "write_computation", "write (transaction)"),
    (appraisal, "period_out", "period view"),
]


class Steps:
    """Seconds spent in each wrapped step since the last ``reset``."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._saved: list[tuple[Any, str, Any]] = []

    def install(self, ctx: Any) -> None:
        for owner, name, label in STEPS:
            original = getattr(owner, name)
            self._saved.append((owner, name, original))
            setattr(owner, name, self._wrap(original, label))
        # the appraisal calls the fact sources registered in the context: register the wrapped ones
        appraisal_sources.register(ctx, [attendance_facts.month_facts, inspections_facts.month_facts, evaluations_facts.month_facts])

    def uninstall(self, ctx: Any) -> None:
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)
        self._saved.clear()
        appraisal_sources.register(ctx, FACT_SOURCES)

    def _wrap(self, fn: Callable[..., Any], label: str) -> Callable[..., Any]:
        seconds = self.seconds
        if asyncio.iscoroutinefunction(fn):

            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                t0 = time.perf_counter()
                try:
                    return await fn(*args, **kwargs)
                finally:
                    seconds[label] += time.perf_counter() - t0

            return timed_async

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[label] += time.perf_counter() - t0

        return timed

    def reset(self) -> dict[str, float]:
        out = dict(self.seconds)
        self.seconds.clear()
        return out


@dataclass
class Result:
    """One engine's numbers."""

    engine: str
    world: World
    facts: int = 0
    raw_read_s: float = 0.0
    raw_rows: int = 0
    gather_s: float = 0.0
    engine_s: float = 0.0
    sheets_s: float = 0.0
    compute_s: float = 0.0
    recompute_s: float = 0.0
    first_steps: dict[str, float] = field(default_factory=dict)
    again_steps: dict[str, float] = field(default_factory=dict)
    close: tuple[int, int, int, float] | None = None  # (staff, punches, records, seconds)


def _month_bounds(first: date) -> tuple[datetime, datetime]:
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return (
        datetime.combine(first - timedelta(days=1), datetime.min.time(), tzinfo=UTC),
        datetime.combine(nxt + timedelta(days=1), datetime.min.time(), tzinfo=UTC),
    )


_RAW = (
    'SELECT s.id, s.employee_no, s.name, s.department, s."window", s.hired_on, s.left_on, w.site, si.timezone FROM staff s '
    'LEFT JOIN service_window w ON w.id = s."window" LEFT JOIN site si ON si.id = w.site ORDER BY s.employee_no',
    'SELECT staff, day, "session", status, late_minutes, early_minutes FROM attendance_day_record WHERE month = {month} '
    "AND (status NOT IN ('present', 'on_leave') OR late_minutes > 0 OR early_minutes > 0)",
    "SELECT f.id, f.staff, f.item, f.severity, f.positive, f.observed_at, v.kind, si.timezone FROM inspection_finding f "
    "JOIN inspection_visit v ON v.id = f.visit JOIN site si ON si.id = v.site WHERE f.status = 'published' AND f.published_at IS NOT NULL "
    "AND f.staff IS NOT NULL AND f.observed_at >= {lo} AND f.observed_at < {hi}",
)


async def raw_read(url: str, *, first: date) -> int:
    """The rows compute reads, with the bare driver; returns how many."""
    month = f"{first.year:04d}-{first.month:02d}"
    lo, hi = _month_bounds(first)
    n = 0
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url[len("sqlite:///") :])
        try:
            # Piccolo stores aware instants as UTC ISO text on SQLite
            args = {"month": month, "lo": lo.isoformat(), "hi": hi.isoformat()}
            for sql in _RAW:
                n += len(conn.execute(sql.format(month=":month", lo=":lo", hi=":hi"), args).fetchall())
        finally:
            conn.close()
        return n
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        n += len(await conn.fetch(_RAW[0]))
        n += len(await conn.fetch(_RAW[1].format(month="$1"), month))
        n += len(await conn.fetch(_RAW[2].format(lo="$1", hi="$2"), lo, hi))
    finally:
        await conn.close()
    return n


async def best(repeat: int, fn: Callable[[], Any]) -> tuple[Any, float]:
    """(last result, best seconds) of ``repeat`` runs of an async or sync callable."""
    out, seconds = None, float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        if asyncio.iscoroutine(out):
            out = await out
        seconds = min(seconds, time.perf_counter() - t0)
    return out, seconds


async def probe_close(ctx: Any, world: World, *, first: date, key: str) -> tuple[int, int, int, float]:
    """Time close_month on the site left open; its stored records must equal the ones written directly."""
    site = world.probe_site
    staff = [s for s in world.staff_ids if world.staff_site[s] == site]

    async def rows() -> list[tuple[Any, ...]]:
        found = await attendance.load_stored(staff, month=first)
        return sorted(
            (
                r.staff_id,
                r.day,
                r.session,
                r.status.value,
                r.late_minutes,
                r.early_minutes,
                r.sign_in_punch_id,
                r.sign_out_punch_id,
                r.leave_kind,
                r.start,
                r.end,
            )
            for r in found
        )

    written = await rows()
    t0 = time.perf_counter()
    out = await service_admin.close_month(ctx, site_id=site, month=key, actor=world.hr.actor)
    seconds = time.perf_counter() - t0
    derived = await rows()
    if derived != written:
        diff = (
            next((a, b) for a, b in zip(written, derived, strict=False) if a != b)
            if len(written) == len(derived)
            else (len(written), len(derived))
        )
        raise SystemExit(f"close_month on site {site} derived records that differ from the ones written directly: {diff}")
    return len(staff), world.site_punches.get(site, 0), out.records or 0, seconds


async def run_engine(name: str, url: str, args: argparse.Namespace, steps: Steps) -> Result:
    """Build the month on one fresh database and measure."""
    first = date.fromisoformat(args.month + "-01")
    key = args.month
    data_dir = tempfile.mkdtemp(prefix="ws-bench-")
    settings = load_settings({}, database_url=url, data_dir=data_dir, rules_dir=REPO / "rules", face_pool_warm=False)
    engine = create_engine(url)
    await start_pool(engine)
    try:
        await migrate(engine)
        ctx = build_context(settings, engine=engine)
        load_rules_at_start(ctx)
        progress(f"{name}: building {args.staff:,} staff, {args.findings:,} findings for {key}")
        world = await build(
            ctx,
            staff=args.staff,
            sites=args.sites,
            departments=args.departments,
            windows=args.windows,
            findings=args.findings,
            first=first,
            seed=args.seed,
            probe=args.close_month,
        )
        result = Result(name, world)
        if args.close_month:
            progress(f"{name}: close_month on site {world.probe_site}")
            result.close = await probe_close(ctx, world, first=first, key=key)
        progress(f"{name}: raw read")
        result.raw_rows, result.raw_read_s = await best(args.repeat, lambda: raw_read(url, first=first))
        progress(f"{name}: gathering facts (month_facts)")
        last = date(first.year + (first.month == 12), first.month % 12 + 1, 1) - timedelta(days=1)
        postings = await org.postings_employed_between(first=first, last=last)
        facts, result.gather_s = await best(args.repeat, lambda: appraisal.month_facts(ctx, postings=postings, first=first, period_id=None))
        result.facts = sum(map(len, facts.values()))
        progress(f"{name}: {result.facts:,} facts for {len(facts):,} staff; engine alone")
        rules = rules_of(ctx)
        _, result.engine_s = await best(args.repeat, lambda: score(facts, rules=rules, period=first))
        _, result.sheets_s = await best(args.repeat, lambda: appraisal.score_sheets(ctx, facts, first=first))
        facts.clear()  # the compute below gathers its own
        progress(f"{name}: compute (first: every sheet written)")
        steps.install(ctx)
        try:
            profile = cProfile.Profile() if args.profile else None
            if profile:
                profile.enable()
            t0 = time.perf_counter()
            out = await appraisal.compute(ctx, key, principal=world.hr)
            result.compute_s = time.perf_counter() - t0
            if profile:
                profile.disable()
                report(profile, f"{name}: compute (first)")
            result.first_steps = steps.reset()
            if out.staff != len(postings) or out.changed != len(postings) or out.facts != result.facts:
                raise SystemExit(
                    f"{name}: first compute scored {out.staff} staff, wrote {out.changed}, {out.facts} facts; expected {len(postings)}, "
                    f"{len(postings)}, {result.facts}"
                )
            progress(f"{name}: compute {result.compute_s:.1f} s; recompute x{args.repeat}")
            result.recompute_s = float("inf")
            for _ in range(args.repeat):
                profile = cProfile.Profile() if args.profile else None
                if profile:
                    profile.enable()
                t0 = time.perf_counter()
                again = await appraisal.compute(ctx, key, principal=world.hr)
                seconds = time.perf_counter() - t0
                if profile:
                    profile.disable()
                taken = steps.reset()
                if seconds < result.recompute_s:
                    result.recompute_s, result.again_steps = seconds, taken
                    if profile:
                        kept = profile
                if again.changed != 0:
                    raise SystemExit(f"{name}: a recompute with nothing changed wrote {again.changed} sheets")
            if args.profile:
                report(kept, f"{name}: recompute (best)")
        finally:
            steps.uninstall(ctx)
        return result
    finally:
        await close_pool(engine)
        shutil.rmtree(data_dir, ignore_errors=True)


def report(profile: cProfile.Profile, title: str) -> None:
    """The profile on stderr: top functions by own time, and the project's and drivers' functions by cumulative time.

    Cumulative times of coroutines count only their running time, not their waits on the database.
    """
    for order, pattern, limit in (("tottime", "", 30), ("cumulative", "window_staff|piccolo|asyncpg|aiosqlite", 45)):
        buf = io.StringIO()
        stats = pstats.Stats(profile, stream=buf).sort_stats(order)
        stats.print_stats(pattern, limit) if pattern else stats.print_stats(limit)
        text = buf.getvalue()
        for prefix in (REPO / "src", Path(pstats.__file__).parent, Path(asyncio.__file__).parent, Path(cProfile.__file__).parent):
            text = text.replace(f"{prefix}/", "")
        import piccolo

        text = text.replace(f"{Path(piccolo.__file__).parent.parent}/", "")
        print(f"\n--- profile {title}, by {order}{' (' + pattern + ')' if pattern else ''} ---\n{text}", file=sys.stderr, flush=True)


async def main_async(args: argparse.Namespace) -> None:
    results: list[Result] = []
    steps = Steps()
    if args.sqlite:
        folder = Path(tempfile.mkdtemp(prefix="ws-bench-db-"))
        try:
            results.append(await run_engine("sqlite", f"sqlite:///{folder / 'bench.sqlite3'}", args, steps))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if args.postgres:
        import asyncpg

        db = f"ws_bench_appraisal_{os.getpid()}"
        admin = await asyncpg.connect(args.postgres)
        await admin.execute(f'CREATE DATABASE "{db}"')
        await admin.close()
        try:
            url = urlunparse(urlparse(args.postgres)._replace(path=f"/{db}"))
            results.append(await run_engine("postgresql", url, args, steps))
        finally:
            admin = await asyncpg.connect(args.postgres)
            await admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            await admin.close()
    print_tables(results, args)


def print_tables(results: list[Result], args: argparse.Namespace) -> None:
    """The summary, the compute breakdown and the close_month row."""
    print(
        f"\nappraisal compute, month {args.month}, python {sys.version.split()[0]}, engine and recompute best of {args.repeat}, compute "
        "once"
    )
    print(
        "day records written directly as the attendance month close leaves them (one site closed by close_month and checked);"
        " baseline = scoring engine alone on the facts in memory"
    )
    head = (
        f"{'engine':<11} {'staff':>8} {'punches':>10} {'findings':>8} {'facts':>8} {'engine s':>9} {'facts/s':>10} {'staff/s':>9} "
        f"{'compute s':>10} {'recompute s':>12} {'compute/engine':>15}  goal <{GOAL_S:.0f}s"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        w = r.world
        goal = ("PASS" if r.compute_s < GOAL_S else "FAIL") if r.engine == "postgresql" else "n/a"
        print(
            f"{r.engine:<11} {len(w.staff_ids):>8,} {w.punches:>10,} {w.findings:>8,} {r.facts:>8,} {r.engine_s:>9.2f} "
            f"{r.facts / r.engine_s:>10,.0f} "
            f"{len(w.staff_ids) / r.engine_s:>9,.0f} {r.compute_s:>10.2f} {r.recompute_s:>12.2f} {r.compute_s / r.engine_s:>14.1f}x  {goal}"
        )
    print("\nbreakdown (seconds; '.' steps are part of the step above them)")
    labels = [
        ("postings", 0),
        ("facts total", 0),
        ("attendance facts", 1),
        ("findings", 1),
        ("appeal adjustments", 1),
        ("score + sheet rows", 0),
        ("write (transaction)", 0),
        ("current hashes", 1),
        ("insert sheets", 1),
        ("period view", 0),
    ]
    head = (
        f"{'engine':<11} {'run':<10} "
        + " ".join(f"{('.' if d else '') + lab:>{max(9, len(lab) + d)}}" for lab, d in labels)
        + f" {'other':>7} {'total':>7}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        for run, taken, total in (("compute", r.first_steps, r.compute_s), ("recompute", r.again_steps, r.recompute_s)):
            top = sum(taken.get(lab, 0.0) for lab, d in labels if d == 0)
            cells = " ".join(f"{taken.get(lab, 0.0):>{max(9, len(lab) + d)}.2f}" for lab, d in labels)
            print(f"{r.engine:<11} {run:<10} {cells} {total - top:>7.2f} {total:>7.2f}")
    print("\nbaselines and parts measured outside compute (best of repeat)")
    head = (
        f"{'engine':<11} {'raw read s':>10} {'rows':>9} {'month_facts s':>14} {'engine s':>9} {'score_sheets s':>15} "
        f"{'compute/raw read':>17}"
        f" {'close_month 1 site':>19} {'staff':>6} {'punches':>9} {'records':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        close = (
            f"{r.close[3]:>18.2f}s {r.close[0]:>6,} {r.close[1]:>9,} {r.close[2]:>8,}" if r.close else f"{'-':>19} {'':>6} {'':>9} {'':>8}"
        )
        print(
            f"{r.engine:<11} {r.raw_read_s:>10.2f} {r.raw_rows:>9,} {r.gather_s:>14.2f} {r.engine_s:>9.2f} {r.sheets_s:>15.2f} "
            f"{r.compute_s / r.raw_read_s:>16.1f}x {close}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=100_000)
    parser.add_argument("--findings", type=int, default=50_000)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--departments", type=int, default=200)
    parser.add_argument("--windows", type=int, default=5000)
    parser.add_argument("--month", default="2025-09", help="YYYY-MM; a month with a national calendar (chinese-calendar or rules/calendar)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--no-close-month", dest="close_month", action="store_false", help="close every site's month directly; skip timing close_month"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile compute and the best recompute (top functions on stderr)")
    parser.add_argument("--no-sqlite", dest="sqlite", action="store_false")
    parser.add_argument(
        "--postgres", default=os.environ.get("WINDOW_STAFF_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--no-postgres", dest="postgres", action="store_const", const="")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
