"""Service transactions (办件), pure: reading the CSV, checking every row, and the month's two rates.

现场办结率 (on-site completion rate) = 100 x on-site / transactions received in the month.
按时办结率 (on-time completion rate) = 100 x completed by the promised time / transactions due in the month,
where "due in the month" means promised in the month and either completed or already past its promised
time; one that is neither completed nor due yet is left out until it is one or the other.
Months are local dates in the site's time zone. Rates are truncated to 0.01, so 100.00 means every one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from window_staff.common.clock import DEFAULT_TIME_ZONE, as_utc
from window_staff.common.csv_rows import RawRow, RowError, read_rows
from window_staff.common.periods import next_month

COLUMNS: tuple[str, ...] = (
    "external_id",
    "item",
    "site_code",
    "window_number",
    "employee_no",
    "received_at",
    "promised_at",
    "completed_at",
    "onsite",
)
OPTIONAL = frozenset({"completed_at"})
MAX_ROWS = 50_000
# Reported errors per import over HTTP (the count says how many in all); the CLI prints every one.
MAX_ERRORS = 1000
# A device clock a few minutes ahead is not a transaction from the future.
CLOCK_SKEW = timedelta(minutes=5)
_LIMITS = {"external_id": 64, "item": 200, "site_code": 32, "window_number": 16, "employee_no": 32}
_TRUE = frozenset({"1", "true", "是"})
_FALSE = frozenset({"0", "false", "否"})
# ISO 8601 as people and exports write it: a date, T or a space, hours and minutes, optional seconds and offset.
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$")
_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class WindowRef:
    """What a row's window resolves to."""

    id: int
    department_id: int
    zone: str


@dataclass(frozen=True, slots=True)
class StaffRef:
    """What a row's employee number resolves to."""

    id: int
    hired_on: date
    left_on: date | None


@dataclass(frozen=True, slots=True)
class Checked:
    """A valid row, instants in UTC."""

    line: int
    external_id: str
    item: str
    window_id: int
    department_id: int
    staff_id: int
    received_at: datetime
    promised_at: datetime
    completed_at: datetime | None
    onsite: bool

    def content(self) -> tuple[object, ...]:
        """What an identical re-import must repeat."""
        return (self.item, self.window_id, self.staff_id, self.received_at, self.promised_at, self.completed_at, self.onsite)


@dataclass(frozen=True, slots=True)
class Stored:
    """A transaction already in the database, by external id."""

    id: int
    item: str
    window_id: int
    staff_id: int
    received_at: datetime
    promised_at: datetime
    completed_at: datetime | None
    onsite: bool

    def content(self) -> tuple[object, ...]:
        """Comparable with ``Checked.content``."""
        completed = as_utc(self.completed_at) if self.completed_at is not None else None
        return (self.item, self.window_id, self.staff_id, as_utc(self.received_at), as_utc(self.promised_at), completed, bool(self.onsite))


@dataclass(frozen=True, slots=True)
class Plan:
    """What an import will write: new rows, completions of stored pending rows (id, completed_at), and skipped identical rows."""

    new: list[Checked]
    completions: list[tuple[int, datetime]]
    skipped: int


# --- reading -------------------------------------------------------------------------------------------------


def read_csv(data: bytes) -> tuple[list[RawRow], list[RowError]]:
    """Split a UTF-8 CSV (BOM or not; header row required) into rows; file-level problems stop at the first."""
    return read_rows(data, columns=COLUMNS, required=COLUMNS, max_rows=MAX_ROWS)


def too_many(count: int) -> RowError | None:
    """The error for a list over the row cap (JSON imports), else None."""
    return RowError(MAX_ROWS + 1, None, f"more than {MAX_ROWS:,} rows: split the import") if count > MAX_ROWS else None


# --- checking ------------------------------------------------------------------------------------------------


def parse_instant(text: str, *, zone: str) -> datetime:
    """An ISO 8601 instant with an offset, or a local "YYYY-MM-DD HH:MM[:SS]" read in ``zone``; in UTC. ValueError when neither."""
    if not _INSTANT.match(text):
        raise ValueError("not a time: use ISO 8601 with an offset (2026-03-02T09:15:00+08:00) or local YYYY-MM-DD HH:MM[:SS]")
    value = datetime.fromisoformat(text)  # raises on impossible dates (02-30) and hours (25:00)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    if not 2000 <= value.year <= 2100:
        raise ValueError("the year must be between 2000 and 2100")
    return value.astimezone(UTC)


def parse_flag(text: str) -> bool:
    """1/0, true/false (any case), 是/否; ValueError otherwise."""
    folded = text.lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError("not a yes/no value: use 1 or 0, true or false, 是 or 否")


def local_date(at: datetime, *, zone: str) -> date:
    """The date of an instant in a time zone."""
    return as_utc(at).astimezone(ZoneInfo(zone)).date()


def check_rows(
    rows: Iterable[RawRow],
    *,
    windows: Mapping[tuple[str, str], WindowRef],
    site_codes: Iterable[str],
    staff: Mapping[str, StaffRef],
    now: datetime,
) -> tuple[list[Checked], list[RowError]]:
    """Check every row fully against the directory and each other; the valid rows and every problem found."""
    sites = set(site_codes)
    checked: list[Checked] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    latest = now + CLOCK_SKEW
    for row in rows:
        found: list[RowError] = []
        v, line = row.values, row.line
        for column in COLUMNS:
            text = v.get(column, "")
            if not text and column not in OPTIONAL:
                found.append(RowError(line, column, "required"))
            elif column in _LIMITS and len(text) > _LIMITS[column]:
                found.append(RowError(line, column, f"longer than {_LIMITS[column]} characters"))
        external_id = v.get("external_id", "")
        if external_id and external_id in first_line:
            found.append(RowError(line, "external_id", f"external_id {external_id!r} also on line {first_line[external_id]}"))
        elif external_id:
            first_line[external_id] = row.line
        window = windows.get((v.get("site_code", ""), v.get("window_number", "")))
        if v.get("site_code") and v["site_code"] not in sites:
            found.append(RowError(line, "site_code", f"unknown site {v['site_code']!r}"))
        elif v.get("site_code") and v.get("window_number") and window is None:
            found.append(RowError(line, "window_number", f"no window {v['window_number']!r} at site {v['site_code']!r}"))
        person = staff.get(v.get("employee_no", ""))
        if v.get("employee_no") and person is None:
            found.append(RowError(line, "employee_no", f"unknown employee number {v['employee_no']!r}"))
        # An unknown window's zone is unknown: the default still checks formats and order (a shift moves all three).
        zone = window.zone if window is not None else DEFAULT_TIME_ZONE
        times: dict[str, datetime] = {}
        for column in ("received_at", "promised_at", "completed_at"):
            if v.get(column):
                try:
                    times[column] = parse_instant(v[column], zone=zone)
                except ValueError as exc:
                    found.append(RowError(line, column, str(exc)))
        received = times.get("received_at")
        if received is not None:
            if received > latest:
                found.append(RowError(line, "received_at", "in the future"))
            for column in ("promised_at", "completed_at"):
                if column in times and times[column] < received:
                    found.append(RowError(line, column, f"{column} is before received_at"))
        if "completed_at" in times and times["completed_at"] > latest:
            found.append(RowError(line, "completed_at", "in the future"))
        onsite: bool | None = None
        if v.get("onsite"):
            try:
                onsite = parse_flag(v["onsite"])
            except ValueError as exc:
                found.append(RowError(line, "onsite", str(exc)))
        if onsite and not v.get("completed_at"):
            found.append(RowError(line, "completed_at", "required when onsite is yes (completed on the spot)"))
        if person is not None and window is not None and received is not None:
            day = local_date(received, zone=window.zone)
            if day < person.hired_on or (person.left_on is not None and day > person.left_on):
                found.append(RowError(line, "employee_no", f"{v['employee_no']} was not employed on {day.isoformat()}"))
        if found:
            errors.extend(found)
            continue
        assert window is not None and person is not None and received is not None and onsite is not None
        checked.append(
            Checked(
                line=row.line,
                external_id=external_id,
                item=v["item"],
                window_id=window.id,
                department_id=window.department_id,
                staff_id=person.id,
                received_at=received,
                promised_at=times["promised_at"],
                completed_at=times.get("completed_at"),
                onsite=onsite,
            )
        )
    return checked, errors


def against_stored(rows: Iterable[Checked], *, stored: Mapping[str, Stored]) -> tuple[Plan, list[RowError]]:
    """Compare valid rows with what is stored: new, identical (skipped), a pending one now completed, or a conflict (error)."""
    new: list[Checked] = []
    completions: list[tuple[int, datetime]] = []
    skipped = 0
    errors: list[RowError] = []
    for row in rows:
        old = stored.get(row.external_id)
        if old is None:
            new.append(row)
            continue
        was, now = old.content(), row.content()
        if was == now:
            skipped += 1
        elif old.completed_at is None and row.completed_at is not None and was[:5] == now[:5] and was[6] == now[6]:
            completions.append((old.id, row.completed_at))  # the pending transaction has been completed since
        else:
            changed = [
                name
                for name, a, b in zip(
                    ("item", "window", "staff", "received_at", "promised_at", "completed_at", "onsite"), was, now, strict=True
                )
                if a != b
            ]
            errors.append(
                RowError(
                    row.line, "external_id", f"external_id {row.external_id!r} was imported before with a different {', '.join(changed)}"
                )
            )
    return Plan(new=new, completions=completions, skipped=skipped), errors


def ordered(errors: Iterable[RowError]) -> list[RowError]:
    """Errors by line, then in column order."""
    rank = {c: i for i, c in enumerate(COLUMNS)}
    return sorted(errors, key=lambda e: (e.line, rank.get(e.column or "", -1)))


# --- rates ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Transaction:
    """What the rates need of one transaction: instants (UTC), on the spot or not, the site's zone."""

    received_at: datetime
    promised_at: datetime
    completed_at: datetime | None
    onsite: bool
    zone: str = DEFAULT_TIME_ZONE


class Tally:
    """Counts behind the two rates of one staff member, window or department in one month."""

    __slots__ = ("due", "on_time", "onsite", "transactions")

    def __init__(self) -> None:
        self.transactions = 0  # received in the month
        self.onsite = 0  # of those, completed on the spot
        self.due = 0  # promised in the month, and completed or past due
        self.on_time = 0  # of those, completed by the promised time

    def add(self, tx: Transaction, *, first: date, now: datetime) -> None:
        """Count one transaction into the month that starts on ``first``."""
        zone = ZoneInfo(tx.zone)
        nxt = next_month(first)
        if first <= as_utc(tx.received_at).astimezone(zone).date() < nxt:
            self.transactions += 1
            self.onsite += tx.onsite
        promised = as_utc(tx.promised_at)
        if first <= promised.astimezone(zone).date() < nxt:
            if tx.completed_at is not None:
                self.due += 1
                self.on_time += as_utc(tx.completed_at) <= promised
            elif promised < now:
                self.due += 1  # overdue and still open: late already, whenever it is completed

    @property
    def onsite_rate(self) -> Decimal | None:
        """现场办结率 in percent, None without transactions."""
        return rate(self.onsite, whole=self.transactions)

    @property
    def ontime_rate(self) -> Decimal | None:
        """按时办结率 in percent, None when nothing was due."""
        return rate(self.on_time, whole=self.due)


def tally(transactions: Iterable[Transaction], *, first: date, now: datetime) -> Tally:
    """The month's counts over some transactions (``now`` decides what is past due)."""
    out = Tally()
    for tx in transactions:
        out.add(tx, first=first, now=now)
    return out


def rate(part: int, *, whole: int) -> Decimal | None:
    """100 x part / whole truncated to 0.01 (never rounded up to 100.00); None when whole is 0."""
    if whole <= 0:
        return None
    return (_HUNDRED * part / whole).quantize(_CENT, rounding=ROUND_DOWN)
