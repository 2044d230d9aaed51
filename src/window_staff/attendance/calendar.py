"""Work calendar: statutory holidays and adjusted working days, per-site overrides, session hours.

National days come from ``chinese-calendar`` for the years it covers and from HR's data files
(``rules/calendar/YYYY.toml``) for later years. A year neither covers raises ``CalendarYearMissing``:
treating it as all-working or all-holiday would silently mis-score a whole year. Site overrides
(local holiday, closure, weekend service day) sit on top and are HR's statement for that site's
day, so they answer without national data.

Everything here is pure; the service builds it from ``SiteHours`` / ``CalendarOverride`` rows.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar

from window_staff.attendance.errors import (
    CalendarFileInvalid,
    CalendarOverrideInvalid,
    CalendarYearMissing,
    SessionHoursInvalid,
    SessionHoursMissing,
)
from window_staff.common.clock import DEFAULT_TIME_ZONE

_YEAR_FILE = re.compile(r"^\d{4}\.toml$")
_FILE_KEYS = {"year", "notice", "holidays", "working_days"}


class DayKind(StrEnum):
    """What a day is for one site."""

    WORKDAY = "workday"
    ADJUSTED_WORKDAY = "adjusted_workday"  # 调休上班日: a weekend day that is a statutory working day
    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # statutory holiday (may fall on a weekend)
    LOCAL_HOLIDAY = "local_holiday"
    CLOSED = "closed"
    SERVICE_DAY = "service_day"  # the site opens on a day that is otherwise a rest day


WORKING_KINDS = frozenset({DayKind.WORKDAY, DayKind.ADJUSTED_WORKDAY, DayKind.SERVICE_DAY})


class OverrideKind(StrEnum):
    """The ``kind`` column of ``CalendarOverride``."""

    HOLIDAY = "holiday"
    CLOSED = "closed"
    WORKING = "working"


_OVERRIDE_KINDS = frozenset(k.value for k in OverrideKind)
_OVERRIDE_DAY = {
    OverrideKind.HOLIDAY: DayKind.LOCAL_HOLIDAY,
    OverrideKind.CLOSED: DayKind.CLOSED,
    OverrideKind.WORKING: DayKind.SERVICE_DAY,
}


def _plain_kind(day: date) -> DayKind:
    return DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKDAY


@dataclass(frozen=True, slots=True)
class YearCalendar:
    """One year's statutory holidays and adjusted working days, as HR copied them from the notice."""

    year: int
    holidays: frozenset[date]
    working_days: frozenset[date]
    notice: str = ""
    source: str = ""

    def kind_of(self, day: date) -> DayKind:
        """Statutory kind of a day of this year."""
        if day in self.holidays:
            return DayKind.HOLIDAY
        if day in self.working_days:
            return DayKind.ADJUSTED_WORKDAY
        return _plain_kind(day)


def _dates(data: Mapping[str, Any], key: str, *, where: str, year: int) -> frozenset[date]:
    raw = data.get(key)
    if not isinstance(raw, list):
        raise CalendarFileInvalid(f"{where}: key {key!r} must be a list of dates (e.g. 2027-01-01)", key=key)
    seen: set[date] = set()
    for i, value in enumerate(raw):
        # datetime is a subclass of date: a TOML date-time here is a mistake, not a day
        if type(value) is not date:
            raise CalendarFileInvalid(f"{where}: {key}[{i}] must be a bare TOML date like 2027-01-01, got {value!r}", key=key)
        if value.year != year:
            raise CalendarFileInvalid(f"{where}: {key}[{i}] {value} is not in {year}", key=key)
        if value in seen:
            raise CalendarFileInvalid(f"{where}: {key}[{i}] {value} is listed twice", key=key)
        seen.add(value)
    return frozenset(seen)


def year_from_mapping(data: Mapping[str, Any], *, source: str, expect_year: int | None = None) -> YearCalendar:
    """Validate one parsed calendar file; errors name the file and the key."""
    unknown = sorted(set(data) - _FILE_KEYS)
    if unknown:
        raise CalendarFileInvalid(f"{source}: unknown key {unknown[0]!r}", key=unknown[0])
    year = data.get("year")
    if type(year) is not int:
        raise CalendarFileInvalid(f"{source}: key 'year' must be an integer", key="year")
    if expect_year is not None and year != expect_year:
        raise CalendarFileInvalid(f"{source}: key 'year' is {year} but the file is for {expect_year}", key="year")
    notice = data.get("notice")
    if not isinstance(notice, str) or not notice.strip():
        # provenance is mandatory so nobody ships a schedule guessed ahead of the official notice
        raise CalendarFileInvalid(f"{source}: key 'notice' must name the official notice", key="notice")
    holidays = _dates(data, "holidays", where=source, year=year)
    if not holidays:
        raise CalendarFileInvalid(f"{source}: key 'holidays' is empty", key="holidays")
    working = _dates(data, "working_days", where=source, year=year)
    both = sorted(holidays & working)
    if both:
        raise CalendarFileInvalid(f"{source}: {both[0]} is both a holiday and a working day", key="working_days")
    weekdays = sorted(d for d in working if d.weekday() < 5)
    if weekdays:
        raise CalendarFileInvalid(f"{source}: working_days must be weekend days; {weekdays[0]} is a weekday", key="working_days")
    return YearCalendar(year, holidays, working, notice=notice.strip(), source=source)


def load_year_file(path: Path) -> YearCalendar:
    """Read and validate ``YYYY.toml``."""
    if not _YEAR_FILE.match(path.name):
        raise CalendarFileInvalid(f"{path}: calendar files are named YYYY.toml", key="file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CalendarFileInvalid(f"{path}: not valid TOML: {exc}", key="file") from exc
    return year_from_mapping(data, source=str(path), expect_year=int(path.stem))


@cache
def _package_covers(year: int) -> bool:
    # ask the package rather than hard-code 2004-2026, so an upgrade widens coverage by itself
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _package_kind(day: date) -> DayKind:
    weekend = day.weekday() >= 5
    if chinese_calendar.is_workday(day):
        return DayKind.ADJUSTED_WORKDAY if weekend else DayKind.WORKDAY
    named = chinese_calendar.get_holiday_detail(day)[1] is not None
    return DayKind.HOLIDAY if named or not weekend else DayKind.WEEKEND


class NationalCalendar:
    """Statutory calendar: chinese-calendar where it has data, HR's year files elsewhere."""

    def __init__(self, years: Iterable[YearCalendar] = (), *, use_package: bool = True) -> None:
        self._use_package = use_package
        self._files: dict[int, YearCalendar] = {}
        self._memo: dict[date, DayKind] = {}
        for cal in years:
            if cal.year in self._files:
                raise CalendarFileInvalid(f"{cal.source}: a second calendar for {cal.year}", key="year")
            if use_package and _package_covers(cal.year):
                self._check_agrees(cal)
            self._files[cal.year] = cal

    @staticmethod
    def _check_agrees(cal: YearCalendar) -> None:
        # two sources for one year must agree, else a typo or a package change would win silently;
        # only working or not is compared: whether a weekend inside a holiday is "holiday" is cosmetic
        day = date(cal.year, 1, 1)
        while day.year == cal.year:
            mine, theirs = cal.kind_of(day), _package_kind(day)
            if (mine in WORKING_KINDS) != (theirs in WORKING_KINDS):
                raise CalendarFileInvalid(f"{cal.source}: {day} is {mine} in the file but {theirs} in chinese-calendar", key="holidays")
            day += timedelta(days=1)

    def covers(self, year: int) -> bool:
        """Whether any source knows this year."""
        return year in self._files or (self._use_package and _package_covers(year))

    def source_of(self, year: int) -> str:
        """Where the year's data comes from (a file path or the package)."""
        if year in self._files:
            return self._files[year].source
        if self._use_package and _package_covers(year):
            return f"chinese-calendar {getattr(chinese_calendar, '__version__', '')}".strip()
        raise CalendarYearMissing(year)

    def missing_years(self, start: date, *, end: date) -> list[int]:
        """Years between two dates (inclusive) that no source covers."""
        return [y for y in range(start.year, end.year + 1) if not self.covers(y)]

    def kind_of(self, day: date) -> DayKind:
        """Statutory kind of a day; ``CalendarYearMissing`` when no source covers its year."""
        kind = self._memo.get(day)
        if kind is None:
            file = self._files.get(day.year)
            if file is not None:
                kind = file.kind_of(day)
            elif self._use_package and _package_covers(day.year):
                kind = _package_kind(day)
            else:
                raise CalendarYearMissing(day.year)
            self._memo[day] = kind
        return kind


def load_national_calendar(folder: Path | None, *, use_package: bool = True) -> NationalCalendar:
    """Package data plus every ``YYYY.toml`` in ``folder`` (other files such as README.md are ignored)."""
    years: list[YearCalendar] = []
    if folder is not None and folder.is_dir():
        for path in sorted(folder.glob("*.toml")):
            years.append(load_year_file(path))
    return NationalCalendar(years, use_package=use_package)


@dataclass(frozen=True, slots=True)
class SiteOverride:
    """HR's statement about one day of one site."""

    site_id: int
    day: date
    kind: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _OVERRIDE_KINDS:
            allowed = ", ".join(k.value for k in OverrideKind)
            raise CalendarOverrideInvalid(f"site {self.site_id} {self.day}: kind {self.kind!r} is not one of {allowed}")


@dataclass(frozen=True, slots=True)
class SessionHours:
    """Morning and afternoon times of a site from ``valid_from`` to ``valid_to`` (both inclusive)."""

    name: str
    valid_from: date
    valid_to: date
    am_start: time
    am_end: time
    pm_start: time
    pm_end: time

    def __post_init__(self) -> None:
        if self.valid_to < self.valid_from:
            raise SessionHoursInvalid(f"hours {self.name!r}: valid_to {self.valid_to} is before {self.valid_from}")
        times = (self.am_start, self.am_end, self.pm_start, self.pm_end)
        if any(t.tzinfo is not None for t in times):
            raise SessionHoursInvalid(f"hours {self.name!r}: times are local wall-clock times, without a zone")
        if not (self.am_start < self.am_end <= self.pm_start < self.pm_end):
            raise SessionHoursInvalid(f"hours {self.name!r}: need am_start < am_end <= pm_start < pm_end")

    def covers(self, day: date) -> bool:
        """Whether the range includes ``day``."""
        return self.valid_from <= day <= self.valid_to


@dataclass(frozen=True, slots=True)
class SessionWindow:
    """One session on one day at one site, with aware start and end in the site's time zone."""

    site_id: int
    day: date
    session: str
    start: datetime
    end: datetime


class WorkCalendar:
    """National calendar + site overrides + session hours: which days and sessions a site works."""

    def __init__(
        self,
        national: NationalCalendar,
        overrides: Iterable[SiteOverride] = (),
        *,
        hours: Mapping[int, Iterable[SessionHours]] | None = None,
        time_zones: Mapping[int, str] | None = None,
        default_time_zone: str = DEFAULT_TIME_ZONE,
    ) -> None:
        self.national = national
        self._overrides: dict[tuple[int, date], SiteOverride] = {}
        for o in overrides:
            key = (o.site_id, o.day)
            if key in self._overrides:
                raise CalendarOverrideInvalid(f"site {o.site_id} has two overrides for {o.day}")
            self._overrides[key] = o
        self._hours: dict[int, tuple[SessionHours, ...]] = {}
        for site_id, ranges in (hours or {}).items():
            ordered = tuple(sorted(ranges, key=lambda h: h.valid_from))
            for a, b in zip(ordered, ordered[1:], strict=False):
                if b.valid_from <= a.valid_to:
                    raise SessionHoursInvalid(
                        f"site {site_id}: hours {a.name!r} ({a.valid_from}..{a.valid_to}) and "
                        f"{b.name!r} ({b.valid_from}..{b.valid_to}) overlap"
                    )
            self._hours[site_id] = ordered
        self._default_zone = _zone(default_time_zone)
        self._zones = {site: _zone(name) for site, name in (time_zones or {}).items()}
        self._standard: dict[tuple[int, date], tuple[SessionWindow, ...]] = {}

    def time_zone(self, site_id: int) -> ZoneInfo:
        """The site's zone (default Asia/Shanghai)."""
        return self._zones.get(site_id, self._default_zone)

    def override(self, day: date, *, site_id: int) -> SiteOverride | None:
        """The site's override for the day, if any."""
        return self._overrides.get((site_id, day))

    def kind_of(self, day: date, *, site_id: int) -> DayKind:
        """What the day is for the site; ``CalendarYearMissing`` if it depends on a year with no data."""
        o = self._overrides.get((site_id, day))
        if o is not None:
            return _OVERRIDE_DAY[OverrideKind(o.kind)]
        return self.national.kind_of(day)

    def is_working_day(self, day: date, *, site_id: int) -> bool:
        """Whether the site's regular staff are on duty that day."""
        return self.kind_of(day, site_id=site_id) in WORKING_KINDS

    def hours_on(self, day: date, *, site_id: int) -> SessionHours:
        """The site's session hours range covering the day, else ``SessionHoursMissing``."""
        for h in self._hours.get(site_id, ()):
            if h.covers(day):
                return h
        raise SessionHoursMissing(f"site {site_id} has no session hours for {day}", site_id=site_id, day=str(day))

    def window(self, day: date, *, session: str, start: time, end: time, site_id: int) -> SessionWindow:
        """A session from local wall-clock times on the day."""
        if not start < end:
            raise SessionHoursInvalid(f"session {session!r} on {day}: start {start} is not before end {end}")
        tz = self.time_zone(site_id)
        return SessionWindow(site_id, day, session, datetime.combine(day, start, tzinfo=tz), datetime.combine(day, end, tzinfo=tz))

    def standard_sessions(self, day: date, *, site_id: int) -> list[SessionWindow]:
        """The am and pm windows from the site's hours, whatever kind of day it is (for rota duty)."""
        key = (site_id, day)
        found = self._standard.get(key)
        if found is None:
            h = self.hours_on(day, site_id=site_id)
            found = (
                self.window(day, session="am", start=h.am_start, end=h.am_end, site_id=site_id),
                self.window(day, session="pm", start=h.pm_start, end=h.pm_end, site_id=site_id),
            )
            self._standard[key] = found
        return list(found)

    def sessions_on(self, day: date, *, site_id: int) -> list[SessionWindow]:
        """The site's working sessions of the day: am and pm on working days, none otherwise."""
        if not self.is_working_day(day, site_id=site_id):
            return []
        return self.standard_sessions(day, site_id=site_id)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SessionHoursInvalid(f"unknown time zone {name!r}") from exc
