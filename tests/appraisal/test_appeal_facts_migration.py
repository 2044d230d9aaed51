"""Migration 0015 brings a database made before appeals named facts up to date: two columns, one wider unique index."""

from window_staff.common.db import execute, is_sqlite, write_transaction
from window_staff.migrations import migrate, table_columns


async def _indexes(engine) -> set[str]:
    if is_sqlite(engine):
        return {r["name"] for r in await execute(engine, "PRAGMA index_list(appraisal_appeal)")}
    return {r["indexname"] for r in await execute(engine, "SELECT indexname FROM pg_indexes WHERE tablename = 'appraisal_appeal'")}


async def test_0015_adds_the_disputed_facts_and_lets_one_line_have_an_appeal_per_fact(ctx):
    async with write_transaction(ctx.engine):
        await ctx.engine.run_ddl("DROP INDEX appraisal_appeal_facts")
        for column in ("disputed", "disputed_key"):
            await ctx.engine.run_ddl(f"ALTER TABLE appraisal_appeal DROP COLUMN {column}")
        await ctx.engine.run_ddl("CREATE UNIQUE INDEX appraisal_appeal_line ON appraisal_appeal (period, staff, rule_id)")
        await execute(ctx.engine, "DELETE FROM schema_migration WHERE id = {}", "0015_appeal_facts")
    assert "0015_appeal_facts" in await migrate(ctx.engine)
    assert {"disputed", "disputed_key"} <= await table_columns(ctx.engine, "appraisal_appeal")
    indexes = await _indexes(ctx.engine)
    assert "appraisal_appeal_facts" in indexes and "appraisal_appeal_line" not in indexes
    assert await migrate(ctx.engine) == []  # and only once
