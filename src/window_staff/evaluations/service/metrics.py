"""Service transactions (办件): CSV and JSON imports (every row or none), the list, the month's rates and their facts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

from piccolo.columns.combination import Combinable

from window_staff.common import audit, periods
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.common.db import execute, insert_rows, is_sqlite, update_rows, write_transaction
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.common.periods import parse_month
from window_staff.common.progress import Progress, no_progress
from window_staff.evaluations import domain_metrics as domain
from window_staff.evaluations.domain_metrics import RawRow, RowError, StaffRef, Stored, Tally, Transaction, WindowRef
from window_staff.evaluations.errors import EvaluationInputInvalid, ImportRejected
from window_staff.evaluations.schemas.metrics import ImportOut, ServiceRateOut, TransactionIn, TransactionOut
from window_staff.evaluations.tables import ImportBatch, ServiceTransaction as Tx
from window_staff.org import service as org
from window_staff.scoring import Fact

T = TypeVar("T")
# Bounded IN-lists (SQLite refuses more than 32,766 parameters) and bounded memory when reading a month.
_ID_CHUNK = 5000
_READ_CHUNK = 20_000
_LIST_PAGE = 1000
# Imports take turns on PostgreSQL (SQLite's IMMEDIATE transaction already does), so two imports of the
# same new external ids cannot both pass the "already stored?" check.
_IMPORT_LOCK = 7343009
KINDS = ("staff", "window", "department")
# An import's phases (a job's progress): looking rows up and checking them, then the one write transaction.
CHECK, WRITE = "check", "write"
_COLUMNS = (
    Tx.id,
    Tx.external_id,
    Tx.item,
    Tx.window,
    Tx.staff,
    Tx.department,
    Tx.received_at,
    Tx.promised_at,
    Tx.completed_at,
    Tx.onsite,
    Tx.batch,
)


# --- imports -------------------------------------------------------------------------------------------------


async def import_csv(
    ctx: AppContext, data: bytes, *, filename: str, actor: str, max_errors: int | None = domain.MAX_ERRORS, progress: Progress = no_progress
) -> ImportOut:
    """Import a CSV file of transactions: all rows or none (ImportRejected lists every bad row and column)."""
    rows, early = domain.read_csv(data)
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
    checked, errors = domain.check_rows(rows, windows=windows, site_codes=site_codes, staff=staff, now=now)
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
            [
                Tx.external_id,
                Tx.item,
                Tx.window,
                Tx.staff,
                Tx.department,
                Tx.received_at,
                Tx.promised_at,
                Tx.completed_at,
                Tx.onsite,
                Tx.batch,
            ],
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


async def _every(fetch: Callable[[PageParams], Awaitable[Page[T]]]) -> list[T]:
    out: list[T] = []
    offset: int | None = 0
    while offset is not None:
        page = await fetch(PageParams(limit=_LIST_PAGE, offset=offset))
        out.extend(page.items)
        offset = page.next_offset
    return out


async def _windows_of(ctx: AppContext, site_codes: set[str]) -> tuple[set[str], dict[tuple[str, str], WindowRef]]:
    sites = {s.code: s for s in await _every(lambda p: org.list_sites(ctx, p))}
    windows: dict[tuple[str, str], WindowRef] = {}
    for code in sorted(site_codes & sites.keys()):
        site = sites[code]
        for w in await _every(partial(org.list_windows, ctx, site_id=site.id)):
            windows[(code, w.number)] = WindowRef(id=w.id, department_id=w.department_id, zone=site.timezone)
    return set(sites), windows


async def _staff_of(employee_nos: set[str]) -> dict[str, StaffRef]:
    wanted = sorted(e for e in employee_nos if e)
    ids: dict[str, int] = {}
    for i in range(0, len(wanted), _ID_CHUNK):
        ids.update(await org.staff_ids_by_employee_no(wanted[i : i + _ID_CHUNK]))
    return {
        p.employee_no: StaffRef(id=p.staff_id, hired_on=p.hired_on, left_on=p.left_on) for p in await org.postings_of(list(ids.values()))
    }


async def _stored(external_ids: Sequence[str]) -> dict[str, Stored]:
    wanted = sorted(set(external_ids))
    out: dict[str, Stored] = {}
    for i in range(0, len(wanted), _ID_CHUNK):
        for r in await Tx.select(*_COLUMNS).where(Tx.external_id.is_in(wanted[i : i + _ID_CHUNK])):
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


# --- reading -------------------------------------------------------------------------------------------------


def _month_range(first: date, *, zone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    return (
        datetime.combine(first, time.min, tz).astimezone(UTC),
        datetime.combine(periods.next_month(first), time.min, tz).astimezone(UTC),
    )


async def _received_in(ctx: AppContext, first: date) -> Combinable:
    # Exact local months even when sites differ in zone, so that pages and totals agree.
    zones = sorted({s.timezone for s in await _every(lambda p: org.list_sites(ctx, p))}) or [DEFAULT_TIME_ZONE]
    if len(zones) == 1:
        lo, hi = _month_range(first, zone=zones[0])
        return (Tx.received_at >= lo) & (Tx.received_at < hi)
    where: Combinable | None = None
    for zone in zones:
        lo, hi = _month_range(first, zone=zone)
        part = (Tx.window._.site._.timezone == zone) & (Tx.received_at >= lo) & (Tx.received_at < hi)
        where = part if where is None else where | part
    assert where is not None
    return where


def _out(r: dict[str, Any]) -> TransactionOut:
    return TransactionOut(
        id=r["id"],
        external_id=r["external_id"],
        item=r["item"],
        window_id=r["window"],
        staff_id=r["staff"],
        department_id=r["department"],
        received_at=r["received_at"],
        promised_at=r["promised_at"],
        completed_at=r["completed_at"],
        onsite=bool(r["onsite"]),
        batch_id=r["batch"],
    )


async def list_transactions(
    ctx: AppContext, params: PageParams, *, month: str | None = None, staff_id: int | None = None, window_id: int | None = None
) -> Page[TransactionOut]:
    """Transactions by received time, filtered by the month received (site local time), staff member and window."""
    conds: list[Combinable] = []
    if month is not None:
        conds.append(await _received_in(ctx, parse_month(month)))
    if staff_id is not None:
        conds.append(Tx.staff == staff_id)
    if window_id is not None:
        conds.append(Tx.window == window_id)
    query = Tx.select(*_COLUMNS).order_by(Tx.received_at, Tx.id).limit(params.limit).offset(params.offset)
    count = Tx.count()
    for cond in conds:
        query, count = query.where(cond), count.where(cond)
    return page_of([_out(r) for r in await query], total=await count, params=params)


async def _tallies(ctx: AppContext, first: date, *, by: str, staff_ids: set[int] | None = None) -> dict[int, Tally]:
    # Read the month in id order and in chunks (a province's month does not fit in memory as dicts): a day
    # wider on each side in UTC, then each row is placed by its local dates in its site's zone.
    lo = datetime.combine(first - timedelta(days=1), time.min, UTC)
    hi = datetime.combine(periods.next_month(first) + timedelta(days=1), time.min, UTC)
    where: Combinable = ((Tx.received_at >= lo) & (Tx.received_at < hi)) | ((Tx.promised_at >= lo) & (Tx.promised_at < hi))
    if staff_ids is not None and len(staff_ids) <= _ID_CHUNK:
        where = where & Tx.staff.is_in(sorted(staff_ids))  # more staff than that: the whole month, filtered below
    now = ctx.clock.now()
    out: dict[int, Tally] = {}
    last = 0
    while True:
        rows = (
            await Tx.select(
                Tx.id,
                Tx.staff,
                Tx.window,
                Tx.department,
                Tx.received_at,
                Tx.promised_at,
                Tx.completed_at,
                Tx.onsite,
                Tx.window._.site._.timezone.as_alias("tz"),
            )
            .where(where & (Tx.id > last))
            .order_by(Tx.id)
            .limit(_READ_CHUNK)
        )
        for r in rows:
            if staff_ids is not None and r["staff"] not in staff_ids:
                continue
            key = r[by]
            found = out.get(key)
            if found is None:
                found = out[key] = Tally()
            found.add(
                Transaction(
                    received_at=r["received_at"],
                    promised_at=r["promised_at"],
                    completed_at=r["completed_at"],
                    onsite=bool(r["onsite"]),
                    zone=r["tz"] or DEFAULT_TIME_ZONE,
                ),
                first=first,
                now=now,
            )
        if len(rows) < _READ_CHUNK:
            return out
        last = rows[-1]["id"]


async def _labels(ids: Sequence[int], *, by: str) -> dict[int, str]:
    if by == "staff":
        return {p.staff_id: f"{p.employee_no} {p.name}" for p in await org.postings_of(ids)}
    if by == "window":
        return await org.window_labels(ids)
    return {i: f"{code} {name}" for i, (code, name) in (await org.department_codes(ids)).items()}


async def service_rates(ctx: AppContext, params: PageParams, *, month: str, by: str) -> Page[ServiceRateOut]:
    """On-site and on-time completion rates of the month per staff member, window or department, by id."""
    if by not in KINDS:
        raise EvaluationInputInvalid(f"by must be one of {', '.join(KINDS)}", code="by_invalid")
    tallies = await _tallies(ctx, parse_month(month), by=by)
    keys = sorted(k for k, t in tallies.items() if t.transactions or t.due)
    shown = keys[params.offset : params.offset + params.limit]
    labels = await _labels(shown, by=by)
    items = [
        ServiceRateOut(
            id=k,
            label=labels.get(k, ""),
            transactions=t.transactions,
            onsite=t.onsite,
            onsite_rate=t.onsite_rate,
            due=t.due,
            on_time=t.on_time,
            ontime_rate=t.ontime_rate,
        )
        for k, t in ((k, tallies[k]) for k in shown)
    ]
    return page_of(items, total=len(keys), params=params)


async def month_facts(ctx: AppContext, *, staff_ids: Sequence[int], month: date) -> dict[int, list[Fact]]:
    """Facts service.onsite_rate and service.ontime_rate per staff member, for each rate that has something to count."""
    if not staff_ids:
        return {}
    first = month.replace(day=1)
    tallies = await _tallies(ctx, first, by="staff", staff_ids=set(staff_ids))
    key = f"{first.year:04d}-{first.month:02d}"
    last_day = periods.next_month(first) - timedelta(days=1)  # a month's rate belongs to the whole month: dated at its end
    out: dict[int, list[Fact]] = {}
    for sid in sorted(tallies):
        t = tallies[sid]
        facts = []
        if t.transactions:
            facts.append(
                Fact(
                    f"service.onsite_rate:{key}",
                    "service.onsite_rate",
                    sid,
                    last_day,
                    {"rate": t.onsite_rate, "transactions": t.transactions},
                )
            )
        if t.due:
            facts.append(
                Fact(f"service.ontime_rate:{key}", "service.ontime_rate", sid, last_day, {"rate": t.ontime_rate, "transactions": t.due})
            )
        if facts:
            out[sid] = facts
    return out
