"""Every query of the appraisal domain (services call these; nothing else touches the tables)."""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import msgspec
from piccolo.columns.combination import Combinable

from window_staff.appraisal.domain import SheetRow
from window_staff.appraisal.errors import PeriodNotFound
from window_staff.appraisal.tables import SHEET_SEAL, Appeal, AppealDecision, Computation, Period, PeriodEvent, ReopenRequest, Sheet
from window_staff.common import integrity
from window_staff.common.context import AppContext
from window_staff.common.db import chunks, execute, insert_rows, is_sqlite, update_rows
from window_staff.scoring import Fact

# Decimals as strings, as the sheet stores its items.
_encoder = msgspec.json.Encoder(decimal_format="string")

_CHUNK = 5000
# Bonus and paid grade are empty until the month closes (set_bonuses seals them then).
_SHEET_COLUMNS = (*(c for c in SHEET_SEAL.columns if c._meta.name not in ("bonus", "paid_grade")), Sheet.row_mac)


async def find_period(month: str) -> dict[str, Any] | None:
    """The period row of a month, if it exists."""
    return await Period.select().where(Period.month == month).first()


async def period_or_404(month: str) -> dict[str, Any]:
    """The period row of a month; 404 when the month was never computed."""
    row = await find_period(month)
    if row is None:
        raise PeriodNotFound(f"no appraisal for {month} yet")
    return row


async def list_periods() -> list[dict[str, Any]]:
    """Every period, newest month first."""
    return await Period.select().order_by(Period.month, ascending=False)


async def create_period(ctx: AppContext, *, month: str, now: datetime) -> None:
    """Insert the month's period in state open unless it exists (caller holds the write transaction)."""
    await execute(
        ctx.engine,
        "INSERT INTO appraisal_period (month, state, computation, rules_version, closes, inputs_hash, results_hash, bonus_rules_hash, "
        "chain_head, bonus_summary, created_at, updated_at) VALUES ({}, 'open', 0, '', 0, '', '', '', '', '', {}, {}) ON CONFLICT (month) "
        "DO NOTHING",
        month,
        now,
        now,
    )


async def lock_period(ctx: AppContext, *, month: str) -> dict[str, Any]:
    """Re-read the period inside the write transaction, locking its row on PostgreSQL (SQLite's IMMEDIATE already serialises)."""
    if not is_sqlite(ctx.engine):
        rows = await execute(ctx.engine, "SELECT id FROM appraisal_period WHERE month = {} FOR UPDATE", month)
        if not rows:
            raise PeriodNotFound(f"no appraisal for {month} yet")
    return await period_or_404(month)


async def update_period(period_id: int, values: dict[Any, Any]) -> None:
    """Write some period columns."""
    await Period.update(values).where(Period.id == period_id)


async def add_event(
    *, period_id: int, action: str, from_state: str, to_state: str, actor: str, actor_user: int | None, reason: str, at: datetime
) -> None:
    """Append one transition to the period's trail."""
    await PeriodEvent.insert(
        PeriodEvent(
            period=period_id,
            action=action,
            from_state=from_state,
            to_state=to_state,
            actor=actor,
            actor_user=actor_user,
            reason=reason,
            at=at,
        )
    )


async def events_of(period_id: int) -> list[dict[str, Any]]:
    """The period's trail, oldest first."""
    return await PeriodEvent.select().where(PeriodEvent.period == period_id).order_by(PeriodEvent.id)


async def add_computation(
    *,
    period_id: int,
    number: int,
    scope: str,
    actor: str,
    actor_user: int | None,
    rules_version: str,
    staff_count: int,
    changed: int,
    facts: int,
    at: datetime,
) -> None:
    """Append one computation record."""
    await Computation.insert(
        Computation(
            period=period_id,
            number=number,
            scope=scope,
            actor=actor,
            actor_user=actor_user,
            rules_version=rules_version,
            staff_count=staff_count,
            changed=changed,
            facts=facts,
            at=at,
        )
    )


async def computations_of(period_id: int) -> list[dict[str, Any]]:
    """The period's computations, oldest first."""
    return await Computation.select().where(Computation.period == period_id).order_by(Computation.number)


async def current_hashes(period_id: int, *, staff_ids: Sequence[int] | None = None) -> dict[int, tuple[int, str]]:
    """(sheet id, sheet hash) of each current sheet of the period (of ``staff_ids`` only when given)."""
    where = (Sheet.period == period_id) & (Sheet.current == True)  # noqa: E712 (a Piccolo expression, not a comparison)
    if staff_ids is not None:
        where &= Sheet.staff.is_in(sorted(set(staff_ids)) or [0])
    rows = await Sheet.select(Sheet.id, Sheet.staff, Sheet.sheet_hash).where(where)
    return {r["staff"]: (r["id"], r["sheet_hash"]) for r in rows}


async def period_counts(period_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Current sheets and pending appeals per period, in two grouped queries (the months list shows every period)."""
    if not period_ids:
        return {}
    marks = ", ".join("{}" for _ in period_ids)
    sheets = await execute(
        _engine(),
        f"SELECT period, COUNT(*) AS n FROM appraisal_sheet WHERE current = {{}} AND period IN ({marks}) GROUP BY period",
        True,
        *period_ids,
    )
    pending = await execute(
        _engine(),
        "SELECT a.period AS period, COUNT(*) AS n FROM appraisal_appeal a LEFT JOIN appraisal_appeal_decision d ON d.appeal = a.id "
        f"WHERE d.id IS NULL AND a.period IN ({marks}) GROUP BY a.period",
        *period_ids,
    )
    staff = {r["period"]: int(r["n"]) for r in sheets}
    waiting = {r["period"]: int(r["n"]) for r in pending}
    return {pid: (staff.get(pid, 0), waiting.get(pid, 0)) for pid in period_ids}


async def replace_sheets(
    ctx: AppContext, *, period_id: int, computation: int, retire: Sequence[int], rows: Sequence[tuple[SheetRow, int, int | None]]
) -> None:
    """Retire the sheets ``retire`` and insert new current ones (row, department, window), in the caller's transaction."""
    if retire:
        await _reseal(ctx, {sheet_id: {"current": False} for sheet_id in retire})
    if rows:
        values = [
            (
                period_id,
                s.staff_id,
                computation,
                True,
                department,
                window,
                s.total_cents,
                s.grade,
                s.veto,
                s.categories,
                s.lines,
                s.inputs_hash,
                s.sheet_hash,
            )
            for s, department, window in rows
        ]
        names = [c._meta.db_column_name for c in _SHEET_COLUMNS[:-1]]
        sealed = [
            (*v, integrity.row_mac(ctx.engine, SHEET_SEAL, {**dict(zip(names, v, strict=True)), "bonus": None, "paid_grade": None}))
            for v in values
        ]
        await insert_rows(ctx.engine, Sheet, _SHEET_COLUMNS, sealed)


async def _reseal(ctx: AppContext, changes: dict[int, dict[str, Any]]) -> None:
    """Apply ``changes`` (sheet id -> column name -> value) and seal each sheet's new content, in the caller's transaction."""
    names = sorted({name for change in changes.values() for name in change})
    columns = [Sheet._meta.get_column_by_name(name) for name in names]
    for part in chunks(sorted(changes)):
        rows = await Sheet.select(Sheet.id, *SHEET_SEAL.columns).where(Sheet.id.is_in(part))
        updates = []
        for row in rows:
            new = {**row, **changes[row["id"]]}
            updates.append((row["id"], *(new[name] for name in names), integrity.row_mac(ctx.engine, SHEET_SEAL, new)))
        await update_rows(ctx.engine, Sheet, [*columns, Sheet.row_mac], updates)


async def current_sheets(period_id: int, *, staff_ids: Sequence[int] | None = None, columns: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """The current sheets of the period (all columns unless ``columns``), by staff id."""
    where = (Sheet.period == period_id) & (Sheet.current == True)  # noqa: E712
    if staff_ids is not None:
        where &= Sheet.staff.is_in(sorted(set(staff_ids)) or [0])
    return await Sheet.select(*columns).where(where).order_by(Sheet.staff)


async def sheet_page(
    period_id: int, *, limit: int, offset: int, department_id: int | None = None, found_by: str = "", sqlite: bool = False
) -> tuple[list[dict[str, Any]], int]:
    """A page of the period's current sheets by employee number, with the person's number, name and department, and the count.

    ``found_by`` (a normalised query, org/search.py) keeps the people whose name, pinyin initials or employee number hold it.
    """
    where = (Sheet.period == period_id) & (Sheet.current == True)  # noqa: E712
    if department_id is not None:
        where &= Sheet.department == department_id
    if found_by:
        like = f"%{found_by}%"
        columns = (Sheet.staff.name, Sheet.staff.name_initials, Sheet.staff.employee_no)
        where &= functools.reduce(operator.or_, [c.like(like) if sqlite else c.ilike(like) for c in columns])
    rows = (
        await Sheet.select(
            Sheet.staff,
            Sheet.total_cents,
            Sheet.grade,
            Sheet.veto,
            Sheet.computation,
            Sheet.staff.employee_no.as_alias("employee_no"),
            Sheet.staff.name.as_alias("name"),
            Sheet.staff._.department._.name.as_alias("department"),
        )
        .where(where)
        .order_by(Sheet.staff.employee_no)
        .limit(limit)
        .offset(offset)
    )
    return rows, await Sheet.count().where(where)


async def current_totals(period_id: int) -> list[dict[str, Any]]:
    """Each current sheet's staff, total (cents) and grade code, by staff id."""
    where = (Sheet.period == period_id) & (Sheet.current == True)  # noqa: E712
    return await Sheet.select(Sheet.staff, Sheet.total_cents, Sheet.grade).where(where).order_by(Sheet.staff)


async def current_lines(period_id: int, *, staff_id: int) -> str | None:
    """The lines JSON of one person's current sheet, or None when they have none."""
    row = await Sheet.select(Sheet.lines).where((Sheet.period == period_id) & (Sheet.staff == staff_id) & (Sheet.current == True)).first()  # noqa: E712
    return row["lines"] if row else None


async def changed_since(period_id: int, *, computation: int) -> list[dict[str, Any]]:
    """Current sheets written after ``computation``, each with the sheet it replaced (``prev_*`` columns, null when new)."""
    return await execute(
        _engine(),
        "SELECT s.staff, s.total_cents, s.grade, s.lines, p.total_cents AS prev_total_cents, p.grade AS prev_grade, p.lines AS prev_lines "
        "FROM appraisal_sheet s LEFT JOIN appraisal_sheet p ON p.period = s.period AND p.staff = s.staff AND p.computation = "
        "(SELECT MAX(q.computation) FROM appraisal_sheet q WHERE q.period = s.period AND q.staff = s.staff AND q.computation <= {}) "
        "WHERE s.period = {} AND s.current = {} AND s.computation > {} ORDER BY s.staff",
        computation,
        period_id,
        True,
        computation,
    )


def _engine() -> Any:
    # Raw queries run on the engine the tables are bound to (the one wiring point binds them all).
    return Sheet._meta.db


async def set_bonuses(ctx: AppContext, rows: Sequence[tuple[int, str, str]]) -> None:
    """Freeze (sheet id, bonus, paid grade) on the current sheets at close."""
    await _reseal(ctx, {sheet_id: {"bonus": bonus, "paid_grade": grade} for sheet_id, bonus, grade in rows})


async def group_totals(period_id: int, *, by: str) -> list[tuple[int, int, str]]:
    """(department or window id, total cents, grade) per current sheet, for rankings."""
    column = Sheet.department if by == "department" else Sheet.window
    rows = await Sheet.select(column.as_alias("key"), Sheet.total_cents, Sheet.grade).where(
        (Sheet.period == period_id) & (Sheet.current == True) & column.is_not_null()  # noqa: E712
    )
    return [(r["key"], r["total_cents"], r["grade"]) for r in rows]


async def trend_rows(*, months: Sequence[str], staff_id: int | None = None, department_id: int | None = None) -> list[dict[str, Any]]:
    """Per month: average, count (and for a person their total and grade) over current sheets of the given months."""
    if not months:
        return []
    where = "s.current = {} AND p.month IN (" + ", ".join("{}" for _ in months) + ")"
    args: list[Any] = [True, *months]
    if staff_id is not None:
        where += " AND s.staff = {}"
        args.append(staff_id)
    if department_id is not None:
        where += " AND s.department = {}"
        args.append(department_id)
    return await execute(
        _engine(),
        "SELECT p.month AS month, COUNT(*) AS headcount, AVG(s.total_cents) AS average_cents, MIN(s.total_cents) AS worst_cents, "
        "MAX(s.total_cents) AS best_cents, MAX(s.grade) AS grade FROM appraisal_sheet s JOIN appraisal_period p ON p.id = s.period "
        f"WHERE {where} GROUP BY p.month ORDER BY p.month",
        *args,
    )


# --- appeals -------------------------------------------------------------------------------------------------


async def add_appeal(
    *,
    period_id: int,
    staff_id: int,
    rule_id: str,
    category: str,
    line_points: Decimal,
    fact_ids: Sequence[str],
    reason: str,
    filed_by: str,
    at: datetime,
    disputed: Sequence[Sequence[Any]] = (),
    disputed_key: str = "",
) -> int:
    """Append an appeal (``disputed``: the items it is about, none for the whole line); the unique index
    refuses the same appeal twice."""
    rows = await Appeal.insert(
        Appeal(
            period=period_id,
            staff=staff_id,
            rule_id=rule_id,
            category=category,
            line_points=str(line_points),
            fact_ids=msgspec.json.encode(list(fact_ids)).decode(),
            disputed=_encoder.encode(list(disputed)).decode() if disputed else "",
            disputed_key=disputed_key,
            reason=reason,
            filed_by=filed_by,
            filed_at=at,
        )
    )
    return rows[0]["id"]


_APPEAL_COLUMNS = (
    Appeal.id,
    Appeal.period,
    Appeal.period.month.as_alias("month"),
    Appeal.staff,
    Appeal.rule_id,
    Appeal.category,
    Appeal.line_points,
    Appeal.fact_ids,
    Appeal.disputed,
    Appeal.reason,
    Appeal.filed_by,
    Appeal.filed_at,
)


async def appeals(*, period_id: int | None = None, staff_id: int | None = None, appeal_id: int | None = None) -> list[dict[str, Any]]:
    """Appeals with their decision columns (``outcome`` null while pending), oldest first."""
    where: Combinable = Appeal.id.is_not_null()
    if period_id is not None:
        where &= Appeal.period == period_id
    if staff_id is not None:
        where &= Appeal.staff == staff_id
    if appeal_id is not None:
        where &= Appeal.id == appeal_id
    rows = await Appeal.select(*_APPEAL_COLUMNS).where(where).order_by(Appeal.id)
    if not rows:
        return []
    decisions = {d["appeal"]: d for d in await AppealDecision.select().where(AppealDecision.appeal.is_in([r["id"] for r in rows]))}
    for r in rows:
        d = decisions.get(r["id"], {})
        r.update(
            outcome=d.get("outcome"),
            points=d.get("points"),
            decision_reason=d.get("reason"),
            reviewer=d.get("reviewer"),
            reviewer_user=d.get("reviewer_user"),
            decided_at=d.get("decided_at"),
        )
    return rows


async def pending_appeals(period_id: int) -> int:
    """How many appeals of the period await a decision."""
    rows = await execute(
        _engine(),
        "SELECT COUNT(*) AS n FROM appraisal_appeal a LEFT JOIN appraisal_appeal_decision d ON d.appeal = a.id WHERE a.period = {} AND "
        "d.id IS NULL",
        period_id,
    )
    return int(rows[0]["n"])


async def add_decision(
    *, appeal_id: int, outcome: str, points: Decimal, reason: str, reviewer: str, reviewer_user: int, at: datetime
) -> None:
    """Append the decision of an appeal (the unique appeal column refuses a second)."""
    await AppealDecision.insert(
        AppealDecision(
            appeal=appeal_id,
            outcome=outcome,
            points=str(points),
            reason=reason,
            reviewer=reviewer,
            reviewer_user=reviewer_user,
            decided_at=at,
        )
    )


async def adjustment_facts(period_id: int, *, staff_ids: Sequence[int] | None = None) -> dict[int, list[Fact]]:
    """Upheld appeals of the period as ``appeal.adjustment`` facts per staff member."""
    rows = await execute(
        _engine(),
        "SELECT a.id, a.staff, a.rule_id, a.category, d.points, d.decided_at FROM appraisal_appeal a "
        "JOIN appraisal_appeal_decision d ON d.appeal = a.id WHERE a.period = {} AND d.outcome = 'upheld' ORDER BY a.id",
        period_id,
    )
    wanted = set(staff_ids) if staff_ids is not None else None
    out: dict[int, list[Fact]] = {}
    for r in rows:
        if wanted is not None and r["staff"] not in wanted:
            continue
        out.setdefault(r["staff"], []).append(
            adjustment_fact(
                r["id"],
                staff_id=r["staff"],
                rule_id=r["rule_id"],
                category=r["category"],
                points=Decimal(r["points"]),
                on=_day(r["decided_at"]),
            )
        )
    return out


def adjustment_fact(appeal_id: int, *, staff_id: int, rule_id: str, category: str, points: Decimal, on: date) -> Fact:
    """The fact an upheld appeal adds to the month."""
    return Fact(
        id=f"appeal.adjustment:{appeal_id}",
        kind="appeal.adjustment",
        staff_id=staff_id,
        occurred_on=on,
        fields={"points": points, "rule_id": rule_id, "category": category},
    )


def _day(value: Any) -> date:
    # SQLite hands raw SQL timestamps back as text
    return (datetime.fromisoformat(value) if isinstance(value, str) else value).date()


# --- reopening ---------------------------------------------------------------------------------------------------


async def pending_reopen(period_id: int, *, close_number: int) -> dict[str, Any] | None:
    """The unconfirmed reopen request of the period's latest close, if any."""
    return (
        await ReopenRequest.select()
        .where((ReopenRequest.period == period_id) & (ReopenRequest.close_number == close_number) & ReopenRequest.confirmed_at.is_null())
        .first()
    )


async def add_reopen_request(*, period_id: int, close_number: int, reason: str, actor: str, actor_user: int, at: datetime) -> None:
    """Record the first approver's request."""
    await ReopenRequest.insert(
        ReopenRequest(
            period=period_id, close_number=close_number, reason=reason, requested_by=actor, requested_user=actor_user, requested_at=at
        )
    )


async def confirm_reopen(request_id: int, *, actor: str, actor_user: int, at: datetime) -> None:
    """Record the second approver's confirmation."""
    await ReopenRequest.update(
        {ReopenRequest.confirmed_by: actor, ReopenRequest.confirmed_user: actor_user, ReopenRequest.confirmed_at: at}
    ).where(ReopenRequest.id == request_id)
