"""Evidence service: the board's photos, garbage collection of unreferenced files."""

from __future__ import annotations

import dataclasses
import os
import time

import pytest

from tests.factories import make_staff
from tests.inspections.support import log_finding, make_visit, publish
from tests.inspections.test_evidence_photo import photo_jpeg
from window_staff.inspections.errors import EvidenceNotFound
from window_staff.inspections.policy import policy_of
from window_staff.inspections.schemas.publication import ExposureIn
from window_staff.inspections.service import board as service_board, evidence as service_evidence


async def on_board(ctx, *, show_photos: bool):
    """A published finding with one photo, put on the board; returns (entry id, evidence out)."""
    scene = await make_visit(ctx)
    staff = await make_staff(ctx, window=scene.window)
    finding = await log_finding(ctx, scene, staff_id=staff.id)
    evidence, _ = await service_evidence.upload(ctx, scene.inspector_p, finding.id, photo_jpeg())
    await publish(ctx, scene, finding.id)
    entry = await service_board.choose(ctx, scene.lead_p, ExposureIn(finding_id=finding.id, show_photos=show_photos))
    return entry.id, evidence


async def test_the_board_serves_photos_the_lead_allowed(ctx):
    entry_id, evidence = await on_board(ctx, show_photos=True)
    photo = await service_evidence.board_photo(ctx, entry_id=entry_id, index=0)
    assert photo.media_type == "image/jpeg" and photo.filename == "photo-1.jpg" and len(photo.data) == evidence.size


async def test_the_board_serves_no_photo_the_lead_did_not_allow(ctx):
    entry_id, _ = await on_board(ctx, show_photos=False)
    with pytest.raises(EvidenceNotFound):
        await service_evidence.board_photo(ctx, entry_id=entry_id, index=0)


async def test_the_board_serves_no_photo_when_the_policy_forbids_them(ctx):
    entry_id, _ = await on_board(ctx, show_photos=True)
    ctx.resources["inspections.policy"] = dataclasses.replace(policy_of(ctx), exposure_photos=False)
    with pytest.raises(EvidenceNotFound):
        await service_evidence.board_photo(ctx, entry_id=entry_id, index=0)


async def test_the_board_has_no_photo_past_the_last_index(ctx):
    entry_id, _ = await on_board(ctx, show_photos=True)
    with pytest.raises(EvidenceNotFound):
        await service_evidence.board_photo(ctx, entry_id=entry_id, index=1)


async def test_board_photo_counts_are_per_entry(ctx):
    entry_id, evidence = await on_board(ctx, show_photos=True)
    assert await service_evidence.board_photo_counts(ctx, findings_by_entry={entry_id: evidence.finding_id}) == {entry_id: 1}


async def test_garbage_collection_deletes_only_old_files_no_row_names(ctx):
    _, evidence = await on_board(ctx, show_photos=False)
    blobs = service_evidence.blob_store(ctx)
    orphan = blobs.put(b"left by a failed transaction")
    old = time.time() - 2 * service_evidence.GC_GRACE_SECONDS
    for digest in (orphan, evidence.sha256):
        os.utime(blobs._path(digest), (old, old))
    assert await service_evidence.collect_garbage(ctx) == 1
    assert blobs.exists(evidence.sha256) and not blobs.exists(orphan)
