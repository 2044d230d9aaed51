"""Queues (issue 20): queue-ticket and calling machines' events, HR's category mapping, the exception list."""

from piccolo.engine.base import Engine

from window_staff.migrations import create_tables
from window_staff.queues.tables import QueueBatch, QueueCategory, QueueEvent, QueueException

ID = "0021_queues"

TABLES = [QueueBatch, QueueEvent, QueueCategory, QueueException]

INDEXES = [
    # Idempotent by the sender's event id: a resend is stored once, whichever process receives it.
    "CREATE UNIQUE INDEX IF NOT EXISTS queue_event_id ON queue_event (source, site, event_id)",
    "CREATE INDEX IF NOT EXISTS queue_event_site_at ON queue_event (site, at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS queue_category_code ON queue_category (site, code)",
    "CREATE INDEX IF NOT EXISTS queue_exception_open ON queue_exception (resolved_at, id)",
]


async def forward(engine: Engine) -> None:
    """Create the tables; events are append-only."""
    await create_tables(engine, TABLES, indexes=INDEXES, append_only=("queue_event",))
