"""Jobs across real server processes: an acknowledged job outlives the web process, and worker processes run it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pyotp
import pytest

from tests.appraisal.support import MONTH, make_month
from tests.factories import TestUser, make_user
from tests.terminals.live import LiveServer

COMPUTE = f"/api/v1/appraisal/periods/{MONTH}/compute"


def _server(database_url: str, folder, **env: str) -> LiveServer:
    folder.mkdir()
    return LiveServer(database_url=database_url, data_dir=folder, env={f"WINDOW_STAFF_{k.upper()}": v for k, v in env.items()})


async def _login(client: httpx.AsyncClient, user: TestUser) -> dict[str, str]:
    # The servers run on the real clock; the test's context clock was moved to the month's end.
    body = {"username": user.username, "password": user.password, "totp": pyotp.TOTP(user.totp_secret or "").now()}
    response = await client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def _finished(client: httpx.AsyncClient, address: str, headers: dict[str, str]) -> dict:
    for _ in range(300):
        job = (await client.get(address, headers=headers)).json()
        if job["state"] in ("done", "failed"):
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"job still {job['state']}")


@pytest.mark.slow(seconds=25)
async def test_a_queued_compute_outlives_the_web_process_and_runs_when_it_is_back(ctx, database_url, tmp_path) -> None:
    await make_month(ctx)
    hr = await make_user(ctx, "hr")
    # First a process that only queues (its job workers are off), killed right after answering 202.
    queuer = _server(database_url, tmp_path / "a", job_runner="worker", job_workers="0")
    await queuer.start()
    try:
        async with httpx.AsyncClient(base_url=queuer.url, timeout=30) as client:
            headers = await _login(client, hr)
            accepted = await client.post(COMPUTE, headers=headers)
    finally:
        queuer.kill()
    assert accepted.status_code == 202 and accepted.json()["state"] == "queued"
    # Then the default set-up: the web process runs jobs, and finds the one acknowledged before.
    server = _server(database_url, tmp_path / "b")
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            job = await _finished(client, accepted.headers["location"], headers)
            period = (await client.get(f"/api/v1/appraisal/periods/{MONTH}", headers=headers)).json()
    finally:
        server.stop()
    assert job["state"] == "done" and job["result"]["staff"] == 2
    assert (period["state"], period["computation"]) == ("computed", 1)


@pytest.mark.slow(seconds=25)
async def test_with_worker_processes_the_web_process_queues_and_a_worker_runs_the_job(ctx, database_url, tmp_path) -> None:
    await make_month(ctx)
    hr = await make_user(ctx, "hr")
    server = _server(database_url, tmp_path / "a", job_runner="worker", job_workers="1", job_worker_nice="5")
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            headers = await _login(client, hr)
            accepted = await client.post(COMPUTE, headers=headers)
            job = await _finished(client, accepted.headers["location"], headers)
            started = _workers_of(str(tmp_path / "a"))
    finally:
        server.stop()
    assert job["state"] == "done" and job["result"]["changed"] == 2
    assert started, "serve started no job worker"
    assert await _gone(str(tmp_path / "a")), "the job worker outlived the serve process that started it"


def _workers_of(data_dir: str) -> list[int]:
    """``window-staff worker`` processes serving this data folder."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"window_staff.cli\0worker" in command and f"WINDOW_STAFF_DATA_DIR={data_dir}".encode() in environ:
            found.append(int(proc.name))
    return found


async def _gone(data_dir: str) -> bool:
    for _ in range(100):
        if not _workers_of(data_dir):
            return True
        await asyncio.sleep(0.2)
    return False
