"""The ZKTeco push protocol (ADMS / iclock) over HTTP: handshake, ATTLOG, OPERLOG, commands, refusals."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import re
from dataclasses import dataclass

import pytest

from tests.factories import logged_in, make_site, make_staff, make_window
from window_staff.attendance.schemas import SiteHoursIn
from window_staff.attendance.service import admin as service_admin
from window_staff.attendance.tables import AttendanceException, Punch
from window_staff.common.audit import verify as verify_audit
from window_staff.common.db import execute
from window_staff.terminals import service as terminals
from window_staff.terminals.schemas.registry import TerminalIn
from window_staff.terminals.tables import CheckInRejection, Terminal, TerminalCommand

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@dataclass
class Device:
    """A staff member and an approved ZKTeco device at their site."""

    terminal_id: int
    serial: str
    site_id: int
    staff_id: int
    pin: str


async def make_device(ctx, *, status: str = "approved", kind: str = "zkteco", timezone: str = "Asia/Shanghai") -> Device:
    """Register (and approve, unless asked otherwise) a device at a new staff member's site (in ``timezone``)."""
    window = await make_window(ctx, site_id=(await make_site(ctx, timezone=timezone)).id)
    staff = await make_staff(ctx, window=window)
    terminal = await terminals.register(
        ctx, TerminalIn(serial=f"ZK{staff.id:06d}{status[:1]}{kind[:1]}", site_id=window.site_id, kind=kind), actor="test"
    )  # type: ignore[arg-type]
    if status in ("approved", "revoked"):
        await terminals.approve(ctx, terminal.id, actor="test")
    if status == "revoked":
        await terminals.revoke(ctx, terminal.id, actor="test")
    return Device(terminal_id=terminal.id, serial=terminal.serial, site_id=window.site_id, staff_id=staff.id, pin=staff.employee_no)


@pytest.fixture
async def zk(app_ctx) -> Device:
    """One approved ZKTeco device."""
    return await make_device(app_ctx)


def local(clock, **delta) -> str:
    """The device's wall-clock time (China) for the test clock, as ATTLOG writes it."""
    return (clock.now() + dt.timedelta(**delta)).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def line(pin: str, when: str, status: int = 0, verify: int = 1) -> str:
    return f"{pin}\t{when}\t{status}\t{verify}\t0\t0\t0\t0\t0\t0"


async def upload(client, serial: str, body: str | bytes, *, table: str = "ATTLOG", path: str = "/iclock/cdata"):
    content = body.encode() if isinstance(body, str) else body
    return await client.post(f"{path}?SN={serial}&table={table}&Stamp=9999", content=content, headers={"Content-Type": "text/plain"})


# --- handshake -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/iclock/cdata", "/iclock/cdata.aspx"])
async def test_the_handshake_sends_the_options_with_a_date_header(client, zk, path):
    response = await client.get(f"{path}?SN={zk.serial}&options=all&pushver=2.4.1&language=83")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert lines[0] == f"GET OPTION FROM: {zk.serial}"
    options = dict(item.split("=", 1) for item in lines[1:])
    assert {"ATTLOGStamp", "OPERLOGStamp", "ATTPHOTOStamp", "ErrorDelay", "Delay", "TransTimes", "TransInterval", "TransFlag"} <= set(
        options
    )
    assert (options["TimeZone"], options["Realtime"], options["Encrypt"]) == ("8", "1", "0")
    # RFC 7231 IMF-fixdate, in GMT, once, close to now
    dates = response.headers.get_list("date")
    assert len(dates) == 1 and re.fullmatch(
        r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT", dates[0]
    )
    assert abs(email.utils.parsedate_to_datetime(dates[0]) - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


def handshake_options(response) -> dict[str, str]:
    return dict(item.split("=", 1) for item in response.text.splitlines()[1:])


async def test_the_handshake_sends_the_time_zone_of_a_site_in_xinjiang_time(client, app_ctx):
    device = await make_device(app_ctx, timezone="Asia/Urumqi")
    response = await client.get(f"/iclock/cdata?SN={device.serial}&options=all")
    assert handshake_options(response)["TimeZone"] == "6"


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC), "-4"),
        (dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC), "-5"),
        # one minute after the clocks went forward (2026-03-08 07:00 UTC)
        (dt.datetime(2026, 3, 8, 7, 1, tzinfo=dt.UTC), "-4"),
    ],
    ids=["summer", "winter", "just-after-the-change"],
)
async def test_the_handshake_follows_daylight_saving_time_at_the_current_instant(client, app_ctx, clock, instant, expected):
    device = await make_device(app_ctx, timezone="America/New_York")
    clock.at = instant
    assert handshake_options(await client.get(f"/iclock/cdata?SN={device.serial}&options=all"))["TimeZone"] == expected


# --- ATTLOG ----------------------------------------------------------------------------------------


async def test_attlog_lines_become_punches_with_the_device_verify_mode(client, app_ctx, zk, clock):
    body = line(zk.pin, local(clock, minutes=-10), 0, 1) + "\r\n" + line(zk.pin, local(clock, minutes=-5), 1, 15) + "\n"
    response = await upload(client, zk.serial, body)
    assert response.status_code == 200 and response.text == "OK: 2"
    punches = await Punch.select().where(Punch.staff == zk.staff_id).order_by(Punch.captured_at)
    assert [(p["kind"], p["verify_mode"], p["verified_on_device"], p["source"], p["future_capture"]) for p in punches] == [
        ("in", "fingerprint", True, "zkteco", False),
        ("out", "face", True, "zkteco", False),
    ]
    # device-local China time became the right instant
    expected = (clock.now() - dt.timedelta(minutes=10)).replace(microsecond=0)
    assert punches[0]["captured_at"].astimezone(dt.UTC).replace(tzinfo=None) == expected.astimezone(dt.UTC).replace(tzinfo=None)
    assert punches[0]["terminal"] == zk.terminal_id


async def test_a_resend_stores_nothing_twice_and_is_still_acknowledged(client, app_ctx, zk, clock):
    body = line(zk.pin, local(clock, minutes=-3)) + "\n" + line(zk.pin, local(clock, minutes=-2), 1) + "\n"
    assert (await upload(client, zk.serial, body)).text == "OK: 2"
    again = await upload(client, zk.serial, body, path="/iclock/cdata.aspx")
    assert again.status_code == 200 and again.text == "OK: 2"
    assert await Punch.count() == 2


async def test_malformed_lines_are_logged_by_number_while_the_rest_are_stored(client, app_ctx, zk, clock, caplog):
    body = "\n".join(
        [
            line(zk.pin, local(clock, minutes=-4)),
            "garbage without tabs",
            f"{zk.pin}\t25/11/2026 08:00\t0\t1",
            f"{zk.pin}\t{local(clock, minutes=-3)}\tx\t1",
            line(zk.pin, local(clock, minutes=-2), 1),
            "",
        ]
    )
    with caplog.at_level(logging.WARNING, logger="window_staff.terminals.zkteco"):
        response = await upload(client, zk.serial, body)
    assert response.text == "OK: 2"
    assert await Punch.count() == 2
    unreadable = [r.getMessage() for r in caplog.records if "unreadable" in r.getMessage()]
    assert len(unreadable) == 3 and all(zk.serial in m for m in unreadable)
    assert [m.split("line ")[1].split(" ")[0] for m in unreadable] == ["2", "3", "4"]
    assert not any("garbage" in r.getMessage() for r in caplog.records)


async def test_an_unknown_pin_is_recorded_once_for_hr_and_logged(client, app_ctx, zk, clock, caplog):
    body = line("999999", local(clock, minutes=-1)) + "\n" + line(zk.pin, local(clock, minutes=-1)) + "\n"
    with caplog.at_level(logging.WARNING, logger="window_staff.terminals.zkteco"):
        assert (await upload(client, zk.serial, body)).text == "OK: 2"
    assert any("999999" in r.getMessage() for r in caplog.records)
    assert await Punch.count() == 1
    rejections = await CheckInRejection.select()
    assert [(r["reason"], r["claimed_employee_no"], r["terminal"]) for r in rejections] == [("unknown_employee", "999999", zk.terminal_id)]
    queue = await AttendanceException.select().where(AttendanceException.kind == "unknown_device_pin")
    assert len(queue) == 1 and json.loads(queue[0]["detail"])["pins"] == ["999999"]
    # a resend adds neither a rejection nor a queue item
    assert (await upload(client, zk.serial, body)).text == "OK: 2"
    assert await CheckInRejection.count() == 1 and await AttendanceException.count() == 1


async def test_a_capture_far_in_the_future_is_flagged(client, app_ctx, zk, clock):
    await upload(client, zk.serial, line(zk.pin, local(clock, hours=3)) + "\n" + line(zk.pin, local(clock, minutes=2), 1))
    rows = await Punch.select(Punch.future_capture).order_by(Punch.captured_at)
    assert [r["future_capture"] for r in rows] == [False, True]


async def test_a_punch_for_a_closed_month_goes_to_the_exception_queue(client, app_ctx, zk):
    await service_admin.add_site_hours(
        app_ctx,
        SiteHoursIn(
            site_id=zk.site_id,
            name="all",
            valid_from=dt.date(2025, 1, 1),
            valid_to=dt.date(2025, 12, 31),
            am_start=dt.time(8, 30),
            am_end=dt.time(12),
            pm_start=dt.time(14, 30),
            pm_end=dt.time(17, 30),
        ),
        actor="test",
    )
    await service_admin.close_month(app_ctx, site_id=zk.site_id, month="2025-03", actor="test")
    body = line(zk.pin, "2025-03-31 23:50:00") + "\n" + line(zk.pin, "2025-04-01 00:10:00", 1) + "\n"
    assert (await upload(client, zk.serial, body)).text == "OK: 2"
    queue = await AttendanceException.select().where(AttendanceException.kind == "punch_in_closed_month")
    assert len(queue) == 1 and queue[0]["staff"] == zk.staff_id and queue[0]["terminal"] == zk.terminal_id
    punch = await Punch.select().where(Punch.id == json.loads(queue[0]["detail"])["punch"]).first()
    assert punch["kind"] == "in"
    # the resend does not queue it again
    await upload(client, zk.serial, body)
    assert await AttendanceException.count() == 1


async def test_each_upload_leaves_one_audit_event_and_the_chain_holds(client, app_ctx, zk, clock):
    before = (await execute(app_ctx.engine, "SELECT COUNT(*) AS n FROM audit_event"))[0]["n"]
    await upload(client, zk.serial, "\n".join(line(zk.pin, local(clock, minutes=-i)) for i in range(1, 6)))
    rows = await execute(app_ctx.engine, "SELECT action, data FROM audit_event ORDER BY id DESC LIMIT 1")
    assert (await execute(app_ctx.engine, "SELECT COUNT(*) AS n FROM audit_event"))[0]["n"] == before + 1
    assert rows[0]["action"] == "punch.batch_recorded" and json.loads(rows[0]["data"])["punches"] == 5
    assert (await verify_audit(app_ctx.engine)).ok


# --- OPERLOG and other tables ------------------------------------------------------------------------


async def test_operlog_is_acknowledged_with_its_line_count_and_nothing_secret_is_logged(client, zk, caplog):
    body = (
        "OPLOG 4\t0\t2026-11-25 08:00:00\t0\t0\t0\t0\n"
        "USER PIN=7\tName=x\tPasswd=424242\tCard=[A1B2]\n"
        "FP PIN=7\tFID=6\tSize=4\tValid=1\tTMP=SECRETTEMPLATE\n"
    )
    with caplog.at_level(logging.INFO, logger="window_staff.terminals.zkteco"):
        response = await upload(client, zk.serial, body, table="OPERLOG")
    assert response.status_code == 200 and response.text == "OK: 3"
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "OPLOG" in logged and "code=4" in logged
    assert "424242" not in logged and "SECRETTEMPLATE" not in logged


# --- commands --------------------------------------------------------------------------------------


async def test_hr_queues_a_command_the_device_fetches_and_reports(client, app_ctx, zk):
    _, hr = await logged_in(client, app_ctx, "hr")
    assert (await client.get(f"/iclock/getrequest?SN={zk.serial}")).text == "OK"
    queued = await client.post(
        f"/api/v1/terminals/{zk.terminal_id}/commands", json={"command": "DATA UPDATE USERINFO PIN=7\tName=x"}, headers=hr
    )
    assert queued.status_code == 201, queued.text
    second = (await client.post(f"/api/v1/terminals/{zk.terminal_id}/commands", json={"command": "INFO"}, headers=hr)).json()
    first = queued.json()
    fetched = await client.get(f"/iclock/getrequest.aspx?SN={zk.serial}&INFO=Ver%206.60")
    assert fetched.status_code == 200 and fetched.headers["content-type"].startswith("text/plain")
    assert fetched.text == f"C:{first['id']}:DATA UPDATE USERINFO PIN=7\tName=x\nC:{second['id']}:INFO\n"
    # handed over once
    assert (await client.get(f"/iclock/getrequest?SN={zk.serial}")).text == "OK"
    report = f"ID={first['id']}&Return=0&CMD=DATA\nID={second['id']}&Return=-1002&CMD=INFO\n"
    assert (await client.post(f"/iclock/devicecmd?SN={zk.serial}", content=report)).text == "OK"
    listed = (await client.get(f"/api/v1/terminals/{zk.terminal_id}/commands", headers=hr)).json()
    assert {c["id"]: c["return_code"] for c in listed} == {first["id"]: "0", second["id"]: "-1002"}
    assert all(c["sent_at"] and c["returned_at"] for c in listed)


async def test_devicecmd_aspx_records_results_too(client, app_ctx, zk):
    _, hr = await logged_in(client, app_ctx, "hr")
    command = (await client.post(f"/api/v1/terminals/{zk.terminal_id}/commands", json={"command": "REBOOT"}, headers=hr)).json()
    await client.get(f"/iclock/getrequest.aspx?SN={zk.serial}")
    assert (await client.post(f"/iclock/devicecmd.aspx?SN={zk.serial}", content=f"ID={command['id']}&Return=0&CMD=REBOOT")).text == "OK"
    assert (await TerminalCommand.select().first())["return_code"] == "0"


async def test_a_command_with_a_line_break_or_for_a_non_device_is_refused(client, app_ctx, zk):
    _, hr = await logged_in(client, app_ctx, "hr")
    smuggled = await client.post(f"/api/v1/terminals/{zk.terminal_id}/commands", json={"command": "INFO\nC:1:CLEAR DATA"}, headers=hr)
    assert smuggled.status_code == 400
    signed = await make_device(app_ctx, kind="signed")
    assert (await client.post(f"/api/v1/terminals/{signed.terminal_id}/commands", json={"command": "INFO"}, headers=hr)).status_code == 409
    assert (await client.post("/api/v1/terminals/999999/commands", json={"command": "INFO"}, headers=hr)).status_code == 404
    assert await TerminalCommand.count() == 0


async def test_only_hr_or_admin_may_queue_commands(client, app_ctx, zk):
    _, staff = await logged_in(client, app_ctx, "staff")
    assert (await client.post(f"/api/v1/terminals/{zk.terminal_id}/commands", json={"command": "INFO"}, headers=staff)).status_code == 403
    client.cookies.clear()  # the login left a session cookie
    assert (await client.post(f"/api/v1/terminals/{zk.terminal_id}/commands", json={"command": "INFO"})).status_code == 401


# --- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["unknown", "pending", "revoked", "signed"])
@pytest.mark.parametrize(
    "request_of",
    [
        lambda c, sn: c.get(f"/iclock/cdata?SN={sn}&options=all"),
        lambda c, sn: c.post(f"/iclock/cdata.aspx?SN={sn}&table=ATTLOG", content=b"1\t2026-11-25 08:00:00\t0\t1\n"),
        lambda c, sn: c.get(f"/iclock/getrequest?SN={sn}"),
        lambda c, sn: c.post(f"/iclock/devicecmd.aspx?SN={sn}", content=b"ID=1&Return=0&CMD=INFO\n"),
    ],
    ids=["handshake", "attlog", "getrequest", "devicecmd"],
)
async def test_unknown_pending_revoked_and_signed_serials_get_403_and_are_never_added(client, app_ctx, state, request_of, caplog):
    if state == "unknown":
        serial = "ZKNOBODY01"
    else:
        device = await make_device(
            app_ctx, status="approved" if state == "signed" else state, kind="signed" if state == "signed" else "zkteco"
        )
        serial = device.serial
    before = await Terminal.count()
    with caplog.at_level(logging.WARNING, logger="window_staff.terminals.zkteco"):
        response = await request_of(client, serial)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "terminal_not_allowed"
    assert await Terminal.count() == before and await Punch.count() == 0
    assert any("refused" in r.getMessage() and serial in r.getMessage() for r in caplog.records)


async def test_a_request_without_a_serial_is_refused(client):
    response = await client.get("/iclock/cdata?options=all")
    assert response.status_code == 403 and response.json()["status"] == 403
