"""Staff posts (职务, issue 20): the hall's screens show a person's post under their name.

``staff.post`` is added empty for everyone already there ("" means HR has not set one). The staff table is neither
sealed nor append-only (m0012), so adding a column touches no seal or trigger.
"""

from piccolo.engine.base import Engine

from window_staff.migrations import table_columns

ID = "0023_staff_post"


async def forward(engine: Engine) -> None:
    """Add ``staff.post`` where an older database lacks it (fresh databases already have it)."""
    if "post" not in await table_columns(engine, "staff"):
        await engine.run_ddl("ALTER TABLE staff ADD COLUMN post VARCHAR(40) NOT NULL DEFAULT ''")
