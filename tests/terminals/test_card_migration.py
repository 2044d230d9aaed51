"""Migration 0005 brings a database made before it (card_pin without a card number) up to date."""

from window_staff.common.db import execute, write_transaction
from window_staff.migrations import migrate
from window_staff.migrations.m0005_card_pin import COLUMNS, _columns


async def test_0005_adds_the_card_columns_to_an_older_card_pin_table(ctx):
    async with write_transaction(ctx.engine):
        await ctx.engine.run_ddl("DROP INDEX card_pin_card_no")
        await ctx.engine.run_ddl("DROP TABLE card_pin_failure")
        for name, _ in COLUMNS:
            await ctx.engine.run_ddl(f"ALTER TABLE card_pin DROP COLUMN {name}")
        await execute(ctx.engine, "DELETE FROM schema_migration WHERE id = {}", "0005_card_pin")
    assert not {n for n, _ in COLUMNS} & await _columns(ctx.engine, "card_pin")
    assert "0005_card_pin" in await migrate(ctx.engine)
    assert {n for n, _ in COLUMNS} <= await _columns(ctx.engine, "card_pin")
    assert await migrate(ctx.engine) == []  # and only once
