"""The bare baseline of bench/wave.py: Litestar reads a terminal's multipart check-in and asyncpg inserts one row.

    BARE_DATABASE_URL=postgresql://... uv run uvicorn --app-dir bench bare_checkin:app --workers K

No signature check, no decision, no audit: the least any check-in service does (parse, one insert, answer),
on the same framework, driver and database as the service. The table ``bare_check_in`` must exist
(bench/wave_load.py's ``BareServer`` creates it before starting the processes).
"""

from __future__ import annotations

import datetime as dt
import os
import re

import asyncpg
from litestar import Litestar, Request, get, post

KEY_ID = re.compile(r'keyid="([^"]+)"')


async def _open(app: Litestar) -> None:
    app.state.pool = await asyncpg.create_pool(os.environ["BARE_DATABASE_URL"], min_size=2, max_size=10)


async def _close(app: Litestar) -> None:
    await app.state.pool.close()


@post("/api/v1/terminal/check-ins", status_code=200, request_max_body_size=32 * 1024 * 1024)
async def check_in(request: Request) -> dict[str, str]:
    """Read the form, insert the event once, answer as the service does."""
    form = await request.form()
    found = KEY_ID.search(request.headers.get("signature-input", ""))
    event_id = str(form["event_id"])
    captured = dt.datetime.fromisoformat(str(form["captured_at"]))
    async with request.app.state.pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO bare_check_in (serial, event_id, captured_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            found.group(1) if found else "",
            event_id,
            captured,
        )
    return {"event_id": event_id, "result": "accepted"}


@get("/health")
async def health() -> dict[str, str]:
    """Up."""
    return {"status": "ok"}


app = Litestar([check_in, health], on_startup=[_open], on_shutdown=[_close])
