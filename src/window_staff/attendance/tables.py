"""Work calendar tables: session hours per site and season, and per-site day overrides."""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Time, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from window_staff.common.integrity import Seal
from window_staff.org.tables import Site, Staff, Window

# A foreign key to terminals' table, named lazily: terminals hands punches to attendance (terminals imports
# attendance), so attendance must not import terminals back.
_TERMINAL = LazyTableReference("Terminal", module_path="window_staff.terminals.tables")


class SiteHours(Table, tablename="site_hours"):
    """Morning and afternoon session times of a site over a dated range (e.g. summer hours)."""

    site = ForeignKey(Site)
    name = Varchar(length=32)
    valid_from = Date()
    valid_to = Date()
    am_start = Time()
    am_end = Time()
    pm_start = Time()
    pm_end = Time()


class CalendarOverride(Table, tablename="calendar_override"):
    """A site's own day: a local holiday, a closure, or a weekend service day."""

    site = ForeignKey(Site)
    day = Date()
    kind = Varchar(length=16)
    note = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Punch(Table, tablename="punch"):
    """One sign-in or sign-out (打卡); append-only: corrections are new events."""

    staff = ForeignKey(Staff)
    terminal: ForeignKey[Table] = ForeignKey(_TERMINAL, null=True)  # the lazy reference hides Terminal from mypy
    captured_at = Timestamptz()
    received_at = Timestamptz()
    kind = Varchar(length=8, default="any")
    source = Varchar(length=16)
    verify_mode = Varchar(length=32)
    verified_on_device = Boolean(default=False)
    needs_attestation = Boolean(default=False)
    threshold_version = Varchar(length=64, null=True, default=None)
    future_capture = Boolean(default=False)
    # Unique per origin (terminal + event id, or a ZKTeco line's identity): a resend stores nothing twice.
    event_key = Varchar(length=200, unique=True)
    row_mac = Text(null=True, default=None)  # the keyed seal of the columns below (common/integrity.py)


PUNCH_SEAL = Seal(
    Punch,
    (
        Punch.staff,
        Punch.terminal,
        Punch.captured_at,
        Punch.received_at,
        Punch.kind,
        Punch.source,
        Punch.verify_mode,
        Punch.verified_on_device,
        Punch.needs_attestation,
        Punch.future_capture,
        Punch.threshold_version,
        Punch.event_key,
    ),
)


class PunchAttestation(Table, tablename="punch_attestation"):
    """A supervisor's attestation (or refusal) of a punch that needs one; append-only."""

    punch = ForeignKey(Punch)
    attested_by = Varchar(length=120)
    approved = Boolean()
    note = Varchar(length=500, default="")
    at = Timestamptz()


class AttendanceException(Table, tablename="attendance_exception"):
    """Something HR must look at instead of it silently changing a record (e.g. a punch for a closed month)."""

    kind = Varchar(length=32)
    staff = ForeignKey(Staff, null=True)
    terminal: ForeignKey[Table] = ForeignKey(_TERMINAL, null=True)  # the lazy reference hides Terminal from mypy
    detail = Text()
    created_at = Timestamptz()
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = Varchar(length=120, null=True, default=None)
    # Added by migration 0010 (nullable; unique where set): what the item is about, so a resent input queues it once.
    source_key = Varchar(length=100, null=True, default=None)


TABLES = [SiteHours, CalendarOverride]
PUNCH_TABLES = [Punch, PunchAttestation, AttendanceException]


# --- issue 5 service layer (migration 0004) --------------------------------------------------


class LeaveRequest(Table, tablename="leave_request"):
    """Leave, official business (公出) or training over [start_at, end_at); status mirrors the last decision."""

    staff = ForeignKey(Staff)
    kind = Varchar(length=24)
    start_at = Timestamptz()
    end_at = Timestamptz()
    reason = Varchar(length=500, default="")
    status = Varchar(length=16, default="requested")
    requested_by = Varchar(length=120)
    requested_at = Timestamptz()
    decided_by = Varchar(length=120, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)


class LeaveDecision(Table, tablename="leave_decision"):
    """An approval or refusal of a leave request; append-only (the request's status is a copy)."""

    request = ForeignKey(LeaveRequest)
    approved = Boolean()
    note = Varchar(length=500, default="")
    decided_by = Varchar(length=120)
    at = Timestamptz()


class RotaEntry(Table, tablename="rota_change"):
    """One staff member's added (weekend duty, 延时服务) or removed session on one day."""

    staff = ForeignKey(Staff)
    day = Date()
    session = Varchar(length=16)
    action = Varchar(length=8)
    start_time = Time(null=True, default=None)
    end_time = Time(null=True, default=None)
    note = Varchar(length=200, default="")
    created_by = Varchar(length=120)
    created_at = Timestamptz()


class WindowClosureDay(Table, tablename="window_closure"):
    """A window closed for a whole day."""

    window = ForeignKey(Window)
    day = Date()
    note = Varchar(length=200, default="")
    created_by = Varchar(length=120)
    created_at = Timestamptz()


class DayRecordCorrection(Table, tablename="day_record_correction"):
    """HR's correction of one staff member's session, with a reason; append-only (the latest wins)."""

    staff = ForeignKey(Staff)
    day = Date()
    session = Varchar(length=16)
    status = Varchar(length=24)
    late_minutes = Integer(default=0)
    early_minutes = Integer(default=0)
    leave_kind = Varchar(length=24, null=True, default=None)
    reason = Varchar(length=500)
    corrected_by = Varchar(length=120)
    at = Timestamptz()


class StoredDayRecord(Table, tablename="attendance_day_record"):
    """A derived day record, stored per staff and month; replaced on recompute until the month closes."""

    staff = ForeignKey(Staff)
    site = Integer()
    month = Varchar(length=7)
    day = Date()
    session = Varchar(length=16)
    start_at = Timestamptz()
    end_at = Timestamptz()
    status = Varchar(length=24)
    late_minutes = Integer(default=0)
    early_minutes = Integer(default=0)
    sign_in_punch = Integer(null=True, default=None)
    sign_out_punch = Integer(null=True, default=None)
    leave_kind = Varchar(length=24, null=True, default=None)
    computed_at = Timestamptz()


class MonthClose(Table, tablename="attendance_month_close"):
    """HR closed a site's attendance month: its stored records never change again; append-only."""

    site = ForeignKey(Site)
    month = Varchar(length=7)
    closed_at = Timestamptz()
    closed_by = Varchar(length=120)


SERVICE_TABLES = [LeaveRequest, LeaveDecision, RotaEntry, WindowClosureDay, DayRecordCorrection, StoredDayRecord, MonthClose]


# --- issue 19: missed-punch requests (补卡, migration 0016) ------------------------------------------------------------


class MissedPunchRequest(Table, tablename="missed_punch_request"):
    """A staff member's request for a punch they missed (补卡); once approved, ``punch`` is the punch recorded for it."""

    staff = ForeignKey(Staff)
    day = Date()
    session = Varchar(length=16)  # am | pm
    kind = Varchar(length=8)  # in | out
    at = Timestamptz()  # the time asked for, as an instant (entered in the site's local time)
    reason = Varchar(length=500)
    status = Varchar(length=16, default="requested")  # requested | approved | refused
    requested_by = Varchar(length=120)
    requested_at = Timestamptz()
    decided_by = Varchar(length=120, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    note = Varchar(length=500, default="")
    punch = Integer(null=True, default=None)


MISSED_PUNCH_TABLES = [MissedPunchRequest]
