"""Leave balances: annual leave (年休假) by years of service and 调休 earned by extended-hours (延时) service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from window_staff.attendance import service
from window_staff.attendance.calendar import DEFAULT_TIME_ZONE, WORKING_KINDS
from window_staff.attendance.errors import CalendarYearMissing, LeaveBeyondBalance
from window_staff.attendance.leave_rules import Balance, annual_entitlement, canonical_kind, days_words, fits, leave_days, time_off_earned
from window_staff.attendance.schemas import LeaveBalanceOut
from window_staff.attendance.service.inputs import leave_rules_of, national_of, time_of
from window_staff.attendance.tables import LeaveRequest, RotaEntry
from window_staff.common.clock import as_utc
from window_staff.common.context import AppContext
from window_staff.org.service import Posting

BALANCED = ("annual", "time_off")
_USING = ("requested", "approved")  # a pending request holds its days, so two requests cannot both spend them


def workday_test(ctx: AppContext) -> Callable[[date], bool]:
    """Whether a day is a statutory working day (national calendar; Monday to Friday for a year nobody published)."""
    national = national_of(ctx)

    def is_workday(day: date) -> bool:
        try:
            return national.kind_of(day) in WORKING_KINDS
        except CalendarYearMissing:
            return day.weekday() < 5

    return is_workday


def _zone(posting: Posting) -> str:
    return posting.timezone or DEFAULT_TIME_ZONE


async def _taken(ctx: AppContext, posting: Posting, *, year: int, exclude_id: int | None = None) -> dict[str, Decimal]:
    tz = ZoneInfo(_zone(posting))
    lo = datetime.combine(date(year, 1, 1), time(0), tz).astimezone(UTC)
    hi = datetime.combine(date(year + 1, 1, 1), time(0), tz).astimezone(UTC)
    rows = await LeaveRequest.select(LeaveRequest.id, LeaveRequest.kind, LeaveRequest.start_at, LeaveRequest.end_at).where(
        (LeaveRequest.staff == posting.staff_id)
        & LeaveRequest.status.is_in(list(_USING))
        & LeaveRequest.kind.is_in(list(BALANCED))
        & (LeaveRequest.start_at < hi)
        & (LeaveRequest.end_at > lo)
    )
    is_workday = workday_test(ctx)
    out = {k: Decimal(0) for k in BALANCED}
    for r in rows:
        if r["id"] == exclude_id:
            continue
        start, end = max(as_utc(r["start_at"]), lo), min(as_utc(r["end_at"]), hi)
        out[canonical_kind(r["kind"])] += leave_days(start, end, zone=_zone(posting), is_workday=is_workday)
    return out


async def _extended_hours(ctx: AppContext, staff_id: int, *, year: int) -> list[Decimal]:
    # extended-hours sessions added to the rota that have taken place (today's counts once it is over: tomorrow)
    today = ctx.clock.now().date()
    rows = await RotaEntry.select(RotaEntry.day, RotaEntry.start_time, RotaEntry.end_time).where(
        (RotaEntry.staff == staff_id)
        & (RotaEntry.action == "add")
        & RotaEntry.session.not_in(["am", "pm"])
        & (RotaEntry.day >= date(year, 1, 1))
        & (RotaEntry.day < min(date(year + 1, 1, 1), today))
    )
    out = []
    for r in rows:
        start, end = time_of(r["start_time"]), time_of(r["end_time"])
        if start is not None and end is not None and end > start:
            minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
            out.append(Decimal(minutes) / 60)
    return out


async def balances_of(ctx: AppContext, posting: Posting, *, year: int, exclude_id: int | None = None) -> list[Balance]:
    """The staff member's annual leave and 调休 for a year: granted or earned, taken (requested or approved)."""
    rules = leave_rules_of(ctx)
    taken = await _taken(ctx, posting, year=year, exclude_id=exclude_id)
    start = posting.service_start or posting.hired_on
    earned = time_off_earned(await _extended_hours(ctx, posting.staff_id, year=year), hours_per_day=rules.time_off_hours_per_day)
    return [
        Balance("annual", year, Decimal(annual_entitlement(start, on=date(year, 1, 1))), taken["annual"]),
        Balance("time_off", year, earned, taken["time_off"]),
    ]


def _out(b: Balance, posting: Posting) -> LeaveBalanceOut:
    return LeaveBalanceOut(
        kind=b.kind,
        year=b.year,
        granted=days_words(b.granted),
        taken=days_words(b.taken),
        left=days_words(b.left),
        service_start=(posting.service_start or posting.hired_on) if b.kind == "annual" else None,
    )


async def leave_balances(
    ctx: AppContext, staff_id: int, *, year: int | None = None, only_staff_id: int | None = None
) -> list[LeaveBalanceOut]:
    """A staff member's balances for a year (this year by default); a staff user asking for someone else gets 404."""
    posting = await service.posting_or_404(staff_id, only_staff_id=only_staff_id)
    year = year or ctx.clock.now().astimezone(ZoneInfo(_zone(posting))).year
    return [_out(b, posting) for b in await balances_of(ctx, posting, year=year)]


async def check_balance(ctx: AppContext, posting: Posting, *, kind: str, start: datetime, end: datetime) -> None:
    """Refuse a request of a balanced kind that asks for more days than are left in its year."""
    kind = canonical_kind(kind)
    if leave_rules_of(ctx).of(kind).balance == "none":
        return
    zone = _zone(posting)
    year = start.astimezone(ZoneInfo(zone)).year
    balance = next(b for b in await balances_of(ctx, posting, year=year) if b.kind == kind)
    asked = leave_days(start, end, zone=zone, is_workday=workday_test(ctx))
    if not fits(balance, asked=asked):
        raise LeaveBeyondBalance(
            f"{kind}: {days_words(asked)} days asked, {days_words(balance.left)} left in {year}",
            kind=kind,
            year=year,
            asked=days_words(asked),
            left=days_words(balance.left),
        )
