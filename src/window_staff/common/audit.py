"""The audit chain: one append-only log where each row carries the hash of the previous row."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from piccolo.engine.base import Engine

from window_staff.common.db import execute, is_sqlite

GENESIS = "0" * 64


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
    """The SHA-256 of the previous hash and this event's canonical JSON."""
    body = _body(at=at, actor=actor, action=action, subject_type=subject_type, subject_id=subject_id, data=data)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


async def record(
    engine: Engine, *, at: datetime, actor: str, action: str, subject_type: str, subject_id: str | int, data: dict[str, Any] | None = None
) -> str:
    """Append one event inside the caller's write transaction; returns its hash."""
    if engine.current_transaction.get() is None:
        raise RuntimeError("audit events are written inside the transaction of the change they describe")
    payload = canonical_json(data or {})
    if not is_sqlite(engine):
        # One appender at a time keeps the chain linear (SQLite's IMMEDIATE transaction already does). The lock is
        # its own statement: the INSERT's snapshot, taken after it, sees every event committed before we held it.
        await execute(engine, "SELECT pg_advisory_xact_lock(7343002)")
        body = _body(at=at, actor=actor, action=action, subject_type=subject_type, subject_id=str(subject_id), data=payload)
        # The previous hash is read and the new one computed in the INSERT itself (the same SHA-256 as event_hash).
        rows = await execute(
            engine,
            "INSERT INTO audit_event (at, actor, action, subject_type, subject_id, data, prev_hash, hash) "
            "SELECT {}, {}, {}, {}, {}, {}, p.hash, encode(sha256(convert_to(p.hash || {}, 'UTF8')), 'hex') "
            f"FROM (SELECT COALESCE((SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1), '{GENESIS}') AS hash) AS p RETURNING hash",
            at,
            actor,
            action,
            subject_type,
            str(subject_id),
            payload,
            body,
        )
        return rows[0]["hash"]
    last = await execute(engine, "SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1")
    prev = last[0]["hash"] if last else GENESIS
    digest = event_hash(
        prev_hash=prev, at=at, actor=actor, action=action, subject_type=subject_type, subject_id=str(subject_id), data=payload
    )
    await execute(
        engine,
        "INSERT INTO audit_event (at, actor, action, subject_type, subject_id, data, prev_hash, hash) VALUES ({}, {}, {}, {}, {}, {}, {}, "
        "{})",
        at,
        actor,
        action,
        subject_type,
        str(subject_id),
        payload,
        prev,
        digest,
    )
    return digest


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The verifier's verdict: ``broken_id`` is the first row that does not hold, if any."""

    checked: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """True when every row holds."""
        return self.broken_id is None


async def verify(engine: Engine, *, batch: int = 5000) -> VerifyResult:
    """Walk the chain in id order and report the first row whose link or hash is wrong."""
    prev, last_id, checked = GENESIS, 0, 0
    while True:
        rows = await execute(
            engine,
            "SELECT id, at, actor, action, subject_type, subject_id, data, prev_hash, hash FROM audit_event WHERE id > {} ORDER BY id "
            "LIMIT {}",
            last_id,
            batch,
        )
        if not rows:
            return VerifyResult(checked=checked)
        for row in rows:
            if row["prev_hash"] != prev:
                return VerifyResult(
                    checked=checked,
                    broken_id=row["id"],
                    reason="previous-hash link broken (a row was removed, inserted or altered before it)",
                )
            expected = event_hash(
                prev_hash=prev,
                at=row["at"],
                actor=row["actor"],
                action=row["action"],
                subject_type=row["subject_type"],
                subject_id=row["subject_id"],
                data=row["data"],
            )
            if expected != row["hash"]:
                return VerifyResult(checked=checked, broken_id=row["id"], reason="content does not match its hash (the row was altered)")
            prev, last_id, checked = row["hash"], row["id"], checked + 1
