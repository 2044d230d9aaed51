"""Migration 0019 brings a database made before search by initials up to date: the column, worked out for everyone."""

from tests.factories import make_staff
from window_staff.common.db import execute, write_transaction
from window_staff.common.pagination import PageParams
from window_staff.migrations import migrate, table_columns
from window_staff.org import service as org


async def test_0019_adds_the_initials_of_everyone_already_there(ctx):
    person = await make_staff(ctx, name="王磊")
    async with write_transaction(ctx.engine):
        await ctx.engine.run_ddl("ALTER TABLE staff DROP COLUMN name_initials")
        await execute(ctx.engine, "DELETE FROM schema_migration WHERE id = {}", "0019_staff_initials")
    assert "0019_staff_initials" in await migrate(ctx.engine)
    assert "name_initials" in await table_columns(ctx.engine, "staff")
    found = await org.list_staff(ctx, PageParams(limit=10, offset=0), search_text="wl")
    assert [s.id for s in found.items] == [person.id]
    assert await migrate(ctx.engine) == []  # and only once
