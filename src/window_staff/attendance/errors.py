"""Attendance errors: calendar, session hours, schedules, grace settings, leave and missed punches."""

from __future__ import annotations

from window_staff.common.errors import Conflict, Forbidden, InvalidInput, NotFound


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


class LeaveNotFound(NotFound):
    """No such leave request, or not visible to the caller."""

    code = "leave_not_found"


class LeaveAlreadyDecided(Conflict):
    """The leave request was already approved or refused."""

    code = "leave_already_decided"
    title = "Leave already decided"


class LeaveNotCancellable(Conflict):
    """The leave cannot be cancelled by this user in its current state."""

    code = "leave_not_cancellable"
    title = "Leave cannot be cancelled"


class LeaveOverlaps(Conflict):
    """The staff member already has requested or approved leave over part of this span."""

    code = "leave_overlaps"
    title = "Leave overlaps another request"


class OwnDecisionRefused(Forbidden):
    """Nobody decides their own leave or attests their own punch (four eyes)."""

    code = "own_decision_refused"
    title = "You cannot decide your own request"


class MonthClosed(Conflict):
    """The attendance month of this site is closed: its records never change."""

    code = "month_closed"
    title = "Attendance month closed"


class MonthAlreadyClosed(Conflict):
    """The site's month is already closed."""

    code = "month_already_closed"
    title = "Month already closed"


class PunchNotFound(NotFound):
    """No such punch awaiting attestation."""

    code = "punch_not_found"


class PunchAlreadyAttested(Conflict):
    """The punch already has an attestation decision."""

    code = "punch_already_attested"
    title = "Punch already attested"


class ExceptionNotFound(NotFound):
    """No such open attendance exception."""

    code = "attendance_exception_not_found"


class AttendanceItemNotFound(NotFound):
    """No such rota change, window closure, override or session hours."""

    code = "attendance_item_not_found"


class AttendanceDuplicate(Conflict):
    """A rota change, closure, override or hours range for that slot already exists."""

    code = "attendance_duplicate"
    title = "Already exists"


class SessionNotScheduled(InvalidInput):
    """A correction names a session the staff member had no record for."""

    code = "session_not_scheduled"
    title = "No such session"


class AttendanceStaffNotFound(NotFound):
    """No such staff member, or not visible to the caller."""

    code = "staff_not_found"


class LeaveRulesInvalid(InvalidInput):
    """rules/attendance/leave.toml misses a kind, names an unknown one or has a value of the wrong type."""

    code = "leave_rules_invalid"
    title = "Invalid leave rules"


class LeaveBeyondBalance(Conflict):
    """A request for annual leave or 调休 asks for more days than are left (extra: kind, left, asked)."""

    code = "leave_beyond_balance"
    title = "More days than the balance"


class MissedPunchNotFound(NotFound):
    """No such missed-punch (补卡) request, or not visible to the caller."""

    code = "missed_punch_not_found"
    title = "No such missed-punch request"


class MissedPunchAlreadyDecided(Conflict):
    """The missed-punch request was approved or refused already."""

    code = "missed_punch_already_decided"
    title = "Missed-punch request decided already"


class MissedPunchNotAllowed(Forbidden):
    """Only the staff member's department head or HR decides a missed-punch request, never their own."""

    code = "missed_punch_not_allowed"
    title = "You may not decide this missed-punch request"
