"""Storage behaviour the rest relies on: durable SQLite settings, queued writers, atomic transactions."""

import asyncio

import pytest

from tests.conftest import ENGINE
from window_staff.common.db import INTEGRITY_ERRORS, execute, insert_rows, write_transaction
from window_staff.org.tables import Department

sqlite_only = pytest.mark.skipif(ENGINE != "sqlite", reason="SQLite pragmas; the PostgreSQL pass checks the pool instead")


@sqlite_only
async def test_sqlite_runs_in_wal_with_full_sync(ctx):
    assert (await execute(ctx.engine, "PRAGMA journal_mode"))[0]["journal_mode"] == "wal"
    assert (await execute(ctx.engine, "PRAGMA synchronous"))[0]["synchronous"] == 2


@sqlite_only
async def test_sqlite_reuses_connections_instead_of_opening_one_per_query(ctx):
    for _ in range(20):
        await execute(ctx.engine, "SELECT 1 AS one")
    assert len(ctx.engine._all) <= ctx.engine.pool_size


async def test_forty_concurrent_read_then_write_transactions_all_commit(ctx):
    async def bump(i: int) -> None:
        async with write_transaction(ctx.engine):
            count = await Department.count()
            await Department.insert(Department(code=f"C{i}-{count}", name="x"))

    await asyncio.gather(*(bump(i) for i in range(40)))
    assert await Department.count() == 40


async def test_an_error_inside_a_write_transaction_leaves_nothing(ctx):
    with pytest.raises(RuntimeError):
        async with write_transaction(ctx.engine):
            await Department.insert(Department(code="HALF", name="half-written"))
            raise RuntimeError("crash mid-write")
    assert await Department.count() == 0


async def test_a_cancelled_writer_does_not_poison_the_next_one(ctx):
    async def slow() -> None:
        async with write_transaction(ctx.engine):
            await Department.insert(Department(code="CANCELLED", name="x"))
            await asyncio.sleep(10)

    task = asyncio.create_task(slow())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with write_transaction(ctx.engine):
        await Department.insert(Department(code="NEXT", name="y"))
    assert [r["code"] for r in await Department.select(Department.code)] == ["NEXT"]


@pytest.mark.skipif(ENGINE != "postgres", reason="PostgreSQL pool; the SQLite pass checks its persistent connections")
async def test_postgres_queries_go_through_the_lifespan_pool(ctx):
    assert ctx.engine.pool is not None
    assert (await execute(ctx.engine, "SELECT 1 AS one"))[0]["one"] == 1


async def test_bulk_insert_returns_ids_in_input_order(ctx):
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        ids = await insert_rows(
            ctx.engine,
            Department,
            [Department.code, Department.name, Department.active, Department.created_at],
            [(f"B{i:04d}", f"n{i}", True, now) for i in range(3000)],
        )
    rows = {r["id"]: r["code"] for r in await Department.select(Department.id, Department.code)}
    assert [rows[i] for i in ids] == [f"B{i:04d}" for i in range(3000)]


async def test_bulk_insert_with_a_duplicate_stores_nothing(ctx):
    now = ctx.clock.now()
    with pytest.raises(INTEGRITY_ERRORS):
        async with write_transaction(ctx.engine):
            await insert_rows(
                ctx.engine,
                Department,
                [Department.code, Department.name, Department.active, Department.created_at],
                [("SAME", "a", True, now), ("OTHER", "b", True, now), ("SAME", "c", True, now)],
            )
    assert await Department.count() == 0


async def test_raw_sql_binds_each_placeholder_in_order_and_keeps_escaped_braces(ctx):
    rows = await execute(ctx.engine, "SELECT '{{literal}}' AS text, {} AS first, {} AS second", "a", "b")
    assert dict(rows[0]) == {"text": "{literal}", "first": "a", "second": "b"}


async def test_raw_sql_takes_a_piccolo_fragment_as_an_argument(ctx):
    from piccolo.querystring import QueryString

    rows = await execute(ctx.engine, "SELECT {} AS sum, {} AS word", QueryString("CAST({} AS INTEGER) + CAST({} AS INTEGER)", 2, 3), "x")
    assert (rows[0]["sum"], rows[0]["word"]) == (5, "x")


async def test_raw_sql_inside_a_rolled_back_transaction_leaves_nothing(ctx):
    with pytest.raises(RuntimeError):
        async with write_transaction(ctx.engine):
            await execute(ctx.engine, "INSERT INTO department (code, name) VALUES ({}, {})", "RAW", "raw")
            assert len(await execute(ctx.engine, "SELECT id FROM department WHERE code = {}", "RAW")) == 1
            raise RuntimeError("crash mid-write")
    assert await execute(ctx.engine, "SELECT id FROM department WHERE code = {}", "RAW") == []
