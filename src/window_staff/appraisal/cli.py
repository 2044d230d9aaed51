"""``window-staff appraisal ...`` and ``window-staff bonus export``: the month's lifecycle from a terminal.

Lifecycle commands act as a named user (``--as``): the user must exist, be active and hold the role the
step needs, and the four-eyes checks see that person, exactly as if they had used the API.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from window_staff.common import periods
from window_staff.common.cli import run_job
from window_staff.common.context import AppContext
from window_staff.settings import Settings

# action -> (role it needs, what it does); return and reopen also take --reason.
ACTIONS: dict[str, tuple[str, str]] = {
    "compute": ("hr", "score every staff member of the month (again, until approved)"),
    "open-appeals": ("hr", "show staff their sheets and open the appeal window (the month must have ended)"),
    "end-appeals": ("hr", "end the appeal window once it has run out and every appeal is decided"),
    "approve": ("approver", "approve the figures (never someone who computed them or decided an appeal in them)"),
    "return": ("approver", "send a decided or approved month back to HR, with --reason"),
    "publish": ("hr", "publish the approved figures to staff"),
    "close": ("hr", "freeze bonuses, store the hashes and write the signed chain head"),
    "reopen": ("approver", "ask to reopen a closed month, with --reason (a second approver confirms)"),
    "reopen-confirm": ("approver", "confirm another approver's request to reopen a closed month"),
}
_WITH_REASON = frozenset({"return", "reopen"})
# Heavy steps run as jobs (one per month at a time, followed on the HR pages too), here with a progress bar.
_AS_JOBS = frozenset({"compute", "close"})


def _error(detail: str) -> int:
    print(f"error: {detail}", file=sys.stderr)
    return 1


def _run(settings: Settings, job: Callable[[AppContext], Awaitable[Any]]) -> tuple[Any, int]:
    """Run ``job`` with the rules loaded; a domain error is printed as ``error: ...`` (exit 1), never a traceback."""
    from window_staff.common.errors import DomainError

    try:
        return run_job(settings, job, rules=True), 0
    except DomainError as exc:
        return None, _error(exc.detail)


async def _as_job(ctx: AppContext, job: Any, *, quiet: bool) -> Any:
    """Run a queued job here with a progress bar (or follow it where another runner took it); a failure is raised."""
    from window_staff.common.errors import DomainError
    from window_staff.jobs.runner import run_with_bar

    finished = await run_with_bar(ctx, job, quiet=quiet)
    if finished.problem is not None:
        raise DomainError(finished.problem.detail, code=finished.problem.code)
    return finished


def cmd_action(args: argparse.Namespace, settings: Settings) -> int:
    """Run one lifecycle step as the user named by ``--as``; print a one-line summary."""
    import msgspec

    from window_staff.appraisal import jobs as appraisal_jobs, service
    from window_staff.appraisal.schemas import PeriodOut
    from window_staff.appraisal.service import close as service_close
    from window_staff.auth.errors import RoleRequired
    from window_staff.auth.service import principal_for

    action = args.appraisal_command
    role = ACTIONS[action][0]

    async def job(ctx: AppContext) -> str:
        principal = await principal_for(args.username)
        if not principal.has_any(role):
            raise RoleRequired(f"user {principal.username!r} does not hold the role {role!r} that {action} needs")
        month = args.month
        if action == "compute":
            job = await _as_job(ctx, await appraisal_jobs.request_compute(ctx, month, principal=principal), quiet=args.quiet)
            done = job.result or {}
            return (
                f"{done['period']['month']}: {done['period']['state']}, computation {done['computation']}, {done['staff']} staff, "
                f"{done['changed']} changed, {done['facts']} facts, {done['seconds']:.3f} s"
            )
        if action == "open-appeals":
            period = await service.open_appeals(ctx, month, principal=principal)
        elif action == "end-appeals":
            period = await service.end_appeals(ctx, month, principal=principal)
        elif action == "approve":
            period = await service.approve(ctx, month, principal=principal)
        elif action == "return":
            period = await service.return_month(ctx, month, principal=principal, reason=args.reason)
        elif action == "publish":
            period = await service.publish(ctx, month, principal=principal)
        elif action == "close":
            job = await _as_job(ctx, await appraisal_jobs.request_close(ctx, month, principal=principal), quiet=args.quiet)
            period = msgspec.convert(job.result, PeriodOut)
        elif action == "reopen":
            period = await service_close.request_reopen(ctx, month, principal=principal, reason=args.reason)
        else:
            period = await service_close.confirm_reopen(ctx, month, principal=principal)
        line = f"{period.month}: {period.state}, computation {period.computation}, {period.staff} staff"
        if action == "open-appeals" and period.appeal_until is not None:
            line += f", appeals until {period.appeal_until.isoformat()}"
        if action == "approve":
            line += f", approved by {period.approved_by}"
        if action == "reopen":
            line += ", awaiting a second approver's reopen-confirm"
        if action == "close":
            path = service_close.chain_head_path(ctx, periods.month_key(periods.parse_month(period.month)), number=period.closes)
            line += f", results hash {period.results_hash[:16]}, chain head {path}"
        return line

    if action in _WITH_REASON:
        from window_staff.appraisal.schemas import ReasonIn

        try:
            msgspec.convert({"reason": args.reason}, ReasonIn)  # the API's limits: 2 to 2000 characters
        except msgspec.ValidationError as exc:
            print(f"error: --reason: {exc}", file=sys.stderr)
            return 2
    line, code = _run(settings, job)
    if code == 0:
        print(line)
    return code


def cmd_explain(args: argparse.Namespace, settings: Settings) -> int:
    """Print one person's sheet explanation (read-only; reads as an auditor would)."""
    from window_staff.appraisal.service import reports as service_reports
    from window_staff.common.principal import Principal

    reader = Principal(user_id=0, username="cli", roles=frozenset({"auditor"}), staff_id=None)

    async def job(ctx: AppContext) -> str:
        sheet = await service_reports.sheet_by_employee_no(ctx, args.month, args.employee_no, principal=reader, lang=args.lang)
        return sheet.explanation

    text, code = _run(settings, job)
    if code == 0:
        print(text)
    return code


def cmd_verify_head(args: argparse.Namespace, settings: Settings) -> int:
    """Verify a chain-head file's signature (against --public-key, else the configured signing key); exit 1 if it does not hold."""
    from window_staff.common import signing
    from window_staff.common.errors import DomainError

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        return _error(f"cannot read {args.file}: {exc.strerror}")
    if args.public_key:
        expected, which = args.public_key.strip().lower(), "the key given with --public-key"
    else:
        if settings.signing_key_file is None and not (settings.data_dir / signing.DEFAULT_KEY_NAME).exists():
            # signing_key() would create a fresh key here, which could never have signed the file.
            return _error(
                f"no signing key at {settings.data_dir / signing.DEFAULT_KEY_NAME}: pass --public-key HEX (the key the month was signed "
                "with)"
            )
        try:
            expected = signing.public_key_hex(signing.signing_key(settings))
        except DomainError as exc:
            return _error(exc.detail)
        which = "the configured signing key"
    try:
        payload = signing.verify_document(data, public_key_hex=expected)
    except ValueError as exc:  # the --public-key argument itself is malformed
        print(f"error: --public-key: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"INVALID: {exc.detail} (checked against {which}, key {signing.key_id(expected)})", file=sys.stderr)
        return 1
    if payload.get("kind") != "window-staff appraisal chain head":
        print(
            f"INVALID: the signature holds but the document is not an appraisal chain head (kind {payload.get('kind')!r})", file=sys.stderr
        )
        return 1
    chain = payload.get("audit_chain") or {}
    print(
        f"OK: chain head of {payload.get('month')} (close {payload.get('close')}, computation {payload.get('computation')}), "
        f"signed by {which} (key {signing.key_id(expected)})"
    )
    print(
        f"  closed at {payload.get('closed_at')} by {payload.get('closed_by')}; {payload.get('staff')} staff, bonus total "
        f"{payload.get('bonus_total')}"
    )
    for name in ("inputs_hash", "results_hash", "bonus_rules_hash"):
        print(f"  {name}: {payload.get(name)}")
    print(f"  audit event {chain.get('event_id')}: {chain.get('hash')} (check the chain itself with `window-staff audit verify`)")
    return 0


def cmd_bonus_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write the month's bonus file for payroll (approved figures only)."""
    from window_staff.appraisal import service
    from window_staff.appraisal.errors import MonthInvalid
    from window_staff.appraisal.service import close as service_close, payroll as service_payroll

    try:
        key = periods.month_key(periods.parse_month(args.month))
    except MonthInvalid as exc:
        return _error(exc.detail)
    target = Path(args.output) if args.output else Path.cwd() / f"bonus-{key}.{args.format}"

    async def job(ctx: AppContext) -> tuple[bytes, int, str, str]:
        result = await service_close.bonus(ctx, key)
        state = (await service.get_period(ctx, key)).state
        body = await service_payroll.payroll_file(ctx, key, file=args.format, lang=args.lang)
        return body, len(result.lines), str(result.total), state

    found, code = _run(settings, job)
    if code != 0:
        return code
    body, staff, total, state = found
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    except OSError as exc:
        return _error(f"cannot write {target}: {exc.strerror}")
    print(f"{key} ({state}): {staff} staff, bonus total {total} -> {target}")
    return 0


def add_commands(sub: Any) -> None:
    """Add ``appraisal ...`` and ``bonus export`` to the main parser."""
    appraisal = sub.add_parser("appraisal", help="the monthly appraisal").add_subparsers(dest="appraisal_command", required=True)
    for action, (role, help_text) in ACTIONS.items():
        cmd = appraisal.add_parser(action, help=f"{help_text} (as a user holding {role})")
        cmd.add_argument("month", help="YYYY-MM")
        cmd.add_argument("--as", dest="username", required=True, metavar="USERNAME", help=f"the user doing it (active, role {role})")
        if action in _WITH_REASON:
            cmd.add_argument("--reason", required=True, help="why (kept in the trail and the audit chain)")
        if action in _AS_JOBS:
            cmd.add_argument("--quiet", action="store_true", help="no progress bar")
        cmd.set_defaults(func=cmd_action)
    explain = appraisal.add_parser("explain", help="print one person's sheet explanation")
    explain.add_argument("month", help="YYYY-MM")
    explain.add_argument("employee_no", help="employee number, e.g. E00012")
    explain.add_argument("--lang", choices=["zh", "en"], default="zh", help="language (default zh)")
    explain.set_defaults(func=cmd_explain)
    verify = appraisal.add_parser("verify-head", help="verify a signed chain-head file; exit 1 if it does not hold")
    verify.add_argument("file", help="chain-head JSON (from <data dir>/appraisal/ or the API)")
    verify.add_argument("--public-key", help="the expected Ed25519 public key, 64 hex characters (default: the configured signing key's)")
    verify.set_defaults(func=cmd_verify_head)
    bonus = sub.add_parser("bonus", help="bonus files for payroll").add_subparsers(dest="bonus_command", required=True)
    export = bonus.add_parser("export", help="write the month's bonus as XLSX or CSV (approved months only)")
    export.add_argument("month", help="YYYY-MM")
    export.add_argument("--format", choices=["xlsx", "csv"], default="xlsx", help="file format (default xlsx)")
    export.add_argument("--output", help="file to write (default bonus-YYYY-MM.<format> in the current directory)")
    export.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the file's words (default zh)")
    export.set_defaults(func=cmd_bonus_export)
