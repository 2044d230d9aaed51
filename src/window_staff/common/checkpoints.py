"""Signed checkpoints of the audit chain's head, written outside the database.

A checkpoint is a small JSON document signed with the Ed25519 signing key (common/signing.py): the last
event's id, hash and time, the number of events, and each sealed table's row count and highest id.
``<data_dir>/audit/checkpoint-YYYY-MM-DD.json`` is made once a day by the job runner (the web process or
``window-staff worker``) and on demand by ``window-staff audit checkpoint``; a file is never overwritten.
``audit verify`` then knows what the database held at each checkpoint: events deleted from the end of the
chain, or rows deleted from an append-only table, no longer add up.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from window_staff.common import audit, integrity, signing
from window_staff.common.context import AppContext
from window_staff.common.db import execute

KIND = "window-staff/audit-checkpoint/v1"
FOLDER = "audit"


def folder(ctx: AppContext) -> Path:
    """Where checkpoints are written: ``<data_dir>/audit``."""
    return ctx.settings.data_dir / FOLDER


async def head(ctx: AppContext) -> dict[str, Any] | None:
    """What a checkpoint records now, or None while the chain is empty."""
    last = await execute(ctx.engine, "SELECT id, hash, at FROM audit_event ORDER BY id DESC LIMIT 1")
    if not last:
        return None
    count = await execute(ctx.engine, "SELECT COUNT(*) AS n FROM audit_event WHERE id <= {}", last[0]["id"])
    tables = {}
    for seal in integrity.registered():
        # One statement per table: its count and highest id are of one snapshot.
        row = (await execute(ctx.engine, f'SELECT COUNT(*) AS n, MAX(id) AS m FROM "{seal.name}"'))[0]
        tables[seal.name] = {"rows": int(row["n"]), "max_id": int(row["m"] or 0)}
    return {
        "kind": KIND,
        "last_id": int(last[0]["id"]),
        "last_hash": last[0]["hash"],
        "last_at": audit._instant(last[0]["at"]),
        "events": int(count[0]["n"]),
        "tables": tables,
    }


async def make(ctx: AppContext, *, daily: bool = False) -> Path | None:
    """Sign the chain's head into a new file (with ``daily``, only when today's is missing); the file, or None when none was written."""
    now = ctx.clock.now()
    path = folder(ctx) / f"checkpoint-{now:%Y-%m-%d}.json"
    if path.exists():
        if daily:
            return None
        path = path.with_name(f"checkpoint-{now:%Y-%m-%dT%H%M%S}.json")
    payload = await head(ctx)
    if payload is None:
        return None
    payload = {**payload, "made_at": now.isoformat()}
    document = signing.sign_document(payload, key=signing.signing_key(ctx.settings))
    return path if _create(path, document) else None


def _create(path: Path, data: bytes) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # link, not replace: a checkpoint once written is evidence; another process's file of the same name stays.
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One checkpoint file: its payload when the signature holds, else why not."""

    name: str
    payload: dict[str, Any] | None
    error: str = ""


def load(ctx: AppContext) -> list[Checkpoint]:
    """Every checkpoint in the folder, by name, each checked against the configured signing key."""
    files = sorted(folder(ctx).glob("checkpoint-*.json"))
    if not files:
        return []
    public = signing.public_key_hex(signing.signing_key(ctx.settings))
    found = []
    for path in files:
        try:
            payload = signing.verify_document(path.read_bytes(), public_key_hex=public)
        except signing.SignatureInvalid as exc:
            found.append(Checkpoint(path.name, None, exc.detail))
            continue
        if payload.get("kind") != KIND:
            found.append(Checkpoint(path.name, None, "not an audit checkpoint"))
            continue
        found.append(Checkpoint(path.name, payload))
    return found
