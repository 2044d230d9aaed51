"""Terminal secrets, nonces, idempotent check-in answers, rejections, ZKTeco commands, card PINs; punches."""

from piccolo.engine.base import Engine

from window_staff.attendance.tables import PUNCH_TABLES
from window_staff.migrations import create_tables
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
    await create_tables(engine, TABLES, indexes=INDEXES, append_only=("punch", "punch_attestation"))
