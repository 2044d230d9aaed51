"""Test wiring: a fresh database per test on SQLite, or on PostgreSQL when
``WINDOW_STAFF_TEST_POSTGRES_URL`` is set (``.ci/run`` sets it for the second pass).

The suite runs on two pytest-xdist workers by default (``--numprocesses 2`` in pyproject's addopts).
Every worker process has its own databases (named after the worker and the process, so two runs sharing one
PostgreSQL server do not meet), its own temporary folders and its own free ports; session fixtures run
once per worker. The browser tests stay together on one worker; tests marked ``slow`` start first.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
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
from window_staff.auth import domain as auth_domain
from window_staff.common.clock import FixedClock
from window_staff.common.context import AppContext
from window_staff.common.db import close_pool, create_engine, start_pool
from window_staff.migrations import migrate
from window_staff.settings import Settings, load_settings

PG_URL = os.environ.get("WINDOW_STAFF_TEST_POSTGRES_URL", "")
ENGINE = "postgres" if PG_URL else "sqlite"
# "gw0", "gw1", ... under pytest-xdist; "main" when the tests run in one process (-n 0 or -p no:xdist).
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
_counter = itertools.count()
# Tests run with an audit key, as the demo and a production service do (a fixed one: tests may build several contexts).
TEST_AUDIT_KEY = base64.b64encode(b"window-staff test audit key 32b!").decode()


def _with_db(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{name}"))


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """With pytest-xdist disabled (``-p no:xdist``), accept and ignore pyproject's ``--numprocesses``."""
    if pluginmanager.has_plugin("xdist"):
        return
    group = parser.getgroup("xdist-disabled", "pytest-xdist is disabled: these options of pyproject's addopts are ignored")
    group.addoption("--numprocesses", dest="numprocesses", default=None, help="ignored without pytest-xdist")


BROWSER_TESTS = Path(__file__).parent / "web"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow tests first, longest first (by their ``slow(seconds=...)`` estimate); the rest keep their order.

    Under xdist every worker collects the same order and the scheduler hands tests out in it, so the longest
    starts at once while the short tests fill in on the other worker.
    """

    def weight(item: pytest.Item) -> float:
        marker = item.get_closest_marker("slow")
        return -float(marker.kwargs.get("seconds", 1)) if marker else 0.0

    items.sort(key=weight)  # stable: equal weights keep the collection order


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``--dist load`` (what ``--numprocesses`` implies), except that the browser tests are one unit of work.

    They share one demo server and one Chromium per worker (tests/web/conftest.py) and change the demo centre
    as they go, so they run together on one worker in their files' order; being the largest unit, that group
    is handed out first. (xdist's own ``--dist loadgroup`` marks groups by rewriting node ids, which pytest 9.2
    no longer lets it do: pytest-xdist issue 1386.) Other ``--dist`` modes are xdist's own.
    """
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    browser = BROWSER_TESTS.relative_to(config.rootpath).as_posix() + "/"

    class BrowserTestsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "browser tests" if nodeid.startswith(browser) else nodeid

    return BrowserTestsTogether(config, log)


def _db_name(kind: str, n: int | None = None) -> str:
    base = f"ws_{kind}_{WORKER}_{os.getpid()}"
    return base if n is None else f"{base}_{n}"


@pytest.fixture(scope="session", autouse=True)
def argon2_once_per_password():
    """Each distinct password is hashed once per worker, and each (hash, password) pair verified once.

    Nearly every test user has the same password, and argon2id at the production cost (~0.1-0.2 s a call
    on these machines, once per user made and once per login) was about half the time of the API tests.
    The hashes stay real argon2id hashes at the production parameters and every first verification is
    real; users with the same password share one salt, and a repeated verification gives the result
    the first one gave (verification is a pure function of hash and password).
    """
    real_hash, real_verify = auth_domain.hash_password, auth_domain.verify_password
    hashes: dict[str, str] = {}

    def hash_password(password: str) -> str:
        if password not in hashes:
            hashes[password] = real_hash(password)
        return hashes[password]

    patch = pytest.MonkeyPatch()
    patch.setattr(auth_domain, "hash_password", hash_password)
    patch.setattr(auth_domain, "verify_password", functools.cache(real_verify))
    yield
    patch.undo()


@pytest.fixture(scope="session")
async def template_db() -> AsyncIterator[str]:
    """A migrated database that each test copies."""
    if ENGINE == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix=f"ws-test-{WORKER}-"))
        url = f"sqlite:///{folder / 'template.sqlite3'}"
        engine = create_engine(url)
        await migrate(engine)
        await close_pool(engine)
        yield url
        shutil.rmtree(folder, ignore_errors=True)
        return
    name = _db_name("tpl")
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


@contextlib.asynccontextmanager
async def fresh_database(template_db: str) -> AsyncIterator[str]:
    """A new database copied from the migrated template (dropped afterwards); its URL."""
    n = next(_counter)
    if ENGINE == "sqlite":
        src = Path(urlparse(template_db).path)
        dst = src.with_name(f"t{n}.sqlite3")
        shutil.copyfile(src, dst)
        try:
            yield f"sqlite:///{dst}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{dst}{suffix}").unlink(missing_ok=True)
        return
    name = _db_name("t", n)
    template = urlparse(template_db).path.lstrip("/")
    admin = await asyncpg.connect(PG_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    try:
        yield _with_db(PG_URL, name)
    finally:
        admin = await asyncpg.connect(PG_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def database_url(template_db: str) -> AsyncIterator[str]:
    """A fresh, migrated database for one test."""
    async with fresh_database(template_db) as url:
        yield url


@pytest.fixture
def clock() -> FixedClock:
    """A clock tests move by hand, starting at the real current time."""
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at this test's database and a temporary data directory."""
    return load_settings(
        {}, database_url=database_url, data_dir=tmp_path, login_max_failures=5, face_pool_warm=False, audit_key=TEST_AUDIT_KEY
    )


@pytest.fixture
async def ctx(settings: Settings, clock: FixedClock) -> AsyncIterator[AppContext]:
    """A service-layer context with an open pool."""
    context = build_context(settings, clock=clock)
    await start_pool(context.engine)
    yield context
    await close_pool(context.engine)


@contextlib.asynccontextmanager
async def running_app(settings: Settings, clock: FixedClock):
    """The application with its lifespan running in the current loop."""
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
    try:
        yield application
    finally:
        stop.set()
        await task


def in_process_client(application) -> httpx.AsyncClient:
    """An HTTP client talking to the app in-process (from one fixed client address)."""
    transport = httpx.ASGITransport(app=application, client=("203.0.113.7", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def app(settings: Settings, clock: FixedClock):
    """The application with its lifespan running in the test's loop."""
    async with running_app(settings, clock) as application:
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process."""
    async with in_process_client(app) as c:
        yield c


@pytest.fixture
def app_ctx(app) -> AppContext:
    """The context of the running app (same engine and clock as the client)."""
    return app.state.ctx
