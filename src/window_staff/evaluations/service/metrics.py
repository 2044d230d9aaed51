"""Service transactions (办件): the list, the month's rates and their facts (imports: ``metrics_import``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from piccolo.columns.combination import Combinable

from window_staff.common import periods
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.common.periods import parse_month
from window_staff.evaluations.domain_metrics import Tally, Transaction
from window_staff.evaluations.errors import EvaluationInputInvalid
from window_staff.evaluations.schemas.metrics import ServiceRateOut, TransactionOut
from window_staff.evaluations.tables import ServiceTransaction as Tx
from window_staff.org import service as org
from window_staff.scoring import Fact

T = TypeVar("T")
# Bounded IN-lists (SQLite refuses more than 32,766 parameters) and bounded memory when reading a month.
ID_CHUNK = 5000
_READ_CHUNK = 20_000
_LIST_PAGE = 1000
KINDS = ("staff", "window", "department")
COLUMNS = (
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


async def every_page(fetch: Callable[[PageParams], Awaitable[Page[T]]]) -> list[T]:
    """Every item of a paged listing (org's sites and windows), page after page."""
    out: list[T] = []
    offset: int | None = 0
    while offset is not None:
        page = await fetch(PageParams(limit=_LIST_PAGE, offset=offset))
        out.extend(page.items)
        offset = page.next_offset
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
    zones = sorted({s.timezone for s in await every_page(lambda p: org.list_sites(ctx, p))}) or [DEFAULT_TIME_ZONE]
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
    query = Tx.select(*COLUMNS).order_by(Tx.received_at, Tx.id).limit(params.limit).offset(params.offset)
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
    if staff_ids is not None and len(staff_ids) <= ID_CHUNK:
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
