"""The ZKTeco push protocol (ADMS / iclock): pure parsing and replies, no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# Verify modes as ZKTeco firmware reports them; unknown codes are kept as their number.
VERIFY_MODES = {0: "password", 1: "fingerprint", 2: "card", 3: "password", 4: "card", 9: "fingerprint+password", 11: "card+password", 15: "face", 25: "palm"}
STATUS_KINDS = {0: "in", 1: "out", 2: "out", 3: "in", 4: "in", 5: "out"}
MAX_LINES = 10_000


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
        return VERIFY_MODES.get(self.verify, f"mode-{self.verify}")


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line that could not be read, with why."""

    line_no: int
    reason: str


def parse_attlog(body: bytes, *, max_lines: int = MAX_LINES) -> tuple[list[AttLog], list[BadLine]]:
    """Parse ATTLOG lines tolerantly: good lines are kept, bad ones reported by number."""
    text = body.decode("utf-8", errors="replace")
    good: list[AttLog] = []
    bad: list[BadLine] = []
    for no, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        if no > max_lines:
            bad.append(BadLine(no, "too many lines in one upload"))
            break
        fields = line.split("\t")
        if len(fields) < 2:
            bad.append(BadLine(no, "fewer than two tab-separated fields"))
            continue
        pin = fields[0].strip()
        if not pin or len(pin) > 32 or not pin.isalnum():
            bad.append(BadLine(no, "PIN missing or not alphanumeric"))
            continue
        try:
            when = dt.datetime.strptime(fields[1].strip(), "%Y-%m-%d %H:%M:%S")
        except ValueError:
            bad.append(BadLine(no, "time is not YYYY-MM-DD HH:MM:SS"))
            continue
        status = _int(fields, 2)
        verify = _int(fields, 3)
        if status is None or verify is None:
            bad.append(BadLine(no, "status or verify is not a number"))
            continue
        work_code = fields[4].strip() if len(fields) > 4 else ""
        good.append(AttLog(pin=pin, local_time=when, status=status, verify=verify, work_code=work_code[:16], line_no=no))
    return good, bad


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


def handshake(serial: str, *, attlog_stamp: str = "None", delay: int = 10, tz_hours: int = 8) -> str:
    """The options reply to ``GET /iclock/cdata?SN=..&options=all``."""
    lines = [
        f"GET OPTION FROM: {serial}",
        f"ATTLOGStamp={attlog_stamp}",
        "OPERLOGStamp=9999",
        "ATTPHOTOStamp=None",
        "ErrorDelay=30",
        f"Delay={delay}",
        "TransTimes=00:00;14:05",
        "TransInterval=1",
        "TransFlag=TransData AttLog\tOpLog",
        f"TimeZone={tz_hours}",
        "Realtime=1",
        "Encrypt=None",
    ]
    return "\n".join(lines) + "\n"


def parse_devicecmd(body: bytes) -> list[dict[str, str]]:
    """Parse ``ID=..&Return=..&CMD=..`` lines the device posts after running commands."""
    from urllib.parse import parse_qsl

    out = []
    for line in body.decode("utf-8", errors="replace").splitlines():
        if line.strip():
            out.append(dict(parse_qsl(line.strip(), keep_blank_values=True)))
    return out
