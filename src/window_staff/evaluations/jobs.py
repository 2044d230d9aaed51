"""Service-transaction imports (办件) as jobs: checking 50,000 rows against sites, windows and staff and writing them
is heavy work, so the request only refuses what it can see at once and queues the rest.

The upload travels in the job's params, zlib-compressed and base64-encoded, rather than in a staging table: a
queued job then outlives a restart of the web process with nothing else to migrate or clean up, a 16 MB CSV
shrinks to well under that (its text repeats itself), and the params are emptied once the job has finished.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from window_staff.common.context import AppContext
from window_staff.common.principal import Principal
from window_staff.common.progress import Progress
from window_staff.evaluations import domain_metrics as domain
from window_staff.evaluations.schemas.metrics import TransactionIn
from window_staff.evaluations.service import metrics_import as service
from window_staff.jobs import service as jobs
from window_staff.jobs.schemas import JobOut

IMPORT = "evaluations.import"
# The CSV's columns, in the order the upload page lists them.
CSV_COLUMNS = domain.COLUMNS
CSV, API = "csv", "api"


def _pack(data: bytes) -> tuple[str, str]:
    """The upload as params text, and its hash."""
    return base64.b64encode(zlib.compress(data, 6)).decode("ascii"), hashlib.sha256(data).hexdigest()


def _unpack(text: str) -> bytes:
    return zlib.decompress(base64.b64decode(text))


def _read_csv(data: bytes, *, max_errors: int | None) -> tuple[int, str, str]:
    rows, early = domain.read_csv(data)
    if not rows:
        service.reject(early, max_errors=max_errors)  # the file itself cannot be read: refused before queueing
    return len(rows), *_pack(data)


async def _submit(
    ctx: AppContext,
    *,
    source: str,
    packed: str,
    digest: str,
    subject: str,
    filename: str,
    actor: str | None,
    max_errors: int | None,
    principal: Principal,
) -> JobOut:
    return await jobs.submit(
        ctx,
        IMPORT,
        subject=subject[:100],
        # One job per upload: the same content again while it is queued or running gets that job back; different
        # files queue side by side and take turns at the write (the import's own lock).
        lock=f"{IMPORT}/{source}/{digest}",
        params={"source": source, "content": packed, "filename": filename, "actor": actor, "max_errors": max_errors},
        principal=principal,
    )


async def request_csv_import(
    ctx: AppContext,
    data: bytes,
    *,
    principal: Principal,
    filename: str = "",
    actor: str | None = None,
    max_errors: int | None = domain.MAX_ERRORS,
) -> JobOut:
    """Queue a CSV import (202); a file that cannot be read (not UTF-8, empty, bad header, too many rows) is refused at once.

    ``actor`` names the audit trail's actor when it is not the principal (the CLI without ``--as``); ``max_errors``
    None lists every bad line (the CLI)."""
    # Decoding, splitting and compressing 16 MB is CPU work: off the event loop.
    rows, packed, digest = await asyncio.to_thread(_read_csv, data, max_errors=max_errors)
    label = filename[:60] or "CSV文件"
    return await _submit(
        ctx,
        source=CSV,
        packed=packed,
        digest=digest,
        subject=f"{label}（{rows} 行）",
        filename=filename[:200],
        actor=actor,
        max_errors=max_errors,
        principal=principal,
    )


async def request_json_import(ctx: AppContext, items: Sequence[TransactionIn], *, principal: Principal) -> JobOut:
    """Queue a JSON import (202); an empty list or one over the row cap is refused at once."""
    service.refuse_empty_json(items)
    packed, digest = await asyncio.to_thread(_pack, msgspec.json.encode(items))
    return await _submit(
        ctx,
        source=API,
        packed=packed,
        digest=digest,
        subject=f"接口提交（{len(items)} 条）",
        filename="",
        actor=None,
        max_errors=domain.MAX_ERRORS,
        principal=principal,
    )


async def _import(ctx: AppContext, params: Mapping[str, Any], *, principal: Principal, progress: Progress) -> Any:
    await progress(service.CHECK, done=0, total=4)
    data = await asyncio.to_thread(_unpack, params["content"])
    actor = params["actor"] or principal.actor
    if params["source"] == CSV:
        return await service.import_csv(
            ctx, data, filename=params["filename"], actor=actor, max_errors=params["max_errors"], progress=progress
        )
    items = msgspec.json.decode(data, type=list[TransactionIn])
    return await service.import_json(ctx, items, actor=actor, max_errors=params["max_errors"], progress=progress)


KINDS: dict[str, jobs.JobKind] = {
    IMPORT: jobs.JobKind(
        handler=_import,
        name={"zh": "办件数据导入", "en": "Importing service transactions"},
        phases={
            service.CHECK: {"zh": "检查数据", "en": "Checking the rows"},
            service.WRITE: {"zh": "写入办件", "en": "Writing the transactions"},
        },
        drop_params=True,
    )
}
