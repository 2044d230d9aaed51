"""Service transactions (办件): CSV and JSON imports, every row or none (run as jobs: ``evaluations.jobs``)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from functools import partial
from typing import NoReturn

from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.db import execute, insert_rows, is_sqlite, update_rows, write_transaction
from window_staff.common.progress import Progress, no_progress
from window_staff.evaluations import domain_metrics as domain
from window_staff.evaluations.domain_metrics import RawRow, RowError, StaffRef, Stored, WindowRef
from window_staff.evaluations.errors import ImportRejected
from window_staff.evaluations.schemas.metrics import ImportOut, TransactionIn
from window_staff.evaluations.service import metrics
from window_staff.evaluations.tables import ImportBatch, ServiceTransaction as Tx
from window_staff.org import service as org

# Imports take turns on PostgreSQL (SQLite's IMMEDIATE transaction already does), so two imports of the
# same new external ids cannot both pass the "already stored?" check.
_IMPORT_LOCK = 7343009
# An import's phases (a job's progress): looking rows up and checking them, then the one write transaction.
CHECK, WRITE = "check", "write"


async def import_csv(
    ctx: AppContext, data: bytes, *, filename: str, actor: str, max_errors: int | None = domain.MAX_ERRORS, progress: Progress = no_progress
) -> ImportOut:
    """Import a CSV file of transactions: all rows or none (ImportRejected lists every bad row and column)."""
    rows, early = await asyncio.to_thread(domain.read_csv, data)  # CPU work on 16 MB: off the event loop
    if not rows:
        reject(early, max_errors=max_errors)  # the file itself cannot be read: nothing more to check
    return await _import(
        ctx, rows, early=early, source="csv", filename=filename[:200], actor=actor, max_errors=max_errors, progress=progress
    )


def refuse_empty_json(items: Sequence[object], *, max_errors: int | None = domain.MAX_ERRORS) -> None:
    """ImportRejected for an empty list or one over the row cap (checked before any row is looked at)."""
    if not items:
        reject([RowError(1, None, "the list is empty")], max_errors=max_errors)
    too_many = domain.too_many(len(items))
    if too_many is not None:
        reject([too_many], max_errors=max_errors)


async def import_json(
    ctx: AppContext,
    items: Sequence[TransactionIn],
    *,
    actor: str,
    max_errors: int | None = domain.MAX_ERRORS,
    progress: Progress = no_progress,
) -> ImportOut:
    """Import a JSON list of transactions, checked exactly like CSV rows (``line`` is the 1-based position)."""
    refuse_empty_json(items, max_errors=max_errors)
    rows = [
        RawRow(
            i,
            {
                "external_id": t.external_id.strip(),
                "item": t.item.strip(),
                "site_code": t.site_code.strip(),
                "window_number": t.window_number.strip(),
                "employee_no": t.employee_no.strip(),
                "received_at": t.received_at.strip(),
                "promised_at": t.promised_at.strip(),
                "completed_at": (t.completed_at or "").strip(),
                "onsite": "1" if t.onsite else "0",
            },
        )
        for i, t in enumerate(items, start=1)
    ]
    return await _import(ctx, rows, early=[], source="api", filename="", actor=actor, max_errors=max_errors, progress=progress)


async def _import(
    ctx: AppContext,
    rows: list[RawRow],
    *,
    early: list[RowError],
    source: str,
    filename: str,
    actor: str,
    max_errors: int | None,
    progress: Progress,
) -> ImportOut:
    # Four steps: sites and windows, staff, checking the rows, the write (progress is never reported inside it).
    await progress(CHECK, done=0, total=4)
    site_codes, windows = await _windows_of(ctx, {r.values["site_code"] for r in rows})
    await progress(CHECK, done=1, total=4)
    staff = await _staff_of({r.values["employee_no"] for r in rows})
    await progress(CHECK, done=2, total=4)
    now = ctx.clock.now()
    # Pure CPU work on up to 50,000 rows: in a thread, so the loop (check-ins, on the in-process runner) keeps answering.
    check = partial(domain.check_rows, rows, windows=windows, site_codes=site_codes, staff=staff, now=now)
    checked, errors = await asyncio.to_thread(check)
    errors = early + errors
    await progress(WRITE, done=3, total=4)
    async with write_transaction(ctx.engine):
        if not is_sqlite(ctx.engine):
            await execute(ctx.engine, "SELECT pg_advisory_xact_lock({})", _IMPORT_LOCK)
        plan, conflicts = domain.against_stored(checked, stored=await _stored([c.external_id for c in checked]))
        if errors or conflicts:
            reject(errors + conflicts, max_errors=max_errors)  # raised inside: the transaction has written nothing
        written = len(plan.new) + len(plan.completions)
        if not written:
            return ImportOut(batch_id=None, rows=len(rows), imported=0, completed=0, skipped=plan.skipped)
        batch = await ImportBatch.insert(
            ImportBatch(source=source, filename=filename, rows=written, created_by=actor, created_at=now)
        ).returning(ImportBatch.id)
        batch_id = batch[0]["id"]
        await insert_rows(
            ctx.engine,
            Tx,
            list(metrics.COLUMNS[1:]),  # every column but the id, in the order the rows below give them
            [
                (
                    r.external_id,
                    r.item,
                    r.window_id,
                    r.staff_id,
                    r.department_id,
                    r.received_at,
                    r.promised_at,
                    r.completed_at,
                    r.onsite,
                    batch_id,
                )
                for r in plan.new
            ],
        )
        await update_rows(ctx.engine, Tx, [Tx.completed_at], plan.completions)
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="service_transactions.imported",
            subject_type="service_import_batch",
            subject_id=batch_id,
            data={
                "source": source,
                "filename": filename,
                "imported": len(plan.new),
                "completed": len(plan.completions),
                "skipped": plan.skipped,
            },
        )
    return ImportOut(batch_id=batch_id, rows=len(rows), imported=len(plan.new), completed=len(plan.completions), skipped=plan.skipped)


def reject(errors: Iterable[RowError], *, max_errors: int | None) -> NoReturn:
    """Raise ImportRejected for these problems, in line order (at most ``max_errors`` listed; the count says all)."""
    found = domain.ordered(errors)
    shown = found if max_errors is None else found[:max_errors]
    lines = len({e.line for e in found})
    more = f" (the first {len(shown)} are listed)" if len(shown) < len(found) else ""
    raise ImportRejected(
        f"{len(found)} problem(s) on {lines} line(s){more}; nothing was imported",
        errors=[e.as_dict() for e in shown],
        error_count=len(found),
    )


async def _windows_of(ctx: AppContext, site_codes: set[str]) -> tuple[set[str], dict[tuple[str, str], WindowRef]]:
    sites = {s.code: s for s in await metrics.every_page(lambda p: org.list_sites(ctx, p))}
    windows: dict[tuple[str, str], WindowRef] = {}
    for code in sorted(site_codes & sites.keys()):
        site = sites[code]
        for w in await metrics.every_page(partial(org.list_windows, ctx, site_id=site.id)):
            windows[(code, w.number)] = WindowRef(id=w.id, department_id=w.department_id, zone=site.timezone)
    return set(sites), windows


async def _staff_of(employee_nos: set[str]) -> dict[str, StaffRef]:
    wanted = sorted(e for e in employee_nos if e)
    ids: dict[str, int] = {}
    for i in range(0, len(wanted), metrics.ID_CHUNK):
        ids.update(await org.staff_ids_by_employee_no(wanted[i : i + metrics.ID_CHUNK]))
    return {
        p.employee_no: StaffRef(id=p.staff_id, hired_on=p.hired_on, left_on=p.left_on) for p in await org.postings_of(list(ids.values()))
    }


async def _stored(external_ids: Sequence[str]) -> dict[str, Stored]:
    wanted = sorted(set(external_ids))
    out: dict[str, Stored] = {}
    for i in range(0, len(wanted), metrics.ID_CHUNK):
        for r in await Tx.select(*metrics.COLUMNS).where(Tx.external_id.is_in(wanted[i : i + metrics.ID_CHUNK])):
            out[r["external_id"]] = Stored(
                id=r["id"],
                item=r["item"],
                window_id=r["window"],
                staff_id=r["staff"],
                received_at=r["received_at"],
                promised_at=r["promised_at"],
                completed_at=r["completed_at"],
                onsite=bool(r["onsite"]),
            )
    return out
