"""A real server in a subprocess (uvicorn via the CLI) on a free port, for tests where the process boundary matters."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import TEST_AUDIT_KEY


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_was_taken(output: str) -> bool:
    """True when a server's output says another process had its port (uvicorn logs the bind error and exits 3)."""
    return "address already in use" in output


class LiveServer:
    """``window-staff serve`` (or another sub-command) on the test's database; start, SIGKILL, restart, stop."""

    def __init__(
        self, *, database_url: str, data_dir: Path, env: dict[str, str] | None = None, command: tuple[str, ...] = ("serve",)
    ) -> None:
        self.command = command
        self.log_path = data_dir / "server.log"
        base = {k: v for k, v in os.environ.items() if not k.startswith("WINDOW_STAFF_")}
        self.env = {
            **base,
            "WINDOW_STAFF_DATABASE_URL": database_url,
            "WINDOW_STAFF_DATA_DIR": str(data_dir),
            # No encoder workers to spawn (these tests send encodings), and no log line per check-in.
            "WINDOW_STAFF_FACE_POOL_WARM": "false",
            "WINDOW_STAFF_LOG_LEVEL": "WARNING",
            "OPENBLAS_NUM_THREADS": "1",
            # The test database's audit chain is keyed with the tests' key: a server without it refuses to start.
            "WINDOW_STAFF_AUDIT_KEY": TEST_AUDIT_KEY,
            **(env or {}),
        }
        self._use_port(free_port())
        self.proc: subprocess.Popen[bytes] | None = None
        self.served = False

    def _use_port(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env["WINDOW_STAFF_PORT"] = str(port)

    async def start(self, *, timeout: float = 60.0) -> None:
        """Start the process and wait until /health answers.

        The port was free when chosen, but another process (a test on the other xdist worker, say) may bind
        it before this server does: the first start then moves to another free port. A restart keeps the port
        its clients know.
        """
        for _ in range(3):
            offset = self.log_path.stat().st_size if self.log_path.exists() else 0
            try:
                await self._start(timeout)
                self.served = True
                return
            except AssertionError:
                if self.served or self.proc is None or self.proc.poll() is None:
                    raise
                with self.log_path.open("rb") as log:
                    log.seek(offset)
                    if not port_was_taken(log.read().decode(errors="replace")):
                        raise
                self._use_port(free_port())
        raise AssertionError(f"no free port stayed free for the server: {self.log_path.read_text(errors='replace')[-2000:]}")

    async def _start(self, timeout: float) -> None:
        # A file, not a pipe: nobody reads a pipe while the test runs, and a full pipe blocks the server.
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "window_staff.cli", *self.command], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        async with httpx.AsyncClient(base_url=self.url, timeout=1.0) as client:
            for _ in range(int(timeout / 0.2)):
                if self.proc.poll() is not None:
                    raise AssertionError(f"server exited {self.proc.returncode}: {self.log_path.read_text(errors='replace')[-2000:]}")
                try:
                    if (await client.get("/health")).status_code == 200 and self.proc.poll() is None:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError(f"server did not come up: {self.log_path.read_text(errors='replace')[-2000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, open transactions cut off."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM and wait; SIGKILL if it does not exit (unclosed SQLite connections can keep a process alive)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


async def stored_answers() -> dict[tuple[str, str], str]:
    """Every stored check-in answer by (terminal serial, event id)."""
    from window_staff.terminals.tables import CheckInEvent

    rows = await CheckInEvent.select(CheckInEvent.terminal.serial.as_alias("serial"), CheckInEvent.event_id, CheckInEvent.response)
    return {(r["serial"], r["event_id"]): r["response"] for r in rows}


async def repeated_events(engine) -> list[dict]:
    """(terminal, event id) pairs stored more than once (the unique index should make this empty)."""
    from window_staff.common.db import execute

    return await execute(
        engine, "SELECT terminal, event_id, COUNT(*) AS n FROM check_in_event GROUP BY terminal, event_id HAVING COUNT(*) > 1"
    )


async def decided_rows() -> int:
    """Punches plus recorded rejections: one per decided event."""
    from window_staff.attendance.tables import Punch
    from window_staff.terminals.tables import CheckInRejection

    return await Punch.count() + await CheckInRejection.count()
