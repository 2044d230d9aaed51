"""The audit chain: append-only, hash-linked, and a verifier that names the first broken row."""

import pytest

from tests.conftest import ENGINE
from window_staff.common import audit
from window_staff.common.db import INTEGRITY_ERRORS, execute, write_transaction


async def _append(ctx, n):
    for i in range(n):
        async with write_transaction(ctx.engine):
            await audit.record(
                ctx.engine,
                at=ctx.clock.now(),
                actor="test",
                action="thing.done",
                subject_type="thing",
                subject_id=i,
                data={"i": i, "名": "值"},
            )


async def test_a_fresh_chain_verifies(ctx):
    await _append(ctx, 5)
    result = await audit.verify(ctx.engine)
    assert result.ok and result.checked == 5


async def test_each_event_links_to_the_previous_hash(ctx):
    await _append(ctx, 3)
    rows = await execute(ctx.engine, "SELECT prev_hash, hash FROM audit_event ORDER BY id")
    assert rows[0]["prev_hash"] == audit.GENESIS
    assert [r["prev_hash"] for r in rows[1:]] == [r["hash"] for r in rows[:-1]]


async def test_update_is_refused_by_the_database(ctx):
    await _append(ctx, 1)
    with pytest.raises(Exception, match="append-only"):
        await execute(ctx.engine, "UPDATE audit_event SET actor = {}", "mallory")


async def test_delete_is_refused_by_the_database(ctx):
    await _append(ctx, 1)
    with pytest.raises(Exception, match="append-only"):
        await execute(ctx.engine, "DELETE FROM audit_event")


async def _drop_triggers(ctx):
    if ENGINE == "sqlite":
        await ctx.engine.run_ddl("DROP TRIGGER audit_event_no_update")
        await ctx.engine.run_ddl("DROP TRIGGER audit_event_no_delete")
    else:
        await ctx.engine.run_ddl("DROP TRIGGER audit_event_append_only ON audit_event")


async def test_verifier_names_a_row_altered_behind_the_triggers(ctx):
    await _append(ctx, 6)
    await _drop_triggers(ctx)
    await execute(ctx.engine, "UPDATE audit_event SET data = {} WHERE id = 4", '{"i":99}')
    result = await audit.verify(ctx.engine)
    assert result.broken_id == 4
    assert result.checked == 3
    assert "altered" in result.reason


async def test_verifier_names_the_row_after_a_deleted_one(ctx):
    await _append(ctx, 6)
    await _drop_triggers(ctx)
    await execute(ctx.engine, "DELETE FROM audit_event WHERE id = 3")
    result = await audit.verify(ctx.engine)
    assert result.broken_id == 4
    assert "link" in result.reason


async def test_recording_outside_a_transaction_is_a_programming_error(ctx):
    with pytest.raises(RuntimeError):
        await audit.record(ctx.engine, at=ctx.clock.now(), actor="t", action="a", subject_type="s", subject_id=1)


async def test_a_failed_change_leaves_no_audit_event(ctx):
    with pytest.raises(ZeroDivisionError):
        async with write_transaction(ctx.engine):
            await audit.record(ctx.engine, at=ctx.clock.now(), actor="t", action="a", subject_type="s", subject_id=1)
            raise ZeroDivisionError  # the machine stops mid-transaction
    assert (await execute(ctx.engine, "SELECT COUNT(*) AS n FROM audit_event"))[0]["n"] == 0


def test_canonical_json_ignores_key_order():
    assert audit.canonical_json({"b": 1, "a": [1, {"d": 2, "c": 3}]}) == audit.canonical_json({"a": [1, {"c": 3, "d": 2}], "b": 1})


async def test_duplicate_hash_cannot_be_inserted(ctx):
    await _append(ctx, 1)
    row = (await execute(ctx.engine, "SELECT * FROM audit_event"))[0]
    with pytest.raises(INTEGRITY_ERRORS):
        async with write_transaction(ctx.engine):
            await execute(
                ctx.engine,
                "INSERT INTO audit_event (at, actor, action, subject_type, subject_id, data, prev_hash, hash) VALUES ({}, {}, {}, {}, {}, "
                "{}, {}, {})",
                row["at"],
                "x",
                "x",
                "x",
                "x",
                "{}",
                row["hash"],
                row["hash"],
            )
