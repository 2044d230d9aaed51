"""Queue events in: a vendor's daily CSV export (HR) and a device's pushed batch, every row or none, resends skipped.

The CSV import runs synchronously with a size limit (a day's export of a county centre is some thousands of rows):
it checks like the service-transaction import and answers with what it did.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any, NoReturn, TypeVar

import msgspec

from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.db import chunks, execute, insert_rows_returning, is_sqlite, write_transaction
from window_staff.common.pagination import Page, PageParams
from window_staff.org import service as org
from window_staff.queues import reading
from window_staff.queues.errors import (
    QueueBatchMalformed,
    QueueDeviceNotAllowed,
    QueueEventConflict,
    QueueFileTooLarge,
    QueueImportRejected,
)
from window_staff.queues.reading import Checked, RawRow, RowError, SiteRef, Stored
from window_staff.queues.schemas import DeviceEventIn, EventIn, ImportOut
from window_staff.queues.tables import QueueBatch, QueueCategory, QueueEvent, QueueException

# Imports and pushes take turns on PostgreSQL (SQLite's IMMEDIATE transaction already does), so two senders of the
# same new event ids cannot both pass the "already stored?" check.
_LOCK = 7343021
# A synchronous import: a day's export is far smaller; a bigger file is split (or a month sent day by day).
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_ROWS = 20_000
CSV = "csv"
# The terminal kind of a queue device (terminals registers it like the others).
QUEUE_KIND = "queue"
T = TypeVar("T")
_PAGE = 500
_COLUMNS = [
    QueueEvent.source,
    QueueEvent.event_id,
    QueueEvent.site,
    QueueEvent.kind,
    QueueEvent.at,
    QueueEvent.ticket,
    QueueEvent.category,
    QueueEvent.window,
    QueueEvent.staff,
    QueueEvent.to_window,
    QueueEvent.batch,
    QueueEvent.received_at,
]


async def import_csv(ctx: AppContext, data: bytes, *, filename: str, actor: str, max_errors: int | None = reading.MAX_ERRORS) -> ImportOut:
    """Import a CSV export of queue events: all rows or none (QueueImportRejected lists every bad line and column)."""
    if len(data) > MAX_FILE_BYTES:
        raise QueueFileTooLarge(f"the file is over {MAX_FILE_BYTES // (1024 * 1024)} MiB: send one day per file")
    rows, early = await asyncio.to_thread(reading.read_csv, data)
    if not rows:
        reject(early, max_errors=max_errors)
    if len(rows) > MAX_ROWS:
        reject([RowError(rows[MAX_ROWS].line, None, f"more than {MAX_ROWS:,} rows: send one day per file")], max_errors=max_errors)
    return await _import(ctx, rows, early=early, source=CSV, filename=filename[:200], actor=actor, max_errors=max_errors)


async def record_events(ctx: AppContext, items: Sequence[EventIn], *, source: str, actor: str) -> ImportOut:
    """Store a pushed batch (a device's, ``source`` names it): checked like CSV rows, every event once however often it is resent."""
    if not items:
        reject([RowError(1, None, "the list is empty")], max_errors=reading.MAX_ERRORS)
    if len(items) > MAX_ROWS:
        reject([RowError(MAX_ROWS + 1, None, f"more than {MAX_ROWS:,} events: send them in parts")], max_errors=reading.MAX_ERRORS)
    rows = [RawRow(i, {name: str(getattr(item, name)).strip() for name in reading.COLUMNS}) for i, item in enumerate(items, start=1)]
    return await _import(ctx, rows, early=[], source=source, filename="", actor=actor, max_errors=reading.MAX_ERRORS)


async def record_device_events(ctx: AppContext, terminal: Mapping[str, Any], body: bytes) -> ImportOut:
    """Store a queue device's pushed batch (JSON list) at its site; the source is the device, so its event ids are its own."""
    if terminal["kind"] != QUEUE_KIND:
        raise QueueDeviceNotAllowed(f"terminal {terminal['serial']} is not a queue device")
    try:
        items = msgspec.json.decode(body, type=list[DeviceEventIn])
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError) as exc:
        raise QueueBatchMalformed(f"send a JSON list of events: {exc}") from None
    site = next(s for s in await all_pages(lambda p: org.list_sites(ctx, p)) if s.id == terminal["site"])
    events = [EventIn(site_code=site.code, **msgspec.structs.asdict(item)) for item in items]
    return await record_events(ctx, events, source=f"terminal:{terminal['id']}", actor=f"terminal:{terminal['serial']}")


async def _import(
    ctx: AppContext, rows: list[RawRow], *, early: list[RowError], source: str, filename: str, actor: str, max_errors: int | None
) -> ImportOut:
    sites = await _sites(ctx, {r.values.get("site_code", "") for r in rows})
    staff = await org.staff_ids_by_employee_no(sorted({r.values.get("employee_no", "") for r in rows} - {""}))
    now = ctx.clock.now()
    checked, errors = await asyncio.to_thread(lambda: reading.check_rows(rows, sites=sites, staff=staff, now=now))
    errors = early + errors
    async with write_transaction(ctx.engine):
        if not is_sqlite(ctx.engine):
            await execute(ctx.engine, "SELECT pg_advisory_xact_lock({})", _LOCK)
        new, skipped, conflicts = reading.against_stored(checked, stored=await _stored(source, checked))
        if errors:
            reject(errors + conflicts, max_errors=max_errors)  # raised inside: nothing has been written
        if conflicts:
            found = reading.ordered(conflicts)
            raise QueueEventConflict(
                f"{len(found)} event id(s) already used for a different event; nothing was stored",
                errors=[e.as_dict() for e in found[: max_errors or len(found)]],
                error_count=len(found),
            )
        if not new:
            return ImportOut(batch_id=None, rows=len(rows), imported=0, skipped=skipped, exceptions=0)
        batch = await QueueBatch.insert(
            QueueBatch(source=source, filename=filename, rows=len(new), created_by=actor, created_at=now)
        ).returning(QueueBatch.id)
        batch_id = batch[0]["id"]
        stored = await insert_rows_returning(
            ctx.engine,
            QueueEvent,
            _COLUMNS,
            [
                (source, c.event_id, c.site_id, c.kind, c.at, c.ticket, c.category, c.window_id, c.staff_id, c.to_window_id, batch_id, now)
                for c in new
            ],
            returning=("id", "site", "category"),
        )
        exceptions = await _unknown_categories(stored, now=now)
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="queue_events.imported",
            subject_type="queue_batch",
            subject_id=batch_id,
            data={"source": source, "filename": filename, "imported": len(new), "skipped": skipped, "exceptions": exceptions},
        )
    return ImportOut(batch_id=batch_id, rows=len(rows), imported=len(new), skipped=skipped, exceptions=exceptions)


async def _unknown_categories(stored: Sequence[dict[str, object]], *, now: datetime) -> int:
    """Put every stored event whose category its site has not mapped on HR's exception list; the count."""
    named = [r for r in stored if r["category"]]
    if not named:
        return 0
    known = {
        (r["site"], r["code"])
        for r in await QueueCategory.select(QueueCategory.site, QueueCategory.code).where(
            QueueCategory.site.is_in(sorted({int(str(r["site"])) for r in named}))
        )
    }
    unknown = [r for r in named if (r["site"], r["category"]) not in known]
    for part in chunks(unknown, 1000):
        await QueueException.insert(
            *[
                QueueException(event=r["id"], reason="unknown_category", detail=f"category {r['category']!r} is not mapped", created_at=now)
                for r in part
            ]
        )
    return len(unknown)


def reject(errors: Iterable[RowError], *, max_errors: int | None) -> NoReturn:
    """Raise QueueImportRejected for these problems, in line order (at most ``max_errors`` listed; the count says all)."""
    found = reading.ordered(errors)
    shown = found if max_errors is None else found[:max_errors]
    lines = len({e.line for e in found})
    more = f" (the first {len(shown)} are listed)" if len(shown) < len(found) else ""
    raise QueueImportRejected(
        f"{len(found)} problem(s) on {lines} line(s){more}; nothing was imported",
        errors=[e.as_dict() for e in shown],
        error_count=len(found),
    )


async def all_pages(fetch: Callable[[PageParams], Awaitable[Page[T]]]) -> list[T]:
    """Every item of a paged listing (org's sites and windows), page after page."""
    out: list[T] = []
    offset: int | None = 0
    while offset is not None:
        page = await fetch(PageParams(limit=_PAGE, offset=offset))
        out.extend(page.items)
        offset = page.next_offset
    return out


async def _sites(ctx: AppContext, codes: set[str]) -> dict[str, SiteRef]:
    sites = {s.code: s for s in await all_pages(lambda p: org.list_sites(ctx, p))}
    out: dict[str, SiteRef] = {}
    for code in sorted(codes & sites.keys()):
        site = sites[code]
        windows = await all_pages(partial(org.list_windows, ctx, site_id=site.id))
        out[code] = SiteRef(id=site.id, zone=site.timezone, windows={w.number: w.id for w in windows})
    return out


async def _stored(source: str, rows: Sequence[Checked]) -> dict[tuple[int, str], Stored]:
    out: dict[tuple[int, str], Stored] = {}
    for part in chunks(sorted({r.event_id for r in rows})):
        for r in await QueueEvent.select().where((QueueEvent.source == source) & QueueEvent.event_id.is_in(part)):
            out[(r["site"], r["event_id"])] = Stored(
                site_id=r["site"],
                kind=r["kind"],
                at=r["at"],
                ticket=r["ticket"],
                category=r["category"],
                window_id=r["window"],
                staff_id=r["staff"],
                to_window_id=r["to_window"],
            )
    return out
