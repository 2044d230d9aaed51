"""Attendance input and output schemas."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Literal

import msgspec

# The kinds of attendance.leave_rules.KINDS; "leave" (as stored before issue 19) is accepted and read as 事假 (personal).
LeaveKind = Literal[
    "personal", "sick", "annual", "time_off", "marriage", "maternity", "bereavement", "official_business", "training", "leave"
]
StatusName = Literal["present", "late", "early_leave", "late_and_early_leave", "absent", "missing_sign_in", "missing_sign_out", "on_leave"]
SessionName = Annotated[str, msgspec.Meta(min_length=1, max_length=16, pattern=r"^[a-z_]+$")]
Note = Annotated[str, msgspec.Meta(max_length=500)]
Reason = Annotated[str, msgspec.Meta(min_length=2, max_length=500)]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=1440)]


class LeaveIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A staff member asks for leave, official business (公出) or training over [start, end)."""

    kind: LeaveKind
    start: datetime
    end: datetime
    reason: Note = ""


class LeaveCancelIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Withdraw a leave request, or cancel approved leave (why, for the record)."""

    note: Note = ""


class LeaveDecisionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """HR approves or refuses a leave request."""

    approved: bool
    note: Note = ""


class LeaveOut(msgspec.Struct, kw_only=True):
    """A leave request and its current status."""

    id: int
    staff_id: int
    kind: str
    start: datetime
    end: datetime
    reason: str
    status: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None


class LeaveBalanceOut(msgspec.Struct, kw_only=True):
    """One balanced kind (annual leave, 调休) for one staff member and year, in days (halves as .5)."""

    kind: str
    year: int
    granted: str
    taken: str
    left: str
    service_start: date | None = None  # annual leave: the date years of service count from


class RotaIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Add a session (weekend duty, 延时服务 ``extended`` with times) or remove one, for a staff member's day."""

    staff_id: int
    day: date
    session: SessionName
    action: Literal["add", "remove"]
    start: time | None = None
    end: time | None = None
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""


class RotaOut(msgspec.Struct, kw_only=True):
    """A rota change."""

    id: int
    staff_id: int
    day: date
    session: str
    action: str
    start: time | None
    end: time | None
    note: str


class ClosureIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A window closed for a day."""

    window_id: int
    day: date
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""


class ClosureOut(msgspec.Struct, kw_only=True):
    """A window closure."""

    id: int
    window_id: int
    day: date
    note: str


class OverrideIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A site's own day: local holiday, closed, or a weekend service day (``working``)."""

    site_id: int
    day: date
    kind: Literal["holiday", "closed", "working"]
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""


class OverrideOut(msgspec.Struct, kw_only=True):
    """A site override."""

    id: int
    site_id: int
    day: date
    kind: str
    note: str


class SiteHoursIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A site's session times over a dated range (e.g. summer hours)."""

    site_id: int
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    valid_from: date
    valid_to: date
    am_start: time
    am_end: time
    pm_start: time
    pm_end: time


class SiteHoursOut(msgspec.Struct, kw_only=True):
    """A site's session hours range."""

    id: int
    site_id: int
    name: str
    valid_from: date
    valid_to: date
    am_start: time
    am_end: time
    pm_start: time
    pm_end: time


class ManualPunchIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A manual punch (terminal failure, no biometric consent); it counts once a supervisor attests it."""

    captured_at: datetime
    kind: Literal["in", "out", "any"] = "any"
    reason: Reason


class ManualPunchForIn(ManualPunchIn, forbid_unknown_fields=True, kw_only=True):
    """HR records a manual punch for a staff member."""

    staff_id: int


class PunchOut(msgspec.Struct, kw_only=True):
    """A punch as HR sees it when attesting."""

    id: int
    staff_id: int
    captured_at: datetime
    kind: str
    source: str
    verify_mode: str
    needs_attestation: bool
    attestation: str | None  # null: waiting; "approved" or "refused"
    in_closed_month: bool = False


class AttestationIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A supervisor attests (or refuses) a punch."""

    approved: bool
    note: Note = ""


class CorrectionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """HR corrects one session's outcome; the reason is mandatory and kept."""

    staff_id: int
    day: date
    session: SessionName
    status: StatusName
    late_minutes: Minutes = 0
    early_minutes: Minutes = 0
    leave_kind: LeaveKind | None = None
    reason: Reason


class CorrectionOut(msgspec.Struct, kw_only=True):
    """A correction as stored."""

    id: int
    status: str
    late_minutes: int
    early_minutes: int
    leave_kind: str | None
    reason: str
    corrected_by: str
    at: datetime


class DayRecordOut(msgspec.Struct, kw_only=True):
    """One session of one day, after HR's corrections; ``derived_status`` is set when corrected."""

    day: date
    session: str
    start: datetime
    end: datetime
    status: str
    late_minutes: int
    early_minutes: int
    leave_kind: str | None
    sign_in_punch_id: int | None
    sign_out_punch_id: int | None
    derived_status: str | None = None
    correction: CorrectionOut | None = None


class MonthTotalsOut(msgspec.Struct, kw_only=True):
    """Counts and minutes of the month (as the appraisal reads them)."""

    sessions: int
    present: int
    late_count: int
    late_minutes: int
    early_count: int
    early_minutes: int
    absent_half_days: int
    missing_sign_in: int
    missing_sign_out: int
    leave_half_days: int
    leave_by_kind: dict[str, int]


class MonthOut(msgspec.Struct, kw_only=True):
    """One staff member's month."""

    staff_id: int
    employee_no: str
    name: str
    month: str
    closed: bool
    records: list[DayRecordOut]
    totals: MonthTotalsOut


class SheetRowOut(msgspec.Struct, kw_only=True):
    """One person's line of the monthly sheet: a symbol per day and the totals."""

    staff_id: int
    employee_no: str
    name: str
    days: list[str]
    totals: MonthTotalsOut


class SheetOut(msgspec.Struct, kw_only=True):
    """A department's monthly attendance sheet."""

    department_id: int
    month: str
    days: list[date]
    legend: dict[str, str]
    rows: list[SheetRowOut]


class MonthCloseIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """HR closes a site's attendance month."""

    site_id: int


class MonthCloseOut(msgspec.Struct, kw_only=True):
    """A closed month."""

    site_id: int
    month: str
    closed_at: datetime
    closed_by: str
    records: int | None  # records frozen at close (only in the close answer)


class ExceptionOut(msgspec.Struct, kw_only=True):
    """An item of HR's exception queue."""

    id: int
    kind: str
    staff_id: int | None
    terminal_id: int | None
    detail: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None


class ExceptionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An item another domain puts in HR's exception queue; ``key`` (unique) makes queueing it again a no-op."""

    kind: str
    detail: dict[str, Any]
    staff_id: int | None = None
    terminal_id: int | None = None
    key: Annotated[str, msgspec.Meta(max_length=100)] | None = None


class ResolveIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """HR resolves an exception, saying what was done."""

    note: Reason


class MissedPunchIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A staff member asks for a punch they missed (补卡): the day, the half day, in or out, the time, and why."""

    day: date
    session: Literal["am", "pm"]
    kind: Literal["in", "out"]
    time: time
    reason: Reason


class MissedPunchDecisionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The department head or HR approves or refuses a missed-punch request (a refusal says why)."""

    approved: bool
    note: Note = ""


class MissedPunchOut(msgspec.Struct, kw_only=True):
    """A missed-punch request and its status; ``punch_id`` is the punch recorded once approved."""

    id: int
    staff_id: int
    day: date
    session: str
    kind: str
    at: datetime
    reason: str
    status: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    note: str
    punch_id: int | None


class MonthPunchOut(msgspec.Struct, kw_only=True):
    """One punch of a staff member's month as the staff page shows it: when, in or out, where and how."""

    id: int
    at: datetime
    kind: str
    source: str
    verify_mode: str
    terminal_id: int | None
