"""ATTLOG lines the server cannot read go to HR's exception queue (one item per line, once, with a safe excerpt); no line goes unread."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from tests.conftest import ENGINE
from tests.factories import logged_in
from tests.terminals.test_iclock_api import SHANGHAI, Device, line, local, make_device, upload
from window_staff.attendance.tables import AttendanceException, Punch
from window_staff.terminals import zkteco
from window_staff.terminals.tables import CheckInRejection

SECRET_LINE = "USER PIN=7\tName=x\tPasswd=424242\tCard=[A1B2]\tTMP=" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo" * 40


async def _queue(client, app_ctx) -> list[dict]:
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await client.get("/api/v1/attendance/exceptions", params={"limit": 200}, headers=hr)
    assert response.status_code == 200, response.text
    return [item for item in response.json()["items"] if item["kind"] == "unreadable_device_line"]


def _details(items: list[dict]) -> list[dict]:
    return [json.loads(item["detail"]) for item in items]


@pytest.fixture
async def zk(app_ctx) -> Device:
    """One approved ZKTeco device."""
    return await make_device(app_ctx)


async def test_each_unreadable_line_is_queued_for_hr_with_its_number_and_the_good_lines_are_acknowledged(client, app_ctx, zk, clock):
    body = "\n".join(
        [
            line(zk.pin, local(clock, minutes=-4)),
            "garbage without tabs",
            f"{zk.pin}\t25/11/2026 08:00\t0\t1",
            line(zk.pin, local(clock, minutes=-2), 1),
            "",
        ]
    )
    response = await upload(client, zk.serial, body)
    assert response.status_code == 200 and response.text == "OK: 2"
    assert await Punch.count() == 2
    items = await _queue(client, app_ctx)
    assert [item["terminal_id"] for item in items] == [zk.terminal_id] * 2
    assert [(d["line"], d["excerpt"]) for d in _details(items)] == [
        (2, "garbage without tabs"),
        (3, f"{zk.pin}\\t25/11/2026 08:00\\t0\\t1"),
    ]
    assert _details(items)[1]["reason"] == "time is not YYYY-MM-DD HH:MM:SS"


async def test_the_device_resending_the_batch_queues_nothing_again(client, app_ctx, zk, clock):
    body = line(zk.pin, local(clock, minutes=-3)) + "\nnot a line\n"
    assert (await upload(client, zk.serial, body)).text == "OK: 1"
    assert (await upload(client, zk.serial, body)).text == "OK: 1"
    # the same bad line in a batch cut differently is the same line
    assert (await upload(client, zk.serial, "not a line\n" + line(zk.pin, local(clock, minutes=-1)))).text == "OK: 1"
    assert await AttendanceException.count() == 1 and await Punch.count() == 2


async def test_an_excerpt_is_bounded_and_holds_no_secret_and_the_log_holds_no_line(client, app_ctx, zk, clock, caplog):
    with caplog.at_level(logging.DEBUG, logger="window_staff"):
        assert (await upload(client, zk.serial, SECRET_LINE + "\n" + "x" * 5000 + "\n")).text == "OK: 0"
    stored = " ".join(r["detail"] for r in await AttendanceException.select(AttendanceException.detail))
    excerpts = [d["excerpt"] for d in _details(await _queue(client, app_ctx))]
    assert len(excerpts) == 2 and all(len(e) <= zkteco.EXCERPT_CHARS for e in excerpts)
    assert excerpts[0].startswith("USER PIN=7\\tName=x\\tPasswd=***\\tCard=***")
    logged = " ".join(r.getMessage() for r in caplog.records)
    for secret in ("424242", "A1B2", "QUJDREVG", "xxxxxxxxxxxxxxxxxxxxxxxx"):
        assert secret not in stored and secret not in logged


async def test_a_flood_of_garbage_is_queued_line_by_line_up_to_a_cap_then_as_one_item(client, app_ctx, zk, clock):
    body = "".join(f"junk {i}\n" for i in range(zkteco.MAX_BAD_LINES + 50)) + line(zk.pin, local(clock, minutes=-1))
    assert (await upload(client, zk.serial, body)).text == "OK: 1"
    assert await AttendanceException.count() == zkteco.MAX_BAD_LINES + 1
    summary = [d for d in _details(await _queue(client, app_ctx)) if "lines" in d]
    assert summary == [
        {
            "lines": 50,
            "first_line": zkteco.MAX_BAD_LINES + 1,
            "last_line": zkteco.MAX_BAD_LINES + 50,
            "reason": "50 more unreadable lines (not queued one by one)",
        }
    ]
    assert (await upload(client, zk.serial, body)).text == "OK: 1"
    assert await AttendanceException.count() == zkteco.MAX_BAD_LINES + 1


@pytest.fixture
async def audit_fails(app_ctx):
    """The upload's last write (its audit event) fails in the database, as a crash before the commit would."""
    if ENGINE == "sqlite":
        ddl = [
            "CREATE TRIGGER audit_crash BEFORE INSERT ON audit_event WHEN NEW.action = 'punch.batch_recorded' "
            "BEGIN SELECT RAISE(ABORT, 'crash before commit'); END"
        ]
        undo = ["DROP TRIGGER audit_crash"]
    else:
        ddl = [
            "CREATE FUNCTION audit_crash() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN IF NEW.action = 'punch.batch_recorded' THEN RAISE EXCEPTION 'crash before commit'; END IF; RETURN NEW; END $$",
            "CREATE TRIGGER audit_crash BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_crash()",
        ]
        undo = ["DROP TRIGGER audit_crash ON audit_event", "DROP FUNCTION audit_crash()"]
    for statement in ddl:
        await app_ctx.engine.run_ddl(statement)

    async def recover() -> None:
        for statement in undo:
            await app_ctx.engine.run_ddl(statement)

    return recover


async def test_a_failure_before_the_commit_leaves_nothing_half_written_and_the_resend_stores_all(client, app_ctx, zk, clock, audit_fails):
    body = line(zk.pin, local(clock, minutes=-2)) + "\nbroken line\n" + line("999999", local(clock, minutes=-1)) + "\n"
    failed = await upload(client, zk.serial, body)
    assert failed.status_code == 500 and not failed.text.startswith("OK")
    assert await Punch.count() == 0 and await AttendanceException.count() == 0
    await audit_fails()
    assert (await upload(client, zk.serial, body)).text == "OK: 2"
    kinds = sorted(r["kind"] for r in await AttendanceException.select(AttendanceException.kind))
    assert await Punch.count() == 1 and kinds == ["unknown_device_pin", "unreadable_device_line"]


async def test_an_upload_of_more_lines_than_one_statement_can_bind_is_stored_to_its_last_line(client, app_ctx, zk, clock):
    # 45,000 unknown ids bind 270,000 values in one insert: past Debian's SQLite limit (250,000), let alone the default 32,766
    start = clock.now() - dt.timedelta(days=30)
    when = [(start + dt.timedelta(seconds=i)).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") for i in range(45_001)]
    body = "\n".join(line(zk.pin if i == 45_000 else f"9{i:06d}", w) for i, w in enumerate(when))
    response = await upload(client, zk.serial, body)
    assert response.status_code == 200 and response.text == "OK: 45001"
    assert await Punch.count() == 1 and await CheckInRejection.count() == 45_000
