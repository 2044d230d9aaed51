"""Migration 0023 brings a database made before posts up to date: ``staff.post``, empty for everyone already there."""

from tests.factories import make_staff
from window_staff.common.db import execute, write_transaction
from window_staff.migrations import migrate, table_columns
from window_staff.org import service as org


async def test_0023_adds_an_empty_post_for_everyone_already_there(ctx):
    person = await make_staff(ctx, name="王磊")
    async with write_transaction(ctx.engine):
        await ctx.engine.run_ddl("ALTER TABLE staff DROP COLUMN post")
        await execute(ctx.engine, "DELETE FROM schema_migration WHERE id = {}", "0023_staff_post")
    assert "0023_staff_post" in await migrate(ctx.engine)
    assert "post" in await table_columns(ctx.engine, "staff")
    assert (await org.get_staff(ctx, person.id)).post == ""
    assert await migrate(ctx.engine) == []  # and only once
