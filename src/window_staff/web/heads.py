"""Which staff members head a department, kept per process (the navigation offers them the Today page).

Templates cannot wait on the database, so the page guard refreshes this at most once a minute, like the names."""

from __future__ import annotations

import time

from window_staff.common.context import AppContext
from window_staff.org import service as org

REFRESH_SECONDS = 60.0
HEADS = "web.department_heads"


class HeadBook:
    """Staff ids of the current department heads, as of the last refresh."""

    def __init__(self) -> None:
        self.staff_ids: frozenset[int] = frozenset()
        self.loaded_at = float("-inf")

    async def refresh(self) -> None:
        """Read the heads again when they are older than a minute."""
        if time.monotonic() - self.loaded_at > REFRESH_SECONDS:
            departments = await org.department_codes()
            self.staff_ids = frozenset((await org.department_heads(sorted(departments))).values())
            self.loaded_at = time.monotonic()


def head_book(ctx: AppContext) -> HeadBook:
    """The process's head book."""
    book = ctx.resources.get(HEADS)
    if book is None:
        book = ctx.resources[HEADS] = HeadBook()
    return book
