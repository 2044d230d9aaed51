"""Jobs: heavy work recorded as rows, with one active job per lock (a month's work runs one job at a time)."""

from piccolo.engine.base import Engine

from window_staff.jobs.tables import Job
from window_staff.migrations import create_tables

ID = "0011_jobs"

TABLES = [Job]

INDEXES = [
    # NULL once a job has finished: only queued and running jobs hold their lock.
    "CREATE UNIQUE INDEX IF NOT EXISTS job_active_lock ON job (active_lock)",
    "CREATE INDEX IF NOT EXISTS job_state ON job (state, id)",
    "CREATE INDEX IF NOT EXISTS job_subject ON job (subject, id)",
]


async def forward(engine: Engine) -> None:
    """Create the job table and its indexes."""
    await create_tables(engine, TABLES, indexes=INDEXES)
