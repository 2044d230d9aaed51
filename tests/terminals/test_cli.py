"""``window-staff terminals register`` through ``main``, against the test's database: all or nothing."""

from __future__ import annotations

import base64

from tests.cli_harness import cli_run  # noqa: F401  (the `run` fixture)
from tests.factories import make_site
from window_staff.common.cli import replace_settings
from window_staff.common.db import execute
from window_staff.terminals import secrets as terminal_secrets
from window_staff.terminals.tables import Terminal, TerminalSecret


async def _terminal_audit_events(ctx) -> int:
    return (await execute(ctx.engine, "SELECT COUNT(*) AS n FROM audit_event WHERE subject_type = 'terminal'"))[0]["n"]


async def test_a_register_that_cannot_seal_the_secret_leaves_nothing_registered(ctx, run, settings, capsys) -> None:
    site = await make_site(ctx)
    code = await run("terminals", "register", "CLI-TX-1", "--site", site.code, settings=replace_settings(settings, vault_key=""))
    assert code == 2
    assert "WINDOW_STAFF_VAULT_KEY" in capsys.readouterr().err
    assert await Terminal.count() == 0 and await TerminalSecret.count() == 0
    assert await _terminal_audit_events(ctx) == 0


async def test_register_works_when_run_again_after_the_key_is_set(ctx, run, settings, capsys) -> None:
    site = await make_site(ctx)
    assert await run("terminals", "register", "CLI-TX-2", "--site", site.code, settings=replace_settings(settings, vault_key="")) == 2
    capsys.readouterr()
    assert await run("terminals", "register", "CLI-TX-2", "--site", site.code) == 0
    printed = base64.b64decode(capsys.readouterr().out.split("secret: ")[1].strip())
    row = await Terminal.select().where(Terminal.serial == "CLI-TX-2").first()
    assert row["status"] == "approved" and row["site"] == site.id
    stored = await TerminalSecret.select().where(TerminalSecret.terminal == row["id"])
    assert len(stored) == 1
    assert terminal_secrets.unseal(ctx, stored[0]["ciphertext"], nonce=stored[0]["nonce"], terminal_id=row["id"]) == printed
    # registered, approved, secret issued: the three events of the one successful run
    assert await _terminal_audit_events(ctx) == 3


async def test_a_serial_registered_already_is_refused_and_keeps_its_secret(ctx, run, capsys) -> None:
    site = await make_site(ctx)
    assert await run("terminals", "register", "CLI-TX-3", "--site", site.code) == 0
    capsys.readouterr()
    assert await run("terminals", "register", "CLI-TX-3", "--site", site.code) == 2
    assert "registered already" in capsys.readouterr().err
    assert await Terminal.count() == 1 and await TerminalSecret.count() == 1
