"""The ZKTeco push protocol (ADMS / iclock): pure parsing and replies, no I/O."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# Verify modes as ZKTeco firmware reports them (push protocol appendix). Names are unique so the raw
# code can always be read back from the stored name (``verify_code``) without a column of its own;
# codes outside the table are kept as ``mode-<n>``.
VERIFY_MODES = {
    0: "password",
    1: "fingerprint",
    2: "card",
    3: "pin",
    4: "rf-card",
    5: "fingerprint|password",
    6: "fingerprint|card",
    7: "password|card",
    8: "pin+fingerprint",
    9: "fingerprint+password",
    10: "fingerprint+card",
    11: "password+card",
    12: "fingerprint+password+card",
    13: "pin+fingerprint+password",
    14: "fingerprint+card+pin",
    15: "face",
    16: "face+fingerprint",
    17: "face+password",
    18: "face+card",
    19: "face+fingerprint+card",
    20: "face+fingerprint+password",
    21: "finger-vein",
    22: "finger-vein+password",
    23: "finger-vein+card",
    24: "finger-vein+password+card",
    25: "palm",
}
_VERIFY_CODES = {name: code for code, name in VERIFY_MODES.items()}
STATUS_KINDS = {0: "in", 1: "out", 2: "out", 3: "in", 4: "in", 5: "out"}
MAX_LINES = 10_000  # OPERLOG lines counted per upload
MAX_BAD_LINES = 100  # unreadable ATTLOG lines queued one by one per upload


@dataclass(frozen=True, slots=True)
class AttLog:
    """One ATTLOG line: who (device PIN), when (device local time), status and verify mode."""

    pin: str
    local_time: dt.datetime
    status: int
    verify: int
    work_code: str
    line_no: int

    @property
    def kind(self) -> str:
        """in, out, or any (status unknown)."""
        return STATUS_KINDS.get(self.status, "any")

    @property
    def verify_mode(self) -> str:
        """The verify mode's name."""
        return verify_mode_name(self.verify)


def verify_mode_name(code: int) -> str:
    """The name stored for a ZKTeco verify code (``mode-<n>`` when the code is not in the table)."""
    return VERIFY_MODES.get(code, f"mode-{code}")


def verify_code(name: str) -> int | None:
    """The ZKTeco verify code a stored name came from, or None for a name no device gave."""
    if name in _VERIFY_CODES:
        return _VERIFY_CODES[name]
    if name.startswith("mode-") and name[5:].lstrip("-").isdigit():
        return int(name[5:])
    return None


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line that could not be read: where, why, a safe excerpt and the digest of the whole line.

    With ``count`` above 1 it stands for the unreadable lines past ``MAX_BAD_LINES`` (from ``line_no`` to
    ``last_line_no``), kept as one item so a flood of garbage cannot flood HR's queue.
    """

    line_no: int
    reason: str
    excerpt: str = ""
    digest: str = ""
    count: int = 1
    last_line_no: int | None = None


def parse_attlog(body: bytes, *, max_bad: int = MAX_BAD_LINES) -> tuple[list[AttLog], list[BadLine]]:
    """Parse ATTLOG lines tolerantly: good lines are kept, bad ones reported by number (every line is read)."""
    # No cap on lines: the route caps the body, and a line left unread would still be acknowledged by ``OK``.
    good: list[AttLog] = []
    bad: list[BadLine] = []
    more = hashlib.sha256()
    more_count, more_first, more_last = 0, 0, 0
    for no, raw in enumerate(io.StringIO(body.decode("utf-8", errors="replace"), newline=None), start=1):
        line = raw.strip()
        if not line:
            continue
        entry = _read(line, no)
        if isinstance(entry, AttLog):
            good.append(entry)
        elif len(bad) < max_bad:
            bad.append(BadLine(no, entry, excerpt=safe_excerpt(line), digest=hashlib.sha256(line.encode()).hexdigest()))
        else:
            more.update(f"{no}\n{line}\n".encode())
            more_count, more_first, more_last = more_count + 1, more_first or no, no
    if more_count:
        bad.append(
            BadLine(
                more_first,
                f"{more_count} more unreadable lines (not queued one by one)",
                digest=more.hexdigest(),
                count=more_count,
                last_line_no=more_last,
            )
        )
    return good, bad


def _read(line: str, no: int) -> AttLog | str:
    """One non-blank line as an AttLog, or why it cannot be read."""
    fields = line.split("\t")
    if len(fields) < 2:
        return "fewer than two tab-separated fields"
    pin = fields[0].strip()
    if not pin or len(pin) > 32 or not pin.isalnum():
        return "PIN missing or not alphanumeric"
    try:
        when = dt.datetime.strptime(fields[1].strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return "time is not YYYY-MM-DD HH:MM:SS"
    status = _int(fields, 2)
    verify = _int(fields, 3)
    if status is None or verify is None or not (0 <= status <= 255 and 0 <= verify <= 255):
        return "status or verify is not a number from 0 to 255"
    work_code = fields[4].strip() if len(fields) > 4 else ""
    return AttLog(pin=pin, local_time=when, status=status, verify=verify, work_code=work_code[:16], line_no=no)


# A mistaken upload can carry OPERLOG-style records (``Passwd=``, ``Card=``, ``TMP=<template>``): their values
# and any long token (templates, keys) never reach an excerpt.
_SECRET_VALUE = re.compile(r"(?i)\b(passw(?:or)?d|pwd|card|tmp|template|face|fp|key|secret|token)\s*=\s*[^\t &;,]*")
_LONG_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{24,}")
EXCERPT_CHARS = 80


def safe_excerpt(line: str, *, limit: int = EXCERPT_CHARS) -> str:
    """A bounded, readable piece of a line for HR: secret-looking values and long tokens masked, control characters shown as ``?``."""
    # Mask on a window well past the limit, so a value cut at its edge is still masked before the final cut.
    head = line[: limit * 4]
    head = _LONG_TOKEN.sub("[…]", _SECRET_VALUE.sub(lambda m: f"{m.group(1)}=***", head))
    shown = "".join("\\t" if ch == "\t" else "?" if unicodedata.category(ch).startswith("C") else ch for ch in head)
    return shown if len(shown) <= limit and len(line) <= limit * 4 else shown[: limit - 1] + "…"


def _int(fields: list[str], i: int) -> int | None:
    if len(fields) <= i or not fields[i].strip():
        return 0
    try:
        return int(fields[i].strip())
    except ValueError:
        return None


def to_instant(local_time: dt.datetime, *, timezone: str) -> dt.datetime:
    """A device's local wall-clock time as a UTC instant."""
    return local_time.replace(tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)


def time_zone_option(time_zone: str, *, at: dt.datetime) -> str:
    """The handshake's ``TimeZone`` for an IANA zone at an instant: whole hours (``8``, ``-4``), else minutes (``330``)."""
    # Devices set their own clock from it, so it is the zone's offset now (DST included), not a fixed +8. Every
    # push server in use sends whole hours; a zone off the hour (Asia/Kolkata) only comes out right in minutes.
    offset = at.astimezone(ZoneInfo(time_zone)).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    return str(minutes // 60) if minutes % 60 == 0 else str(minutes)


def handshake(serial: str, *, time_zone: str, at: dt.datetime, attlog_stamp: str = "None", delay: int = 10) -> str:
    """The options reply to ``GET /iclock/cdata?SN=..&options=all``, with the site's time zone at ``at``."""
    lines = [
        f"GET OPTION FROM: {serial}",
        # Stamp "None" asks for every stored record: resends are harmless (event keys) and nothing is skipped.
        f"ATTLOGStamp={attlog_stamp}",
        # 9999: do not push the device's old operation log and user/template tables on first contact.
        "OPERLOGStamp=9999",
        # Attendance photos are not wanted (no image of a face is kept from a punch).
        "ATTPHOTOStamp=None",
        "ErrorDelay=30",
        f"Delay={delay}",
        "TransTimes=00:00;14:05",
        "TransInterval=1",
        "TransFlag=TransData AttLog\tOpLog",
        f"TimeZone={time_zone_option(time_zone, at=at)}",
        "Realtime=1",
        "Encrypt=0",
    ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class OperLogSummary:
    """What an OPERLOG upload held: line count per record kind and the operation lines' codes."""

    lines: int
    kinds: dict[str, int]
    operations: list[tuple[str, str, str]]  # (operation code, admin id, device time) of each OPLOG line


def summarize_operlog(body: bytes, *, max_lines: int = MAX_LINES) -> OperLogSummary:
    """Count the records of an OPERLOG upload without keeping their content (USER/FP lines hold secrets)."""
    kinds: dict[str, int] = {}
    operations: list[tuple[str, str, str]] = []
    count = 0
    for raw in body.decode("utf-8", errors="replace").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            continue
        count += 1
        if count > max_lines:
            break
        head = line.split(None, 1)
        kind = head[0][:16] if head[0].isalnum() else "?"
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind == "OPLOG" and len(head) > 1:
            fields = head[1].split("\t")
            operations.append((fields[0][:8], fields[1][:32] if len(fields) > 1 else "", fields[2][:19] if len(fields) > 2 else ""))
    return OperLogSummary(lines=min(count, max_lines), kinds=kinds, operations=operations)


def parse_devicecmd(body: bytes) -> list[dict[str, str]]:
    """Parse ``ID=..&Return=..&CMD=..`` lines the device posts after running commands."""
    from urllib.parse import parse_qsl

    out = []
    for line in body.decode("utf-8", errors="replace").splitlines():
        if line.strip():
            out.append(dict(parse_qsl(line.strip(), keep_blank_values=True)))
    return out
