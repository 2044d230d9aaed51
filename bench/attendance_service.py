"""Attendance service benchmark: derive and store one month for N staff through the service, beside the pure function.

Run: uv run python bench/attendance_service.py [--staff 450] [--month 2025-09] [--postgres URL | --no-postgres]

Per engine, a fresh database is migrated and filled with one site, its hours, N staff, their punches
and approved leave (the same synthetic month as bench/attendance.py). Then, best of 3:
- pure: ``day_records`` on the inputs already in memory (no database);
- service: ``attendance.service.recompute`` (reads calendar, schedule, punches and leave from the
  database, derives, deletes and re-inserts the month's stored records in one transaction).
The service's records must equal the pure function's, or the benchmark fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from datetime import date, time as clock
from pathlib import Path
from urllib.parse import urlparse, urlunparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from attendance import build_world

from window_staff.app import build_context
from window_staff.attendance import service
from window_staff.attendance.domain import day_records
from window_staff.attendance.service.inputs import inputs_for
from window_staff.attendance.tables import LeaveRequest, Punch, SiteHours
from window_staff.common import periods
from window_staff.common.db import close_pool, create_engine, insert_rows, start_pool, write_transaction
from window_staff.migrations import migrate
from window_staff.org import service as org
from window_staff.org.schemas import DepartmentIn, SiteIn, StaffIn, WindowIn
from window_staff.settings import load_settings


async def fill(ctx, *, n: int, month: date, seed: int) -> list[int]:
    """One site with hours, N staff over 8-person windows, their punches and leave; returns staff ids."""
    _, _, punches, leave, _ = build_world(n, month=month, seed=seed)
    site = await org.create_site(ctx, SiteIn(code="B1", name="bench", kind="county_centre"), actor="bench")
    dept = await org.create_department(ctx, DepartmentIn(code="BD", name="bench"), actor="bench")
    windows = [
        await org.create_window(ctx, WindowIn(site_id=site.id, department_id=dept.id, number=f"W{i}"), actor="bench")
        for i in range(n // 8 + 1)
    ]
    rows = [
        StaffIn(employee_no=f"B{i:06d}", name=f"s{i}", department_id=dept.id, window_id=windows[i // 8].id, hired_on=date(2020, 1, 1))
        for i in range(n)
    ]
    ids = [s.id for s in await org.import_staff(ctx, rows, actor="bench")]
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        await SiteHours.insert(
            SiteHours(
                site=site.id,
                name="all",
                valid_from=date(month.year, 1, 1),
                valid_to=date(month.year, 12, 31),
                am_start=clock(8, 30),
                am_end=clock(12),
                pm_start=clock(14, 30),
                pm_end=clock(17, 30),
            )
        )
        cols = [Punch.staff, Punch.captured_at, Punch.received_at, Punch.kind, Punch.source, Punch.verify_mode, Punch.event_key]
        await insert_rows(
            ctx.engine, Punch, cols, [(ids[p.staff_id], p.at, now, p.kind, "bench", "face+fingerprint", f"b:{p.id}") for p in punches]
        )
        lcols = [
            LeaveRequest.staff,
            LeaveRequest.kind,
            LeaveRequest.start_at,
            LeaveRequest.end_at,
            LeaveRequest.status,
            LeaveRequest.requested_by,
            LeaveRequest.requested_at,
        ]
        if leave:
            await insert_rows(
                ctx.engine, LeaveRequest, lcols, [(ids[s.staff_id], s.kind, s.start, s.end, "approved", "bench", now) for s in leave]
            )
    return ids


async def run_engine(url: str, *, n: int, month: date, seed: int, repeat: int) -> tuple[int, int, float, float]:
    """(punches, records, pure seconds, service seconds) on one database."""
    settings = load_settings(
        {}, database_url=url, data_dir=tempfile.mkdtemp(prefix="ws-bench-"), rules_dir=REPO / "rules", face_pool_warm=False
    )
    engine = create_engine(url)
    await start_pool(engine)
    await migrate(engine)
    ctx = build_context(settings, engine=engine)
    try:
        ids = await fill(ctx, n=n, month=month, seed=seed)
        postings = await org.postings_of(ids)
        end = periods.month_end(month)
        inputs = await inputs_for(ctx, postings, start=month, end=end)
        pure_s = svc_s = float("inf")
        pure = stored = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            pure = day_records(
                calendar=inputs.calendar,
                schedule=inputs.schedule,
                punches=inputs.punches,
                leave=inputs.leave,
                grace=inputs.grace,
                staff_ids=ids,
                period_start=month,
                period_end=end,
            )
            pure_s = min(pure_s, time.perf_counter() - t0)
            t0 = time.perf_counter()
            stored = await service.recompute(ctx, postings, month=month)
            svc_s = min(svc_s, time.perf_counter() - t0)
        key = lambda r: (r.staff_id, r.day, r.start, r.session)  # noqa: E731
        if sorted(pure, key=key) != stored:
            raise SystemExit(f"{url.split(':')[0]}: the service's records differ from day_records")
        if sorted(await service.load_stored(ids, month=month), key=key) != stored:
            raise SystemExit(f"{url.split(':')[0]}: the stored records differ from the derived ones")
        return len(inputs.punches), len(pure), pure_s, svc_s
    finally:
        await close_pool(engine)


async def main_async(args: argparse.Namespace) -> None:
    month = date.fromisoformat(args.month + "-01")
    results = []
    folder = Path(tempfile.mkdtemp(prefix="ws-bench-db-"))
    try:
        results.append(
            (
                "sqlite",
                *await run_engine(f"sqlite:///{folder / 'bench.sqlite3'}", n=args.staff, month=month, seed=args.seed, repeat=args.repeat),
            )
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.postgres:
        import asyncpg

        name = f"ws_bench_att_{os.getpid()}"
        admin = await asyncpg.connect(args.postgres)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        try:
            url = urlunparse(urlparse(args.postgres)._replace(path=f"/{name}"))
            results.append(("postgresql", *await run_engine(url, n=args.staff, month=month, seed=args.seed, repeat=args.repeat)))
        finally:
            admin = await asyncpg.connect(args.postgres)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    print(f"attendance service, month {args.month}, {args.staff} staff, python {sys.version.split()[0]}, best of {args.repeat}")
    head = (
        f"{'engine':<11} {'punches':>8} {'records':>8} {'pure s':>8} {'records/s':>10} "
        f"{'service s':>10} {'records/s':>10} {'service/pure':>13}"
    )
    print(head)
    print("-" * len(head))
    for eng, punches, records, pure_s, svc_s in results:
        print(
            f"{eng:<11} {punches:>8} {records:>8} {pure_s:>8.3f} {records / pure_s:>10,.0f} {svc_s:>10.3f} {records / svc_s:>10,.0f} "
            f"{svc_s / pure_s:>12.1f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=450)
    parser.add_argument("--month", default="2025-09")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--postgres", default=os.environ.get("WINDOW_STAFF_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--no-postgres", dest="postgres", action="store_const", const="")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
