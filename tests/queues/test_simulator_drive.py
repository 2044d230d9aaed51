"""The simulated queue device's push, against a fake network: it keeps a batch while the server is unreachable and
stops at a refusal (a retry cannot change a 4xx)."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import httpx

from window_staff.queues.simulator import DayPlan, Desk, Shift, SimEvent, generate
from window_staff.queues.simulator_drive import QueueDevice, push

DEVICE = QueueDevice(serial="Q1", secret=b"k" * 32, site="S", timezone="Asia/Shanghai", windows={"1": ["tax"]})


def day() -> list[SimEvent]:
    """A small simulated day at one window."""
    sh = ZoneInfo("Asia/Shanghai")
    shift = Shift("E1", datetime(2025, 3, 3, 8, 20, tzinfo=sh), datetime(2025, 3, 3, 17, 35, tzinfo=sh))
    return generate(DayPlan(date(2025, 3, 3), tickets=20, seed=1), [Desk("1", ("tax",), (shift,))])


async def _no_wait(_: float) -> None:
    return None


async def test_a_batch_is_kept_while_the_server_is_unreachable_and_sent_when_it_is_back() -> None:
    seen: list[int] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(len(json.loads(request.content)))
        if len(seen) <= 2:
            raise httpx.ConnectError("no route to host", request=request)
        assert "signature" in request.headers and request.headers["content-type"] == "application/json"
        return httpx.Response(200, json={"imported": seen[-1], "skipped": 0})

    events = day()
    async with httpx.AsyncClient(transport=httpx.MockTransport(server), base_url="http://server") as http:
        done = await push(events, http=http, device=DEVICE, batch=len(events), sleep=_no_wait)
    assert (done.retries, done.imported, done.errors) == (2, len(events), {"ConnectError": 2})


async def test_a_refused_batch_stops_the_push() -> None:
    def server(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"code": "queue_import_rejected"})

    events = day()
    async with httpx.AsyncClient(transport=httpx.MockTransport(server), base_url="http://server") as http:
        done = await push(events, http=http, device=DEVICE, batch=10, sleep=_no_wait)
    assert (done.requests, done.refused, done.imported, done.retries) == (1, 10, 0, 0)
