"""The contract every domain that feeds the appraisal meets: a ``month_facts`` in its ``facts`` module.

The wiring point (``window_staff.app``) registers the sources once; the appraisal gathers from all of them
and knows none by name. A source only reads: whatever it derives (an open month's day records) it does not store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Protocol

from window_staff.common.context import AppContext
from window_staff.org.service import Posting
from window_staff.scoring import Fact

FACT_SOURCES = "appraisal.fact_sources"


class FactSource(Protocol):
    """``month_facts(ctx, postings=..., first=...)``: each staff member's facts of the month starting at ``first``."""

    async def __call__(self, ctx: AppContext, /, *, postings: Sequence[Posting], first: date) -> Mapping[int, Sequence[Fact]]: ...


def register(ctx: AppContext, sources: Sequence[FactSource]) -> None:
    """Called once by the wiring point."""
    ctx.resources[FACT_SOURCES] = tuple(sources)


def fact_sources(ctx: AppContext) -> tuple[FactSource, ...]:
    """The registered sources; a context built without the wiring point has none, which is an error, not an empty month."""
    sources = ctx.resources.get(FACT_SOURCES)
    if not sources:
        raise RuntimeError("no fact sources registered: build the context with window_staff.app.build_context")
    return sources
