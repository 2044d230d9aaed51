"""Card + PIN at terminals: card number, HR's biometric override on card_pin, and the wrong-PIN log.

Migration 0003 builds ``card_pin`` from the live table class, so on a fresh database the new
columns exist already: each one is added only when missing. All are nullable (SQLite can add those).
"""

from piccolo.engine.base import Engine

from window_staff.common.db import execute, is_sqlite
from window_staff.migrations import create_tables
from window_staff.terminals.tables import CardPinFailure

ID = "0005_card_pin"

TABLES = [CardPinFailure]

COLUMNS = [
    ("card_no", "VARCHAR(32)"),
    ("set_by", "VARCHAR(120)"),
    ("biometric_override", "VARCHAR(200)"),
    ("override_until", "TIMESTAMPTZ"),
]

INDEXES = [
    # NULLs never collide, so staff without a card number (none yet) do not conflict.
    "CREATE UNIQUE INDEX IF NOT EXISTS card_pin_card_no ON card_pin (card_no)",
    "CREATE INDEX IF NOT EXISTS card_pin_failure_card_at ON card_pin_failure (card, at)",
]


async def _columns(engine: Engine, table: str) -> set[str]:
    if is_sqlite(engine):
        return {r["name"] for r in await execute(engine, f"PRAGMA table_info({table})")}
    rows = await execute(
        engine, "SELECT column_name FROM information_schema.columns WHERE table_name = {} AND table_schema = current_schema()", table
    )
    return {r["column_name"] for r in rows}


async def forward(engine: Engine) -> None:
    """Add the card columns and index, and the failure table."""
    have = await _columns(engine, "card_pin")
    for name, sql_type in COLUMNS:
        if name not in have:
            await engine.run_ddl(f"ALTER TABLE card_pin ADD COLUMN {name} {sql_type} DEFAULT NULL")
    await create_tables(engine, TABLES, indexes=INDEXES)
