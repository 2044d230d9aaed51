"""Two server processes on one database, each SIGKILLed mid-stream and restarted: no check-in is lost or stored twice."""

from __future__ import annotations

import asyncio
import itertools

import httpx
import pytest

from tests.biometrics.conftest import VAULT_KEY
from tests.terminals.live import LiveServer, decided_rows, repeated_events, stored_answers
from window_staff.terminals.simulator import Plan, Summary, simulate
from window_staff.terminals.simulator_setup import provision


class Alternate(httpx.AsyncBaseTransport):
    """A load balancer in front of the processes: each request goes to the next port in turn, dead or alive."""

    def __init__(self, ports: list[int]) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.ports = itertools.cycle(ports)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # The signature covers the method, path and digest, not the port: any process may take any request.
        request.url = request.url.copy_with(port=next(self.ports))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _until(summary: Summary, run: asyncio.Task, share: float) -> None:
    while not summary.planned or summary.acknowledged < summary.planned * share:
        assert not run.done(), "the run ended before the planned kills"
        await asyncio.sleep(0.02)


@pytest.mark.slow(seconds=45)
async def test_sigkilling_either_of_two_processes_loses_no_acknowledged_check_in_and_stores_none_twice(ctx, database_url, tmp_path):
    creds = await provision(ctx, terminals_per_kind=10, staff=10, actor="test")
    servers = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        servers.append(LiveServer(database_url=database_url, data_dir=folder, env={"WINDOW_STAFF_VAULT_KEY": VAULT_KEY}))
    a, b = servers
    await asyncio.gather(a.start(), b.start())
    summary = Summary()
    # Some events are sent twice on purpose, some of them at once: the copies land on both processes. Terminals pace
    # their events (as people arrive): unpaced, one process alone finished the run while the other restarted.
    plan = Plan(events=40, concurrency=10, duplicates=0.2, retry_max=0.5, give_up_after=120, interval=0.4)
    client = httpx.AsyncClient(base_url=a.url, transport=Alternate([a.port, b.port]), timeout=30)
    run = asyncio.create_task(simulate(creds, plan=plan, client=client, summary=summary))
    acknowledged_before_kill = []
    try:
        for victim, kill_at, back_at in ((a, 0.2, 0.4), (b, 0.6, 0.8)):
            await _until(summary, run, kill_at)
            victim.kill()  # mid-stream: requests in flight on it are cut off, open transactions with them
            acknowledged_before_kill.append(set(summary.acked))
            await _until(summary, run, back_at)  # the other process carries the terminals meanwhile
            await victim.start()  # on the same port: the balancer sends to it again
        await run
    finally:
        await client.aclose()
        a.stop()
        b.stop()
    stored = await stored_answers()
    assert summary.errors, "the kills should have cut some requests off"
    assert all(0 < len(acked) < summary.planned for acked in acknowledged_before_kill)
    assert all(acked <= set(stored) for acked in acknowledged_before_kill)  # nothing acknowledged was lost
    assert summary.acknowledged == summary.planned and summary.given_up == summary.refused == 0
    assert set(stored) == summary.acked  # every sent event is stored, after its resends, and nothing else is
    assert await repeated_events(ctx.engine) == []  # ...each once
    assert await decided_rows() == len(stored)  # one punch or rejection per event, never two
    assert summary.replay_mismatches == 0  # a resend answered by the other process got the first answer
