"""ZKTeco devices: a queue key on HR's exception queue (an unreadable line a device resends is queued once).

Migration 0003 builds ``attendance_exception`` from the live table class, so on a fresh database the
column exists already: it is added only when missing, nullable (SQLite can add those).
"""

from piccolo.engine.base import Engine

from window_staff.migrations import table_columns

ID = "0010_zkteco"

TABLES: list[type] = []

INDEXES = [
    # NULLs never collide: items without a key (most of them) are not affected.
    "CREATE UNIQUE INDEX IF NOT EXISTS attendance_exception_source_key ON attendance_exception (source_key)",
]


async def forward(engine: Engine) -> None:
    """Add the queue key column and its unique index."""
    if "source_key" not in await table_columns(engine, "attendance_exception"):
        await engine.run_ddl("ALTER TABLE attendance_exception ADD COLUMN source_key VARCHAR(100) DEFAULT NULL")
    for ddl in INDEXES:
        await engine.run_ddl(ddl)
