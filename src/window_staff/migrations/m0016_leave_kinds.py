"""Leave as people take it (issue 19): a service start date on staff, and missed-punch requests (补卡).

``staff.service_start`` (参加工作时间) is added empty: annual leave falls back to the hiring date until HR records
it. Leave requests keep their stored kinds; the old kind ``leave`` reads as 事假 (attendance.leave_rules).
"""

from piccolo.engine.base import Engine

from window_staff.attendance.tables import MISSED_PUNCH_TABLES
from window_staff.migrations import create_tables, table_columns

ID = "0016_leave_kinds"

TABLES = [*MISSED_PUNCH_TABLES]

INDEXES = [
    "CREATE INDEX IF NOT EXISTS missed_punch_request_staff_day ON missed_punch_request (staff, day)",
    "CREATE INDEX IF NOT EXISTS missed_punch_request_status ON missed_punch_request (status)",
]


async def forward(engine: Engine) -> None:
    """Add the service start date (fresh databases already have it) and create the missed-punch table."""
    if "service_start" not in await table_columns(engine, "staff"):
        await engine.run_ddl("ALTER TABLE staff ADD COLUMN service_start DATE DEFAULT NULL")
    await create_tables(engine, TABLES, indexes=INDEXES)
