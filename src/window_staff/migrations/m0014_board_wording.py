"""The exposure board's public wording: a headline and text chosen by the lead, and the rectification (整改) state."""

from piccolo.engine.base import Engine

from window_staff.migrations import table_columns

ID = "0014_board_wording"

COLUMNS = (("headline", "TEXT"), ("public_text", "TEXT"), ("rectified_at", "TIMESTAMPTZ"), ("rectified_by", "VARCHAR(120)"))


async def forward(engine: Engine) -> None:
    """Add the nullable columns to ``inspection_exposure`` where an older database lacks them (fresh ones have them)."""
    have = await table_columns(engine, "inspection_exposure")
    for name, sql_type in COLUMNS:
        if name not in have:
            await engine.run_ddl(f"ALTER TABLE inspection_exposure ADD COLUMN {name} {sql_type} DEFAULT NULL")
