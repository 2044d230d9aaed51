"""``window-staff services import FILE.csv``: import service transactions (办件) from a terminal, every row or none."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import msgspec

from window_staff.common.cli import import_refused, run_job
from window_staff.common.context import AppContext
from window_staff.evaluations.errors import ImportRejected
from window_staff.settings import Settings

# Refused before reading: 50,000 rows never need this much, and the file is read into memory whole.
MAX_FILE_BYTES = 64 * 1024 * 1024


def _error(detail: str) -> int:
    print(f"error: {detail}", file=sys.stderr)
    return 1


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import a CSV file as a job with a progress bar; print what was imported and skipped, or every bad line (exit 1, nothing imported)."""
    from window_staff.auth.service import importer_for
    from window_staff.common.errors import DomainError
    from window_staff.evaluations import jobs as evaluation_jobs
    from window_staff.evaluations.schemas.metrics import ImportOut
    from window_staff.jobs.runner import run_with_bar
    from window_staff.jobs.schemas import JobOut

    path = Path(args.file)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return _error(f"{path} is over {MAX_FILE_BYTES // (1024 * 1024)} MiB: split it")
        data = path.read_bytes()
    except OSError as exc:
        return _error(f"cannot read {path}: {exc.strerror}")

    async def job(ctx: AppContext) -> JobOut:
        principal, actor = await importer_for(args.username, role="hr")
        # Every problem, not the first thousand: this is the operator's only view of them.
        queued = await evaluation_jobs.request_csv_import(ctx, data, principal=principal, filename=path.name, actor=actor, max_errors=None)
        return await run_with_bar(ctx, queued, quiet=args.quiet)

    try:
        finished = run_job(settings, job)
    except ImportRejected as exc:
        return import_refused(path.name, detail=exc.detail, errors=exc.extra.get("errors", []))
    except DomainError as exc:
        return _error(exc.detail)
    if finished.problem is not None:
        if finished.problem.code == ImportRejected.code:
            return import_refused(path.name, detail=finished.problem.detail, errors=(finished.problem.extensions or {}).get("errors", []))
        return _error(finished.problem.detail)
    out = msgspec.convert(finished.result, ImportOut)
    batch = f" (batch {out.batch_id})" if out.batch_id is not None else ""
    print(
        f"{path.name}: {out.rows} rows: {out.imported} imported, {out.completed} completed since, {out.skipped} skipped as already "
        f"imported{batch}"
    )
    return 0


def add_commands(sub: Any) -> None:
    """Add ``services import`` to the main parser."""
    services = sub.add_parser("services", help="service transactions (办件)").add_subparsers(dest="services_command", required=True)
    imp = services.add_parser("import", help="import a CSV of service transactions: every row or none; exit 1 and every bad line on errors")
    imp.add_argument("file", help="CSV file (UTF-8; columns in README.md, Service metrics)")
    imp.add_argument("--as", dest="username", metavar="USERNAME", help="the HR user doing it (default: actor 'cli')")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.set_defaults(func=cmd_import)
