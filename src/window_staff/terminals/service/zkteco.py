"""ZKTeco push devices (ADMS / iclock): known serials only; ``OK`` only after punches are committed."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from window_staff.attendance.calendar import DEFAULT_TIME_ZONE
from window_staff.attendance.schemas import ExceptionIn
from window_staff.attendance.service import punches as attendance_queue
from window_staff.attendance.service.punches import NewPunch
from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.db import chunks, execute, insert_rows, is_sqlite, write_transaction
from window_staff.terminals import zkteco
from window_staff.terminals.checkin import is_future
from window_staff.terminals.errors import TerminalNotAllowed, TerminalNotFound, TerminalStateConflict
from window_staff.terminals.schemas.registry import TerminalCommandOut
from window_staff.terminals.service import device_users
from window_staff.terminals.tables import CheckInRejection, Terminal, TerminalCommand

log = logging.getLogger("window_staff.terminals.zkteco")

# pg_advisory_xact_lock(namespace, terminal id): one upload per device at a time, so the
# unknown-PIN de-duplication below (select, then insert) cannot race with a concurrent resend.
_UPLOAD_LOCK = 7343100
_REJECTION_COLUMNS = [
    CheckInRejection.terminal,
    CheckInRejection.event_id,
    CheckInRejection.reason,
    CheckInRejection.claimed_employee_no,
    CheckInRejection.captured_at,
    CheckInRejection.received_at,
]


async def device(ctx: AppContext, serial: str | None) -> dict[str, Any]:
    """The approved ZKTeco terminal with this serial; unknown, pending, revoked and signed ones are refused (never added)."""
    row = (
        await Terminal.select(*Terminal.all_columns(), Terminal.site.timezone.as_alias("timezone")).where(Terminal.serial == serial).first()
        if serial
        else None
    )
    # A serial is no secret: a signed terminal's serial must not open the unsigned push protocol.
    if row is None or row["status"] != "approved" or row["kind"] != "zkteco":
        log.warning(
            "iclock request refused: serial=%r status=%s kind=%s",
            (serial or "")[:64],
            row["status"] if row else "unknown",
            row["kind"] if row else "-",
        )
        raise TerminalNotAllowed()
    return row


def time_zone_of(terminal: dict[str, Any]) -> str:
    """The IANA zone of the device's site (its ATTLOG times are wall-clock times there)."""
    return terminal.get("timezone") or DEFAULT_TIME_ZONE


@dataclass(frozen=True, slots=True)
class AttlogResult:
    """What became of one ATTLOG upload."""

    stored: int
    duplicates: int
    unknown_pin: int
    closed_month: int
    future: int
    bad_lines: int
    bad_queued: int = 0  # unreadable lines newly in HR's queue (a resend queues none)

    @property
    def accepted(self) -> int:
        """Lines taken in (stored now, stored before, or recorded as unknown PIN): the ``OK: <n>`` count."""
        return self.stored + self.duplicates + self.unknown_pin


@dataclass(frozen=True, slots=True)
class _Planned:
    punches: list[NewPunch]
    unknown: list[zkteco.AttLog]


def punch_key(serial: str, entry: zkteco.AttLog) -> str:
    """A line's identity (Punch.event_key): the same line sent again maps to the same key."""
    return f"{serial}:{entry.pin}:{entry.local_time.isoformat()}:{entry.status}"


def rejection_id(entry: zkteco.AttLog) -> str:
    """The CheckInRejection event id of an unknown-PIN line (unique per terminal, at most 64 characters)."""
    readable = f"zk:{entry.pin}:{entry.local_time:%Y%m%d%H%M%S}:{entry.status}"
    return readable if len(readable) <= 64 else "zk:" + hashlib.sha256(readable.encode()).hexdigest()[:48]


def plan_punches(logs: list[zkteco.AttLog], *, terminal: dict[str, Any], staff_by_pin: dict[str, int], now: dt.datetime) -> _Planned:
    """Rows to insert for lines whose PIN the device knows a staff member by; the others set apart (pure)."""
    zone = time_zone_of(terminal)
    rows: list[NewPunch] = []
    unknown: list[zkteco.AttLog] = []
    for entry in logs:
        staff_id = staff_by_pin.get(entry.pin)
        if staff_id is None:
            unknown.append(entry)
            continue
        at = zkteco.to_instant(entry.local_time, timezone=zone)
        rows.append(
            NewPunch(
                staff_id=staff_id,
                terminal_id=terminal["id"],
                captured_at=at,
                kind=entry.kind,
                source="zkteco",
                verify_mode=entry.verify_mode,
                verified_on_device=True,
                future_capture=is_future(at, received_at=now),
                event_key=punch_key(terminal["serial"], entry),
            )
        )
    return _Planned(punches=rows, unknown=unknown)


async def receive_attlog(ctx: AppContext, terminal: dict[str, Any], body: bytes) -> AttlogResult:
    """Store a batch of ATTLOG lines in one transaction (committed before the caller answers ``OK``)."""
    logs, bad = zkteco.parse_attlog(body)
    serial = terminal["serial"]
    bad_count = sum(line.count for line in bad)
    for line in bad:
        # The line number and reason only: the line itself may hold what a device must not leak (see safe_excerpt).
        log.warning(
            "iclock %s: ATTLOG line %d%s unreadable (queued for HR): %s",
            serial,
            line.line_no,
            f"-{line.last_line_no}" if line.last_line_no else "",
            line.reason,
        )
    now = ctx.clock.now()
    # The PIN of a line is the user id the device knows the person by: HR's id for them there, else their employee number.
    staff_by_pin = await device_users.staff_for_device_ids(terminal, [entry.pin for entry in logs])
    plan = plan_punches(logs, terminal=terminal, staff_by_pin=staff_by_pin, now=now)
    async with write_transaction(ctx.engine):
        if not is_sqlite(ctx.engine):
            await execute(ctx.engine, "SELECT pg_advisory_xact_lock({}, {})", _UPLOAD_LOCK, terminal["id"])
        # Attendance reads the closed months inside this transaction: a month closed while this upload waits still sends its punches to HR.
        stored = await attendance_queue.record_punches(ctx, plan.punches, site_id=terminal["site"], received_at=now)
        ids, closed = stored.ids, stored.closed_month
        new_unknown = await _record_unknown(ctx, terminal, plan.unknown, now=now)
        # Same transaction as the punches: the OK below acknowledges the unreadable lines too, so they must be kept.
        queued_bad = await attendance_queue.queue_exceptions(ctx, unreadable_items(terminal, bad), at=now)
        if ids or new_unknown or queued_bad:
            # One audit event per upload, not per punch: every append takes the chain's global lock and
            # reads its tail, so per-punch events would serialise all devices (and double the rows) at
            # ~9 M punches a month; the id range, counts and body digest still pin down what was stored.
            await audit.record(
                ctx.engine,
                at=now,
                actor=f"terminal:{serial}",
                action="punch.batch_recorded",
                subject_type="terminal",
                subject_id=terminal["id"],
                data={
                    "punches": len(ids),
                    "first_id": min(ids, default=None),
                    "last_id": max(ids, default=None),
                    "unknown_pin": len(new_unknown),
                    "closed_month": closed,
                    "bad_lines": bad_count,
                    "bad_queued": queued_bad,
                    "body_sha256": hashlib.sha256(body).hexdigest(),
                },
            )
    future = sum(1 for punch in plan.punches if punch.future_capture)
    result = AttlogResult(
        stored=len(ids),
        duplicates=len(plan.punches) - len(ids),
        unknown_pin=len(plan.unknown),
        closed_month=closed,
        future=future,
        bad_lines=bad_count,
        bad_queued=queued_bad,
    )
    if new_unknown:
        log.warning(
            "iclock %s: %d ATTLOG line(s) with unknown PIN(s) %s recorded as rejections",
            serial,
            len(new_unknown),
            ",".join(sorted({e.pin for e in new_unknown}))[:300],
        )
    log.info(
        "iclock %s: ATTLOG stored=%d duplicates=%d unknown_pin=%d closed_month=%d future=%d bad=%d bad_queued=%d",
        serial,
        result.stored,
        result.duplicates,
        result.unknown_pin,
        result.closed_month,
        result.future,
        result.bad_lines,
        result.bad_queued,
    )
    return result


async def _record_unknown(
    ctx: AppContext, terminal: dict[str, Any], unknown: list[zkteco.AttLog], *, now: dt.datetime
) -> list[zkteco.AttLog]:
    """Keep each unknown-PIN line once as a rejection (a resend adds nothing); HR's queue gets one item per upload with new ones."""
    if not unknown:
        return []
    by_id = {rejection_id(e): e for e in unknown}
    seen = {
        r["event_id"]
        for part in chunks(list(by_id))
        for r in await CheckInRejection.select(CheckInRejection.event_id).where(
            (CheckInRejection.terminal == terminal["id"]) & CheckInRejection.event_id.is_in(part)
        )
    }
    fresh = [(rid, e) for rid, e in by_id.items() if rid not in seen]
    if not fresh:
        return []
    zone = time_zone_of(terminal)
    await insert_rows(
        ctx.engine,
        CheckInRejection,
        _REJECTION_COLUMNS,
        [(terminal["id"], rid, "unknown_employee", e.pin, zkteco.to_instant(e.local_time, timezone=zone), now) for rid, e in fresh],
    )
    # Nothing acknowledged is lost: a PIN we cannot place waits for HR instead of vanishing.
    await attendance_queue.queue_exceptions(
        ctx,
        [
            ExceptionIn(
                kind="unknown_device_pin",
                terminal_id=terminal["id"],
                detail={"lines": len(fresh), "pins": sorted({e.pin for _, e in fresh})[:100]},
            )
        ],
        at=now,
    )
    return [e for _, e in fresh]


def unreadable_items(terminal: dict[str, Any], bad: list[zkteco.BadLine]) -> list[ExceptionIn]:
    """One queue item per unreadable line, keyed by terminal and line content: the device's resend of a batch queues none again."""
    items = []
    for line in bad:
        if line.count == 1:
            detail: dict[str, Any] = {"line": line.line_no, "reason": line.reason, "excerpt": line.excerpt}
            key = f"zkteco:{terminal['id']}:{line.digest}"
        else:
            detail = {"lines": line.count, "first_line": line.line_no, "last_line": line.last_line_no, "reason": line.reason}
            key = f"zkteco-more:{terminal['id']}:{line.digest}"
        items.append(ExceptionIn(kind="unreadable_device_line", terminal_id=terminal["id"], detail=detail, key=key))
    return items


def receive_operlog(terminal: dict[str, Any], body: bytes) -> int:
    """Acknowledge an OPERLOG upload: log what it held (counts and operation codes), store nothing; returns the line count."""
    summary = zkteco.summarize_operlog(body)
    # USER/FP/FACE lines carry device passwords, card numbers and templates: only their counts are logged.
    log.info("iclock %s: OPERLOG lines=%d kinds=%s", terminal["serial"], summary.lines, summary.kinds)
    for code, admin, at in summary.operations[:200]:
        log.info("iclock %s: device operation code=%s admin=%s at=%s", terminal["serial"], code, admin, at)
    return summary.lines


async def next_commands(ctx: AppContext, terminal: dict[str, Any]) -> str:
    """Queued commands as ``C:<id>:<command>`` lines (marked sent), or ``OK`` when none wait."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        pending = (
            await TerminalCommand.select()
            .where((TerminalCommand.terminal == terminal["id"]) & TerminalCommand.sent_at.is_null())
            .order_by(TerminalCommand.id)
            .limit(20)
        )
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
            done = []
            if item.get("ID", "").isdigit():
                done = (
                    await TerminalCommand.update(
                        {TerminalCommand.returned_at: now, TerminalCommand.return_code: item.get("Return", "")[:32]}
                    )
                    .where((TerminalCommand.id == int(item["ID"])) & (TerminalCommand.terminal == terminal["id"]))
                    .returning(TerminalCommand.id)
                )
            if not done:
                log.warning("iclock %s: result for unknown command id %r ignored", terminal["serial"], item.get("ID", "")[:20])
            matched += len(done)
    return matched


def _command_out(r: dict[str, Any]) -> TerminalCommandOut:
    return TerminalCommandOut(
        id=r["id"],
        terminal_id=r["terminal"],
        command=r["command"],
        created_at=r["created_at"],
        sent_at=r["sent_at"],
        returned_at=r["returned_at"],
        return_code=r["return_code"],
    )


async def queue_command(ctx: AppContext, terminal_id: int, command: str, *, actor: str) -> TerminalCommandOut:
    """Queue a command for a ZKTeco device's next poll."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        terminal = await Terminal.select(Terminal.kind, Terminal.status).where(Terminal.id == terminal_id).first()
        if terminal is None:
            raise TerminalNotFound()
        if terminal["kind"] != "zkteco" or terminal["status"] == "revoked":
            raise TerminalStateConflict("commands go only to ZKTeco devices that are not revoked")
        rows = await TerminalCommand.insert(TerminalCommand(terminal=terminal_id, command=command, created_at=now)).returning(
            TerminalCommand.id
        )
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="terminal.command_queued",
            subject_type="terminal",
            subject_id=terminal_id,
            data={"command": command},
        )
    row = await TerminalCommand.select().where(TerminalCommand.id == rows[0]["id"]).first()
    assert row is not None  # inserted above; commands are never deleted
    return _command_out(row)


async def list_commands(ctx: AppContext, terminal_id: int, *, limit: int = 100) -> list[TerminalCommandOut]:
    """A device's latest commands with what each returned, newest first."""
    if not await Terminal.exists().where(Terminal.id == terminal_id):
        raise TerminalNotFound()
    rows = (
        await TerminalCommand.select()
        .where(TerminalCommand.terminal == terminal_id)
        .order_by(TerminalCommand.id, ascending=False)
        .limit(limit)
    )
    return [_command_out(r) for r in rows]
