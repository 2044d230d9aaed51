"""Attendance service: leave and its decisions, rota, window closures, corrections, stored day records, month close."""

from piccolo.engine.base import Engine

from window_staff.attendance.tables import SERVICE_TABLES
from window_staff.migrations import create_tables

ID = "0004_attendance"

TABLES = [*SERVICE_TABLES]

INDEXES = [
    "CREATE INDEX IF NOT EXISTS leave_request_staff ON leave_request (staff, start_at)",
    "CREATE INDEX IF NOT EXISTS leave_request_status ON leave_request (status)",
    "CREATE INDEX IF NOT EXISTS leave_decision_request ON leave_decision (request)",
    'CREATE UNIQUE INDEX IF NOT EXISTS rota_change_staff_day_session ON rota_change (staff, day, "session")',
    'CREATE UNIQUE INDEX IF NOT EXISTS window_closure_window_day ON window_closure ("window", day)',
    "CREATE INDEX IF NOT EXISTS day_record_correction_staff_day ON day_record_correction (staff, day)",
    "CREATE INDEX IF NOT EXISTS attendance_day_record_staff_month ON attendance_day_record (staff, month)",
    "CREATE UNIQUE INDEX IF NOT EXISTS attendance_month_close_site_month ON attendance_month_close (site, month)",
    "CREATE INDEX IF NOT EXISTS punch_attestation_punch ON punch_attestation (punch)",
    "CREATE INDEX IF NOT EXISTS attendance_exception_open ON attendance_exception (resolved_at, created_at)",
]


async def forward(engine: Engine) -> None:
    """Create the tables and indexes; decisions, corrections and month closes are append-only."""
    await create_tables(engine, TABLES, indexes=INDEXES, append_only=("leave_decision", "day_record_correction", "attendance_month_close"))
