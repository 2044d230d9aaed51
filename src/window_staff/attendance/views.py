"""Read models: one staff member's month and a department's monthly sheet (its XLSX form is in sheet_export)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, timedelta

from window_staff.attendance import service
from window_staff.attendance.domain import DayRecord, MonthFacts, Status, monthly_facts
from window_staff.attendance.leave_rules import canonical_kind
from window_staff.attendance.schemas import (
    CorrectionOut,
    DayRecordOut,
    MonthOut,
    MonthTotalsOut,
    SheetOut,
    SheetRowOut,
)
from window_staff.attendance.service import missed_punches
from window_staff.attendance.service.records import Correction
from window_staff.common import periods
from window_staff.common.context import AppContext
from window_staff.org import service as org

SYMBOLS = {
    Status.PRESENT: "√",
    Status.LATE: "迟",
    Status.EARLY_LEAVE: "早",
    Status.LATE_AND_EARLY_LEAVE: "迟早",
    Status.ABSENT: "旷",
    Status.MISSING_SIGN_IN: "缺",
    Status.MISSING_SIGN_OUT: "缺",
}
LEAVE_SYMBOLS = {
    "personal": "假",
    "sick": "病",
    "annual": "年",
    "time_off": "调",
    "marriage": "婚",
    "maternity": "产",
    "bereavement": "丧",
    "official_business": "公",
    "training": "训",
}
LEGEND = {
    "√": "出勤 present",
    "迟": "迟到 late",
    "早": "早退 left early",
    "旷": "旷工 absent",
    "缺": "缺卡 missing punch",
    "(补)": "补卡 approved missed punch",
    "假": "事假 personal leave",
    "病": "病假 sick leave",
    "年": "年休假 annual leave",
    "调": "调休 time off in lieu",
    "婚": "婚假 marriage leave",
    "产": "产假 maternity leave",
    "丧": "丧假 bereavement leave",
    "公": "公出 official business",
    "训": "培训 training",
}
TOTAL_COLUMNS = [
    ("出勤(次)", "present"),
    ("迟到(次)", "late_count"),
    ("迟到(分)", "late_minutes"),
    ("早退(次)", "early_count"),
    ("早退(分)", "early_minutes"),
    ("旷工(半天)", "absent_half_days"),
    ("缺卡(次)", "missing_punches"),
    ("请假(半天)", "leave"),
    ("公出(半天)", "official_business"),
    ("培训(半天)", "training"),
]


MISSED_MARK = "(补)"  # a session resting on an approved missed punch (补卡)


def symbol(r: DayRecord, *, missed: frozenset[int] = frozenset()) -> str:
    """The sheet symbol of one session; ``(补)`` follows it when a punch it rests on is an approved 补卡."""
    if r.status == Status.ON_LEAVE:
        return LEAVE_SYMBOLS.get(canonical_kind(r.leave_kind or "leave"), "假")
    mark = MISSED_MARK if missed and missed.intersection(r.punch_ids) else ""
    return SYMBOLS[r.status] + mark


def day_cell(records: Sequence[DayRecord], *, missed: frozenset[int] = frozenset()) -> str:
    """One day's cell: one symbol when all sessions agree, else each session's in time order joined by '/'."""
    marks = [symbol(r, missed=missed) for r in sorted(records, key=lambda r: r.start)]
    if not marks:
        return ""
    return marks[0] if len(set(marks)) == 1 else "/".join(marks)


def totals(f: MonthFacts) -> MonthTotalsOut:
    """The month's totals as output."""
    d = asdict(f)
    d.pop("staff_id")
    return MonthTotalsOut(**d)


def _correction_out(c: Correction) -> CorrectionOut:
    return CorrectionOut(
        id=c.id,
        status=c.status,
        late_minutes=c.late_minutes,
        early_minutes=c.early_minutes,
        leave_kind=c.leave_kind,
        reason=c.reason,
        corrected_by=c.corrected_by,
        at=c.at,
    )


def _record_out(r: DayRecord, derived: DayRecord | None, c: Correction | None) -> DayRecordOut:
    return DayRecordOut(
        day=r.day,
        session=r.session,
        start=r.start,
        end=r.end,
        status=r.status.value,
        late_minutes=r.late_minutes,
        early_minutes=r.early_minutes,
        leave_kind=r.leave_kind,
        sign_in_punch_id=r.sign_in_punch_id,
        sign_out_punch_id=r.sign_out_punch_id,
        derived_status=derived.status.value if derived else None,
        correction=_correction_out(c) if c else None,
    )


async def staff_month(ctx: AppContext, staff_id: int, *, month: str | date, only_staff_id: int | None = None) -> MonthOut:
    """One staff member's month; a staff user asking for someone else gets 404."""
    first = periods.parse_month(month)
    posting = await service.posting_or_404(staff_id, only_staff_id=only_staff_id)
    effective = await service.effective_month(ctx, [posting], month=first)
    facts = monthly_facts(r for r, _, _ in effective).get(staff_id, MonthFacts(staff_id))
    closed = bool(posting.site_id is not None and await service.closed_sites([posting.site_id], month=first))
    return MonthOut(
        staff_id=staff_id,
        employee_no=posting.employee_no,
        name=posting.name,
        month=periods.month_key(first),
        closed=closed,
        records=[_record_out(*item) for item in effective],
        totals=totals(facts),
    )


async def department_sheet(ctx: AppContext, *, department_id: int, month: str | date) -> SheetOut:
    """One row per staff member of the department who worked there during the month, one cell per day."""
    first = periods.parse_month(month)
    last = periods.month_end(first)
    postings = [
        p for p in await org.postings_in_department(department_id) if p.hired_on <= last and (p.left_on is None or p.left_on >= first)
    ]
    effective = await service.effective_month(ctx, postings, month=first)
    grouped = service.by_staff(effective)
    facts = monthly_facts(r for r, _, _ in effective)
    missed = await missed_punches.missed_punch_ids([i for r, _, _ in effective for i in r.punch_ids])
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    rows = []
    for p in postings:
        per_day: dict[date, list[DayRecord]] = {}
        for r, _, _ in grouped.get(p.staff_id, []):
            per_day.setdefault(r.day, []).append(r)
        rows.append(
            SheetRowOut(
                staff_id=p.staff_id,
                employee_no=p.employee_no,
                name=p.name,
                days=[day_cell(per_day.get(d, []), missed=missed) for d in days],
                totals=totals(facts.get(p.staff_id, MonthFacts(p.staff_id))),
            )
        )
    return SheetOut(department_id=department_id, month=periods.month_key(first), days=days, legend=LEGEND, rows=rows)
