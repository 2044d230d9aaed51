"""Write N staff rows through the service layer and through the raw driver, on SQLite and PostgreSQL.

    uv run python bench/storage.py [--rows 20000] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

The service layer (``org.service.import_staff``: validation, reference checks, one transaction, an
audit event) should reach at least half the raw driver's rate on each engine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from window_staff.app import build_context
from window_staff.common.db import close_pool, start_pool
from window_staff.migrations import migrate
from window_staff.org import service as org
from window_staff.org.schemas import DepartmentIn, StaffIn
from window_staff.settings import load_settings

COLUMNS = 'employee_no, name, department, "window", badge_no, phone, card_no, hired_on, left_on, status, created_at'


def rows_for(n: int, *, prefix: str, department_id: int) -> list[StaffIn]:
    """N distinct staff inputs."""
    return [
        StaffIn(
            employee_no=f"{prefix}{i:07d}",
            name=f"员工{i}",
            department_id=department_id,
            badge_no=f"B{i}",
            phone="13800000000",
            hired_on=date(2020, 1, 1),
        )
        for i in range(n)
    ]


def as_tuples(rows: list[StaffIn]) -> list[tuple]:
    """The same rows as driver parameter tuples."""
    now = datetime.now(UTC)
    return [(r.employee_no, r.name, r.department_id, None, r.badge_no, r.phone, None, r.hired_on, None, "active", now) for r in rows]


async def service_run(url: str, n: int, *, prefix: str) -> tuple[float, int]:
    """Rows/s through org.service.import_staff, in one call."""
    ctx = build_context(load_settings({}, database_url=url))
    await start_pool(ctx.engine)
    try:
        await migrate(ctx.engine)
        dept = await org.create_department(ctx, DepartmentIn(code=f"{prefix}D", name="bench"), actor="bench")
        rows = rows_for(n, prefix=prefix, department_id=dept.id)
        started = time.perf_counter()
        await org.import_staff(ctx, rows, actor="bench")
        elapsed = time.perf_counter() - started
        return n / elapsed, dept.id
    finally:
        await close_pool(ctx.engine)


def sqlite_raw(path: str, n: int, *, department_id: int) -> float:
    """Rows/s with sqlite3.executemany in one IMMEDIATE transaction, same pragmas."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    tuples = as_tuples(rows_for(n, prefix="RAW", department_id=department_id))
    started = time.perf_counter()
    # Dates become ISO text as the service's adapters make them; that work is part of writing.
    tuples = [tuple(v.isoformat() if isinstance(v, (date, datetime)) else v for v in t) for t in tuples]
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(f"INSERT INTO staff ({COLUMNS}) VALUES ({', '.join('?' * 11)})", tuples)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return n / elapsed


async def pg_raw(url: str, n: int, *, department_id: int) -> float:
    """Rows/s with asyncpg.executemany in one transaction."""
    conn = await asyncpg.connect(url)
    try:
        tuples = as_tuples(rows_for(n, prefix="RAW", department_id=department_id))
        started = time.perf_counter()
        async with conn.transaction():
            await conn.executemany(f"INSERT INTO staff ({COLUMNS}) VALUES ({', '.join(f'${i}' for i in range(1, 12))})", tuples)
        return n / (time.perf_counter() - started)
    finally:
        await conn.close()


def main() -> int:
    """Run both engines and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument(
        "--postgres", default=os.environ.get("WINDOW_STAFF_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    args = parser.parse_args()
    results: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "bench.sqlite3")
        service, dept = asyncio.run(service_run(f"sqlite:///{path}", args.rows, prefix="SVC"))
        raw = sqlite_raw(path, args.rows, department_id=dept)
        results.append(("sqlite", service, raw))
    try:
        name = f"ws_bench_{os.getpid()}"

        async def pg() -> tuple[float, float]:
            admin = await asyncpg.connect(args.postgres)
            await admin.execute(f'CREATE DATABASE "{name}"')
            await admin.close()
            url = urlunparse(urlparse(args.postgres)._replace(path=f"/{name}"))
            try:
                service, dept = await service_run(url, args.rows, prefix="SVC")
                return service, await pg_raw(url, args.rows, department_id=dept)
            finally:
                admin = await asyncpg.connect(args.postgres)
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await admin.close()

        service, raw = asyncio.run(pg())
        results.append(("postgresql", service, raw))
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
    print(f"\nstaff rows written: {args.rows} per run (one transaction each)\n")
    print(f"{'engine':<12}{'service rows/s':>16}{'raw driver rows/s':>20}{'ratio':>8}  goal >= 0.50")
    for engine, service, raw in results:
        ratio = service / raw
        print(f"{engine:<12}{service:>16,.0f}{raw:>20,.0f}{ratio:>8.2f}  {'ok' if ratio >= 0.5 else 'BELOW GOAL'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
