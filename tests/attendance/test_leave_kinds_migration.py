"""Migration 0016 brings a database made before issue 19 up to date: staff.service_start and the missed-punch table."""

from window_staff.common.db import execute, write_transaction
from window_staff.migrations import migrate, table_columns


async def test_0016_adds_the_service_start_and_the_missed_punch_table(ctx):
    async with write_transaction(ctx.engine):
        await ctx.engine.run_ddl("DROP TABLE missed_punch_request")
        await ctx.engine.run_ddl("ALTER TABLE staff DROP COLUMN service_start")
        await execute(ctx.engine, "DELETE FROM schema_migration WHERE id = {}", "0016_leave_kinds")
    assert "0016_leave_kinds" in await migrate(ctx.engine)
    assert "service_start" in await table_columns(ctx.engine, "staff")
    assert {"staff", "day", "session", "kind", "at", "status", "punch"} <= await table_columns(ctx.engine, "missed_punch_request")
    assert await migrate(ctx.engine) == []  # and only once
