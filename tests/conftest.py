"""Test wiring: a fresh database per test on SQLite, or on PostgreSQL when
``WINDOW_STAFF_TEST_POSTGRES_URL`` is set (``.ci/run`` sets it for the second pass)."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import asyncpg
import httpx
import pytest

from window_staff.app import build_context, create_app
from window_staff.common.clock import FixedClock
from window_staff.common.context import AppContext
from window_staff.common.db import close_pool, create_engine, start_pool
from window_staff.migrations import migrate
from window_staff.settings import Settings, load_settings

PG_URL = os.environ.get("WINDOW_STAFF_TEST_POSTGRES_URL", "")
ENGINE = "postgres" if PG_URL else "sqlite"
_counter = itertools.count()


def _with_db(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
async def template_db() -> AsyncIterator[str]:
    """A migrated database that each test copies."""
    if ENGINE == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="ws-test-"))
        url = f"sqlite:///{folder / 'template.sqlite3'}"
        engine = create_engine(url)
        await migrate(engine)
        await close_pool(engine)
        yield url
        shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"ws_tpl_{os.getpid()}"
    admin = await asyncpg.connect(PG_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = _with_db(PG_URL, name)
    engine = create_engine(url)
    await start_pool(engine)
    await migrate(engine)
    await close_pool(engine)
    yield url
    admin = await asyncpg.connect(PG_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def database_url(template_db: str) -> AsyncIterator[str]:
    """A fresh, migrated database for one test."""
    n = next(_counter)
    if ENGINE == "sqlite":
        src = Path(urlparse(template_db).path)
        dst = src.with_name(f"t{n}.sqlite3")
        shutil.copyfile(src, dst)
        yield f"sqlite:///{dst}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{dst}{suffix}").unlink(missing_ok=True)
        return
    name = f"ws_t_{os.getpid()}_{n}"
    template = urlparse(template_db).path.lstrip("/")
    admin = await asyncpg.connect(PG_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    yield _with_db(PG_URL, name)
    admin = await asyncpg.connect(PG_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def clock() -> FixedClock:
    """A clock tests move by hand, starting at the real current time."""
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at this test's database and a temporary data directory."""
    return load_settings({}, database_url=database_url, data_dir=tmp_path, login_max_failures=5, face_pool_warm=False)


@pytest.fixture
async def ctx(settings: Settings, clock: FixedClock) -> AsyncIterator[AppContext]:
    """A service-layer context with an open pool."""
    context = build_context(settings, clock=clock)
    await start_pool(context.engine)
    yield context
    await close_pool(context.engine)


@pytest.fixture
async def app(settings: Settings, clock: FixedClock):
    """The application with its lifespan running in the test's loop."""
    application = create_app(settings, clock=clock, configure_logs=False)
    started, stop = asyncio.Event(), asyncio.Event()

    async def run_lifespan() -> None:
        # Enter and leave the lifespan in one task: its cancel scopes must not cross tasks.
        async with application.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(run_lifespan())
    await asyncio.wait([task, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()
    yield application
    stop.set()
    await task


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def app_ctx(app) -> AppContext:
    """The context of the running app (same engine and clock as the client)."""
    return app.state.ctx
