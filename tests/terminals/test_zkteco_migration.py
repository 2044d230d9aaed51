"""Migration 0010 brings a database made before it (HR's queue without a key) up to date."""

from window_staff.common.db import execute, write_transaction
from window_staff.migrations import migrate, table_columns


async def test_0010_adds_the_queue_key_to_an_older_exception_queue(ctx):
    async with write_transaction(ctx.engine):
        await ctx.engine.run_ddl("DROP INDEX attendance_exception_source_key")
        await ctx.engine.run_ddl("ALTER TABLE attendance_exception DROP COLUMN source_key")
        await execute(ctx.engine, "DELETE FROM schema_migration WHERE id = {}", "0010_zkteco")
    assert "source_key" not in await table_columns(ctx.engine, "attendance_exception")
    assert "0010_zkteco" in await migrate(ctx.engine)
    assert "source_key" in await table_columns(ctx.engine, "attendance_exception")
    assert await migrate(ctx.engine) == []  # and only once
