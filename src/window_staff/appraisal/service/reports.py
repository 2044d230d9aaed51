"""Reading a month: sheets with their explanation, the list, rankings, trends and the diff an approver checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import msgspec

from window_staff.appraisal import domain, store
from window_staff.appraisal.errors import PeriodNotFound, RankingNotAllowed, SheetNotFound
from window_staff.appraisal.policy import policy_of
from window_staff.appraisal.schemas import (
    CategoryOut,
    ChangeOut,
    DiffOut,
    GroupOut,
    ItemOut,
    LineOut,
    RankingOut,
    SheetOut,
    SheetSummaryOut,
    TrendOut,
    TrendPointOut,
)
from window_staff.appraisal.service.appeals import appeal_out
from window_staff.appraisal.service.sentences import worded_lines
from window_staff.common import periods
from window_staff.common.clock import as_utc
from window_staff.common.context import AppContext
from window_staff.common.db import is_sqlite
from window_staff.common.pagination import Page, PageParams, page_of
from window_staff.common.principal import Principal
from window_staff.org import search, service as org
from window_staff.scoring import Line, LineItem, StaffScore, explain
from window_staff.scoring.rules import rules_of

# Roles that read every sheet of a month in any state; everyone else reads only their own, once shown.
READER_ROLES = ("hr", "approver", "auditor")


def _visible_period(period: dict[str, Any] | None, *, principal: Principal, month: str) -> dict[str, Any]:
    if period is None or not (principal.has_any(*READER_ROLES) or period["state"] in domain.STAFF_VISIBLE):
        raise PeriodNotFound(f"no appraisal for {month} has been shown yet")
    return period


def _lines(lines_json: str) -> list[LineOut]:
    return [
        LineOut(
            rule_id=ln["rule_id"],
            category=ln["category"],
            title_zh=ln["title_zh"],
            title_en=ln["title_en"],
            occurrences=ln["occurrences"],
            points=Decimal(ln["points"]),
            uncapped=Decimal(ln["uncapped"]),
            veto=ln["veto"],
            items=[
                ItemOut(
                    fact_id=i[0], day=date.fromisoformat(i[1]), units=Decimal(i[2]), factor=Decimal(i[3]), points=Decimal(i[4]), fields=i[5]
                )
                for i in ln["items"]
            ],
        )
        for ln in msgspec.json.decode(lines_json)
    ]


def _score(row: dict[str, Any], lines: list[LineOut], *, ctx: AppContext, first: date, rules_version: str) -> StaffScore:
    # The stored sheet as the engine's result, so the one explanation renderer (scoring.explain) serves both.
    rules = rules_of(ctx)
    grade = next((g for g in rules.grades if g.code == row["grade"]), rules.grades[-1])
    return StaffScore(
        staff_id=row["staff"],
        period=first,
        rules_version=rules_version,
        categories={k: Decimal(v) for k, v in msgspec.json.decode(row["categories"]).items()},
        total=domain.cents(row["total_cents"]),
        grade=grade,
        veto=row["veto"],
        lines=tuple(
            Line(
                ln.rule_id,
                ln.title_zh,
                ln.title_en,
                ln.category,
                ln.occurrences,
                ln.points,
                ln.uncapped,
                ln.veto,
                tuple(LineItem(i.fact_id, i.day, i.units, i.factor, i.points) for i in ln.items),
            )
            for ln in lines
        ),
    )


async def sheet(ctx: AppContext, month: str, staff_id: int, *, principal: Principal, lang: str = "zh") -> SheetOut:
    """One person's sheet with every line's facts and a readable explanation; staff read only their own, once shown."""
    first = periods.parse_month(month)
    key = periods.month_key(first)
    if not principal.has_any(*READER_ROLES) and principal.staff_id != staff_id:
        raise SheetNotFound()
    period = _visible_period(await store.find_period(key), principal=principal, month=key)
    rows = await store.current_sheets(period["id"], staff_ids=[staff_id])
    if not rows:
        raise SheetNotFound(f"no sheet for staff {staff_id} in {key}")
    row = rows[0]
    person = (await org.postings_of([staff_id]))[0]
    departments = await org.department_codes([row["department"]])
    windows = await org.window_labels([row["window"]]) if row["window"] else {}
    rules = rules_of(ctx)
    lines = _lines(row["lines"])
    result = _score(row, lines, ctx=ctx, first=first, rules_version=period["rules_version"])
    categories = [
        CategoryOut(
            code=c.code,
            title_zh=c.title_zh,
            title_en=c.title_en,
            points=result.categories.get(c.code, Decimal(0)),
            max_points=Decimal(c.max_points),
        )
        for c in rules.categories
    ]
    appeals = [appeal_out(a) for a in await store.appeals(period_id=period["id"], staff_id=staff_id)]
    computed_at = next((c["at"] for c in await store.computations_of(period["id"]) if c["number"] == row["computation"]), None)
    return SheetOut(
        month=key,
        state=period["state"],
        staff_id=staff_id,
        employee_no=person.employee_no,
        name=person.name,
        department=departments[row["department"]][1],
        window=windows.get(row["window"]),
        computation=row["computation"],
        rules_version=period["rules_version"],
        total=result.total,
        grade=result.grade.code,
        grade_title_zh=result.grade.title_zh,
        grade_title_en=result.grade.title_en,
        veto=result.veto,
        categories=categories,
        lines=worded_lines(lines, rules=rules, first=first, lang=lang),
        explanation=explain(result, rules=rules, lang=lang),
        appeals=appeals,
        bonus=Decimal(row["bonus"]) if row["bonus"] else None,
        computed_at=as_utc(computed_at) if computed_at is not None else None,
    )


async def sheet_by_employee_no(ctx: AppContext, month: str, employee_no: str, *, principal: Principal, lang: str = "zh") -> SheetOut:
    """The sheet of the person with this employee number."""
    found = await org.staff_ids_by_employee_no([employee_no])
    if employee_no not in found:
        raise SheetNotFound(f"no staff member with employee number {employee_no!r}")
    return await sheet(ctx, month, found[employee_no], principal=principal, lang=lang)


async def list_sheets(
    ctx: AppContext, month: str, params: PageParams, *, department_id: int | None = None, search_text: str | None = None
) -> Page[SheetSummaryOut]:
    """A page of the month's sheets by employee number (for HR and approvers), found by name, pinyin initials or employee no."""
    period = await store.period_or_404(periods.month_key(periods.parse_month(month)))
    rows, total = await store.sheet_page(
        period["id"],
        limit=params.limit,
        offset=params.offset,
        department_id=department_id,
        found_by=search.normalise(search_text),
        sqlite=is_sqlite(ctx.engine),
    )
    items = [
        SheetSummaryOut(
            staff_id=r["staff"],
            employee_no=r["employee_no"],
            name=r["name"],
            department=r["department"],
            total=domain.cents(r["total_cents"]),
            grade=r["grade"],
            veto=r["veto"],
            computation=r["computation"],
        )
        for r in rows
    ]
    return page_of(items, total=total, params=params)


async def ranking(ctx: AppContext, month: str, *, by: str, principal: Principal) -> RankingOut:
    """Windows or departments of the month ranked by average total (ties share a rank; small groups unranked, no figures).

    For HR, approvers, auditors (any state) and department heads (once the month is shown to staff); anyone
    else is refused. A group under ``ranking_min_group`` people shows its headcount only.
    """
    reader = principal.has_any(*READER_ROLES)
    if not reader and (principal.staff_id is None or not await org.departments_headed_by(principal.staff_id)):
        raise RankingNotAllowed("rankings are for HR, approvers, auditors and department heads")
    key = periods.month_key(periods.parse_month(month))
    period = _visible_period(await store.find_period(key), principal=principal, month=key)
    rows = await store.group_totals(period["id"], by=by)
    if by == "department":
        labels = {k: name for k, (_, name) in (await org.department_codes()).items()}
    else:
        labels = await org.window_labels()
    codes = [g.code for g in rules_of(ctx).grades]
    min_group = policy_of(ctx).ranking_min_group
    groups = domain.rank_groups(rows, labels=labels, grade_codes=codes, min_size=min_group)
    grades = dict.fromkeys(codes, 0)
    for _, _, grade in rows:
        grades[grade] = grades.get(grade, 0) + 1
    return RankingOut(
        month=key,
        by=by,
        min_group=min_group,
        grades=grades,
        groups=[
            GroupOut(
                id=g.key,
                label=g.label,
                rank=g.rank,
                headcount=g.headcount,
                average=g.average,
                # The best and worst are one person's total each: only for those who read every sheet.
                best=g.best if reader else None,
                worst=g.worst if reader else None,
                grades=None if g.grades is None else dict(g.grades),
            )
            for g in groups
        ],
    )


async def trend(
    ctx: AppContext, *, principal: Principal, staff_id: int | None = None, department_id: int | None = None, months: int = 12
) -> TrendOut:
    """A person's or a department's last ``months`` months; staff see their own over months already shown to them."""
    reader = principal.has_any(*READER_ROLES)
    if not reader and (department_id is not None or principal.staff_id != staff_id):
        raise SheetNotFound()  # staff read their own trend only
    periods = [p for p in await store.list_periods() if p["computation"] and (reader or p["state"] in domain.STAFF_VISIBLE)]
    wanted = sorted(p["month"] for p in periods[:months])
    rows = await store.trend_rows(months=wanted, staff_id=staff_id, department_id=department_id)
    points = [
        TrendPointOut(
            month=r["month"],
            headcount=int(r["headcount"]),
            average=(Decimal(str(r["average_cents"])) / 100).quantize(Decimal("0.01")),
            best=domain.cents(int(r["best_cents"])),
            worst=domain.cents(int(r["worst_cents"])),
            grade=r["grade"] if staff_id is not None else None,
        )
        for r in rows
    ]
    return TrendOut(
        subject="staff" if staff_id is not None else "department",
        subject_id=staff_id if staff_id is not None else department_id or 0,
        points=points,
    )


async def diff(ctx: AppContext, month: str, *, since: int | None = None) -> DiffOut:
    """Sheets changed since computation ``since`` (default: the one before the latest whole-month computation)."""
    period = await store.period_or_404(periods.month_key(periods.parse_month(month)))
    if since is None:
        whole = [c["number"] for c in await store.computations_of(period["id"]) if c["scope"] == "month"]
        since = (whole[-1] - 1) if whole else 0
    rows = await store.changed_since(period["id"], computation=since)
    people = {p.staff_id: p for p in await org.postings_of([r["staff"] for r in rows])}
    changes = []
    for r in rows:
        before = (r["prev_total_cents"], r["prev_grade"], r["prev_lines"]) if r["prev_total_cents"] is not None else None
        change = domain.sheet_change(r["staff"], before=before, after=(r["total_cents"], r["grade"], r["lines"]))
        person = people[r["staff"]]
        changes.append(
            ChangeOut(
                staff_id=r["staff"],
                employee_no=person.employee_no,
                name=person.name,
                before=domain.cents(change.before_cents) if change.before_cents is not None else None,
                after=domain.cents(change.after_cents),
                before_grade=change.before_grade,
                after_grade=change.after_grade,
                rules_changed=list(change.rules_added),
                rules_removed=list(change.rules_removed),
            )
        )
    return DiffOut(month=period["month"], since=since, current=period["computation"], changes=changes)
