"""Tamper evidence: the audit chain's link algorithm, and a keyed seal (``row_mac``) on the rows money and discipline rest on.

Both columns are added empty: existing events stay legacy SHA-256 links and existing rows stay unsealed.
The first event written with an audit key is the cut-over (common/audit.py), which records each sealed
table's highest id then, so the verifier tells a row from before the key from one added without a seal.
"""

from piccolo.engine.base import Engine

from window_staff.migrations import table_columns

ID = "0012_seals"

SEALED = ("punch", "inspection_finding", "delegate_evaluation", "citizen_rating", "appraisal_sheet", "user_role")


async def forward(engine: Engine) -> None:
    """Add ``audit_event.alg`` and ``row_mac`` to each sealed table (fresh databases already have them)."""
    if "alg" not in await table_columns(engine, "audit_event"):
        await engine.run_ddl("ALTER TABLE audit_event ADD COLUMN alg VARCHAR(16) DEFAULT NULL")
    for table in SEALED:
        if "row_mac" not in await table_columns(engine, table):
            await engine.run_ddl(f"ALTER TABLE {table} ADD COLUMN row_mac TEXT DEFAULT NULL")
