"""Queue events as sent (a vendor's daily CSV export or a device's JSON batch), pure: reading and checking every row.

The shapes follow the service-transaction import (evaluations): every problem names its line and column in words,
and a file is imported whole or not at all. An event is identified by its source and event id; a re-sent identical
event is skipped, a different event under a used id is a conflict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from window_staff.common.clock import DEFAULT_TIME_ZONE, as_utc
from window_staff.common.csv_rows import RawRow, RowError, read_rows

# What a queue machine reports. The ticket's kinds need a ticket; the window's kinds (pause, resume) do not.
ISSUED, CALLED, RECALLED, MISSED, STARTED, FINISHED, TRANSFERRED, PAUSED, RESUMED = (
    "issued",
    "called",
    "recalled",
    "missed",
    "started",
    "finished",
    "transferred",
    "paused",
    "resumed",
)
KINDS: tuple[str, ...] = (ISSUED, CALLED, RECALLED, MISSED, STARTED, FINISHED, TRANSFERRED, PAUSED, RESUMED)
WINDOW_KINDS = frozenset({PAUSED, RESUMED})
COLUMNS: tuple[str, ...] = ("event_id", "site_code", "kind", "at", "ticket", "category", "window_number", "employee_no", "to_window")
OPTIONAL = frozenset({"ticket", "category", "window_number", "employee_no", "to_window"})
# A month's export of a busy county centre (some 3,000 events a day) fits; a province's is sent site by site.
MAX_ROWS = 100_000
MAX_ERRORS = 1000
CLOCK_SKEW = timedelta(minutes=5)
_LIMITS = {"event_id": 64, "site_code": 32, "kind": 16, "ticket": 32, "category": 32, "window_number": 16, "employee_no": 32}
_LIMITS["to_window"] = 16
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$")


@dataclass(frozen=True, slots=True)
class SiteRef:
    """A site and its windows by number (window id)."""

    id: int
    zone: str
    windows: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Checked:
    """A valid event, its instant in UTC, windows and staff resolved (staff None when not sent)."""

    line: int
    event_id: str
    site_id: int
    kind: str
    at: datetime
    ticket: str
    category: str
    window_id: int | None
    staff_id: int | None
    to_window_id: int | None

    def content(self) -> tuple[object, ...]:
        """What an identical re-send must repeat."""
        return (self.site_id, self.kind, self.at, self.ticket, self.category, self.window_id, self.staff_id, self.to_window_id)


def read_csv(data: bytes) -> tuple[list[RawRow], list[RowError]]:
    """Split a UTF-8 CSV export (BOM or not; header row required) into rows; file-level problems stop at the first."""
    return read_rows(data, columns=COLUMNS, required=[c for c in COLUMNS if c not in OPTIONAL], max_rows=MAX_ROWS)


def parse_instant(text: str, *, zone: str) -> datetime:
    """An ISO 8601 instant with an offset, or a local "YYYY-MM-DD HH:MM[:SS]" read in ``zone``; in UTC. ValueError when neither."""
    if not _INSTANT.match(text):
        raise ValueError("not a time: use ISO 8601 with an offset (2026-03-02T09:15:00+08:00) or local YYYY-MM-DD HH:MM[:SS]")
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    if not 2000 <= value.year <= 2100:
        raise ValueError("the year must be between 2000 and 2100")
    return value.astimezone(UTC)


def _needs(kind: str) -> tuple[str, ...]:
    if kind == ISSUED:
        return ("ticket", "category")
    if kind in WINDOW_KINDS:
        return ("window_number",)
    if kind == TRANSFERRED:
        return ("ticket", "window_number", "to_window")
    return ("ticket", "window_number")


def check_rows(
    rows: Iterable[RawRow], *, sites: Mapping[str, SiteRef], staff: Mapping[str, int], now: datetime
) -> tuple[list[Checked], list[RowError]]:
    """Check every row fully against the sites, windows and staff and each other; the valid rows and every problem."""
    checked: list[Checked] = []
    errors: list[RowError] = []
    first_line: dict[tuple[str, str], int] = {}
    latest = now + CLOCK_SKEW
    for row in rows:
        found: list[RowError] = []
        v, line = row.values, row.line
        kind = v.get("kind", "")
        for column in COLUMNS:
            text = v.get(column, "")
            if not text and column not in OPTIONAL:
                found.append(RowError(line, column, "required"))
            elif column in _LIMITS and len(text) > _LIMITS[column]:
                found.append(RowError(line, column, f"longer than {_LIMITS[column]} characters"))
        if kind and kind not in KINDS:
            found.append(RowError(line, "kind", f"unknown kind {kind!r}: use one of {', '.join(KINDS)}"))
        elif kind:
            found += [RowError(line, c, f"required for a {kind!r} event") for c in _needs(kind) if not v.get(c)]
        site_code, event_id = v.get("site_code", ""), v.get("event_id", "")
        key = (site_code, event_id)
        if event_id and key in first_line:
            found.append(RowError(line, "event_id", f"event_id {event_id!r} also on line {first_line[key]}"))
        elif event_id:
            first_line[key] = line
        site = sites.get(site_code)
        if site_code and site is None:
            found.append(RowError(line, "site_code", f"unknown site {site_code!r}"))
        windows: dict[str, int | None] = {}
        for column in ("window_number", "to_window"):
            number = v.get(column, "")
            windows[column] = site.windows.get(number) if site is not None and number else None
            if site is not None and number and windows[column] is None:
                found.append(RowError(line, column, f"no window {number!r} at site {site_code!r}"))
        person = staff.get(v.get("employee_no", ""))
        if v.get("employee_no") and person is None:
            found.append(RowError(line, "employee_no", f"unknown employee number {v['employee_no']!r}"))
        at: datetime | None = None
        if v.get("at"):
            try:
                at = parse_instant(v["at"], zone=site.zone if site is not None else DEFAULT_TIME_ZONE)
            except ValueError as exc:
                found.append(RowError(line, "at", str(exc)))
            else:
                if at > latest:
                    found.append(RowError(line, "at", "in the future"))
        if found:
            errors.extend(found)
            continue
        assert site is not None and at is not None
        checked.append(
            Checked(
                line=line,
                event_id=event_id,
                site_id=site.id,
                kind=kind,
                at=at,
                ticket=v.get("ticket", ""),
                category=v.get("category", ""),
                window_id=windows["window_number"],
                staff_id=person,
                to_window_id=windows["to_window"],
            )
        )
    return checked, errors


@dataclass(frozen=True, slots=True)
class Stored:
    """An event already stored, comparable with ``Checked.content``."""

    site_id: int
    kind: str
    at: datetime
    ticket: str
    category: str
    window_id: int | None
    staff_id: int | None
    to_window_id: int | None

    def content(self) -> tuple[object, ...]:
        """Comparable with ``Checked.content``."""
        return (self.site_id, self.kind, as_utc(self.at), self.ticket, self.category, self.window_id, self.staff_id, self.to_window_id)


def against_stored(rows: Sequence[Checked], *, stored: Mapping[tuple[int, str], Stored]) -> tuple[list[Checked], int, list[RowError]]:
    """New rows, the number of identical ones (skipped) and a conflict for each different event under a used id."""
    new: list[Checked] = []
    skipped = 0
    errors: list[RowError] = []
    for row in rows:
        old = stored.get((row.site_id, row.event_id))
        if old is None:
            new.append(row)
        elif old.content() == row.content():
            skipped += 1
        else:
            errors.append(RowError(row.line, "event_id", f"event_id {row.event_id!r} was received before as a different event"))
    return new, skipped, errors


# The marks by which one event reported by two sources (the device's push and the vendor's export) is known:
# site, kind, the second (fractions dropped), ticket, window and the window it went to. Category and staff are left
# out: an export may leave the caller unnamed where the device names them.
SameEvent = tuple[int, str, datetime, str, int | None, int | None]
SAME_SECOND = timedelta(seconds=1)


def same_event(site_id: int, *, kind: str, at: datetime, ticket: str, window_id: int | None, to_window_id: int | None) -> SameEvent:
    """The marks of an event that another source's report of it shares."""
    return (site_id, kind, as_utc(at).replace(microsecond=0), ticket, window_id, to_window_id)


def not_received_elsewhere(rows: Sequence[Checked], *, stored: set[SameEvent]) -> tuple[list[Checked], int]:
    """The rows no other source has reported, and how many it had (those are not stored twice)."""
    kept = [
        r
        for r in rows
        if same_event(r.site_id, kind=r.kind, at=r.at, ticket=r.ticket, window_id=r.window_id, to_window_id=r.to_window_id) not in stored
    ]
    return kept, len(rows) - len(kept)


def ordered(errors: Iterable[RowError]) -> list[RowError]:
    """Errors by line, then in column order."""
    rank = {c: i for i, c in enumerate(COLUMNS)}
    return sorted(errors, key=lambda e: (e.line, rank.get(e.column or "", -1)))
