"""Database stopped for a while under load: 503 with Retry-After, no partial rows, recovery after.

SQLite: another connection holds the write lock (``BEGIN EXCLUSIVE``) past the busy timeout.
PostgreSQL: the app talks to the server through a TCP proxy in this test, which cuts every
connection and refuses new ones for a while, then lets them through again.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from tests.biometrics.conftest import VAULT_KEY
from tests.conftest import ENGINE, TEST_AUDIT_KEY
from tests.terminals.conftest import make_desk
from tests.terminals.test_iclock_api import line, local, make_device, upload
from window_staff.attendance.tables import Punch
from window_staff.settings import Settings, load_settings
from window_staff.terminals.client import CheckInEvent as Event, send
from window_staff.terminals.tables import CheckInEvent

pytestmark = pytest.mark.slow(seconds=4)

CONCURRENT = 6  # more requests at once than the pool has connections: a leaked connection would hang the rest
POOL = 2


class TcpProxy:
    """A TCP relay to PostgreSQL that can drop every connection and refuse new ones.

    It runs its own event loop in a thread: Piccolo's engine checks the server version synchronously
    when it is built (blocking the test's loop), so a relay on that loop would stall it for a minute.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.listen_port = 0
        self.server: asyncio.Server | None = None
        self.transports: set[asyncio.BaseTransport] = set()
        # While set, a connection that starts a transaction is reset: reads work, every write fails mid-way.
        self.kill_on_begin = False
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="pg-proxy", daemon=True)
        self.thread.start()

    async def _call(self, coro) -> None:  # noqa: ANN001
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        await asyncio.wrap_future(future)

    async def start(self) -> None:
        """Listen (on the same port again after an outage)."""
        await self._call(self._start())

    async def cut(self) -> None:
        """Stop listening (new connections are refused) and reset every open connection."""
        await self._call(self._cut())
        await asyncio.sleep(0.05)  # let the driver notice its sockets are gone

    async def stop(self) -> None:
        """Close everything and end the thread (test teardown)."""
        await self._call(self._cut())
        self.loop.call_soon_threadsafe(self.loop.stop)
        await asyncio.to_thread(self.thread.join, 5)
        self.loop.close()

    async def _start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.listen_port)
        self.listen_port = self.server.sockets[0].getsockname()[1]

    async def _cut(self) -> None:
        if self.server is not None:
            self.server.close()
        for transport in list(self.transports):
            transport.abort()  # type: ignore[attr-defined]
        self.transports.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.port)
        except OSError:
            writer.transport.abort()
            return
        self.transports |= {writer.transport, up_writer.transport}
        await asyncio.gather(self._pipe(reader, up_writer, upstream=True), self._pipe(up_reader, writer, upstream=False))

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter, *, upstream: bool) -> None:
        with contextlib.suppress(OSError):
            while data := await src.read(65536):
                if upstream and self.kill_on_begin and b"BEGIN" in data.upper():
                    break  # asyncpg sends "BEGIN;" as one simple-query message: drop it and the connection
                dst.write(data)
                await dst.drain()
        dst.transport.abort()


class SQLiteLock:
    """Another process's writer holding SQLite's lock for as long as the outage lasts."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.conn: sqlite3.Connection | None = None

    async def cut(self) -> None:
        """Take the write lock and keep it."""
        self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=5)
        self.conn.execute("BEGIN EXCLUSIVE")

    async def restore(self) -> None:
        """Let go of the lock."""
        assert self.conn is not None
        self.conn.execute("ROLLBACK")
        self.conn.close()
        self.conn = None


class Outage:
    """Start and end a database outage on this test's engine."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.app_url = database_url
        self.proxy: TcpProxy | None = None
        self.lock: SQLiteLock | None = None

    async def prepare(self) -> None:
        """SQLite: nothing to start. PostgreSQL: start the proxy and point the app at it."""
        if ENGINE == "sqlite":
            self.lock = SQLiteLock(urlparse(self.database_url).path)
            return
        parts = urlparse(self.database_url)
        self.proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
        await self.proxy.start()
        netloc = f"{parts.username}@127.0.0.1:{self.proxy.listen_port}" if parts.username else f"127.0.0.1:{self.proxy.listen_port}"
        self.app_url = urlunparse(parts._replace(netloc=netloc))

    async def cut(self) -> None:
        """The database goes away."""
        await (self.lock or self.proxy).cut()  # type: ignore[union-attr]

    async def fail_writes(self) -> None:
        """Reads still work, every write transaction fails at its start (SQLite: the lock; PostgreSQL: the connection dies at BEGIN)."""
        if self.lock is not None:
            await self.lock.cut()
        else:
            assert self.proxy is not None
            self.proxy.kill_on_begin = True

    async def restore_writes(self) -> None:
        """Writes work again."""
        if self.lock is not None:
            await self.lock.restore()
        else:
            assert self.proxy is not None
            self.proxy.kill_on_begin = False

    async def restore(self) -> None:
        """The database is back."""
        if self.lock is not None:
            await self.lock.restore()
        else:
            assert self.proxy is not None
            await self.proxy.start()


@pytest.fixture
async def outage(database_url: str) -> AsyncIterator[Outage]:
    """The outage switch for this test's database."""
    switch = Outage(database_url)
    await switch.prepare()
    yield switch
    if switch.lock is not None and switch.lock.conn is not None:
        await switch.lock.restore()
    if switch.proxy is not None:
        await switch.proxy.stop()


@pytest.fixture
def settings(outage: Outage, tmp_path: Path) -> Settings:
    """Small pools and a short busy timeout, so an outage shows in well under a second."""
    return load_settings(
        {},
        database_url=outage.app_url,
        data_dir=tmp_path,
        face_pool_warm=False,
        audit_key=TEST_AUDIT_KEY,
        vault_key=VAULT_KEY,
        sqlite_pool_size=POOL,
        sqlite_busy_timeout_ms=200,
        pg_pool_min=1,
        pg_pool_max=POOL,
    )


async def _check_in(client, desk, clock, event_id: str):
    event = Event(event_id=event_id, captured_at=clock.now(), face_encoding=desk.face, fingerprint=desk.finger)
    # send() signs with a fresh random nonce each time, as a terminal's retry does
    return await send(client, event, serial=desk.serial, secret=desk.secret, created=clock.now())


def _acknowledged(response) -> int:
    """Punches the server promised: an accepted check-in is one, ``OK: n`` is n."""
    if response.status_code != 200:
        return 0
    if response.headers["content-type"].startswith("text/plain"):
        return int(response.text.split(":", 1)[1]) if response.text.startswith("OK:") else 0
    return 1 if response.json()["result"] == "accepted" else 0


async def _load(client, desk, device, clock, *, round_: str):
    """CONCURRENT check-ins and CONCURRENT one-line ATTLOG uploads at once; returns (requests, responses)."""
    checkins = [lambda i=i: _check_in(client, desk, clock, f"{round_}-{i}") for i in range(CONCURRENT)]
    uploads = [lambda i=i: upload(client, device.serial, line(device.pin, local(clock, minutes=-(i + 1)))) for i in range(CONCURRENT)]
    calls = checkins + uploads
    # a pool that leaked its connections would make these wait for ever: fail instead
    responses = await asyncio.wait_for(asyncio.gather(*(call() for call in calls)), timeout=60)
    return calls, responses


async def test_an_outage_answers_503_with_retry_after_keeps_no_partial_rows_and_recovers(client, app_ctx, clock, outage):
    desk = await make_desk(app_ctx)
    device = await make_device(app_ctx)
    # before: both paths work and hold their connections briefly
    warm = [await _check_in(client, desk, clock, "warm-1"), await upload(client, device.serial, line(device.pin, local(clock, hours=-1)))]
    assert [r.status_code for r in warm] == [200, 200] and sum(map(_acknowledged, warm)) == 2

    await outage.cut()
    try:
        _, during = await _load(client, desk, device, clock, round_="cut")
        # the device and handshake routes too: their guard reads the database first
        during.append(await client.get(f"/iclock/getrequest?SN={device.serial}"))
    finally:
        await outage.restore()
    for response in during:
        assert response.status_code == 503, (response.status_code, response.text)
        assert response.headers["retry-after"].isdigit() and int(response.headers["retry-after"]) > 0
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "database_unavailable"
        assert not response.text.startswith("OK")
    # no partial rows: nothing but what was acknowledged, and no check-in answer without its punch
    assert await Punch.count() == 2
    assert await CheckInEvent.count() == 1

    # after: the very same requests succeed without restarting the app (the pool reconnected)
    calls, after = await _load(client, desk, device, clock, round_="cut")
    assert [r.status_code for r in after] == [200] * len(calls), [r.text for r in after if r.status_code != 200]
    assert sum(map(_acknowledged, after)) == 2 * CONCURRENT
    assert await Punch.count() == 2 + 2 * CONCURRENT
    events = await CheckInEvent.select(CheckInEvent.event_id)
    keys = {r["event_key"] for r in await Punch.select(Punch.event_key)}
    assert len(events) == 1 + CONCURRENT and all(f"{desk.serial}:{e['event_id']}" in keys for e in events)
    # and a second round: connections are healthy, not merely reopened once
    _, again = await _load(client, desk, device, clock, round_="after")
    assert {r.status_code for r in again} == {200}


async def test_a_second_outage_after_recovery_is_handled_the_same_way(client, app_ctx, clock, outage):
    device = await make_device(app_ctx)
    for round_ in range(2):
        await outage.cut()
        try:
            down = await asyncio.wait_for(
                asyncio.gather(
                    *(upload(client, device.serial, line(device.pin, local(clock, minutes=-i - 10 * round_))) for i in range(CONCURRENT))
                ),
                timeout=60,
            )
        finally:
            await outage.restore()
        assert {r.status_code for r in down} == {503}
        up = await upload(client, device.serial, line(device.pin, local(clock, minutes=-100 - round_)))
        assert up.status_code == 200 and up.text == "OK: 1"
    assert await Punch.count() == 2


async def test_connections_dying_as_transactions_start_are_released_not_leaked(client, app_ctx, clock, outage):
    # Reads pass (the guards find the terminals), then BEGIN fails: a pool that kept such connections
    # would be empty after POOL failures and every later request would wait for ever.
    desk = await make_desk(app_ctx)
    device = await make_device(app_ctx)
    await outage.fail_writes()
    try:
        _, during = await _load(client, desk, device, clock, round_="w")
    finally:
        await outage.restore_writes()
    assert [r.status_code for r in during] == [503] * len(during), [r.text for r in during if r.status_code != 503]
    assert all(r.headers["retry-after"] and r.json()["code"] == "database_unavailable" for r in during)
    assert await Punch.count() == 0 and await CheckInEvent.count() == 0
    _, after = await _load(client, desk, device, clock, round_="w")
    assert {r.status_code for r in after} == {200}
    assert sum(map(_acknowledged, after)) == 2 * CONCURRENT == await Punch.count()
