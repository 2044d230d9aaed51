"""A province's morning wave against ``window-staff serve --workers K``, beside a bare Litestar + asyncpg baseline.

    uv run python bench/wave.py [--terminals 200] [--staff 5000] [--sites S] [--workers 2] [--path encoding|image|both]
                                [--duration 120] [--peak-rate R] [--database-url URL|sqlite] [--beside-compute YYYY-MM]
                                [--compute-at 0.5] [--setup-only | --warm-up]

A province runs one service for 100,000 staff and 2,000 terminals; most check in between 08:15 and 08:35, about
110 check-ins/s on average and bursts several times that. Here N terminals at N/10 sites (``--sites``) and M staff
spread over them are written in bulk (bench/province.py), then the wave's arrivals rise from a fifth of the peak
rate to the peak at three quarters of ``--duration`` (08:30) and fall to 30 % (bench/wave_load.py). The default
peak is 0.165 check-ins/s per terminal: a burst of 3x the 110/s average over 2,000 terminals.

Paths: ``encoding`` (the terminal's own face encoding + ISO record) and ``image`` (a JPEG face + ISO record; faces
from ../shared/data/faces/lfw-subset, see bench/shared.py). Each wave runs on a freshly started server; CPU time
per check-in is the server's process tree (workers and their encoder processes) and the database's backends
for this database, over the wave, divided by the check-ins answered 200. The bare baseline takes the same
requests (PostgreSQL only). ``--beside-compute YYYY-MM`` runs the wave again with HR computing that month
halfway through (``--compute-at``) and compares the p95s; staff get the month's earlier working days of punches.

The load generator runs on the same machine: requests are built and signed before the clock starts (terminals
are separate devices), then only sent.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads, here and in the processes spawned from here

import argparse
import asyncio
import base64
import contextlib
import datetime as dt
import secrets
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from bench.province import Province, build
from bench.shared import faces_folder, pids_cpu, scratch_database, spent, tree_cpu
from bench.wave_load import BareServer, Compute, Wave, arrivals, build_shots, compute_beside, mean_share, run_wave, settle, warm_shots
from tests.terminals.live import LiveServer
from window_staff.app import build_context
from window_staff.common.db import close_pool, start_pool
from window_staff.migrations import migrate
from window_staff.settings import load_settings

KEY = base64.b64encode(os.urandom(32)).decode()
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"
PER_TERMINAL_PEAK = 0.165  # check-ins/s per terminal at the burst: 3 x 110/s over 2,000 terminals
GOAL_RATIO = 1.2


async def setup(url: str, scratch: Path, args: argparse.Namespace) -> Province:
    """Migrate and build the province."""
    ctx = build_context(load_settings({}, database_url=url, data_dir=scratch, vault_key=KEY, face_pool_warm=False))
    await start_pool(ctx.engine)
    try:
        await migrate(ctx.engine)
        month = dt.date.fromisoformat(f"{args.beside_compute}-01") if args.beside_compute else None
        faces = faces_folder(scratch) if args.path in ("image", "both") else None
        return await build(ctx, staff=args.staff, terminals=args.terminals, sites=args.sites, faces=faces, month=month)
    finally:
        await close_pool(ctx.engine)


async def warm_up(url: str, scratch: Path) -> None:
    """A server process's start-up load of every site (``biometrics.matching.warm``): stored built templates, then none.

    Each load is a fresh context on the same database (a new process's caches). "built" first clears every stored built
    template, as for impressions enrolled before they were stored: the load builds each one (~7 ms) and stores it.
    """
    from window_staff.biometrics import matching
    from window_staff.biometrics.built import BUILDS
    from window_staff.biometrics.tables import BiometricTemplate
    from window_staff.common.context import AppContext

    base = build_context(load_settings({}, database_url=url, data_dir=scratch, vault_key=KEY, face_pool_warm=False))
    await start_pool(base.engine)
    try:
        for label in ("stored", "built", "stored again"):
            if label == "built":
                cleared = {BiometricTemplate.built: None, BiometricTemplate.built_nonce: None, BiometricTemplate.built_version: None}
                await BiometricTemplate.update(cleared, force=True)
            ctx = AppContext(settings=base.settings, engine=base.engine, clock=base.clock)
            before, cpu, wall = BUILDS.copy(), time.process_time(), time.perf_counter()
            await matching.warm(ctx)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            built, read = BUILDS["enrolled"] - before["enrolled"], BUILDS["loaded"] - before["loaded"]
            megabytes = matching.galleries(ctx).nbytes / 1e6
            print(
                f"warm-up ({label}): {wall:.1f} s wall, {cpu:.1f} s CPU of this process; {built:,} impressions built, {read:,} read; "
                f"{megabytes:,.0f} MB held; load average {os.getloadavg()[0]:.2f}",
                flush=True,
            )
            del ctx
    finally:
        await close_pool(base.engine)


async def db_pids(url: str) -> list[int]:
    """PostgreSQL backends connected to the wave's database (the server's pools, autovacuum), not this one."""
    if not url.startswith("postgresql"):
        return []
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
    finally:
        await conn.close()
    return [r["pid"] for r in rows]


async def measured(server: LiveServer | BareServer, url: str, province: Province, args: argparse.Namespace, path: str, **kw) -> Wave:
    """Warm the server up, build and sign the wave, send it, and take the CPU its processes and backends spent."""
    assert server.proc is not None
    images = 4 * args.workers if path == "image" else 0
    warm = await run_wave(
        warm_shots(province, per_site=2 * args.workers, images=images, base_url=server.url, run=f"warm-{secrets.token_hex(3)}")
    )
    if warm.ok < len(warm.outcomes):
        print(f"  warm-up: {len(warm.outcomes) - warm.ok} of {len(warm.outcomes)} not answered 200: {dict(warm.errors())}", flush=True)
    await settle(server.proc.pid)
    times = arrivals(args.duration, args.peak_rate, seed=args.seed)
    lead = 3.0 + len(times) * (0.004 if path == "image" else 0.002)  # signing time, roughly: `created` is when each is sent
    start = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=lead)
    shots = build_shots(province, path=path, times=times, base_url=server.url, run=secrets.token_hex(4), start=start, seed=args.seed)
    await asyncio.sleep(max(0.0, (start - dt.datetime.now(dt.UTC)).total_seconds()))
    app, db = tree_cpu(server.proc.pid), pids_cpu(await db_pids(url))
    wave = await run_wave(shots, **kw)
    wave.app_cpu = spent(app, tree_cpu(server.proc.pid))
    wave.db_cpu = spent(db, pids_cpu(await db_pids(url)))
    return wave


async def service_wave(
    url: str, scratch: Path, province: Province, args: argparse.Namespace, path: str, *, compute: Compute | None = None
) -> Wave:
    """One wave against a freshly started ``serve --workers K``; with ``compute``, HR computes the month beside it."""
    env = {
        "WINDOW_STAFF_VAULT_KEY": KEY,
        "WINDOW_STAFF_RULES_DIR": str(REPO / "rules"),
        "WINDOW_STAFF_FACE_POOL_WARM": "true" if path == "image" else "false",
        # A province runs heavy work in job workers beside the web processes (serve starts them); "in_process"
        # measures the county default, where the compute shares a web process's loop.
        "WINDOW_STAFF_JOB_RUNNER": args.job_runner,
    }
    folder = scratch / "server"
    folder.mkdir(exist_ok=True)
    server = LiveServer(database_url=url, data_dir=folder, env=env, command=("serve", "--workers", str(args.workers)))
    await server.start(timeout=180)
    try:
        beside = None
        if compute is not None:
            at = args.compute_at * args.duration
            beside = await compute_beside(server.url, province, args.beside_compute, at=at, result=compute)
        return await measured(server, url, province, args, path, beside=beside)
    finally:
        server.stop()


async def bare_wave(url: str, scratch: Path, province: Province, args: argparse.Namespace, path: str) -> Wave:
    """The same wave against the bare Litestar + asyncpg app with as many processes."""
    server = BareServer(database_url=url, workers=args.workers, log=scratch / "bare.log")
    await server.start()
    try:
        return await measured(server, url, province, args, path)
    finally:
        server.stop()


def row(name: str, w: Wave) -> str:
    """A table line for one wave."""
    ok = max(1, w.ok)
    errors = ", ".join(f"{k}: {v}" for k, v in w.errors().most_common(4)) or "-"
    return (
        f"{name:<34} {len(w.outcomes):>6} {w.ok:>6} {100 * w.accepted / max(1, len(w.outcomes)):>5.1f} {w.ok / w.elapsed:>6.1f} "
        f"{w.peak_rate():>6.1f} {w.percentile(0.5) * 1000:>7.1f} {w.percentile(0.95) * 1000:>7.1f} {w.percentile(0.99) * 1000:>7.1f} "
        f"{w.app_cpu / ok * 1000:>8.1f} {w.db_cpu / ok * 1000:>7.1f} {(w.app_cpu + w.db_cpu) / ok * 1000:>8.1f}  {errors}"
    )


def report(results: list[tuple[str, Wave, Wave | None, Wave | None, Compute | None]], args: argparse.Namespace) -> None:
    """The table, the ratios, the compute's effect and the cores at the peak."""
    print(
        f"\n{'case':<34} {'sent':>6} {'200':>6} {'acc%':>5} {'ok/s':>6} {'peak/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'app ms':>8} {'db ms':>7} {'CPU ms':>8}  errors"
    )
    for path, wave, bare, with_compute, compute in results:
        print(row(f"{path} path, service", wave))
        if bare is not None:
            print(row(f"{path} path, bare Litestar+asyncpg", bare))
            cpu = (wave.app_cpu + wave.db_cpu) / max(1, wave.ok) / ((bare.app_cpu + bare.db_cpu) / max(1, bare.ok) or 1e-9)
            print(
                f"{'  service / bare':<34} p95 {wave.percentile(0.95) / (bare.percentile(0.95) or 1e-9):.1f}x, CPU per check-in {cpu:.1f}x"
            )
        if with_compute is not None and compute is not None:
            print(row(f"{path} path, service + compute", with_compute))
    print("\n(app ms / db ms / CPU ms: CPU time per check-in answered 200: the server's processes, its database backends, both)")
    for path, wave, _, with_compute, compute in results:
        cpu = (wave.app_cpu + wave.db_cpu) / max(1, wave.ok)
        print(
            f"{path} path: {cpu * 1000:.1f} ms CPU per check-in -> {cpu * args.peak_rate:.2f} cores at this run's peak of "
            f"{args.peak_rate:g}/s; {cpu * PER_TERMINAL_PEAK * 1000:.2f} cores per 1,000 terminals at {PER_TERMINAL_PEAK * 1000:.0f}/s"
        )
        if with_compute is not None and compute is not None:
            window = (compute.began, compute.ended)
            inside, plain = with_compute.percentile(0.95, window), wave.percentile(0.95, window)
            if not with_compute.latencies(window) or not wave.latencies(window):
                inside = plain = float("nan")  # no check-in was due while it ran: nothing to compare (nan)
            counts = f"{len(with_compute.latencies(window))} and {len(wave.latencies(window))} check-ins"
            p95, p95_plain = with_compute.percentile(0.95), wave.percentile(0.95)
            print(
                f"  compute {args.beside_compute} beside the {path} wave: answered {compute.answer}, "
                f"ran {compute.began:.1f}-{compute.ended:.1f} s of the wave; p95 {p95 * 1000:.1f} ms with it vs "
                f"{p95_plain * 1000:.1f} ms without: {p95 / (p95_plain or 1e-9):.2f}x; during those seconds ({counts}) "
                f"{inside * 1000:.1f} vs {plain * 1000:.1f} ms: {inside / plain:.2f}x (goal: at most {GOAL_RATIO})"
            )


async def main_async(args: argparse.Namespace) -> None:
    """Set up, run every wave, print."""
    scratch = Path(tempfile.mkdtemp(prefix="bench-wave-"))
    postgres = args.database_url.startswith("postgresql")
    if postgres:
        database = scratch_database(args.database_url, f"ws_wave_{os.getpid()}")
    else:  # "sqlite": a file in the scratch folder; or the sqlite:///PATH given
        database = contextlib.nullcontext(args.database_url if "///" in args.database_url else f"sqlite:///{scratch / 'wave.sqlite3'}")
    async with database as url:
        started = time.perf_counter()
        province = await setup(url, scratch, args)
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in province.seconds.items() if k != "total")
        print(
            f"set-up: {len(province.people):,} staff enrolled (2 faces, 2 fingers x 3 impressions), {args.terminals:,} terminals at "
            f"{len(province.terminals)} sites, {province.punches:,} earlier punches: {time.perf_counter() - started:.1f} s "
            f"(build {province.seconds['total']:.1f} s: {steps})",
            flush=True,
        )
        if args.warm_up:
            await warm_up(url, scratch)
        if args.setup_only or args.warm_up:
            return
        n = len(arrivals(args.duration, args.peak_rate, seed=args.seed))
        print(
            f"wave: {n:,} check-ins over {args.duration:g} s, peak {args.peak_rate:g}/s (mean {args.peak_rate * mean_share():.1f}/s); "
            f"{args.workers} server processes on {'PostgreSQL' if postgres else 'SQLite'}; {os.cpu_count()} CPUs shared with the load "
            f"generator; jobs in {args.job_runner.replace('_', '-')} runners; load average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        if not postgres:
            print("the bare Litestar + asyncpg baseline needs PostgreSQL: not run on SQLite")
        results = []
        for path in ("encoding", "image") if args.path == "both" else (args.path,):
            wave = await service_wave(url, scratch, province, args, path)
            bare = await bare_wave(url, scratch, province, args, path) if postgres else None
            compute = Compute() if args.beside_compute else None
            with_compute = await service_wave(url, scratch, province, args, path, compute=compute) if compute else None
            results.append((path, wave, bare, with_compute, compute))
        report(results, args)
        print(f"load average {os.getloadavg()[0]:.2f} at the end")


def main() -> int:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--terminals", type=int, default=200, help="signed terminals (default 200)")
    parser.add_argument("--staff", type=int, default=5000, help="staff, all enrolled (default 5000)")
    parser.add_argument("--sites", type=int, help="sites (default: one per 10 terminals)")
    parser.add_argument("--workers", type=int, default=2, help="server processes, serve --workers K (default 2)")
    parser.add_argument("--path", choices=("encoding", "image", "both"), default="both", help="what terminals send (default both)")
    parser.add_argument("--duration", type=float, default=120.0, help="seconds the 08:15-08:35 wave is compressed into (default 120)")
    parser.add_argument("--peak-rate", type=float, help=f"check-ins/s at the 08:30 peak (default {PER_TERMINAL_PEAK} per terminal)")
    parser.add_argument(
        "--database-url", default=PG_DEFAULT, help=f"a PostgreSQL server (a scratch database is made) or sqlite (default {PG_DEFAULT})"
    )
    parser.add_argument("--beside-compute", metavar="YYYY-MM", help="also run the wave with HR computing this month beside it")
    parser.add_argument(
        "--job-runner", choices=("worker", "in_process"), default="worker", help="where the compute runs (default worker processes)"
    )
    parser.add_argument("--compute-at", type=float, default=0.5, help="when the compute starts, as a share of the wave (default 0.5)")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--setup-only", action="store_true", help="build the province, print how long it took, and stop")
    parser.add_argument(
        "--warm-up", action="store_true", help="build the province, time a process's start-up load of its sites (stored vs built), stop"
    )
    args = parser.parse_args()
    args.sites = args.sites or max(1, args.terminals // 10)
    args.peak_rate = args.peak_rate or PER_TERMINAL_PEAK * args.terminals
    if args.sites > args.terminals:
        parser.error("every site needs a terminal: --sites at most --terminals")
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
