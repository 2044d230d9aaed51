"""The terminal simulator: duplicates and retries in-process, and the CLI against a served demo database."""

from __future__ import annotations

import os
import stat

import pytest

from tests.conftest import TEST_AUDIT_KEY
from tests.terminals.live import LiveServer, decided_rows, repeated_events, stored_answers
from tests.test_cli import run
from window_staff.terminals.simulator import Plan, simulate
from window_staff.terminals.simulator_setup import provision


@pytest.mark.slow(seconds=22)
async def test_events_sent_one_to_three_times_some_at_once_are_stored_once_and_replayed_byte_for_byte(client, app_ctx, clock):
    creds = await provision(app_ctx, terminals_per_kind=5, staff=8, actor="test")
    plan = Plan(events=30, concurrency=10, duplicates=0.7, max_copies=3, together=0.5)
    summary = await simulate(creds, plan=plan, client=client, clock=clock.now)
    assert summary.copies > 0 and summary.requests == summary.planned + summary.copies
    assert summary.replay_mismatches == 0 and summary.acknowledged == summary.planned
    stored = await stored_answers()
    assert {k: v.encode() for k, v in stored.items()} == summary.answers
    assert await decided_rows() == len(stored) and await repeated_events(app_ctx.engine) == []


async def test_a_poor_touch_is_answered_retry_and_the_terminals_touch_again_until_accepted(client, app_ctx, clock):
    from window_staff.attendance.tables import Punch
    from window_staff.terminals.tables import CheckInRejection

    creds = await provision(app_ctx, terminals_per_kind=2, staff=6, actor="test")
    summary = await simulate(creds, plan=Plan(events=10, poor=0.5, seed=3), client=client, clock=clock.now)
    assert summary.asked_again > 0
    assert summary.accepted == 20 and summary.rejected == 0 and summary.acknowledged == summary.planned == 20 + summary.asked_again
    assert await Punch.count() == 20 and await CheckInRejection.count() == 0


async def test_adms_lines_from_zkteco_terminals_become_punches_once(client, app_ctx, clock):
    from window_staff.attendance.tables import Punch

    creds = await provision(app_ctx, terminals_per_kind=3, kinds=("zkteco",), staff=5, actor="test")
    summary = await simulate(creds, plan=Plan(events=12, payload="adms", batch=4, duplicates=0.5), client=client, clock=clock.now)
    assert summary.acknowledged == summary.accepted == 36
    assert await Punch.count() == 36


def _demo_env(tmp_path, database_url) -> dict[str, str]:
    return {"WINDOW_STAFF_DATA_DIR": str(tmp_path), "WINDOW_STAFF_DATABASE_URL": database_url, "WINDOW_STAFF_AUDIT_KEY": TEST_AUDIT_KEY}


@pytest.mark.slow(seconds=20)
async def test_cli_setup_then_a_run_against_the_served_demo_prints_sent_equal_to_acknowledged(tmp_path, database_url):
    server = LiveServer(database_url=database_url, data_dir=tmp_path, command=("demo",))
    await server.start()  # seeds the demo and makes <data dir>/vault.key, which --setup finds on its own
    try:
        setup = run(["terminals", "simulate", "--setup", "--terminals", "3", "--staff", "6"], env=_demo_env(tmp_path, database_url))
        assert "provisioned 6 staff" in setup.stdout
        result = run(
            ["terminals", "simulate", "--url", server.url, "--events", "8", "--duplicates", "0.3"], env=_demo_env(tmp_path, database_url)
        )
    finally:
        server.stop()
    figures = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    assert figures["sent"] == figures["acknowledged"] == figures["accepted"] == "24"
    assert figures["replay mismatches"] == "0"


def test_cli_setup_writes_the_credentials_file_readable_by_its_owner_only(tmp_path, database_url):
    from tests.biometrics.conftest import VAULT_KEY

    env = {**_demo_env(tmp_path, database_url), "WINDOW_STAFF_VAULT_KEY": VAULT_KEY}
    run(["terminals", "simulate", "--setup", "--terminals", "1", "--staff", "2", "--kind", "signed"], env=env)
    mode = stat.S_IMODE(os.stat(tmp_path / "simulator.json").st_mode)
    assert mode == 0o600
