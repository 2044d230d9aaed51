"""The ``window-staff`` command."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

# One BLAS thread per process: the service parallelises across requests and encoder processes, and
# OpenBLAS's own threads stalled matching under load here. Must be set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from window_staff.common.context import AppContext
from window_staff.common.db import close_pool, start_pool
from window_staff.settings import Settings, get_settings


def _run(settings: Settings, job: Callable[[AppContext], Awaitable[Any]]) -> Any:
    from window_staff.app import build_context

    async def main() -> Any:
        ctx = build_context(settings)
        await start_pool(ctx.engine)
        try:
            return await job(ctx)
        finally:
            await close_pool(ctx.engine)

    return asyncio.run(main())


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Apply pending migrations."""
    from window_staff.migrations import migrate

    done = _run(settings, lambda ctx: migrate(ctx.engine))
    print(f"applied: {', '.join(done)}" if done else "database is up to date")
    return 0


def _serve(settings: Settings) -> None:
    import uvicorn

    from window_staff.app import create_app

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False, date_header=False)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the API (migrate first with ``window-staff migrate``)."""
    from window_staff.migrations import pending

    waiting = _run(settings, lambda ctx: pending(ctx.engine))
    if waiting:
        print(f"the database needs migrations first: {', '.join(waiting)}; run `window-staff migrate`", file=sys.stderr)
        return 2
    if cmd_rules_check(argparse.Namespace(directory=None), settings, quiet=True) != 0:
        return 2
    _serve(settings)
    return 0


def _demo_vault_key(settings: Settings) -> Settings:
    """Without a configured key, the demo uses ``<data_dir>/vault.key`` (created 0600 when missing)."""
    import msgspec

    from window_staff.biometrics.vault import write_key_file

    if settings.vault_key or settings.vault_key_file is not None:
        return settings
    path = settings.data_dir / "vault.key"
    if write_key_file(path):
        print(f"created biometric template key {path} (keep it apart from database backups)")
    return msgspec.structs.replace(settings, vault_key_file=path)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Create or reuse the demo SQLite database, seed the demo centre, print logins and serve."""
    from window_staff import demo
    from window_staff.migrations import migrate

    settings = _demo_vault_key(settings)

    async def job(ctx: AppContext) -> list[demo.DemoLogin]:
        await migrate(ctx.engine)
        return await demo.seed(ctx)

    logins = _run(settings, job)
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
    from window_staff.auth.tables import User

    async def job(ctx: AppContext) -> str | None:
        if not await demo.is_seeded(ctx) or args.username not in {u for u, _, _ in demo.DEMO_USERS}:
            return None
        row = await User.select(User.totp_secret).where(User.username == args.username).first()
        return row["totp_secret"] if row else None

    secret = _run(settings, job)
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
    data = UserCreateIn(username=args.username, password=password, display_name=args.name or args.username, roles=args.role or ["admin"], staff_id=args.staff_id)
    try:
        user, uri = _run(settings, lambda ctx: service.create_user(ctx, data, actor="cli"))
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(f"created user {user.username} (id {user.id}) with roles {', '.join(user.roles)}")
    if uri:
        print(f"second factor required: add this to an authenticator app (shown once):\n  {uri}")
    return 0


def cmd_audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    """Verify the audit chain; exit 1 and name the first broken row if it does not hold."""
    from window_staff.common import audit

    result = _run(settings, lambda ctx: audit.verify(ctx.engine))
    if result.ok:
        print(f"OK: {result.checked} events, chain intact")
        return 0
    print(f"BROKEN at event id {result.broken_id}: {result.reason} ({result.checked} events before it are intact)")
    return 1


def cmd_enroll(args: argparse.Namespace, settings: Settings) -> int:
    """Enrol staff from a manifest; prints a per-person quality report; exit 1 if anyone needs a look."""
    from tqdm import tqdm

    from window_staff.biometrics import batch
    from window_staff.biometrics import service as biometrics
    from window_staff.biometrics.manifest import load_manifest
    from window_staff.common.errors import DomainError

    try:
        entries = load_manifest(Path(args.manifest))
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    actor = f"cli:enroll:{getpass.getuser()}"

    async def job(ctx: AppContext) -> list[batch.PersonReport]:
        await biometrics.start(ctx)
        try:
            with tqdm(total=len(entries), unit="person", desc="enrolling", file=sys.stderr, disable=args.quiet) as bar:
                return await batch.enrol_manifest(ctx, entries, actor=actor, progress=lambda _: bar.update(1))
        finally:
            await biometrics.stop(ctx)

    try:
        reports = _run(settings, job)
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(batch.format_report(reports))
    return 0 if all(r.ok for r in reports) else 1


def cmd_rules_check(args: argparse.Namespace, settings: Settings, *, quiet: bool = False) -> int:
    """Validate the rules folder (scoring rules, attendance grace, calendar files); 1 and every error when invalid."""
    from window_staff.app import build_context, load_rules_at_start
    from window_staff.common.errors import DomainError
    from window_staff.scoring.cli import check_command

    directory = Path(args.directory) if args.directory else settings.resolved_rules_dir
    if not quiet and check_command(directory) != 0:
        return 1
    try:
        load_rules_at_start(build_context(msgspec_replace(settings, rules_dir=directory)))
    except DomainError as exc:
        print(f"INVALID: {exc.detail}", file=sys.stderr)
        return 1
    if not quiet:
        print("  attendance grace settings and calendar files: OK")
    return 0


def msgspec_replace(settings: Settings, **changes: Any) -> Settings:
    """A copy of the settings with some fields changed."""
    import msgspec

    return msgspec.structs.replace(settings, **changes)


def cmd_terminals_register(args: argparse.Namespace, settings: Settings) -> int:
    """Register and approve a terminal at a site; print its secret once (base64)."""
    import base64

    from window_staff.common.errors import DomainError
    from window_staff.org.tables import Site
    from window_staff.terminals import service as terminals
    from window_staff.terminals.schemas import TerminalIn

    settings = _demo_vault_key(settings) if args.demo_key else settings
    actor = f"cli:terminals:{getpass.getuser()}"

    async def job(ctx: AppContext) -> tuple[Any, bytes]:
        site = await Site.select(Site.id).where(Site.code == args.site).first()
        if site is None:
            raise SystemExit(f"error: no site with code {args.site!r}")
        data = TerminalIn(serial=args.serial, site_id=site["id"], window_id=args.window, name=args.name or "", kind=args.kind)
        return await terminals.register_approved(ctx, data, actor=actor)

    try:
        terminal, secret = _run(settings, job)
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(f"terminal {terminal.serial} (id {terminal.id}) approved at site {args.site}")
    if terminal.kind == "signed":
        # Shown once: only its sealed form is stored.
        print(f"secret: {base64.b64encode(secret).decode()}")
    return 0


def cmd_terminals_simulate(args: argparse.Namespace, settings: Settings) -> int:
    """With ``--setup``: enrol simulated staff and register terminals (credentials file, 0600); else drive the API as them."""
    from window_staff.terminals import simulator, simulator_setup

    creds_path = Path(args.credentials) if args.credentials else settings.data_dir / "simulator.json"
    if args.setup:
        demo_key = settings.data_dir / "vault.key"
        if not settings.vault_key and settings.vault_key_file is None and demo_key.exists():
            settings = msgspec_replace(settings, vault_key_file=demo_key)  # the key `window-staff demo` made
        kinds = ("signed", "zkteco") if args.kind == "both" else (args.kind,)
        faces = Path(args.faces) if args.faces else None
        creds = _run(settings, lambda ctx: simulator_setup.provision(
            ctx, terminals_per_kind=args.terminals or 10, kinds=kinds, staff=args.staff, site_code=args.site, prefix=args.prefix, faces=faces))
        simulator_setup.save_credentials(creds_path, creds)
        with_images = sum(1 for s in creds.staff if s.images)
        print(f"provisioned {len(creds.staff)} staff ({with_images} with face images) and {len(creds.terminals)} terminals at site {creds.site}; credentials in {creds_path}")
        return 0
    if not creds_path.exists():
        print(f"error: no credentials at {creds_path}; run `window-staff terminals simulate --setup` first", file=sys.stderr)
        return 2
    plan = simulator.Plan(events=args.events, payload=args.payload, terminals=args.terminals, concurrency=args.concurrency, duplicates=args.duplicates,
                          max_copies=args.max_copies, batch=args.batch, interval=args.interval, seed=args.seed)
    url = args.url or f"http://{settings.host}:{settings.port}"
    try:
        summary = asyncio.run(simulator.simulate(simulator_setup.load_credentials(creds_path), plan=plan, base_url=url))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"url: {url}\n{summary.as_text()}")
    return 0 if summary.acknowledged == summary.planned and not summary.replay_mismatches else 1


def cmd_biometrics_score(args: argparse.Namespace, settings: Settings) -> int:
    """Print ``a,b,score`` for every pair (higher = more alike); empty score when a file has no template."""
    import csv

    from window_staff.biometrics.scores import Scorer, read_pairs

    pairs_path = Path(args.pairs)
    try:
        pairs = read_pairs(pairs_path)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    limits = {"min_face_px": settings.face_min_px, "max_pixels": settings.face_max_pixels, "max_bytes": max(settings.upload_limit_bytes, 50_000_000)}
    scorer = Scorer(args.modality, base=pairs_path.parent, dpi=args.dpi, face_limits=limits)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["a", "b", "score"])
    for a, b, score in scorer.run(pairs):
        out.writerow([a, b, "" if score is None else f"{score:.6f}"])
    for name, reason in scorer.failures.items():
        print(f"warning: no template from {name}: {reason}", file=sys.stderr)
    return 0


def cmd_biometrics_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    """Print EER, FMR100, FMR1000 and the threshold for a target false-match rate."""
    from window_staff.biometrics.scores import calibrate, read_scores

    try:
        genuine, skipped_g = read_scores(Path(args.genuine))
        impostor, skipped_i = read_scores(Path(args.impostor))
        result = calibrate(genuine, impostor, target_fmr=args.target_fmr)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"modality: {args.modality}")
    print(f"genuine scores: {len(genuine)} (skipped {skipped_g}), impostor scores: {len(impostor)} (skipped {skipped_i})")
    print(f"EER: {result['eer'] * 100:.3f}%")
    print(f"FMR100: {result['fmr100'] * 100:.3f}%")
    print(f"FMR1000: {result['fmr1000'] * 100:.3f}%")
    print(f"threshold for FMR <= {args.target_fmr:g}: {result['threshold']:.6f} (FMR {result['fmr_at_threshold'] * 100:.3f}%, FNMR {result['fnmr_at_threshold'] * 100:.3f}%)")
    if args.modality == "face":
        print(f"as a face distance: WINDOW_STAFF_FACE_THRESHOLD={1.0 - result['threshold']:.6f}")
    else:
        print(f"as a setting: WINDOW_STAFF_FINGERPRINT_THRESHOLD={result['threshold']:.6f}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(prog="window-staff", description="Staff side of a county government service centre.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="serve the API").set_defaults(func=cmd_serve)
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
    audit.add_parser("verify", help="verify the hash chain").set_defaults(func=cmd_audit_verify)
    enroll = sub.add_parser("enroll", help="enrol staff biometrics from a manifest (see enrollment/README.md)")
    enroll.add_argument("manifest", help="a .toml or .csv manifest")
    enroll.add_argument("--quiet", action="store_true", help="no progress bar")
    enroll.set_defaults(func=cmd_enroll)
    rules = sub.add_parser("rules", help="the rules folder").add_subparsers(dest="rules_command", required=True)
    check = rules.add_parser("check", help="validate scoring rules, attendance grace settings and calendar files")
    check.add_argument("directory", nargs="?", help="a rules folder (default: WINDOW_STAFF_RULES_DIR)")
    check.set_defaults(func=cmd_rules_check)
    term = sub.add_parser("terminals", help="desk terminals").add_subparsers(dest="terminals_command", required=True)
    reg = term.add_parser("register", help="register and approve a terminal; prints its secret once")
    reg.add_argument("serial")
    reg.add_argument("--site", required=True, help="site code, e.g. GY-COUNTY")
    reg.add_argument("--window", type=int, help="window id")
    reg.add_argument("--name", help="a label")
    reg.add_argument("--kind", choices=["signed", "zkteco"], default="signed", help="signed (our API) or zkteco (ADMS push)")
    reg.add_argument("--demo-key", action="store_true", help="use the demo's vault key file (data dir) when no key is set")
    reg.set_defaults(func=cmd_terminals_register)
    sim = term.add_parser("simulate", help="simulated terminals: --setup provisions staff and terminals, then drive the API as them")
    sim.add_argument("--setup", action="store_true", help="enrol simulated staff, register terminals, write the credentials file, exit")
    sim.add_argument("--credentials", help="credentials file (default <data dir>/simulator.json, mode 0600)")
    sim.add_argument("--terminals", type=int, help="setup: terminals per kind (default 10); drive: use the first N (default all)")
    sim.add_argument("--staff", type=int, default=20, help="setup: simulated staff (default 20)")
    sim.add_argument("--site", default="SIM", help="setup: site code (created when missing; default SIM)")
    sim.add_argument("--prefix", default="SIM", help="setup: employee numbers and serials start with it (default SIM)")
    sim.add_argument("--kind", choices=["signed", "zkteco", "both"], default="both", help="setup: terminal kinds (default both)")
    sim.add_argument("--faces", help="setup: folder of face images (one sub-folder per person); default synthetic encodings")
    sim.add_argument("--url", help="server URL (default http://HOST:PORT from settings)")
    sim.add_argument("--events", type=int, default=20, help="events per terminal (default 20)")
    sim.add_argument("--payload", choices=["encoding", "image", "adms"], default="encoding", help="encoding (default), image (JPEG face) or adms (ZKTeco ATTLOG)")
    sim.add_argument("--concurrency", type=int, default=16, help="requests in flight across terminals (default 16)")
    sim.add_argument("--duplicates", type=float, default=0.0, help="share of events sent 2..--max-copies times (default 0)")
    sim.add_argument("--max-copies", type=int, default=3, help="copies of a duplicated event (default 3)")
    sim.add_argument("--batch", type=int, default=1, help="adms: ATTLOG lines per upload (default 1)")
    sim.add_argument("--interval", type=float, default=0.0, help="seconds between a terminal's events (default 0)")
    sim.add_argument("--seed", type=int, default=0, help="random seed (who checks in, duplicates)")
    sim.set_defaults(func=cmd_terminals_simulate)
    bio = sub.add_parser("biometrics", help="calibration tools").add_subparsers(dest="biometrics_command", required=True)
    score = bio.add_parser("score", help="print a,b,score for image pairs (higher = more alike; face: 1 - distance)")
    score.add_argument("--modality", choices=["face", "fingerprint"], required=True)
    score.add_argument("--pairs", required=True, help="CSV with columns a,b (paths; fingerprints may be .iso records)")
    score.add_argument("--dpi", type=int, default=500, help="fingerprint image resolution (default 500)")
    score.set_defaults(func=cmd_biometrics_score)
    cal = bio.add_parser("calibrate", help="EER, FMR100, FMR1000 and the threshold for a target FMR")
    cal.add_argument("--modality", choices=["face", "fingerprint"], required=True)
    cal.add_argument("--genuine", required=True, help="CSV of genuine scores (column score, or one bare column)")
    cal.add_argument("--impostor", required=True, help="CSV of impostor scores")
    cal.add_argument("--target-fmr", type=float, default=0.001, help="target false-match rate (default 0.001)")
    cal.set_defaults(func=cmd_biometrics_calibrate)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    settings = get_settings()
    return int(args.func(args, settings) or 0)


if __name__ == "__main__":
    sys.exit(main())
