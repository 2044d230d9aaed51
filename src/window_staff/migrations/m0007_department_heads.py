"""Department heads (负责人): who is notified of findings about their department's staff."""

from piccolo.engine.base import Engine

from window_staff.migrations import create_tables
from window_staff.org.tables import DepartmentHead

ID = "0007_department_heads"

TABLES = [DepartmentHead]

INDEXES = ["CREATE INDEX IF NOT EXISTS department_head_department ON department_head (department, id)"]


async def forward(engine: Engine) -> None:
    """Create the table; heads are a history (append-only): the newest row per department counts."""
    await create_tables(engine, TABLES, indexes=INDEXES, append_only=("department_head",))
