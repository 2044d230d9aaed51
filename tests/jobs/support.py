"""Following a queued job through the API until it has finished (the in-process runner runs it)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


async def finished(
    client: httpx.AsyncClient, accepted: httpx.Response, *, headers: dict[str, str], timeout: float = 60.0
) -> dict[str, Any]:
    """The job a 202 answer queued, once it is done or failed."""
    assert accepted.status_code == 202, accepted.text
    address = accepted.headers["location"]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        job = (await client.get(address, headers=headers)).json()
        if job["state"] in ("done", "failed"):
            return job
        assert loop.time() < deadline, f"job still {job['state']} after {timeout} s: {job}"
        await asyncio.sleep(0.02)
