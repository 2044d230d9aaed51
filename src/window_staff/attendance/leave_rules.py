"""Leave kinds as the centre uses them (pure): each kind's rule read from rules/attendance/leave.toml, and balances.

The kinds are vocabulary (code); what each one means (paid, counts against attendance, needs a document, has a
balance) is data. Annual leave follows the national rule (职工带薪年休假条例 第三条): 累计工作满1年不满10年 5天,
满10年不满20年 10天, 满20年 15天; 调休 is earned by extended-hours (延时) service.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from window_staff.attendance.errors import LeaveRulesInvalid

# 事假, 病假, 年休假, 调休, 婚假, 产假, 丧假, 公出, 培训 (in the order the forms offer them)
KINDS = ("personal", "sick", "annual", "time_off", "marriage", "maternity", "bereavement", "official_business", "training")
# Requests stored before the kinds were split: "leave" was any leave, read as 事假 (it is neither paid nor balanced).
LEGACY_KINDS = {"leave": "personal"}
BALANCES = ("none", "annual", "time_off")
LEAVE_FILE = Path("attendance") / "leave.toml"
_KEYS = {"kind", "paid", "counts_against_attendance", "needs_document", "balance"}
_HALF = Decimal("0.5")


def canonical_kind(kind: str) -> str:
    """A stored kind as one of KINDS (old kinds mapped)."""
    return LEGACY_KINDS.get(kind, kind)


@dataclass(frozen=True, slots=True)
class LeaveKindRule:
    """What one kind of leave means at this centre."""

    kind: str
    paid: bool
    counts_against_attendance: bool
    needs_document: bool
    balance: str  # none | annual | time_off


@dataclass(frozen=True, slots=True)
class LeaveRules:
    """Every kind's rule, and how many hours of extended service earn one day of 调休."""

    kinds: Mapping[str, LeaveKindRule]
    time_off_hours_per_day: Decimal

    def of(self, kind: str) -> LeaveKindRule:
        """The rule of a kind (old kinds mapped)."""
        return self.kinds[canonical_kind(kind)]


def _bool(entry: Mapping[str, Any], key: str, source: str) -> bool:
    value = entry.get(key)
    if type(value) is not bool:
        raise LeaveRulesInvalid(f"{source}: kind {entry.get('kind')!r}: {key!r} must be true or false")
    return value


def leave_rules_from(data: Mapping[str, Any], *, source: str = "leave rules") -> LeaveRules:
    """Build and check the rules from a parsed TOML document: every kind once, no unknown key or kind."""
    for key in sorted(data):
        if key not in ("kind", "time_off_hours_per_day"):
            raise LeaveRulesInvalid(f"{source}: unknown key {key!r}")
    hours = data.get("time_off_hours_per_day", 8)
    if type(hours) is not int or not 1 <= hours <= 24:
        raise LeaveRulesInvalid(f"{source}: time_off_hours_per_day must be a whole number of hours from 1 to 24")
    entries = data.get("kind")
    if not isinstance(entries, list):
        raise LeaveRulesInvalid(f"{source}: no [[kind]] entries")
    kinds: dict[str, LeaveKindRule] = {}
    for entry in entries:
        code = entry.get("kind")
        if code not in KINDS:
            raise LeaveRulesInvalid(f"{source}: kind {code!r} is not one of {', '.join(KINDS)}")
        if code in kinds:
            raise LeaveRulesInvalid(f"{source}: kind {code!r} appears twice")
        unknown = sorted(set(entry) - _KEYS)
        if unknown:
            raise LeaveRulesInvalid(f"{source}: kind {code!r}: unknown key {unknown[0]!r}")
        balance = entry.get("balance", "none")
        if balance not in BALANCES:
            raise LeaveRulesInvalid(f"{source}: kind {code!r}: balance must be one of {', '.join(BALANCES)}")
        if balance != "none" and balance != code:
            raise LeaveRulesInvalid(f"{source}: kind {code!r}: only annual and time_off leave have their own balance")
        kinds[code] = LeaveKindRule(
            kind=code,
            paid=_bool(entry, "paid", source),
            counts_against_attendance=_bool(entry, "counts_against_attendance", source),
            needs_document=_bool(entry, "needs_document", source),
            balance=balance,
        )
    missing = [k for k in KINDS if k not in kinds]
    if missing:
        raise LeaveRulesInvalid(f"{source}: no rule for kind {missing[0]!r}")
    return LeaveRules(kinds=kinds, time_off_hours_per_day=Decimal(hours))


def load_leave_rules(path: Path) -> LeaveRules:
    """Read and check rules/attendance/leave.toml; errors name the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LeaveRulesInvalid(f"{path}: leave rules file is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise LeaveRulesInvalid(f"{path}: not valid TOML: {exc}") from exc
    return leave_rules_from(data, source=str(path))


def _years_between(start: date, on: date) -> int:
    years = on.year - start.year - ((on.month, on.day) < (start.month, start.day))
    return max(years, 0)


def annual_entitlement(service_start: date | None, *, on: date) -> int:
    """Days of paid annual leave a year for someone who started work on ``service_start``, as of ``on``.

    Under a full year of service there is none; 1 to under 10 years 5 days, 10 to under 20 years 10, 20 or more 15.
    """
    if service_start is None:
        return 0
    years = _years_between(service_start, on)
    if years >= 20:
        return 15
    if years >= 10:
        return 10
    return 5 if years >= 1 else 0


def leave_days(start: datetime, end: datetime, *, zone: str, is_workday: Callable[[date], bool]) -> Decimal:
    """Working days a span [start, end) takes, in half days: a working day's morning (before noon) and afternoon count 0.5 each."""
    tz = ZoneInfo(zone)
    a, b = start.astimezone(tz), end.astimezone(tz)
    total = Decimal(0)
    day = a.date()
    while day <= b.date():
        if is_workday(day):
            midnight = datetime.combine(day, time(0), tz)
            noon = datetime.combine(day, time(12), tz)
            following = datetime.combine(day + timedelta(days=1), time(0), tz)
            for lo, hi in ((midnight, noon), (noon, following)):
                if a < hi and b > lo:
                    total += _HALF
        day += timedelta(days=1)
    return total


@dataclass(frozen=True, slots=True)
class Balance:
    """One balanced kind for one year: days earned or granted, days taken or asked for, days left."""

    kind: str
    year: int
    granted: Decimal
    taken: Decimal

    @property
    def left(self) -> Decimal:
        """Days still available (never shown below zero)."""
        return max(self.granted - self.taken, Decimal(0))


def time_off_earned(extended_hours: Iterable[Decimal], *, hours_per_day: Decimal) -> Decimal:
    """Days of 调休 earned by extended-hours service, in whole half days (a part half day is not earned yet)."""
    hours = sum(extended_hours, Decimal(0))
    halves = int(hours / hours_per_day / _HALF)
    return Decimal(halves) * _HALF


def fits(balance: Balance, *, asked: Decimal) -> bool:
    """Whether a request of ``asked`` days fits what is left."""
    return asked <= balance.granted - balance.taken


def days_words(days: Decimal) -> str:
    """Days as people write them: 5, 2.5 (never 5.0)."""
    return format(days.normalize(), "f") if days == days.to_integral_value() else format(days, "f").rstrip("0")
