"""Enrolled fingerprint impressions as a site's gallery keeps them: stored built templates opened, the others built once.

A built template is stored sealed with its record (enrolment writes both), so a process loading a site reads and
decrypts (~0.5 ms an impression) instead of building (~7 ms). Impressions without one (enrolled before they were
stored, or built under other MCC parameters) are built here once and stored for every other process.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import Counter
from typing import Any

from window_staff.biometrics import mcc, store
from window_staff.biometrics.iso19794 import parse_record
from window_staff.common.context import AppContext

log = logging.getLogger("window_staff.biometrics")
STOP = "gallery_loads_stop"
# Enrolled impressions this process has built into MCC templates ("enrolled": at gallery loads, and for a claimed person
# from another site, only those with no stored built template) and read from their stored built template ("loaded").
# Enrolment builds its own, stores them and hands them over; a check-in at a loaded site builds none (tests hold it).
BUILDS: Counter[str] = Counter()

Finger = tuple[int, mcc.CompactTemplate]  # ISO finger position (0: unknown), the impression's template
RowKey = bytes  # store.sealed_key of the row: its whole sealed content and the associated data the vault checks


class LoadStopped(Exception):
    """The process is stopping: a gallery load in progress gives up between two impressions."""


def stop_flag(ctx: AppContext) -> threading.Event:
    """Set when the process stops: loads running in threads end at the next impression instead of holding the exit."""
    return ctx.resources.setdefault(STOP, threading.Event())


def _open_fingers(
    ctx: AppContext, rows: list[tuple[RowKey, dict[str, Any]]], stop: threading.Event
) -> tuple[dict[RowKey, Finger], list[tuple[RowKey, dict[str, Any], bytes]]]:
    """Stored built templates opened, and the records of the impressions without one (to build), in a thread."""
    ready: dict[RowKey, Finger] = {}
    todo: list[tuple[RowKey, dict[str, Any], bytes]] = []
    for key, row in rows:
        if stop.is_set():
            raise LoadStopped()
        finger = store.open_built(ctx, row)
        if finger is not None:
            ready[key] = finger
            continue
        plain = store.open_row(ctx, row)
        if plain is not None:
            todo.append((key, row, plain))
    BUILDS["loaded"] += len(ready)
    return ready, todo


def _build(
    ctx: AppContext, todo: list[tuple[RowKey, dict[str, Any], bytes]], stop: threading.Event
) -> tuple[dict[RowKey, Finger], list[tuple[dict[str, Any], bytes, bytes]]]:
    """Build the impressions without a stored template (~7 ms each) and seal them for their rows, in a thread."""
    ready: dict[RowKey, Finger] = {}
    sealed: list[tuple[dict[str, Any], bytes, bytes]] = []
    for key, row, plain in todo:
        if stop.is_set():
            raise LoadStopped()
        record = parse_record(plain)
        position = record.views[0].position
        template = mcc.compact(mcc.build_template(record))
        ready[key] = (position, template)
        sealed.append(
            (
                row,
                *store.seal_built(
                    store.vault(ctx), position, template, staff_id=row["staff"], version=row["version"], raw_nonce=row["nonce"]
                ),
            )
        )
        BUILDS["enrolled"] += 1
    return ready, sealed


async def fingers_of(
    ctx: AppContext, rows: list[tuple[RowKey, dict[str, Any]]], *, site_id: int | None
) -> tuple[dict[RowKey, Finger], int]:
    """Open the stored built templates of fingerprint rows; build (and store, for other processes) the ones without."""
    stop = stop_flag(ctx)
    ready, todo = await asyncio.to_thread(_open_fingers, ctx, rows, stop)
    if todo:
        # Enrolled before built templates were stored, or under other MCC parameters: built once, kept for every process.
        log.info("site %s: building %d finger impressions that have no stored template", site_id, len(todo))
        built, sealed = await asyncio.to_thread(_build, ctx, todo, stop)
        ready.update(built)
        await store.store_built(ctx.engine, sealed)
    return ready, len(todo)
