"""Attendance errors: calendar, session hours, schedules and grace settings."""

from __future__ import annotations

from window_staff.common.errors import InvalidInput


class CalendarYearMissing(InvalidInput):
    """No national calendar for the year: neither the package nor a data file covers it."""

    code = "calendar_year_missing"
    title = "No work calendar for this year"

    def __init__(self, year: int, /) -> None:
        super().__init__(
            f"no national work calendar for {year}: chinese-calendar does not cover it and there is no "
            f"rules/calendar/{year}.toml; add the State Council's schedule for {year}",
            year=year,
        )
        self.year = year


class CalendarFileInvalid(InvalidInput):
    """A national calendar data file cannot be used; the detail names the file and the key."""

    code = "calendar_file_invalid"
    title = "Invalid calendar file"


class CalendarOverrideInvalid(InvalidInput):
    """A per-site override has an unknown kind or repeats a site's day."""

    code = "calendar_override_invalid"
    title = "Invalid calendar override"


class SessionHoursInvalid(InvalidInput):
    """Session hours out of order, with a reversed range, or overlapping another range of the site."""

    code = "session_hours_invalid"
    title = "Invalid session hours"


class SessionHoursMissing(InvalidInput):
    """A site has a day with duty but no session hours range covering it."""

    code = "session_hours_missing"
    title = "No session hours for this day"


class ScheduleInvalid(InvalidInput):
    """Duties overlap, a rota change cannot be placed, or a session is malformed."""

    code = "schedule_invalid"
    title = "Invalid schedule"


class GraceSettingsInvalid(InvalidInput):
    """Attendance settings from rules/ have an unknown key or a value of the wrong type."""

    code = "grace_settings_invalid"
    title = "Invalid attendance settings"


class AttendanceInputInvalid(InvalidInput):
    """A punch or leave span cannot be used (naive datetime, reversed span, conflicting ids)."""

    code = "attendance_input_invalid"
    title = "Invalid attendance input"
