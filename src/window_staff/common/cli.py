"""Helpers shared by the ``window-staff`` sub-commands of every domain."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from piccolo.engine.base import Engine

from window_staff.common.context import AppContext
from window_staff.common.db import close_pool, start_pool
from window_staff.settings import Settings


@dataclass(slots=True)
class Wiring:
    """What a job needs from the wiring point (``window_staff.app``), which common cannot import."""

    build_context: Callable[[Settings], AppContext] | None = None
    load_rules: Callable[[AppContext], None] | None = None
    migrate: Callable[[Engine], Awaitable[Any]] | None = None


WIRING = Wiring()


def configure(
    *,
    build_context: Callable[[Settings], AppContext],
    load_rules: Callable[[AppContext], None],
    migrate: Callable[[Engine], Awaitable[Any]],
) -> None:
    """Called once by the wiring point when it is imported."""
    WIRING.build_context, WIRING.load_rules, WIRING.migrate = build_context, load_rules, migrate


def run_job(settings: Settings, job: Callable[[AppContext], Awaitable[Any]], *, rules: bool = False, migrate: bool = False) -> Any:
    """Run one job against the configured database with an open pool (``rules``: load and check them first;
    ``migrate``: bring the schema up to date first, for a temporary database)."""
    if WIRING.build_context is None or WIRING.load_rules is None or WIRING.migrate is None:
        raise RuntimeError("window_staff.app was not imported: it wires the jobs")
    build, load, upgrade = WIRING.build_context, WIRING.load_rules, WIRING.migrate

    async def main() -> Any:
        ctx = build(settings)
        await start_pool(ctx.engine)
        try:
            if migrate:
                await upgrade(ctx.engine)
            if rules:
                load(ctx)  # an invalid rule set stops the command, as it stops ``serve``
            return await job(ctx)
        finally:
            await close_pool(ctx.engine)

    return asyncio.run(main())


def replace_settings(settings: Settings, **changes: Any) -> Settings:
    """A copy of the settings with some fields changed."""
    import msgspec

    return msgspec.structs.replace(settings, **changes)


def import_refused(name: str, *, detail: str, errors: list[dict[str, Any]]) -> int:
    """Print every bad line of a refused import file (``name: line N, column: message``) and the reason; exit code 1."""
    for e in errors:
        where = f"line {e['line']}" + (f", {e['column']}" if e["column"] else "")
        print(f"{name}: {where}: {e['message']}", file=sys.stderr)
    print(f"import refused: {detail}", file=sys.stderr)
    return 1
