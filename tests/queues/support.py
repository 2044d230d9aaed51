"""Test data for queue events: a site with two windows, a staff member at each, CSV rows and files."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from tests.factories import make_site, make_staff, make_window
from window_staff.common.context import AppContext
from window_staff.common.pagination import PageParams
from window_staff.org import service as org
from window_staff.org.schemas import SiteOut, StaffOut, WindowOut
from window_staff.queues.reading import COLUMNS
from window_staff.queues.schemas import CategoryIn
from window_staff.queues.service import categories
from window_staff.queues.tables import QueueBatch, QueueEvent, QueueException


@dataclass
class Hall:
    """A site with two windows and a staff member at each."""

    site: SiteOut
    window: WindowOut
    other_window: WindowOut
    staff: StaffOut
    other: StaffOut

    def row(self, event_id: str, kind: str = "issued", *, at: str = "2025-03-03 09:00", **changes: str) -> dict[str, str]:
        """A good row (a ticket issued on 3 March 2025 at 09:00 local unless changed)."""
        values = {"event_id": event_id, "site_code": self.site.code, "kind": kind, "at": at, "ticket": "A001", "category": "tax"}
        if kind not in ("issued",):
            values["window_number"] = self.window.number
        values.update(changes)
        return values


async def make_hall(ctx: AppContext, *, mapped: bool = True) -> Hall:
    """A hall whose category "tax" is mapped to the first window (unless ``mapped`` is false)."""
    site = await make_site(ctx)
    window = await make_window(ctx, site_id=site.id)
    other_window = await make_window(ctx, site_id=site.id)
    hall = Hall(
        site=site,
        window=window,
        other_window=other_window,
        staff=await make_staff(ctx, window=window),
        other=await make_staff(ctx, window=other_window),
    )
    if mapped:
        await categories.create_category(
            ctx,
            CategoryIn(site_id=site.id, code="tax", name="税务", department_id=window.department_id, window_ids=[window.id]),
            actor="test",
        )
    return hall


def csv_bytes(rows: list[dict[str, str]], *, columns: tuple[str, ...] = COLUMNS) -> bytes:
    """A CSV file of ``rows`` with a header."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode("utf-8")


async def stored_counts() -> tuple[int, int, int]:
    """(events, batches, exceptions) in the database."""
    return await QueueEvent.count(), await QueueBatch.count(), await QueueException.count()


def local(at: datetime) -> str:
    """An instant as a local (Beijing) "YYYY-MM-DD HH:MM:SS" text."""
    return (at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")


async def site_code(ctx: AppContext, site_id: int) -> str:
    """The code of a site."""
    (site,) = [s for s in (await org.list_sites(ctx, PageParams(limit=500, offset=0))).items if s.id == site_id]
    return site.code
