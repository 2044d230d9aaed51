"""The ``window-staff`` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import subprocess
import sys
from pathlib import Path

# One BLAS thread per process: the service parallelises across requests and encoder processes, and
# OpenBLAS's own threads stalled matching under load here. Must be set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from window_staff.appraisal import cli as appraisal_cli
from window_staff.biometrics import cli as biometrics_cli
from window_staff.biometrics.vault import demo_vault_key
from window_staff.common.cli import replace_settings, run_job
from window_staff.common.context import AppContext
from window_staff.common.integrity import demo_audit_key
from window_staff.evaluations import cli as evaluations_cli
from window_staff.queues import cli as queues_cli
from window_staff.settings import Settings, get_settings
from window_staff.terminals import cli as terminals_cli


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Apply pending migrations."""
    from window_staff.migrations import migrate

    done = run_job(settings, lambda ctx: migrate(ctx.engine))
    print(f"applied: {', '.join(done)}" if done else "database is up to date")
    return 0


def _serve(settings: Settings, *, workers: int = 1) -> None:
    import uvicorn

    from window_staff.app import create_app

    # proxy_headers off: uvicorn would otherwise rewrite the client address and scheme from X-Forwarded-* for peers
    # in FORWARDED_ALLOW_IPS (default 127.0.0.1 and ::1) before the app sees them. One place reads those headers:
    # common/forwarded.py, with WINDOW_STAFF_TRUSTED_PROXIES (docs/DESIGN.md §9, "Behind a reverse proxy").
    options = {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,
        "date_header": False,
        "proxy_headers": False,
    }
    if workers > 1:
        # Each worker process builds its own app from the same environment; nothing a decision needs lives only in
        # one process (nonces, throttles, sessions and gallery versions are rows in the database).
        uvicorn.run("window_staff.app:create_app", factory=True, workers=workers, **options)  # type: ignore[arg-type]
    else:
        uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the API (migrate first with ``window-staff migrate``)."""
    from window_staff.migrations import pending

    waiting = run_job(settings, lambda ctx: pending(ctx.engine))
    if waiting:
        print(f"the database needs migrations first: {', '.join(waiting)}; run `window-staff migrate`", file=sys.stderr)
        return 2
    if cmd_rules_check(argparse.Namespace(directory=None), settings, quiet=True) != 0:
        return 2
    if args.workers < 1:
        print("--workers needs at least 1", file=sys.stderr)
        return 2
    runners = _start_job_workers(settings)
    try:
        _serve(settings, workers=args.workers)
    finally:
        for runner in runners:
            runner.terminate()  # a job cut short is run again by the next worker (see jobs/runner.py)
        for runner in runners:
            runner.wait(timeout=30)
    return 0


def _start_job_workers(settings: Settings) -> list[subprocess.Popen[bytes]]:
    """With ``job_runner = "worker"``, the ``window-staff worker`` processes that run this host's jobs."""
    if settings.job_runner != "worker":
        return []
    command = [sys.executable, "-m", "window_staff.cli", "worker", "--exit-with", str(os.getpid())]
    return [subprocess.Popen(command) for _ in range(settings.job_workers)]


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Run queued jobs (computing and closing months) until stopped, at a lower CPU priority than check-ins."""
    from window_staff.jobs.runner import Runner

    if settings.job_worker_nice:
        os.nice(settings.job_worker_nice)

    async def job(ctx: AppContext) -> None:
        runner = asyncio.create_task(Runner(ctx).run_forever())
        if args.exit_with:
            # uvicorn re-raises SIGTERM after its shutdown, so serve cannot always stop its workers: they follow it.
            while os.getppid() == args.exit_with and not runner.done():
                await asyncio.sleep(1)
            runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner

    try:
        run_job(settings, job, rules=True)
    except KeyboardInterrupt:
        pass
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Create or reuse the demo SQLite database, seed the demo centre, print logins and serve."""
    from window_staff import demo
    from window_staff.migrations import migrate

    settings = demo_audit_key(demo_vault_key(settings))

    async def job(ctx: AppContext) -> list[demo.DemoLogin]:
        await migrate(ctx.engine)
        return await demo.seed(ctx)

    logins = run_job(settings, job)
    url = f"http://{settings.host}:{settings.port}"
    print(f"\nwindow-staff demo centre on {settings.resolved_database_url}")
    print(f"  URL:      {url}/   health: {url}/health   API docs: {url}/api/schema/swagger")
    print("  Logins (password / TOTP secret for an authenticator app; `uv run window-staff demo-totp USER` prints the current code):")
    for login in logins:
        secret = login.totp_secret or "(no second factor)"
        print(f"    {login.username:<10} {login.password:<16} {','.join(login.roles):<16} {secret}")
    if args.no_serve:
        return 0
    _serve(settings)
    return 0


def cmd_demo_totp(args: argparse.Namespace, settings: Settings) -> int:
    """Print the current TOTP code of a demo user (refused on a non-demo database)."""
    import pyotp

    from window_staff import demo
    from window_staff.auth import service as auth_service

    async def job(ctx: AppContext) -> str | None:
        if not await demo.is_seeded(ctx) or args.username not in {u for u, _, _ in demo.DEMO_USERS}:
            return None
        return await auth_service.totp_secret_of(ctx, args.username)

    secret = run_job(settings, job)
    if not secret:
        print("not a demo user with a second factor", file=sys.stderr)
        return 2
    print(pyotp.TOTP(secret).now())
    return 0


def cmd_users_create(args: argparse.Namespace, settings: Settings) -> int:
    """Create a user (the first admin, typically); prints the TOTP URI once."""
    from window_staff.auth import service
    from window_staff.auth.schemas import UserCreateIn
    from window_staff.common.errors import DomainError

    password = args.password or getpass.getpass("password (10+ characters): ")
    data = UserCreateIn(
        username=args.username,
        password=password,
        display_name=args.name or args.username,
        roles=args.role or ["admin"],
        staff_id=args.staff_id,
    )
    try:
        user, uri = run_job(settings, lambda ctx: service.create_user(ctx, data, actor="cli"))
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(f"created user {user.username} (id {user.id}) with roles {', '.join(user.roles)}")
    if uri:
        print(f"second factor required: add this to an authenticator app (shown once):\n  {uri}")
    return 0


def cmd_audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    """Verify the audit chain, the sealed rows and the signed checkpoints; exit 1 and name every problem found."""
    from window_staff.common import tamper

    report = run_job(settings, lambda ctx: tamper.verify(ctx))
    chain = report.chain
    if not chain.ok:
        print(f"BROKEN at event id {chain.broken_id}: {chain.reason} ({chain.checked} events before it are intact)")
    for problem in report.problems:
        print(f"TAMPERED {problem}")
    if report.ok:
        keyed = f"keyed from the cut-over, {chain.keyed} keyed" if report.keyed else "unkeyed (no audit key: rows are not sealed)"
        print(f"OK: {chain.checked} events, chain intact ({keyed}); checkpoints: {report.checkpoints}")
        for table, rows in report.rows.items():
            older = report.unsealed.get(table, 0)
            print(f"  {table}: {rows} rows" + (f" ({older} from before the audit key, not sealed)" if older else ""))
        return 0
    print(f"FAILED: {len(report.problems) + (0 if chain.ok else 1)} problem(s)")
    return 1


def cmd_audit_checkpoint(args: argparse.Namespace, settings: Settings) -> int:
    """Sign the audit chain's head into ``<data_dir>/audit/checkpoint-*.json`` (the service makes one a day by itself)."""
    from window_staff.common import checkpoints

    path = run_job(settings, lambda ctx: checkpoints.make(ctx))
    if path is None:
        print("nothing to sign: the audit chain is empty")
        return 0
    print(path)
    return 0


def cmd_rules_check(args: argparse.Namespace, settings: Settings, *, quiet: bool = False) -> int:
    """Validate the rules folder (scoring rules, attendance grace, calendar files, policies, bonus rules); 1 and every error when
    invalid."""
    from window_staff.app import build_context, load_rules_at_start
    from window_staff.appraisal.policy import policy_of as appraisal_policy_of
    from window_staff.common.errors import DomainError
    from window_staff.evaluations.policy import policy_of as evaluations_policy_of
    from window_staff.queues.policy import policy_of as queues_policy_of
    from window_staff.scoring.cli import check_command

    directory = Path(args.directory) if args.directory else settings.resolved_rules_dir
    if not quiet and check_command(directory) != 0:
        return 1
    ctx = build_context(replace_settings(settings, rules_dir=directory))
    try:
        load_rules_at_start(ctx)
    except DomainError as exc:
        print(f"INVALID: {exc.detail}", file=sys.stderr)
        return 1
    if not quiet:
        print("  attendance grace settings, leave rules, calendar files, inspection policy and bonus rules: OK")
        print(f"  appraisal policy (appeal window {appraisal_policy_of(ctx).appeal_days} days): OK")
        print(f"  evaluations policy (results shown from {evaluations_policy_of(ctx).min_answers} answers): OK")
        print(f"  queues policy (pauses up to {queues_policy_of(ctx).max_pause_minutes} minutes): OK")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(prog="window-staff", description="Staff side of a county government service centre.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the API")
    serve.add_argument("--workers", type=int, default=1, help="server processes on this host (one database; default 1)")
    serve.set_defaults(func=cmd_serve)
    worker = sub.add_parser("worker", help="run queued jobs (month computes and closes) until stopped; see WINDOW_STAFF_JOB_RUNNER")
    worker.add_argument("--exit-with", type=int, default=0, metavar="PID", help="stop when this parent process has ended (serve sets it)")
    worker.set_defaults(func=cmd_worker)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    demo = sub.add_parser("demo", help="seed a demo centre on SQLite and serve it")
    demo.add_argument("--no-serve", action="store_true", help="seed and print the logins, then exit")
    demo.set_defaults(func=cmd_demo)
    totp = sub.add_parser("demo-totp", help="print a demo user's current TOTP code")
    totp.add_argument("username")
    totp.set_defaults(func=cmd_demo_totp)
    users = sub.add_parser("users", help="manage users").add_subparsers(dest="users_command", required=True)
    create = users.add_parser("create", help="create a user (default role: admin)")
    create.add_argument("username")
    create.add_argument("--role", action="append", help="a role; repeat for several")
    create.add_argument("--name", help="display name")
    create.add_argument("--password", help="password (prompted when omitted)")
    create.add_argument("--staff-id", type=int, help="link to a staff record")
    create.set_defaults(func=cmd_users_create)
    audit = sub.add_parser("audit", help="the audit chain").add_subparsers(dest="audit_command", required=True)
    audit.add_parser("verify", help="verify the chain, the sealed rows and the checkpoints").set_defaults(func=cmd_audit_verify)
    audit.add_parser("checkpoint", help="sign the chain's head into <data dir>/audit").set_defaults(func=cmd_audit_checkpoint)
    rules = sub.add_parser("rules", help="the rules folder").add_subparsers(dest="rules_command", required=True)
    check = rules.add_parser(
        "check", help="validate scoring rules, attendance grace settings, leave rules, calendar files, policies and bonus rules"
    )
    check.add_argument("directory", nargs="?", help="a rules folder (default: WINDOW_STAFF_RULES_DIR)")
    check.set_defaults(func=cmd_rules_check)
    biometrics_cli.add_commands(sub)
    terminals_cli.add_commands(sub)
    appraisal_cli.add_commands(sub)
    evaluations_cli.add_commands(sub)
    queues_cli.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    settings = get_settings()
    import window_staff.app  # noqa: F401 (the wiring point: it configures common.cli for every job)

    return int(args.func(args, settings) or 0)


if __name__ == "__main__":
    sys.exit(main())
