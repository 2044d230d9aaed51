"""Pure rules of jobs: states, who owns a running job, and when a running job is abandoned."""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
ACTIVE = (QUEUED, RUNNING)
FINISHED = (DONE, FAILED)
# A job is retried after its runner died at most this many times; then it fails (a job that kills its runner
# every time must not take every runner down in turn).
MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Owner:
    """The process running a job: host, process id, and that process's start (pids are reused)."""

    host: str
    pid: int
    started: str

    def text(self) -> str:
        """How the job row stores it."""
        return f"{self.host}|{self.pid}|{self.started}"

    @classmethod
    def parse(cls, text: str) -> Owner | None:
        """The owner stored in a row, or None for an unreadable one."""
        parts = text.split("|")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        return cls(host=parts[0], pid=int(parts[1]), started=parts[2])


def process_started(pid: int) -> str:
    """A process's start time as the kernel counts it (empty when unknown or gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            # Field 22 (starttime) comes after the parenthesised command, which may hold spaces.
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def this_process() -> Owner:
    """The owner this process writes into the jobs it claims."""
    pid = os.getpid()
    return Owner(host=socket.gethostname(), pid=pid, started=process_started(pid) or str(int(time.time())))


def abandoned(owner_text: str, *, heartbeat_at: datetime | None, now: datetime, here: Owner, stale_after: timedelta) -> bool:
    """True when a running job's runner is gone: a dead process on this host, or no heartbeat for ``stale_after``."""
    owner = Owner.parse(owner_text)
    if owner is not None and owner.host == here.host:
        return owner != here and process_started(owner.pid) != owner.started
    return heartbeat_at is None or now - heartbeat_at > stale_after


def percent(*, done: int, total: int, state: str) -> int:
    """How far a job has come, 0-100 (a finished job is 100 whatever its counts said)."""
    if state in FINISHED:
        return 100
    if total <= 0:
        return 0
    return max(0, min(99, done * 100 // total))
