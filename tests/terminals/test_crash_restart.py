"""The server process is SIGKILLed mid-load and restarted: terminals resend what was not acknowledged."""

from __future__ import annotations

import asyncio

import pytest

from tests.biometrics.conftest import VAULT_KEY
from tests.terminals.live import LiveServer, decided_rows, repeated_events, stored_answers
from window_staff.terminals.simulator import Plan, Summary, simulate
from window_staff.terminals.simulator_setup import provision


@pytest.mark.slow(seconds=30)
async def test_a_killed_and_restarted_server_loses_no_acknowledged_check_in_and_doubles_none(ctx, database_url, tmp_path):
    creds = await provision(ctx, terminals_per_kind=10, staff=10, actor="test")
    server = LiveServer(database_url=database_url, data_dir=tmp_path, env={"WINDOW_STAFF_VAULT_KEY": VAULT_KEY})
    await server.start()
    summary = Summary()
    plan = Plan(events=40, concurrency=10, retry_max=0.5, give_up_after=120)
    run = asyncio.create_task(simulate(creds, plan=plan, base_url=server.url, summary=summary))
    try:
        while not summary.planned or summary.acknowledged < summary.planned // 3:
            assert not run.done(), "the run ended before the server was killed"
            await asyncio.sleep(0.02)
        server.kill()
        acknowledged_before = set(summary.acked)
        assert 0 < len(acknowledged_before) < summary.planned
        await server.start()
        await run
    finally:
        server.stop()
    stored = await stored_answers()
    assert acknowledged_before <= set(stored)
    assert summary.errors, "the kill should have cut some requests off"
    assert summary.acknowledged == summary.planned and set(stored) == summary.acked
    assert await decided_rows() == len(stored)
    assert await repeated_events(ctx.engine) == []
