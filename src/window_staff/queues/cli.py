"""``window-staff queues import FILE.csv``: import a queue machine's daily export (排号机), every row or none."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from window_staff.common.cli import run_job
from window_staff.common.context import AppContext
from window_staff.queues.errors import QueueEventConflict, QueueImportRejected
from window_staff.queues.schemas import ImportOut
from window_staff.settings import Settings


def _error(detail: str) -> int:
    print(f"error: {detail}", file=sys.stderr)
    return 1


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import a CSV export; print what was imported, skipped and sent to HR's exception list, or every bad line (exit 1)."""
    from window_staff.auth.errors import RoleRequired
    from window_staff.auth.service import principal_for
    from window_staff.common.errors import DomainError
    from window_staff.queues.service import events

    path = Path(args.file)
    try:
        if path.stat().st_size > events.MAX_FILE_BYTES:
            return _error(f"{path} is over {events.MAX_FILE_BYTES // (1024 * 1024)} MiB: send one day per file")
        data = path.read_bytes()
    except OSError as exc:
        return _error(f"cannot read {path}: {exc.strerror}")

    async def job(ctx: AppContext) -> ImportOut:
        actor = "cli"
        if args.username:
            principal = await principal_for(args.username)
            if not principal.has_any("hr"):
                raise RoleRequired(f"user {principal.username!r} does not hold the role 'hr' that importing needs")
            actor = principal.actor
        # Every problem, not the first thousand: this is the operator's only view of them.
        return await events.import_csv(ctx, data, filename=path.name, actor=actor, max_errors=None)

    try:
        out = run_job(settings, job)
    except (QueueImportRejected, QueueEventConflict) as exc:
        return _refused(path.name, detail=exc.detail, errors=exc.extra.get("errors", []))
    except DomainError as exc:
        return _error(exc.detail)
    batch = f" (batch {out.batch_id})" if out.batch_id is not None else ""
    print(
        f"{path.name}: {out.rows} rows: {out.imported} imported, {out.skipped} skipped as already imported, "
        f"{out.exceptions} for HR's exception list (category not mapped){batch}"
    )
    return 0


def _refused(name: str, *, detail: str, errors: list[dict[str, Any]]) -> int:
    for e in errors:
        where = f"line {e['line']}" + (f", {e['column']}" if e["column"] else "")
        print(f"{name}: {where}: {e['message']}", file=sys.stderr)
    print(f"import refused: {detail}", file=sys.stderr)
    return 1


def add_commands(sub: Any) -> None:
    """Add ``queues import`` to the main parser."""
    queues = sub.add_parser("queues", help="queue-ticket and calling machines (排号机/叫号机)").add_subparsers(
        dest="queues_command", required=True
    )
    imp = queues.add_parser("import", help="import a queue machine's CSV export: every row or none; exit 1 and every bad line on errors")
    imp.add_argument("file", help="CSV file (UTF-8; columns in README.md, Queue machines)")
    imp.add_argument("--as", dest="username", metavar="USERNAME", help="the HR user doing it (default: actor 'cli')")
    imp.set_defaults(func=cmd_import)
