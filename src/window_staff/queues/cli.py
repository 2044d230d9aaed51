"""``window-staff queues import FILE.csv``: import a queue machine's daily export (排号机), every row or none;
``window-staff queues simulate``: a simulated queue machine (set up, then push or export a day)."""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path
from typing import Any

from window_staff.common.cli import import_refused, run_job
from window_staff.common.context import AppContext
from window_staff.queues.errors import QueueEventConflict, QueueImportRejected
from window_staff.queues.schemas import ImportOut
from window_staff.settings import Settings


def _error(detail: str) -> int:
    print(f"error: {detail}", file=sys.stderr)
    return 1


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import a CSV export as a job with a progress bar; print what was imported, skipped and sent to HR's list of
    events to look at, or every bad line (exit 1, nothing imported)."""
    import msgspec

    from window_staff.auth.service import importer_for
    from window_staff.common.errors import DomainError
    from window_staff.jobs.runner import run_with_bar
    from window_staff.jobs.schemas import JobOut
    from window_staff.queues import jobs as queue_jobs
    from window_staff.queues.service import events

    path = Path(args.file)
    try:
        if path.stat().st_size > events.MAX_FILE_BYTES:
            return _error(f"{path} is over {events.MAX_FILE_BYTES // (1024 * 1024)} MiB: send it site by site or in parts")
        data = path.read_bytes()
    except OSError as exc:
        return _error(f"cannot read {path}: {exc.strerror}")

    async def job(ctx: AppContext) -> JobOut:
        principal, actor = await importer_for(args.username, role="hr")
        # Every problem, not the first thousand: this is the operator's only view of them.
        queued = await queue_jobs.request_csv_import(ctx, data, principal=principal, filename=path.name, actor=actor, max_errors=None)
        return await run_with_bar(ctx, queued, quiet=args.quiet)

    try:
        finished = run_job(settings, job)
    except (QueueImportRejected, QueueEventConflict) as exc:
        return import_refused(path.name, detail=exc.detail, errors=exc.extra.get("errors", []))
    except DomainError as exc:
        return _error(exc.detail)
    if finished.problem is not None:
        if finished.problem.code in (QueueImportRejected.code, QueueEventConflict.code):
            return import_refused(path.name, detail=finished.problem.detail, errors=(finished.problem.extensions or {}).get("errors", []))
        return _error(finished.problem.detail)
    out = msgspec.convert(finished.result, ImportOut)
    batch = f" (batch {out.batch_id})" if out.batch_id is not None else ""
    print(
        f"{path.name}: {out.rows} rows: {out.imported} imported, {out.skipped} skipped as already imported, "
        f"{out.received_elsewhere} already received from the queue device, "
        f"{out.exceptions} for HR's exception list (category not mapped){batch}"
    )
    return 0


def cmd_simulate(args: argparse.Namespace, settings: Settings) -> int:
    """``--setup``: register a queue device at a site (credentials file, 0600); else simulate a day and push it (or write the CSV)."""
    import asyncio
    from datetime import UTC, date, datetime, timedelta
    from zoneinfo import ZoneInfo

    import httpx

    from window_staff.queues import simulator, simulator_drive

    path = Path(args.credentials) if args.credentials else settings.data_dir / "queue-simulator.json"
    if args.setup:
        from window_staff.common.cli import replace_settings
        from window_staff.common.errors import DomainError

        demo_key = settings.data_dir / "vault.key"
        if not settings.vault_key and settings.vault_key_file is None and demo_key.exists():
            settings = replace_settings(settings, vault_key_file=demo_key)  # the key `window-staff demo` made
        try:
            device = run_job(settings, lambda ctx: simulator_drive.provision(ctx, site_code=args.site, serial=args.serial))
        except ValueError as exc:
            return _error(str(exc))
        except DomainError as exc:
            return _error(exc.detail)
        simulator_drive.save_device(path, device)
        calls = "; ".join(f"window {n}: {', '.join(c)}" for n, c in device.windows.items())
        print(f"queue device {device.serial} at site {device.site} ({calls}); credentials in {path}")
        return 0
    if not path.exists():
        return _error(f"no credentials at {path}; run `window-staff queues simulate --setup --site CODE` first")
    device = simulator_drive.load_device(path)
    try:
        day = (
            date.fromisoformat(args.day) if args.day else datetime.now(UTC).astimezone(ZoneInfo(device.timezone)).date() - timedelta(days=1)
        )
    except ValueError:
        return _error(f"not a day: {args.day!r} (use YYYY-MM-DD)")
    desks = run_job(settings, lambda ctx: simulator_drive.desks_of(ctx, device, day=day))
    if not any(d.shifts for d in desks):
        return _error(f"nobody was checked in at site {device.site}'s windows on {day}: record check-ins first (terminals simulate)")
    plan = simulator.DayPlan(day, zone=device.timezone, tickets=args.tickets, seed=args.seed)
    events = simulator.generate(plan, desks)
    ends = " ".join(f"{k}={v}" for k, v in sorted(collections.Counter(simulator.outcomes(events).values()).items()))
    print(f"day: {day}\nevents: {len(events)}\ntickets: {ends or '-'}")
    if args.csv:
        Path(args.csv).write_bytes(simulator.as_csv(events, site_code=device.site, zone=device.timezone))
        print(f"csv: {args.csv}")
        return 0
    url = args.url or f"http://{settings.host}:{settings.port}"

    async def drive() -> simulator_drive.PushSummary:
        async with httpx.AsyncClient(base_url=url, timeout=60.0) as http:
            return await simulator_drive.push(events, http=http, device=device, batch=args.batch, seed=args.seed)

    summary = asyncio.run(drive())
    print(f"url: {url}\n{summary.as_text()}")
    return 0 if summary.imported + summary.skipped == len(events) else 1


def add_commands(sub: Any) -> None:
    """Add ``queues import`` and ``queues simulate`` to the main parser."""
    queues = sub.add_parser("queues", help="queue-ticket and calling machines (排号机/叫号机)").add_subparsers(
        dest="queues_command", required=True
    )
    imp = queues.add_parser("import", help="import a queue machine's CSV export: every row or none; exit 1 and every bad line on errors")
    imp.add_argument("file", help="CSV file (UTF-8; columns in README.md, Queue machines)")
    imp.add_argument("--as", dest="username", metavar="USERNAME", help="the HR user doing it (default: actor 'cli')")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.set_defaults(func=cmd_import)
    sim = queues.add_parser("simulate", help="a simulated queue machine: --setup registers it at a site, then push (or --csv) one day")
    sim.add_argument("--setup", action="store_true", help="register a queue device at --site, map categories to windows if none, exit")
    sim.add_argument("--site", default="SIM", help="setup: site code (default SIM)")
    sim.add_argument("--serial", default="SIM-Q001", help="setup: the device's serial (default SIM-Q001)")
    sim.add_argument("--credentials", help="credentials file (default <data dir>/queue-simulator.json, mode 0600)")
    sim.add_argument("--day", help="the day to simulate, YYYY-MM-DD (default yesterday); calls follow that day's check-ins")
    sim.add_argument("--tickets", type=float, default=120.0, help="expected tickets of the day (default 120)")
    sim.add_argument("--seed", type=int, default=0, help="random seed: the same seed and day give the same events (default 0)")
    sim.add_argument("--batch", type=int, default=200, help="events per signed request (default 200)")
    sim.add_argument("--url", help="server URL (default http://HOST:PORT from settings)")
    sim.add_argument("--csv", metavar="FILE", help="write the day as the vendor's CSV export instead of pushing it")
    sim.set_defaults(func=cmd_simulate)
