"""ZKTeco devices: staff members' user ids on devices, and a key on HR's exception queue (a resent line is queued once).

Migration 0003 builds ``attendance_exception`` from the live table class, so on a fresh database the
column exists already: it is added only when missing, nullable (SQLite can add those).
"""

from piccolo.engine.base import Engine

from window_staff.migrations import create_tables, table_columns
from window_staff.terminals.tables import DeviceUser

ID = "0010_zkteco"

TABLES = [DeviceUser]

INDEXES = [
    # NULLs never collide: items without a key (most of them) are not affected.
    "CREATE UNIQUE INDEX IF NOT EXISTS attendance_exception_source_key ON attendance_exception (source_key)",
    # One site-wide id per person and site, one person per site-wide id; the same per device for its own ids.
    "CREATE UNIQUE INDEX IF NOT EXISTS device_user_site_staff ON device_user (site, staff) WHERE terminal IS NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS device_user_site_id ON device_user (site, device_user_id) WHERE terminal IS NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS device_user_terminal_staff ON device_user (terminal, staff) WHERE terminal IS NOT NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS device_user_terminal_id ON device_user (terminal, device_user_id) WHERE terminal IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS device_user_staff ON device_user (staff)",
]


async def forward(engine: Engine) -> None:
    """Add the queue key column, then the device user table and the indexes."""
    if "source_key" not in await table_columns(engine, "attendance_exception"):
        await engine.run_ddl("ALTER TABLE attendance_exception ADD COLUMN source_key VARCHAR(100) DEFAULT NULL")
    await create_tables(engine, TABLES, indexes=INDEXES)
