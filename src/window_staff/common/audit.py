"""The audit chain: one append-only log where each row carries the hash of the previous row.

Two kinds of link (column ``alg``): rows written before the service had an audit key carry a plain
SHA-256 (``alg`` NULL, "legacy"); from the first event written with a key on, every row carries an
HMAC-SHA256 under the key (``alg`` = ``hmac-sha256``), so re-hashing the chain after an edit needs the
key. The first keyed row is a cut-over event (``audit.keyed``) whose MAC covers the last legacy hash,
and so, link by link, every legacy row before it; it also records each sealed table's highest id then
(rows up to it may predate seals). An unkeyed row after a keyed one is a break.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from piccolo.engine.base import Engine

from window_staff.common import integrity
from window_staff.common.db import execute, is_sqlite

GENESIS = "0" * 64
KEYED = "hmac-sha256"
CUT_OVER = "audit.keyed"
_CONTEXT = b"window-staff/audit/v2"


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces, so equal content always hashes equally."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _instant(at: datetime | str) -> str:
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _body(*, at: datetime | str, actor: str, action: str, subject_type: str, subject_id: str, data: str) -> str:
    return canonical_json(
        {"at": _instant(at), "actor": actor, "action": action, "subject_type": subject_type, "subject_id": subject_id, "data": data}
    )


def event_hash(*, prev_hash: str, at: datetime | str, actor: str, action: str, subject_type: str, subject_id: str, data: str) -> str:
    """The legacy link: SHA-256 of the previous hash and this event's canonical JSON."""
    body = _body(at=at, actor=actor, action=action, subject_type=subject_type, subject_id=subject_id, data=data)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def event_mac(
    key: bytes, *, prev_hash: str, at: datetime | str, actor: str, action: str, subject_type: str, subject_id: str, data: str
) -> str:
    """The keyed link: HMAC-SHA256 under the audit key of the previous hash and this event's canonical JSON."""
    body = _body(at=at, actor=actor, action=action, subject_type=subject_type, subject_id=subject_id, data=data)
    return integrity.mac(key, _CONTEXT, (prev_hash + body).encode())


async def record(
    engine: Engine, *, at: datetime, actor: str, action: str, subject_type: str, subject_id: str | int, data: dict[str, Any] | None = None
) -> str:
    """Append one event inside the caller's write transaction; returns its hash."""
    if engine.current_transaction.get() is None:
        raise RuntimeError("audit events are written inside the transaction of the change they describe")
    if not is_sqlite(engine):
        # One appender at a time keeps the chain linear; SQLite's IMMEDIATE transaction already does.
        await execute(engine, "SELECT pg_advisory_xact_lock(7343002)")
    last = await execute(engine, "SELECT id, hash, alg FROM audit_event ORDER BY id DESC LIMIT 1")
    key = integrity.key_of(engine)
    prev = last[0]["hash"] if last else GENESIS
    if key is None:
        if last and last[0]["alg"]:
            raise integrity.AuditKeyInvalid("the audit chain is keyed: set WINDOW_STAFF_AUDIT_KEY or WINDOW_STAFF_AUDIT_KEY_FILE")
    elif not last or not last[0]["alg"]:
        # The first keyed event: a cut-over pins the legacy chain and the rows written before the key (none on a new database).
        cut_over = await _cut_over_data(engine, last[0] if last else None)
        if last or any(cut_over["unsealed_up_to"].values()):
            subject = str(last[0]["id"]) if last else "0"
            prev = await _append(
                engine,
                key,
                prev=prev,
                at=at,
                actor="system",
                action=CUT_OVER,
                subject_type="audit_event",
                subject_id=subject,
                data=cut_over,
            )
    return await _append(
        engine, key, prev=prev, at=at, actor=actor, action=action, subject_type=subject_type, subject_id=str(subject_id), data=data or {}
    )


async def _cut_over_data(engine: Engine, last: dict[str, Any] | None) -> dict[str, Any]:
    marks = {}
    for seal in integrity.registered():
        rows = await execute(engine, f'SELECT MAX(id) AS m FROM "{seal.name}"')
        marks[seal.name] = int(rows[0]["m"] or 0)
    return {"legacy_head": last["hash"] if last else GENESIS, "legacy_last_id": int(last["id"]) if last else 0, "unsealed_up_to": marks}


async def _append(
    engine: Engine,
    key: bytes | None,
    *,
    prev: str,
    at: datetime,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    data: dict[str, Any],
) -> str:
    payload = canonical_json(data)
    fields: dict[str, Any] = {
        "prev_hash": prev,
        "at": at,
        "actor": actor,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "data": payload,
    }
    digest = event_hash(**fields) if key is None else event_mac(key, **fields)
    await execute(
        engine,
        "INSERT INTO audit_event (at, actor, action, subject_type, subject_id, data, prev_hash, hash, alg) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})",
        at,
        actor,
        action,
        subject_type,
        subject_id,
        payload,
        prev,
        digest,
        None if key is None else KEYED,
    )
    return digest


async def check_key(engine: Engine) -> None:
    """Refuse to start when the chain is keyed and the key is missing or is not the one the newest keyed event was made with."""
    rows = await execute(
        engine,
        "SELECT at, actor, action, subject_type, subject_id, data, prev_hash, hash FROM audit_event WHERE alg = {} "
        "ORDER BY id DESC LIMIT 1",
        KEYED,
    )
    if not rows:
        return
    key = integrity.key_of(engine)
    if key is None:
        raise integrity.AuditKeyInvalid(
            "the audit chain is keyed: set WINDOW_STAFF_AUDIT_KEY or WINDOW_STAFF_AUDIT_KEY_FILE to the key it was made with"
        )
    row = rows[0]
    if not hmac.compare_digest(_expected(key, row, prev=row["prev_hash"]), row["hash"]):
        raise integrity.AuditKeyInvalid("the audit key is not the one the audit chain was made with")


def _expected(key: bytes | None, row: dict[str, Any], *, prev: str) -> str:
    fields = {name: row[name] for name in ("at", "actor", "action", "subject_type", "subject_id", "data")}
    return event_hash(prev_hash=prev, **fields) if key is None else event_mac(key, prev_hash=prev, **fields)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The verifier's verdict: ``broken_id`` is the first row that does not hold, if any; the head is the last row that does."""

    checked: int
    broken_id: int | None = None
    reason: str = ""
    keyed: int = 0  # rows linked by the keyed MAC
    head_id: int = 0
    head_hash: str = GENESIS
    cut_over: dict[str, Any] | None = None  # the cut-over event's data (sealed tables' marks), when the chain has one

    @property
    def ok(self) -> bool:
        """True when every row holds."""
        return self.broken_id is None


async def verify(
    engine: Engine,
    *,
    batch: int = 5000,
    key: bytes | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> VerifyResult:
    """Walk the chain in id order and report the first row whose link or hash is wrong (``key``: default the engine's)."""
    key = key if key is not None else integrity.key_of(engine)
    prev, last_id, checked, keyed = GENESIS, 0, 0, 0
    cut_over: dict[str, Any] | None = None

    def broken(row_id: int, reason: str) -> VerifyResult:
        return VerifyResult(
            checked=checked, broken_id=row_id, reason=reason, keyed=keyed, head_id=last_id, head_hash=prev, cut_over=cut_over
        )

    while True:
        rows = await execute(
            engine,
            "SELECT id, at, actor, action, subject_type, subject_id, data, prev_hash, hash, alg FROM audit_event WHERE id > {} ORDER BY id "
            "LIMIT {}",
            last_id,
            batch,
        )
        if not rows:
            return VerifyResult(checked=checked, keyed=keyed, head_id=last_id, head_hash=prev, cut_over=cut_over)
        for row in rows:
            if row["prev_hash"] != prev:
                return broken(row["id"], "previous-hash link broken (a row was removed, inserted or altered before it)")
            if row["alg"] is None:
                if keyed:
                    return broken(row["id"], "an unkeyed row after the chain became keyed (rows re-hashed without the audit key)")
                if not hmac.compare_digest(_expected(None, row, prev=prev), row["hash"]):
                    return broken(row["id"], "content does not match its hash (the row was altered)")
            elif row["alg"] != KEYED:
                return broken(row["id"], f"unknown link algorithm {row['alg']!r}")
            elif key is None:
                return broken(row["id"], "the chain is keyed from here on: verifying it needs the audit key")
            else:
                if not keyed and row["action"] != CUT_OVER and prev != GENESIS:
                    return broken(row["id"], "the first keyed row is not the cut-over event")
                if not hmac.compare_digest(_expected(key, row, prev=prev), row["hash"]):
                    return broken(row["id"], "content does not match its keyed hash (the row was altered, or re-hashed without the key)")
                if not keyed and row["action"] == CUT_OVER:
                    cut_over = json.loads(row["data"])
                keyed += 1
            if on_event is not None:
                on_event(row)
            prev, last_id, checked = row["hash"], row["id"], checked + 1
