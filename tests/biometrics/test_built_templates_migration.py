"""Migration 0018 gives a database made before it the built-template columns; its impressions are then built once."""

from window_staff.common.db import execute, write_transaction
from window_staff.migrations import migrate, table_columns

BUILT = {"built", "built_nonce", "built_version"}


async def test_0018_adds_the_built_template_columns_to_an_older_template_table(ctx):
    async with write_transaction(ctx.engine):
        for column in sorted(BUILT):
            await ctx.engine.run_ddl(f"ALTER TABLE biometric_template DROP COLUMN {column}")
        await execute(ctx.engine, "DELETE FROM schema_migration WHERE id = {}", "0018_built_templates")
    assert not BUILT & await table_columns(ctx.engine, "biometric_template")
    assert "0018_built_templates" in await migrate(ctx.engine)
    assert BUILT <= await table_columns(ctx.engine, "biometric_template")
    assert await migrate(ctx.engine) == []  # and only once
