"""The baseline of bench/checkin.py: a bare Litestar app that stores a multipart check-in with one asyncpg INSERT.

    BARE_DATABASE_URL=postgresql://... uv run uvicorn bench.bare_checkin_app:app --port 8001

No signature, no matching, no audit: the least a web process can do per check-in on this stack (parse the
multipart body, one pooled INSERT ... RETURNING, answer JSON), served the way `window-staff serve` serves
(uvicorn, one process, no access log). The pool has the service's default sizes (2..10).
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import asyncpg
from litestar import Litestar, Request, get, post
from litestar.datastructures import UploadFile

TABLE = (
    "CREATE TABLE IF NOT EXISTS bare_check_in (id serial PRIMARY KEY, event_id text NOT NULL, captured_at timestamptz NOT NULL, "
    "fingerprint bytea)"
)
_pool: dict[str, asyncpg.Pool] = {}


async def _start(_: Litestar) -> None:
    _pool["pool"] = await asyncpg.create_pool(os.environ["BARE_DATABASE_URL"], min_size=2, max_size=10)
    await _pool["pool"].execute(TABLE)


async def _stop(_: Litestar) -> None:
    await _pool["pool"].close()


@post("/api/v1/terminal/check-ins", status_code=200)
async def check_in(request: Request) -> dict[str, Any]:
    """Store one check-in row and answer."""
    form = await request.form()
    finger = form.get("fingerprint")
    record = await finger.read() if isinstance(finger, UploadFile) else None
    captured = dt.datetime.fromisoformat(str(form.get("captured_at")))
    row = await _pool["pool"].fetchrow(
        "INSERT INTO bare_check_in (event_id, captured_at, fingerprint) VALUES ($1, $2, $3) RETURNING id",
        str(form.get("event_id")),
        captured,
        record,
    )
    return {"event_id": form.get("event_id"), "result": "accepted", "id": row["id"] if row else None}


@get("/health")
async def health() -> str:
    """For the bench's start-up wait."""
    return "ok"


app = Litestar([check_in, health], on_startup=[_start], on_shutdown=[_stop])
