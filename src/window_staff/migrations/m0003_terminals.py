"""Terminal secrets, nonces, idempotent check-in answers, rejections, ZKTeco commands, card PINs; punches."""

from piccolo.engine.base import Engine

from window_staff.attendance.tables import PUNCH_TABLES
from window_staff.common.db import is_sqlite
from window_staff.migrations import append_only_ddl
from window_staff.terminals.tables import SIGNATURE_TABLES

ID = "0003_terminals"

TABLES = [*SIGNATURE_TABLES, *PUNCH_TABLES]

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS terminal_nonce_unique ON terminal_nonce (terminal, nonce)",
    "CREATE INDEX IF NOT EXISTS terminal_nonce_seen ON terminal_nonce (seen_at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS check_in_event_unique ON check_in_event (terminal, event_id)",
    "CREATE INDEX IF NOT EXISTS punch_staff_captured ON punch (staff, captured_at)",
    "CREATE INDEX IF NOT EXISTS check_in_rejection_terminal ON check_in_rejection (terminal, received_at)",
]


async def forward(engine: Engine) -> None:
    """Create the tables; punches and attestations are append-only."""
    for table in TABLES:
        for ddl in table.create_table(if_not_exists=True).ddl:
            await engine.run_ddl(ddl)
    for ddl in INDEXES:
        await engine.run_ddl(ddl)
    sqlite = is_sqlite(engine)
    for table in ("punch", "punch_attestation"):
        for ddl in append_only_ddl(table, sqlite=sqlite):
            await engine.run_ddl(ddl)
