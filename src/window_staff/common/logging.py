"""Structured logs: one line per request with a request id; JSON in production."""

from __future__ import annotations

import json
import logging
import secrets
import sys
import time
from email.utils import formatdate
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        out.update(getattr(record, "fields", {}))
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(*, json_logs: bool, level: str) -> None:
    """Set up the root logger once."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_logs else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in DRIVER_LOGGERS:
        # Database drivers log every statement with its parameters at DEBUG: password hashes,
        # TOTP secrets, sealed templates. Never below INFO, whatever the service's level.
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))


DRIVER_LOGGERS = ("aiosqlite", "asyncpg")


access_log = logging.getLogger("window_staff.access")


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Give each request an id (``X-Request-ID``) and log one line when it ends."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if incoming.isalnum() and len(incoming) <= 64 else secrets.token_hex(8)
        scope["request_id"] = rid  # type: ignore[typeddict-unknown-key]
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # Every answer carries Date, so a terminal with a skewed clock can correct it.
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", rid.encode()),
                    (b"date", formatdate(usegmt=True).encode()),
                ]
            await send(message)

        try:
            await app(scope, receive, send_wrapper)
        finally:
            # Path only, never the query string: it may carry invitation tokens.
            access_log.info(
                "%s %s %s",
                scope.get("method"),
                scope.get("path"),
                status,
                extra={
                    "fields": {
                        "request_id": rid,
                        "method": scope.get("method"),
                        "path": scope.get("path"),
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                },
            )

    return middleware
