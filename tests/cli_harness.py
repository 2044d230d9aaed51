"""Run ``window-staff`` through ``cli.main`` against the test's database, as an operator would.

The command runs in a worker thread with its own engine (and the real clock). A test module gets the ``run``
fixture with ``from tests.cli_harness import cli_run  # noqa: F401``; the function's other name keeps the
fixture argument from shadowing the import.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from window_staff import cli
from window_staff.common.context import AppContext
from window_staff.common.db import bind_tables
from window_staff.migrations import all_tables
from window_staff.settings import Settings

RunCli = Callable[..., Awaitable[int]]


@pytest.fixture(name="run")
def cli_run(ctx: AppContext, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """``await run(*argv)``: the command's exit code, with the settings of this test's database (or ``settings=``, e.g. without a key)."""
    monkeypatch.setattr(cli, "get_settings", lambda: settings)

    async def invoke(*argv: str, settings: Settings = settings) -> int:
        monkeypatch.setattr(cli, "get_settings", lambda: settings)
        try:
            return await asyncio.to_thread(cli.main, list(argv))
        finally:
            bind_tables(ctx.engine, all_tables())  # the command bound the tables to its own engine

    return invoke
