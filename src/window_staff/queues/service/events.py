"""Queue events in: a vendor's CSV export (HR, run as a job) and a device's pushed batch, every row or none, resends skipped.

A site whose machine both pushes and exports sends each event twice under two sources' ids: an event already stored
from the other source (the same site, kind, second, ticket and windows) is not stored again.
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
from window_staff.common.progress import Progress, no_progress
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
# With reading.MAX_ROWS: a month's export of a busy county centre fits; a province's is sent site by site.
MAX_FILE_BYTES = 16 * 1024 * 1024
# A pushed batch is a device's buffer, sent as it fills.
MAX_PUSHED = 20_000
# An import's phases (a job's progress): looking rows up and checking them, then the one write transaction.
CHECK, WRITE = "check", "write"
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


def read_upload(data: bytes, *, max_errors: int | None) -> tuple[list[RawRow], list[RowError]]:
    """The rows of an upload, or QueueFileTooLarge / QueueImportRejected for a file that cannot be imported at all."""
    if len(data) > MAX_FILE_BYTES:
        raise QueueFileTooLarge(f"the file is over {MAX_FILE_BYTES // (1024 * 1024)} MiB: send it site by site or in parts")
    rows, early = reading.read_csv(data)
    if not rows:
        reject(early, max_errors=max_errors)  # not UTF-8, no header, over reading.MAX_ROWS ...
    return rows, early


async def import_csv(
    ctx: AppContext,
    data: bytes,
    *,
    filename: str,
    actor: str,
    max_errors: int | None = reading.MAX_ERRORS,
    progress: Progress = no_progress,
) -> ImportOut:
    """Import a CSV export of queue events: all rows or none (QueueImportRejected lists every bad line and column)."""
    rows, early = await asyncio.to_thread(read_upload, data, max_errors=max_errors)
    return await _import(ctx, rows, early=early, source=CSV, filename=filename[:200], actor=actor, max_errors=max_errors, progress=progress)


async def record_events(ctx: AppContext, items: Sequence[EventIn], *, source: str, actor: str) -> ImportOut:
    """Store a pushed batch (a device's, ``source`` names it): checked like CSV rows, every event once however often it is resent."""
    if not items:
        reject([RowError(1, None, "the list is empty")], max_errors=reading.MAX_ERRORS)
    if len(items) > MAX_PUSHED:
        reject([RowError(MAX_PUSHED + 1, None, f"more than {MAX_PUSHED:,} events: send them in parts")], max_errors=reading.MAX_ERRORS)
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
    ctx: AppContext,
    rows: list[RawRow],
    *,
    early: list[RowError],
    source: str,
    filename: str,
    actor: str,
    max_errors: int | None,
    progress: Progress = no_progress,
) -> ImportOut:
    # Four steps: sites and windows, staff, checking the rows, the write (progress is never reported inside it).
    await progress(CHECK, done=0, total=4)
    sites = await _sites(ctx, {r.values.get("site_code", "") for r in rows})
    await progress(CHECK, done=1, total=4)
    staff = await org.staff_ids_by_employee_no(sorted({r.values.get("employee_no", "") for r in rows} - {""}))
    await progress(CHECK, done=2, total=4)
    now = ctx.clock.now()
    checked, errors = await asyncio.to_thread(lambda: reading.check_rows(rows, sites=sites, staff=staff, now=now))
    errors = early + errors
    await progress(WRITE, done=3, total=4)
    async with write_transaction(ctx.engine):
        if not is_sqlite(ctx.engine):
            await execute(ctx.engine, "SELECT pg_advisory_xact_lock({})", _LOCK)
        new, skipped, conflicts = reading.against_stored(checked, stored=await _stored(source, checked))
        new, elsewhere = reading.not_received_elsewhere(new, stored=await _stored_elsewhere(source, new))
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
            return ImportOut(batch_id=None, rows=len(rows), imported=0, skipped=skipped, exceptions=0, received_elsewhere=elsewhere)
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
            data={
                "source": source,
                "filename": filename,
                "imported": len(new),
                "skipped": skipped,
                "received_elsewhere": elsewhere,
                "exceptions": exceptions,
            },
        )
    await progress(WRITE, done=4, total=4)
    return ImportOut(
        batch_id=batch_id, rows=len(rows), imported=len(new), skipped=skipped, exceptions=exceptions, received_elsewhere=elsewhere
    )


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


async def _stored_elsewhere(source: str, rows: Sequence[Checked]) -> set[reading.SameEvent]:
    """What the other sources stored at these rows' sites within their span of time, as the events' own marks."""
    out: set[reading.SameEvent] = set()
    for site in sorted({r.site_id for r in rows}):
        times = [r.at for r in rows if r.site_id == site]
        # A second either side: one source may keep fractions of a second the other drops.
        start, end = min(times) - reading.SAME_SECOND, max(times) + reading.SAME_SECOND
        query = QueueEvent.select(QueueEvent.kind, QueueEvent.at, QueueEvent.ticket, QueueEvent.window, QueueEvent.to_window).where(
            (QueueEvent.site == site) & (QueueEvent.source != source) & (QueueEvent.at >= start) & (QueueEvent.at <= end)
        )
        for r in await query:
            out.add(
                reading.same_event(site, kind=r["kind"], at=r["at"], ticket=r["ticket"], window_id=r["window"], to_window_id=r["to_window"])
            )
    return out
