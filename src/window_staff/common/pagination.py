"""Offset pagination with a maximum page size."""

from __future__ import annotations

from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")


class Page(msgspec.Struct, Generic[T], kw_only=True):
    """One page of a list: ``next_offset`` is null on the last page."""

    items: list[T]
    total: int
    limit: int
    offset: int
    next_offset: int | None


class PageParams(msgspec.Struct, frozen=True, kw_only=True):
    """Validated paging parameters."""

    limit: int
    offset: int


def page_of(items: list[T], *, total: int, params: PageParams) -> Page[T]:
    """Wrap a slice of results into a page."""
    nxt = params.offset + len(items)
    return Page(items=items, total=total, limit=params.limit, offset=params.offset, next_offset=nxt if nxt < total else None)
