"""How long work tells its caller how far it has come (a job's progress bar, the CLI's, or nobody)."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Called between steps of long work, never inside a transaction (it may write on its own)."""

    async def __call__(self, phase: str, *, done: int, total: int) -> None: ...


async def no_progress(phase: str, *, done: int, total: int) -> None:
    """Progress nobody watches."""
