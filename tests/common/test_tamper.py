"""Tamper evidence: someone with the database file (but not the audit or signing key) edits it with raw SQL.

Each case starts from a copy of one seeded centre (the demo's month of punches, findings, sheets and roles,
plus a delegate evaluation and a citizen rating), signs a checkpoint as the daily job would, makes one edit
the way an insider would, and expects ``audit verify`` (the command's exit code and output, and the service
function) to fail naming the table, the row and what changed.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.cli_harness import cli_run  # noqa: F401
from tests.conftest import ENGINE, TEST_AUDIT_KEY, fresh_database
from tests.evaluations.support_delegates import evaluate_by, make_campaign, make_world
from tests.evaluations.support_ratings import rate
from window_staff import demo
from window_staff.app import build_context, load_rules_at_start
from window_staff.common import audit, checkpoints, integrity, tamper
from window_staff.common.clock import FixedClock
from window_staff.common.context import AppContext
from window_staff.common.db import close_pool, execute, is_sqlite, start_pool
from window_staff.jobs.runner import Runner
from window_staff.settings import load_settings

APPEND_ONLY = ("audit_event", "punch", "delegate_evaluation", "citizen_rating")


@pytest.fixture(scope="module")
async def seeded_db(template_db: str) -> AsyncIterator[str]:
    """One seeded centre per module, copied for each test."""
    folder = Path(tempfile.mkdtemp(prefix="ws-tamper-"))
    async with fresh_database(template_db) as url:
        settings = load_settings({}, database_url=url, data_dir=folder, face_pool_warm=False, audit_key=TEST_AUDIT_KEY)
        ctx = build_context(settings, clock=FixedClock(dt.datetime.now(dt.UTC).replace(microsecond=0)))
        await start_pool(ctx.engine)
        try:
            load_rules_at_start(ctx)
            await demo.seed(ctx)
            world = await make_world(ctx)
            target = ("staff", world.staff[0].id)
            campaign = await make_campaign(ctx, world, targets=[target])
            await evaluate_by(ctx, world, campaign.id, target, [4])
            await rate(ctx, world.window, level=2, staff_id=world.staff[0].id, rated_at=ctx.clock.now() - dt.timedelta(minutes=5))
        finally:
            await close_pool(ctx.engine)
        if ENGINE == "sqlite":
            # A copy of the file beside the template: fresh_database copies from a template's folder.
            seeded = Path(urlparse(template_db).path).with_name(f"seeded-{folder.name}.sqlite3")
            shutil.copyfile(urlparse(url).path, seeded)
            yield f"sqlite:///{seeded}"
            seeded.unlink(missing_ok=True)
        else:
            yield url
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
async def database_url(seeded_db: str) -> AsyncIterator[str]:
    """This module's tests start from a copy of the seeded centre."""
    async with fresh_database(seeded_db) as url:
        yield url


async def _sql(ctx: AppContext, sql: str, *args: Any) -> list[dict[str, Any]]:
    return await execute(ctx.engine, sql, *args)


async def _drop_triggers(ctx: AppContext) -> None:
    # What an insider with the file does first: the append-only triggers are only a speed bump.
    for table in APPEND_ONLY:
        if is_sqlite(ctx.engine):
            await _sql(ctx, f"DROP TRIGGER IF EXISTS {table}_no_update")
            await _sql(ctx, f"DROP TRIGGER IF EXISTS {table}_no_delete")
        else:
            await _sql(ctx, f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            await _sql(ctx, f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")


async def _one(ctx: AppContext, sql: str) -> dict[str, Any]:
    rows = await _sql(ctx, sql)
    assert rows, sql
    return rows[0]


async def _rehash_unkeyed(ctx: AppContext, *, from_id: int, keep_alg: bool) -> None:
    """Edit one event and re-link every later one with the plain SHA-256 an attacker can compute."""
    await _sql(ctx, "UPDATE audit_event SET actor = {} WHERE id = {}", "someone-else", from_id)
    prev = (await _one(ctx, f"SELECT hash FROM audit_event WHERE id < {from_id} ORDER BY id DESC LIMIT 1"))["hash"]
    rows = await _sql(
        ctx, "SELECT id, at, actor, action, subject_type, subject_id, data FROM audit_event WHERE id >= {} ORDER BY id", from_id
    )
    for row in rows:
        digest = audit.event_hash(
            prev_hash=prev,
            at=row["at"],
            actor=row["actor"],
            action=row["action"],
            subject_type=row["subject_type"],
            subject_id=row["subject_id"],
            data=row["data"],
        )
        alg = audit.KEYED if keep_alg else None
        await _sql(ctx, "UPDATE audit_event SET prev_hash = {}, hash = {}, alg = {} WHERE id = {}", prev, digest, alg, row["id"])
        prev = digest


async def _middle_event(ctx: AppContext) -> int:
    n = (await _one(ctx, "SELECT MAX(id) AS m FROM audit_event"))["m"]
    return int(n) // 2


async def edit_middle_event(ctx: AppContext) -> str:
    event = await _middle_event(ctx)
    await _sql(ctx, "UPDATE audit_event SET data = {} WHERE id = {}", '{"edited":true}', event)
    return f"BROKEN at event id {event}"


async def delete_last_events(ctx: AppContext) -> str:
    last = int((await _one(ctx, "SELECT MAX(id) AS m FROM audit_event"))["m"])
    await _sql(ctx, "DELETE FROM audit_event WHERE id > {}", last - 3)
    return f"audit_event row {last}: missing: checkpoint checkpoint-"


async def rehash_unkeyed(ctx: AppContext) -> str:
    event = await _middle_event(ctx)
    await _rehash_unkeyed(ctx, from_id=event, keep_alg=False)
    return f"BROKEN at event id {event}: an unkeyed row after the chain became keyed"


async def rehash_sha256_as_keyed(ctx: AppContext) -> str:
    event = await _middle_event(ctx)
    await _rehash_unkeyed(ctx, from_id=event, keep_alg=True)
    return f"BROKEN at event id {event}: content does not match its keyed hash"


async def sheet_total(ctx: AppContext) -> str:
    sheet = await _one(ctx, "SELECT id FROM appraisal_sheet ORDER BY id LIMIT 1")
    await _sql(ctx, "UPDATE appraisal_sheet SET total_cents = total_cents + 500 WHERE id = {}", sheet["id"])
    return f"appraisal_sheet row {sheet['id']}: content does not match its seal (changed columns: total_cents)"


async def bonus_edited(ctx: AppContext) -> str:
    sheet = await _one(ctx, "SELECT id FROM appraisal_sheet ORDER BY id DESC LIMIT 1")
    await _sql(ctx, "UPDATE appraisal_sheet SET bonus = {}, paid_grade = {} WHERE id = {}", "9999.00", "excellent", sheet["id"])
    return f"appraisal_sheet row {sheet['id']}: content does not match its seal (changed columns: bonus, paid_grade)"


async def sheet_current_swapped(ctx: AppContext) -> str:
    sheet = await _one(ctx, "SELECT id FROM appraisal_sheet ORDER BY id LIMIT 1")
    await _sql(ctx, "UPDATE appraisal_sheet SET current = {} WHERE id = {}", False, sheet["id"])
    return f"appraisal_sheet row {sheet['id']}: content does not match its seal (changed columns: current)"


async def punch_edited(ctx: AppContext) -> str:
    punch = await _one(ctx, "SELECT id, captured_at FROM punch ORDER BY id LIMIT 1 OFFSET 10")
    earlier = {"sqlite": "2020-01-01 08:00:00+00:00"}.get(ENGINE, dt.datetime(2020, 1, 1, 8, tzinfo=dt.UTC))
    await _sql(ctx, "UPDATE punch SET captured_at = {} WHERE id = {}", earlier, punch["id"])
    return f"punch row {punch['id']}: content does not match its seal (changed columns: captured_at)"


async def punch_deleted(ctx: AppContext) -> str:
    punch = await _one(ctx, "SELECT id FROM punch ORDER BY id LIMIT 1 OFFSET 20")
    await _sql(ctx, "DELETE FROM punch WHERE id = {}", punch["id"])
    return "punch: 1 row(s) deleted: checkpoint checkpoint-"


async def punch_inserted(ctx: AppContext) -> str:
    staff = await _one(ctx, "SELECT staff FROM punch ORDER BY id LIMIT 1")
    now = dt.datetime.now(dt.UTC)
    rows = await _sql(
        ctx,
        "INSERT INTO punch (staff, captured_at, received_at, kind, source, verify_mode, verified_on_device, needs_attestation, "
        "future_capture, event_key) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}) RETURNING id",
        staff["staff"],
        now,
        now,
        "any",
        "manual",
        "face+fingerprint",
        False,
        False,
        False,
        "forged:1",
    )
    return f"punch row {rows[0]['id']}: added without a seal"


async def punch_copied(ctx: AppContext) -> str:
    # A whole row copied with its seal (a duplicated sign-in), under a new event key (the old one is unique).
    columns = "staff, terminal, captured_at, received_at, kind, source, verify_mode, verified_on_device, needs_attestation, future_capture"
    punch = await _one(ctx, "SELECT id FROM punch ORDER BY id LIMIT 1")
    rows = await _sql(
        ctx,
        f"INSERT INTO punch ({columns}, threshold_version, event_key, row_mac) SELECT {columns}, threshold_version, "
        "event_key || 'x', row_mac FROM punch WHERE id = {} RETURNING id",
        punch["id"],
    )
    return f"punch row {rows[0]['id']}: content does not match its seal (changed columns: event_key)"


async def finding_text(ctx: AppContext) -> str:
    finding = await _one(ctx, "SELECT id FROM inspection_finding WHERE status = 'published' ORDER BY id LIMIT 1")
    await _sql(ctx, "UPDATE inspection_finding SET note = {} WHERE id = {}", "另有严重违纪", finding["id"])
    return f"inspection_finding row {finding['id']}: content does not match its seal (changed columns: note)"


async def finding_moved(ctx: AppContext) -> str:
    finding = await _one(ctx, "SELECT id, staff FROM inspection_finding WHERE staff IS NOT NULL ORDER BY id LIMIT 1")
    other = await _one(ctx, f"SELECT id FROM staff WHERE id <> {finding['staff']} ORDER BY id LIMIT 1")
    later = {"sqlite": "2020-01-02 09:00:00+00:00"}.get(ENGINE, dt.datetime(2020, 1, 2, 9, tzinfo=dt.UTC))
    await _sql(ctx, "UPDATE inspection_finding SET staff = {}, observed_at = {} WHERE id = {}", other["id"], later, finding["id"])
    return f"inspection_finding row {finding['id']}: content does not match its seal (changed columns: staff, observed_at)"


async def finding_deleted(ctx: AppContext) -> str:
    finding = await _one(ctx, "SELECT id FROM inspection_finding ORDER BY id DESC LIMIT 1")
    for child in ("inspection_finding_revision", "inspection_evidence", "inspection_appeal", "inspection_exposure"):
        if is_sqlite(ctx.engine):
            await _sql(ctx, f"DROP TRIGGER IF EXISTS {child}_no_delete")
        else:
            await _sql(ctx, f"DROP TRIGGER IF EXISTS {child}_append_only ON {child}")
        await _sql(ctx, f"DELETE FROM {child} WHERE finding = {{}}", finding["id"])
    await _sql(ctx, "DELETE FROM inspection_finding WHERE id = {}", finding["id"])
    return f"inspection_finding row {finding['id']}: deleted: audit event"


async def role_inserted(ctx: AppContext) -> str:
    user = await _one(ctx, "SELECT id FROM app_user WHERE username = 'staff'")
    rows = await _sql(ctx, 'INSERT INTO user_role ("user", role) VALUES ({}, {}) RETURNING id', user["id"], "admin")
    return f"user_role row {rows[0]['id']}: added without a seal"


async def role_seal_copied(ctx: AppContext) -> str:
    # The admin's sealed row copied to another user, seal and all.
    admin = await _one(ctx, "SELECT row_mac FROM user_role WHERE role = 'admin' ORDER BY id LIMIT 1")
    user = await _one(ctx, "SELECT id FROM app_user WHERE username = 'staff'")
    rows = await _sql(
        ctx, 'INSERT INTO user_role ("user", role, row_mac) VALUES ({}, {}, {}) RETURNING id', user["id"], "admin", admin["row_mac"]
    )
    return f"user_role row {rows[0]['id']}: content does not match its seal (changed columns: user)"


async def rating_score(ctx: AppContext) -> str:
    rating = await _one(ctx, "SELECT id FROM citizen_rating ORDER BY id LIMIT 1")
    await _sql(ctx, "UPDATE citizen_rating SET level = 5 WHERE id = {}", rating["id"])
    return f"citizen_rating row {rating['id']}: content does not match its seal (changed columns: level)"


async def evaluation_answer(ctx: AppContext) -> str:
    row = await _one(ctx, "SELECT id, scores FROM delegate_evaluation ORDER BY id LIMIT 1")
    scores = {code: 1 for code in json.loads(row["scores"])}
    await _sql(ctx, "UPDATE delegate_evaluation SET scores = {} WHERE id = {}", json.dumps(scores), row["id"])
    return f"delegate_evaluation row {row['id']}: content does not match its seal (changed columns: scores)"


async def checkpoint_forged(ctx: AppContext) -> str:
    path = next(checkpoints.folder(ctx).glob("checkpoint-*.json"))
    document = json.loads(path.read_bytes())
    document["payload"]["events"] += 1
    path.write_text(json.dumps(document))
    return f"checkpoint {path.name}: signature does not hold"


EDITS: list[Callable[[AppContext], Any]] = [
    edit_middle_event,
    delete_last_events,
    rehash_unkeyed,
    rehash_sha256_as_keyed,
    sheet_total,
    bonus_edited,
    sheet_current_swapped,
    punch_edited,
    punch_deleted,
    punch_inserted,
    punch_copied,
    finding_text,
    finding_moved,
    finding_deleted,
    role_inserted,
    role_seal_copied,
    rating_score,
    evaluation_answer,
    checkpoint_forged,
]


async def test_the_untouched_centre_verifies(ctx, run, capsys) -> None:
    assert await checkpoints.make(ctx) is not None
    report = await tamper.verify(ctx)
    assert report.ok and report.keyed and report.checkpoints == 1, [str(p) for p in report.problems]
    assert all(report.rows[t] > 0 for t in ("punch", "inspection_finding", "delegate_evaluation", "citizen_rating", "appraisal_sheet"))
    assert await run("audit", "verify") == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: ") and "punch: " in out


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__ for e in EDITS])
async def test_an_edit_of_the_database_file_is_named(ctx, run, capsys, edit) -> None:
    assert await checkpoints.make(ctx) is not None  # the daily checkpoint, made before the edit
    await _drop_triggers(ctx)
    expected = await edit(ctx)
    report = await tamper.verify(ctx)
    assert not report.ok
    said = ([f"BROKEN at event id {report.chain.broken_id}: {report.chain.reason}"] if not report.chain.ok else []) + [
        str(p) for p in report.problems
    ]
    assert any(expected.removeprefix("BROKEN at event id ") in line or expected in line for line in said), said
    capsys.readouterr()
    assert await run("audit", "verify") == 1
    out = capsys.readouterr().out
    assert expected in out and "FAILED" in out, out


async def test_the_job_runner_signs_one_checkpoint_a_day(ctx) -> None:
    runner = Runner(ctx)
    await runner.checkpoint_daily()
    await runner.checkpoint_daily()
    assert len(list(checkpoints.folder(ctx).glob("checkpoint-*.json"))) == 1
    ctx.clock.advance(days=1)
    await runner.checkpoint_daily()
    assert len(list(checkpoints.folder(ctx).glob("checkpoint-*.json"))) == 2


@pytest.mark.parametrize("key", [None, base64.b64encode(b"another key, not the chain's one").decode()], ids=["missing", "wrong"])
async def test_a_keyed_chain_refuses_to_start_without_its_key(ctx, key) -> None:
    integrity.use_key(ctx.engine, None if key is None else integrity.decode_key(key))
    with pytest.raises(integrity.AuditKeyInvalid):
        await audit.check_key(ctx.engine)
