"""Load: 50 simulated terminals x 200 signed check-ins (encoding payload) against a real server process."""

from __future__ import annotations

import pytest

from tests.biometrics.conftest import VAULT_KEY
from tests.terminals.live import LiveServer, decided_rows, repeated_events, stored_answers
from window_staff.terminals.simulator import Plan, simulate
from window_staff.terminals.simulator_setup import provision

pytestmark = pytest.mark.slow(seconds=300)

TERMINALS = 50
EVENTS = 200


async def test_fifty_terminals_times_two_hundred_check_ins_are_each_stored_once_without_a_5xx(ctx, database_url, tmp_path):
    creds = await provision(ctx, terminals_per_kind=TERMINALS, staff=TERMINALS, actor="test")
    server = LiveServer(database_url=database_url, data_dir=tmp_path, env={"WINDOW_STAFF_VAULT_KEY": VAULT_KEY})
    await server.start()
    try:
        summary = await simulate(creds, plan=Plan(events=EVENTS, concurrency=TERMINALS), base_url=server.url)
    finally:
        server.stop()
    assert not [s for s in summary.statuses if s >= 500] and not summary.errors, summary.as_text()
    assert summary.acknowledged == summary.sent == TERMINALS * EVENTS
    stored = await stored_answers()
    assert set(stored) == summary.acked
    assert await decided_rows() == len(stored)
    assert await repeated_events(ctx.engine) == []
