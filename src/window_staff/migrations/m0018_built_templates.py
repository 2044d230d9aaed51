"""Built fingerprint templates kept with their records (issue 16): each process loads them instead of building them.

Three nullable columns on ``biometric_template`` (fresh databases already have them): ``built`` and
``built_nonce`` (the impression's compact MCC template, sealed with the vault key) and ``built_version`` (the MCC
parameters it was built with). Impressions enrolled before this migration have none: the first gallery load of
their site builds them once and stores them.
"""

from piccolo.engine.base import Engine

from window_staff.common.db import is_sqlite
from window_staff.migrations import table_columns

ID = "0018_built_templates"


async def forward(engine: Engine) -> None:
    """Add the built-template columns where an older database lacks them."""
    columns = await table_columns(engine, "biometric_template")
    blob = "BLOB" if is_sqlite(engine) else "BYTEA"  # what Piccolo declares for Bytea on each engine
    kinds = {"built": blob, "built_nonce": blob, "built_version": "VARCHAR(32)"}
    for name, kind in kinds.items():
        if name not in columns:
            await engine.run_ddl(f"ALTER TABLE biometric_template ADD COLUMN {name} {kind} NULL")
