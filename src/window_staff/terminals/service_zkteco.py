"""ZKTeco push devices (ADMS / iclock): known serials only; ``OK`` only after punches are committed."""

from __future__ import annotations

import json
import logging
from typing import Any

from window_staff.attendance.tables import AttendanceException, Punch
from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.db import insert_rows, write_transaction
from window_staff.org.tables import Staff
from window_staff.terminals import zkteco
from window_staff.terminals.checkin import FUTURE_TOLERANCE
from window_staff.terminals.errors import TerminalNotAllowed
from window_staff.terminals.tables import Terminal, TerminalCommand

log = logging.getLogger("window_staff.terminals.zkteco")


async def device(ctx: AppContext, serial: str | None) -> dict[str, Any]:
    """The approved terminal with this serial; unknown, pending and revoked ones are refused (never added)."""
    row = await Terminal.select(Terminal.all_columns(), Terminal.site.timezone.as_alias("timezone")).where(Terminal.serial == (serial or "")).first() if serial else None
    if row is None or row["status"] != "approved":
        log.warning("iclock request refused: serial=%s status=%s", serial, row["status"] if row else "unknown")
        raise TerminalNotAllowed()
    return row


async def receive_attlog(ctx: AppContext, terminal: dict[str, Any], body: bytes) -> tuple[int, int, int]:
    """Store a batch of ATTLOG lines in one transaction; returns (stored, duplicates, bad lines)."""
    logs, bad = zkteco.parse_attlog(body)
    for line in bad:
        log.warning("iclock %s: ATTLOG line %d skipped: %s", terminal["serial"], line.line_no, line.reason)
    now = ctx.clock.now()
    staff_by_pin: dict[str, int] = {}
    if logs:
        pins = sorted({entry.pin for entry in logs})
        staff_by_pin = {r["employee_no"]: r["id"] for r in await Staff.select(Staff.id, Staff.employee_no).where(Staff.employee_no.is_in(pins))}
    rows, unknown = [], []
    for entry in logs:
        at = zkteco.to_instant(entry.local_time, timezone=terminal["timezone"] or "Asia/Shanghai")
        key = f"{terminal['serial']}:{entry.pin}:{entry.local_time.isoformat()}:{entry.status}"
        if entry.pin not in staff_by_pin:
            unknown.append({"pin": entry.pin, "time": entry.local_time.isoformat(), "line": entry.line_no})
            continue
        rows.append((staff_by_pin[entry.pin], terminal["id"], at, now, entry.kind, "zkteco", entry.verify_mode, True, False, at - now > FUTURE_TOLERANCE, key))
    async with write_transaction(ctx.engine):
        ids = await insert_rows(
            ctx.engine, Punch,
            [Punch.staff, Punch.terminal, Punch.captured_at, Punch.received_at, Punch.kind, Punch.source, Punch.verify_mode,
             Punch.verified_on_device, Punch.needs_attestation, Punch.future_capture, Punch.event_key],
            rows, skip_conflicts=True,
        )
        if unknown:
            # Nothing acknowledged is lost: a PIN we cannot place waits for HR instead of vanishing.
            await AttendanceException.insert(AttendanceException(kind="unknown_device_pin", terminal=terminal["id"], created_at=now, detail=json.dumps(unknown)))
        if ids or unknown:
            await audit.record(ctx.engine, at=now, actor=f"terminal:{terminal['serial']}", action="punch.batch_recorded", subject_type="terminal",
                               subject_id=terminal["id"], data={"punches": len(ids), "unknown_pins": len(unknown), "bad_lines": len(bad)})
    return len(ids), len(rows) - len(ids), len(bad)


async def next_commands(ctx: AppContext, terminal: dict[str, Any]) -> str:
    """Queued commands as ``C:<id>:<command>`` lines (marked sent), or ``OK`` when none wait."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        pending = await TerminalCommand.select().where((TerminalCommand.terminal == terminal["id"]) & TerminalCommand.sent_at.is_null()).order_by(TerminalCommand.id).limit(20)
        if not pending:
            return "OK"
        await TerminalCommand.update({TerminalCommand.sent_at: now}).where(TerminalCommand.id.is_in([r["id"] for r in pending]))
    return "\n".join(f"C:{r['id']}:{r['command']}" for r in pending) + "\n"


async def command_results(ctx: AppContext, terminal: dict[str, Any], body: bytes) -> int:
    """Record what the device reports for executed commands; returns how many were matched."""
    now = ctx.clock.now()
    matched = 0
    async with write_transaction(ctx.engine):
        for item in zkteco.parse_devicecmd(body):
            if item.get("ID", "").isdigit():
                done = await TerminalCommand.update({TerminalCommand.returned_at: now, TerminalCommand.return_code: item.get("Return", "")[:32]}).where(
                    (TerminalCommand.id == int(item["ID"])) & (TerminalCommand.terminal == terminal["id"])).returning(TerminalCommand.id)
                matched += len(done)
    return matched


async def queue_command(ctx: AppContext, terminal_id: int, command: str, *, actor: str) -> int:
    """Queue a command for a device's next poll."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        rows = await TerminalCommand.insert(TerminalCommand(terminal=terminal_id, command=command, created_at=now)).returning(TerminalCommand.id)
        await audit.record(ctx.engine, at=now, actor=actor, action="terminal.command_queued", subject_type="terminal", subject_id=terminal_id, data={"command": command})
    return rows[0]["id"]

