"""Organisation, accounts, terminals, work calendar and the audit chain."""

from piccolo.engine.base import Engine

from window_staff.attendance.tables import CalendarOverride, SiteHours
from window_staff.auth.tables import LoginAttempt, User, UserRole, UserSession
from window_staff.common.tables import AuditEvent
from window_staff.migrations import create_tables
from window_staff.org.tables import Department, Site, Staff, Window
from window_staff.terminals.tables import Terminal

ID = "0001_initial"

TABLES = [Site, Department, Window, Staff, User, UserRole, UserSession, LoginAttempt, Terminal, SiteHours, CalendarOverride, AuditEvent]

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS service_window_site_number ON service_window (site, number)",
    'CREATE UNIQUE INDEX IF NOT EXISTS user_role_user_role ON user_role ("user", role)',
    "CREATE INDEX IF NOT EXISTS staff_department ON staff (department)",
    "CREATE INDEX IF NOT EXISTS login_attempt_username_at ON login_attempt (username, at)",
    'CREATE INDEX IF NOT EXISTS user_session_user ON user_session ("user")',
    "CREATE UNIQUE INDEX IF NOT EXISTS calendar_override_site_day ON calendar_override (site, day)",
    "CREATE INDEX IF NOT EXISTS audit_event_subject ON audit_event (subject_type, subject_id)",
]


async def forward(engine: Engine) -> None:
    """Create the first tables, their indexes and the audit chain's append-only triggers."""
    await create_tables(engine, TABLES, indexes=INDEXES, append_only=("audit_event",))
