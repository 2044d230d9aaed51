"""``window-staff terminals ...``: register a terminal, drive simulated terminals."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path
from typing import Any

from window_staff.biometrics.vault import demo_vault_key
from window_staff.common.cli import replace_settings, run_job
from window_staff.common.context import AppContext
from window_staff.settings import Settings


def cmd_register(args: argparse.Namespace, settings: Settings) -> int:
    """Register and approve a terminal at a site; print its secret once (base64)."""
    import base64

    from window_staff.common.errors import DomainError
    from window_staff.org import service as org
    from window_staff.terminals import service as terminals
    from window_staff.terminals.schemas.registry import TerminalIn

    settings = demo_vault_key(settings) if args.demo_key else settings
    actor = f"cli:terminals:{getpass.getuser()}"

    async def job(ctx: AppContext) -> tuple[Any, bytes]:
        site_id = await org.site_id_by_code(args.site)
        if site_id is None:
            raise SystemExit(f"error: no site with code {args.site!r}")
        data = TerminalIn(serial=args.serial, site_id=site_id, window_id=args.window, name=args.name or "", kind=args.kind)
        return await terminals.register_approved(ctx, data, actor=actor)

    try:
        terminal, secret = run_job(settings, job)
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(f"terminal {terminal.serial} (id {terminal.id}) approved at site {args.site}")
    if terminal.kind in ("signed", "queue"):
        # Shown once: only its sealed form is stored.
        print(f"secret: {base64.b64encode(secret).decode()}")
    return 0


def cmd_simulate(args: argparse.Namespace, settings: Settings) -> int:
    """With ``--setup``: enrol simulated staff and register terminals (credentials file, 0600); else drive the API as them."""
    from window_staff.terminals import simulator, simulator_setup

    creds_path = Path(args.credentials) if args.credentials else settings.data_dir / "simulator.json"
    if args.setup:
        demo_key = settings.data_dir / "vault.key"
        if not settings.vault_key and settings.vault_key_file is None and demo_key.exists():
            settings = replace_settings(settings, vault_key_file=demo_key)  # the key `window-staff demo` made
        kinds = ("signed", "zkteco") if args.kind == "both" else (args.kind,)
        faces = Path(args.faces) if args.faces else None
        creds = run_job(
            settings,
            lambda ctx: simulator_setup.provision(
                ctx,
                terminals_per_kind=args.terminals or 10,
                kinds=kinds,
                staff=args.staff,
                site_code=args.site,
                prefix=args.prefix,
                faces=faces,
            ),
        )
        simulator_setup.save_credentials(creds_path, creds)
        with_images = sum(1 for s in creds.staff if s.images)
        print(
            f"provisioned {len(creds.staff)} staff ({with_images} with face images) and {len(creds.terminals)} terminals at site "
            f"{creds.site}; credentials in {creds_path}"
        )
        return 0
    if not creds_path.exists():
        print(f"error: no credentials at {creds_path}; run `window-staff terminals simulate --setup` first", file=sys.stderr)
        return 2
    plan = simulator.Plan(
        events=args.events,
        payload=args.payload,
        terminals=args.terminals,
        concurrency=args.concurrency,
        duplicates=args.duplicates,
        max_copies=args.max_copies,
        batch=args.batch,
        interval=args.interval,
        seed=args.seed,
        poor=args.poor,
    )
    url = args.url or f"http://{settings.host}:{settings.port}"
    try:
        summary = asyncio.run(simulator.simulate(simulator_setup.load_credentials(creds_path), plan=plan, base_url=url))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"url: {url}\n{summary.as_text()}")
    return 0 if summary.acknowledged == summary.planned and not summary.replay_mismatches else 1


def add_commands(sub: Any) -> None:
    """Add ``terminals register`` and ``terminals simulate`` to the main parser."""
    term = sub.add_parser("terminals", help="desk terminals").add_subparsers(dest="terminals_command", required=True)
    reg = term.add_parser("register", help="register and approve a terminal; prints its secret once")
    reg.add_argument("serial")
    reg.add_argument("--site", required=True, help="site code, e.g. GY-COUNTY")
    reg.add_argument("--window", type=int, help="window id")
    reg.add_argument("--name", help="a label")
    reg.add_argument(
        "--kind",
        choices=["signed", "zkteco", "queue"],
        default="signed",
        help="signed (our API), zkteco (ADMS push) or queue (排号机, signed)",
    )
    reg.add_argument("--demo-key", action="store_true", help="use the demo's vault key file (data dir) when no key is set")
    reg.set_defaults(func=cmd_register)
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
    sim.add_argument(
        "--payload",
        choices=["encoding", "image", "adms"],
        default="encoding",
        help="encoding (default), image (JPEG face) or adms (ZKTeco ATTLOG)",
    )
    sim.add_argument("--concurrency", type=int, default=16, help="requests in flight across terminals (default 16)")
    sim.add_argument("--duplicates", type=float, default=0.0, help="share of events sent 2..--max-copies times (default 0)")
    sim.add_argument("--max-copies", type=int, default=3, help="copies of a duplicated event (default 3)")
    sim.add_argument("--batch", type=int, default=1, help="adms: ATTLOG lines per upload (default 1)")
    sim.add_argument("--interval", type=float, default=0.0, help="seconds between a terminal's events (default 0)")
    sim.add_argument("--seed", type=int, default=0, help="random seed (who checks in, duplicates)")
    sim.add_argument(
        "--poor",
        type=float,
        default=0.0,
        help="share of check-ins whose first touch is too poor: the server answers retry and the terminal touches again (default 0)",
    )
    sim.set_defaults(func=cmd_simulate)
