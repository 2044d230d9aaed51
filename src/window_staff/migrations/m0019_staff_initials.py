"""Staff are found by pinyin initials: the initials of every reading of each name, stored for a plain LIKE."""

from piccolo.engine.base import Engine

from window_staff.common.db import execute
from window_staff.migrations import table_columns
from window_staff.org.search import initials

ID = "0019_staff_initials"


async def forward(engine: Engine) -> None:
    """Add ``staff.name_initials`` where an older database lacks it, and work it out for everyone already there."""
    if "name_initials" not in await table_columns(engine, "staff"):
        await engine.run_ddl("ALTER TABLE staff ADD COLUMN name_initials TEXT NOT NULL DEFAULT ''")
    # migrate() runs this in its own transaction: all names are worked out or none.
    for row in await execute(engine, "SELECT id, name FROM staff WHERE name_initials = ''"):
        await execute(engine, "UPDATE staff SET name_initials = {} WHERE id = {}", initials(row["name"]), row["id"])
