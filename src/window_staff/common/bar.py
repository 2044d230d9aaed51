"""The command line's progress bar for long work (a job's steps on the terminal)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

from tqdm import tqdm


class ProgressBar:
    """A tqdm bar on standard error fed by a job's progress; ``names`` turn phases into words."""

    def __init__(self, title: str, *, names: Mapping[str, str] | Callable[[str], str] | None = None) -> None:
        self._bar: Any = tqdm(total=1, desc=title, unit="步", leave=True, dynamic_ncols=True, file=sys.stderr)
        self._names = names

    def _name(self, phase: str) -> str:
        if callable(self._names):
            return self._names(phase)
        return (self._names or {}).get(phase, phase)

    async def __call__(self, phase: str, *, done: int, total: int) -> None:
        """Move the bar (a Progress)."""
        self._bar.total = max(total, 1)
        self._bar.n = min(done, self._bar.total)
        self._bar.set_postfix_str(self._name(phase), refresh=False)
        self._bar.refresh()

    def close(self, *, finished: bool) -> None:
        """Fill the bar when the work finished, then leave it on the terminal."""
        if finished:
            self._bar.n = self._bar.total
            self._bar.set_postfix_str("", refresh=False)
        self._bar.close()
