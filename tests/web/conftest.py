"""Fixtures for page tests: one demo centre served by ``window-staff demo`` and one headless Chromium per session."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.terminals.live import LiveServer
from tests.web.browser import CHROMIUM, Site, chromium_missing


@pytest.fixture(scope="session")
async def site(tmp_path_factory) -> AsyncIterator[Site]:
    """The demo centre on its embedded SQLite, as the README's first command starts it."""
    data_dir = tmp_path_factory.mktemp("web-demo")
    database = data_dir / "demo.sqlite3"
    server = LiveServer(database_url=f"sqlite:///{database}", data_dir=data_dir, command=("demo",))
    await server.start(timeout=180)
    yield Site(url=server.url, database=database)
    server.stop()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[object]:
    """Headless Debian Chromium (Playwright's own download does not work here)."""
    reason = chromium_missing()
    if reason:
        pytest.skip(reason)
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield chromium
        await chromium.close()
