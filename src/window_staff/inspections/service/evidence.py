"""Evidence photos of findings: upload, list, serve, remove, and the board's photos.

Who sees a photo is decided by ``store.get_finding`` (the one visibility predicate): a photo of a
finding the caller may not see answers exactly like a photo that does not exist. Files live in a
content-addressed store under ``<data_dir>/evidence`` (see ``common/blobs.py``); rows reference them
by SHA-256. Removal is soft (``removed_at``); the file stays while any row, removed or not, names
its hash, and ``collect_garbage`` deletes only files that no row names (an upload whose transaction
failed), after a grace period.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from window_staff.common import audit
from window_staff.common.blobs import BlobStore
from window_staff.common.context import AppContext
from window_staff.common.db import write_transaction
from window_staff.common.principal import Principal
from window_staff.inspections import store
from window_staff.inspections.errors import EvidenceNotAllowed, EvidenceNotFound, FindingNotFound
from window_staff.inspections.evidence import EXTENSIONS, CleanPhoto, clean_photo
from window_staff.inspections.policy import policy_of
from window_staff.inspections.schemas.evidence import EvidenceOut
from window_staff.inspections.service import board as service_board
from window_staff.inspections.tables import Evidence

log = logging.getLogger("window_staff.inspections.evidence")

_STORE = "inspections.evidence_store"
_SLOTS = "inspections.evidence_slots"
# Decoding a photo at the pixel cap takes ~100 MB and a CPU: at most this many at once per process.
DECODE_SLOTS = 2
GC_GRACE_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class Photo:
    """Bytes to serve with their media type and a safe file name (never a path)."""

    data: bytes
    media_type: str
    filename: str


def blob_store(ctx: AppContext) -> BlobStore:
    """The evidence file store of this process (``<data_dir>/evidence``)."""
    found = ctx.resources.get(_STORE)
    if found is None:
        found = ctx.resources[_STORE] = BlobStore(ctx.settings.data_dir / "evidence")
    return found


def upload_limit(ctx: AppContext) -> int:
    """The largest photo accepted, in bytes (policy ``evidence_max_bytes``)."""
    return policy_of(ctx).evidence_max_bytes


async def upload(ctx: AppContext, principal: Principal, finding_id: int, data: bytes) -> tuple[EvidenceOut, bool]:
    """Add a photo to a finding; returns it and False when the same photo was already there (stored once)."""
    _may_change(principal, await store.get_finding(principal, finding_id))
    policy = policy_of(ctx)
    async with _slots(ctx):
        photo = await asyncio.to_thread(clean_photo, data, max_bytes=policy.evidence_max_bytes, max_pixels=policy.evidence_max_pixels)
    # The file is written before the row: a failed transaction leaves an orphan file for the collector,
    # never a row without its file.
    await asyncio.to_thread(blob_store(ctx).put, photo.data)
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        # Again inside the transaction: the lead may have published the finding meanwhile.
        _may_change(principal, await store.get_finding(principal, finding_id))
        existing = (
            await Evidence.select()
            .where((Evidence.finding == finding_id) & (Evidence.sha256 == photo.sha256) & Evidence.removed_at.is_null())
            .first()
        )
        if existing is not None:
            return _out(existing, principal), False
        row_id = await _insert(ctx, principal, finding_id, photo, now=now)
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="evidence.uploaded",
            subject_type="evidence",
            subject_id=row_id,
            data={
                "finding": finding_id,
                "sha256": photo.sha256,
                "media_type": photo.media_type,
                "size": len(photo.data),
                "width": photo.width,
                "height": photo.height,
                "received_bytes": len(data),
            },
        )
    return _out(await _row(row_id), principal), True


async def list_evidence(ctx: AppContext, principal: Principal, finding_id: int) -> list[EvidenceOut]:
    """The live photos of a finding the caller may see, oldest first."""
    await store.get_finding(principal, finding_id)
    rows = await Evidence.select().where((Evidence.finding == finding_id) & Evidence.removed_at.is_null()).order_by(Evidence.id)
    return [_out(r, principal) for r in rows]


async def photo(ctx: AppContext, principal: Principal, evidence_id: int) -> Photo:
    """The stripped photo, for a caller who may see its finding; EvidenceNotFound otherwise."""
    row = await _live_row(evidence_id)
    try:
        await store.get_finding(principal, row["finding"])
    except FindingNotFound:
        raise EvidenceNotFound() from None
    return await _read(ctx, row)


async def board_photo(ctx: AppContext, *, entry_id: int, index: int) -> Photo:
    """Photo ``index`` (0-based, oldest first) of a live board entry whose lead and policy allow photos; EvidenceNotFound otherwise."""
    # The board's own rule decides liveness (withdrawn, expired on the site's day, upheld, unpublished).
    finding_id = await service_board.is_live_with_photos(ctx, entry_id)
    if finding_id is None or index < 0:
        raise EvidenceNotFound()
    rows = await Evidence.select().where((Evidence.finding == finding_id) & Evidence.removed_at.is_null()).order_by(Evidence.id)
    if index >= len(rows):
        raise EvidenceNotFound()
    photo = await _read(ctx, rows[index])
    # The public gets a name that says nothing about our ids.
    return Photo(data=photo.data, media_type=photo.media_type, filename=f"photo-{index + 1}.{EXTENSIONS[photo.media_type]}")


async def board_photo_counts(ctx: AppContext, *, findings_by_entry: dict[int, int]) -> dict[int, int]:
    """How many live photos each board entry's finding has ({entry id: count}), for ``service_board.board``."""
    if not findings_by_entry:
        return {}
    rows = await Evidence.select(Evidence.finding).where(
        Evidence.finding.is_in(list(set(findings_by_entry.values()))) & Evidence.removed_at.is_null()
    )
    per_finding: dict[int, int] = {}
    for r in rows:
        per_finding[r["finding"]] = per_finding.get(r["finding"], 0) + 1
    return {entry: per_finding.get(finding, 0) for entry, finding in findings_by_entry.items()}


async def remove(ctx: AppContext, principal: Principal, evidence_id: int) -> EvidenceOut:
    """Soft-remove a photo (inspection lead only); the row and the file stay, the photo is no longer served."""
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        row = await _live_row(evidence_id)
        try:
            await store.get_finding(principal, row["finding"])
        except FindingNotFound:
            raise EvidenceNotFound() from None
        if not store.is_lead(principal):
            raise EvidenceNotAllowed("only the inspection lead removes evidence")
        await Evidence.update({Evidence.removed_at: now}).where(Evidence.id == evidence_id)
        await audit.record(
            ctx.engine,
            at=now,
            actor=principal.actor,
            action="evidence.removed",
            subject_type="evidence",
            subject_id=evidence_id,
            data={"finding": row["finding"], "sha256": row["sha256"]},
        )
    return _out(await _row(evidence_id), principal)


async def collect_garbage(ctx: AppContext, *, grace_seconds: float = GC_GRACE_SECONDS) -> int:
    """Delete evidence files no row names (older than the grace period); returns how many were deleted."""
    keep = {r["sha256"] for r in await Evidence.select(Evidence.sha256)}
    return await asyncio.to_thread(blob_store(ctx).sweep, keep=keep, older_than_seconds=grace_seconds)


def _may_change(principal: Principal, finding: dict[str, Any]) -> None:
    if store.is_lead(principal):
        return
    if principal.has_any(store.INSPECTOR) and finding["logged_by"] == principal.user_id and finding["status"] == "draft":
        return
    raise EvidenceNotAllowed("only the inspector who logged the finding (while it is a draft) or the inspection lead")


def _slots(ctx: AppContext) -> asyncio.Semaphore:
    found = ctx.resources.get(_SLOTS)
    if found is None:
        found = ctx.resources[_SLOTS] = asyncio.Semaphore(DECODE_SLOTS)
    return found


async def _insert(ctx: AppContext, principal: Principal, finding_id: int, photo: CleanPhoto, *, now: datetime) -> int:
    rows = await Evidence.insert(
        Evidence(
            finding=finding_id,
            sha256=photo.sha256,
            media_type=photo.media_type,
            size=len(photo.data),
            width=photo.width,
            height=photo.height,
            uploaded_by=principal.actor,
            uploaded_at=now,
        )
    ).returning(Evidence.id)
    return rows[0]["id"]


async def _row(evidence_id: int) -> dict[str, Any]:
    row = await Evidence.select().where(Evidence.id == evidence_id).first()
    if row is None:
        raise EvidenceNotFound()
    return row


async def _live_row(evidence_id: int) -> dict[str, Any]:
    row = await Evidence.select().where((Evidence.id == evidence_id) & Evidence.removed_at.is_null()).first()
    if row is None:
        raise EvidenceNotFound()
    return row


async def _read(ctx: AppContext, row: dict[str, Any]) -> Photo:
    data = await asyncio.to_thread(blob_store(ctx).get, row["sha256"])
    if data is None:
        # A row without its file is our fault, not the caller's: log it loudly, answer as missing.
        log.error("evidence %s: file for its hash is missing from the store", row["id"])
        raise EvidenceNotFound()
    ext = EXTENSIONS.get(row["media_type"], "bin")
    return Photo(data=data, media_type=row["media_type"], filename=f"evidence-{row['id']}.{ext}")


def _out(row: dict[str, Any], principal: Principal) -> EvidenceOut:
    # The inspected staff member does not learn which inspector took the photo.
    by = row["uploaded_by"] if principal.has_any(*store.INSPECTION_ROLES) else None
    return EvidenceOut(
        id=row["id"],
        finding_id=row["finding"],
        media_type=row["media_type"],
        size=row["size"],
        width=row["width"],
        height=row["height"],
        sha256=row["sha256"],
        uploaded_at=row["uploaded_at"],
        url=f"/api/v1/inspections/evidence/{row['id']}",
        uploaded_by=by,
    )
