"""Helpers shared by the ``window-staff`` sub-commands of every domain."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from window_staff.common.context import AppContext
from window_staff.common.db import close_pool, start_pool
from window_staff.settings import Settings


def run_job(settings: Settings, job: Callable[[AppContext], Awaitable[Any]]) -> Any:
    """Run one job against the configured database with an open pool."""
    from window_staff.app import build_context  # the wiring point imports every domain: load it only when a job runs

    async def main() -> Any:
        ctx = build_context(settings)
        await start_pool(ctx.engine)
        try:
            return await job(ctx)
        finally:
            await close_pool(ctx.engine)

    return asyncio.run(main())


def demo_vault_key(settings: Settings) -> Settings:
    """Without a configured key, the demo uses ``<data_dir>/vault.key`` (created 0600 when missing)."""
    import msgspec

    from window_staff.biometrics.vault import write_key_file

    if settings.vault_key or settings.vault_key_file is not None:
        return settings
    path = settings.data_dir / "vault.key"
    if write_key_file(path):
        print(f"created biometric template key {path} (keep it apart from database backups)")
    return msgspec.structs.replace(settings, vault_key_file=path)


def replace_settings(settings: Settings, **changes: Any) -> Settings:
    """A copy of the settings with some fields changed."""
    import msgspec

    return msgspec.structs.replace(settings, **changes)
