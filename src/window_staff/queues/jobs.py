"""A queue machine's CSV export imported as a job: a month of a busy centre is 100,000 rows to look up, check and
write, so the request refuses only what it can see at once (not UTF-8, no header, too big) and queues the rest.

The upload travels in the job's params, compressed, as the service-transaction import does: a queued job outlives a
restart of the web process, and the params are emptied once it has run.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import zlib
from collections.abc import Mapping
from typing import Any

from window_staff.common.context import AppContext
from window_staff.common.principal import Principal
from window_staff.common.progress import Progress
from window_staff.jobs import service as jobs
from window_staff.jobs.schemas import JobOut
from window_staff.queues import reading
from window_staff.queues.service import events

IMPORT = "queues.import"
# The CSV's columns in the order the upload page lists them, and those a row may leave empty.
CSV_COLUMNS = reading.COLUMNS
CSV_OPTIONAL = reading.OPTIONAL


def _read(data: bytes, *, max_errors: int | None) -> tuple[int, str, str]:
    rows, _ = events.read_upload(data, max_errors=max_errors)
    return len(rows), base64.b64encode(zlib.compress(data, 6)).decode("ascii"), hashlib.sha256(data).hexdigest()


async def request_csv_import(
    ctx: AppContext,
    data: bytes,
    *,
    principal: Principal,
    filename: str = "",
    actor: str | None = None,
    max_errors: int | None = reading.MAX_ERRORS,
) -> JobOut:
    """Queue a CSV import (202); a file that cannot be read at all is refused at once (413 or 422, nothing queued).

    ``actor`` names the audit trail's actor when it is not the principal (the CLI without ``--as``); ``max_errors``
    None lists every bad line (the CLI)."""
    rows, packed, digest = await asyncio.to_thread(_read, data, max_errors=max_errors)
    label = filename[:60] or "排号数据文件"
    return await jobs.submit(
        ctx,
        IMPORT,
        subject=f"{label}（{rows} 行）"[:100],
        # The same file again while it waits is that job; different files queue and take turns at the write.
        lock=f"{IMPORT}/{digest}",
        params={"content": packed, "filename": filename[:200], "actor": actor, "max_errors": max_errors},
        principal=principal,
    )


async def _import(ctx: AppContext, params: Mapping[str, Any], *, principal: Principal, progress: Progress) -> Any:
    data = await asyncio.to_thread(lambda: zlib.decompress(base64.b64decode(params["content"])))
    return await events.import_csv(
        ctx,
        data,
        filename=params["filename"],
        actor=params["actor"] or principal.actor,
        max_errors=params["max_errors"],
        progress=progress,
    )


KINDS: dict[str, jobs.JobKind] = {
    IMPORT: jobs.JobKind(
        handler=_import,
        name={"zh": "排号数据导入", "en": "Importing queue-machine events"},
        phases={
            events.CHECK: {"zh": "检查数据", "en": "Checking the rows"},
            events.WRITE: {"zh": "写入排号事件", "en": "Writing the events"},
        },
        drop_params=True,
    )
}
