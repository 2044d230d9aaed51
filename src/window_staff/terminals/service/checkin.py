"""The check-in use case: a signed terminal event becomes a Punch (or a recorded rejection), exactly once."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec

from window_staff.attendance import service as attendance
from window_staff.attendance.service.punches import NewPunch, record_punches
from window_staff.biometrics import service as biometrics
from window_staff.biometrics.domain import finger_name
from window_staff.biometrics.errors import FaceBlurred, FaceImageUnsupported, FaceTooSmall, MultipleFaces, NoFaceFound, TemplateFormatError
from window_staff.biometrics.images import sniff_image_format
from window_staff.biometrics.iso19794 import FingerRecord, parse_record
from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.db import INTEGRITY_ERRORS, execute, write_transaction
from window_staff.common.errors import DomainError
from window_staff.common.form import read_multipart
from window_staff.org import service as org
from window_staff.terminals import checkin, secrets as terminal_secrets
from window_staff.terminals.errors import EventIdReused, SignatureInvalid, TerminalNotAllowed
from window_staff.terminals.schemas.registry import CheckInOut
from window_staff.terminals.service import card as service_card
from window_staff.terminals.signatures import SignatureRefused, SignedRequest, signature_params, verify

# Terminals of this kind are queue machines (queues domain): signed like the others, never checking anyone in.
QUEUE_KIND = "queue"

log = logging.getLogger("window_staff.terminals")

NONCE_WINDOW = timedelta(seconds=600)
PURGE_EVERY = timedelta(seconds=60)
_NONCES_PURGED = "terminals.nonces_purged_at"
# What a terminal is told (stable codes it can show in its own words): who was not recognised by what.
REASONS = {
    "no_face_candidate": "face_not_matched",
    "face_mismatch": "face_not_matched",
    "no_match": "face_not_matched",
    "face_required": "face_not_matched",
    "fingerprint_mismatch": "fingerprint_not_matched",
    "not_confident": "not_matched",
    "ambiguous": "not_matched",
}
# A capture too poor to decide on: the terminal asks again (a retry is neither a punch nor a refusal).
FACE_RETRIES = {NoFaceFound: "face_not_found", MultipleFaces: "several_faces", FaceTooSmall: "face_too_small", FaceBlurred: "face_blurred"}
_encoder = msgspec.json.Encoder()


@dataclass(frozen=True, slots=True)
class SignedCheckIn:
    """A check-in whose signature verified: its terminal, its nonce (burned with the check-in's own writes), its form,
    and the stored answer to its event id when the event was answered before."""

    terminal: dict[str, Any]
    nonce: str
    form: dict[str, list[bytes]]
    previous: dict[str, Any] | None


# One read: the terminal, its active secrets (two while it rotates), whether the nonce was seen, and a stored answer.
_TERMINAL_READ = (
    'SELECT t.id, t.serial, t.name, t.kind, t.site, t."window", t.status, t.registered_at, t.approved_at, t.revoked_at, '
    "k.id AS secret_id, k.ciphertext AS secret, k.nonce AS secret_nonce, "
    "EXISTS (SELECT 1 FROM terminal_nonce n WHERE n.terminal = t.id AND n.nonce = {} AND n.seen_at >= {}) AS nonce_seen, "
    "e.body_sha256, e.status_code, e.response "
    "FROM terminal t LEFT JOIN terminal_secret k ON k.terminal = t.id AND k.retired_at IS NULL "
    "LEFT JOIN check_in_event e ON e.terminal = t.id AND e.event_id = {} "
    "WHERE t.serial = {} ORDER BY k.id DESC"
)
_TERMINAL_COLUMNS = ("id", "serial", "name", "kind", "site", "window", "status", "registered_at", "approved_at", "revoked_at")


async def _verified(
    ctx: AppContext, request: SignedRequest, body: bytes, *, event_id: str = ""
) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """The terminal row, the verified nonce and the read's first row; raises SignatureInvalid (401) on any refusal."""
    now = ctx.clock.now()
    serial, nonce = signature_params(request.headers)
    rows = await execute(ctx.engine, _TERMINAL_READ, nonce or "", now - NONCE_WINDOW, event_id, serial) if serial else []
    terminal = {name: rows[0][name] for name in _TERMINAL_COLUMNS} if rows else None
    keys: list[bytes] = []
    if terminal is not None and terminal["status"] == "approved":
        for row in rows:
            if row["secret_id"] is None:
                continue
            secret = terminal_secrets.unseal(ctx, row["secret"], nonce=row["secret_nonce"], terminal_id=terminal["id"])
            if secret is not None:
                keys.append(secret)
    try:
        verified = verify(request, body, secrets_for_key=keys, now=now, key_id=serial)
    except SignatureRefused as exc:
        status = "unknown" if terminal is None else terminal["status"]
        log.warning("terminal request refused: serial=%s status=%s reason=%s", serial, status, exc.reason)
        raise SignatureInvalid() from None
    assert terminal is not None
    if verified.nonce == nonce and rows[0]["nonce_seen"]:
        log.warning("terminal request refused: serial=%s reason=nonce replayed", serial)
        raise SignatureInvalid()
    return terminal, verified.nonce, rows[0]


async def burn_nonce(ctx: AppContext, terminal: dict[str, Any], nonce: str, *, now: datetime) -> None:
    """Record a verified nonce inside the caller's write transaction; a nonce seen before is a replay (SignatureInvalid)."""
    # Old nonces only take space (their `created` is refused anyway): purge about once a minute, not per request.
    if ctx.resources.get(_NONCES_PURGED, datetime.min.replace(tzinfo=now.tzinfo)) < now - PURGE_EVERY:
        await execute(ctx.engine, "DELETE FROM terminal_nonce WHERE seen_at < {}", now - NONCE_WINDOW)
        ctx.resources[_NONCES_PURGED] = now
    try:
        await execute(ctx.engine, "INSERT INTO terminal_nonce (terminal, nonce, seen_at) VALUES ({}, {}, {})", terminal["id"], nonce, now)
    except INTEGRITY_ERRORS:
        # A copy of this request got here first (the read above saw no nonce): this one is the replay.
        log.warning("terminal request refused: serial=%s reason=nonce replayed", terminal["serial"])
        raise SignatureInvalid() from None


async def authenticate(ctx: AppContext, request: SignedRequest, body: bytes) -> dict[str, Any]:
    """Verify a terminal's signed request and burn its nonce; returns the terminal row or raises 401."""
    terminal, nonce, _ = await _verified(ctx, request, body)
    async with write_transaction(ctx.engine):
        await burn_nonce(ctx, terminal, nonce, now=ctx.clock.now())
    return terminal


async def authenticate_check_in(ctx: AppContext, request: SignedRequest, body: bytes, *, content_type: str) -> SignedCheckIn:
    """Verify a signed check-in and find a stored answer to its event, in one read; the nonce is burned by ``check_in``."""
    limits = checkin.fields(upload_limit=ctx.settings.upload_limit_bytes, face_limit=ctx.settings.face_image_limit_bytes)
    form: dict[str, list[bytes]] = {}
    unreadable: DomainError | None = None
    try:
        form = read_multipart(body, content_type, fields=limits, max_parts=checkin.MAX_PARTS)
    except DomainError as exc:
        unreadable = exc  # said only once the signature holds: an unsigned request learns nothing but 401
    terminal, nonce, row = await _verified(ctx, request, body, event_id=checkin.event_id_of(form))
    if terminal["kind"] == QUEUE_KIND:
        # A queue machine (排号机) signs its events like a terminal but never checks anyone in.
        raise TerminalNotAllowed("a queue device does not check staff in", code="queue_device_no_check_in")
    if unreadable is not None:
        raise unreadable
    previous = {k: row[k] for k in ("body_sha256", "status_code", "response")} if row["body_sha256"] is not None else None
    return SignedCheckIn(terminal=terminal, nonce=nonce, form=form, previous=previous)


def _body_hash(form: Mapping[str, Sequence[object]]) -> str:
    # Hash the fields, not the raw multipart bytes: a retry may use a different boundary.
    h = hashlib.sha256()
    for name in sorted(form):
        for value in form[name]:
            data = value if isinstance(value, bytes) else str(value).encode()
            h.update(name.encode() + b"\x00" + hashlib.sha256(data).digest())
    return h.hexdigest()


async def _stored(ctx: AppContext, terminal_id: int, event_id: str) -> dict[str, Any] | None:
    rows = await execute(
        ctx.engine,
        "SELECT body_sha256, status_code, response FROM check_in_event WHERE terminal = {} AND event_id = {}",
        terminal_id,
        event_id,
    )
    return rows[0] if rows else None


async def check_in(ctx: AppContext, signed: SignedCheckIn) -> tuple[int, bytes]:
    """Decide one check-in and store its answer; a retry of the same event gets the same bytes."""
    terminal = signed.terminal
    data = checkin.parse(signed.form)
    digest = _body_hash(signed.form)
    received = ctx.clock.now()
    if signed.previous is not None:
        async with write_transaction(ctx.engine):
            await burn_nonce(ctx, terminal, signed.nonce, now=received)
        return _replay(signed.previous, digest=digest)
    if data.by_card:
        outcome = await service_card.check(ctx, terminal, card_no=data.card_no or "", pin=data.pin or "", now=received)
        verdict = _Verdict(
            staff_id=outcome.staff_id,
            reason=outcome.reason,
            mode="card+pin",
            threshold_version=None,
            needs_attestation=True,
            failure_id=outcome.failure_id,
        )
    else:
        verdict = await _biometric(ctx, terminal, data)
    return await _store(ctx, signed, data, verdict, digest=digest, received=received)


@dataclass(frozen=True, slots=True)
class _Verdict:
    staff_id: int | None
    reason: str | None
    mode: str
    threshold_version: str | None
    needs_attestation: bool = False
    failure_id: int | None = None
    retry: bool = False
    fingers: tuple[int, ...] = ()


async def _biometric(ctx: AppContext, terminal: dict[str, Any], data: checkin.CheckInInput) -> _Verdict:
    encoding = data.face_encoding
    if data.face_image is not None:
        # Magic bytes first: a PDF or text named .jpg never takes an encoder slot.
        if sniff_image_format(data.face_image) is None:
            raise FaceImageUnsupported()
        try:
            encoding = await ctx.resources[biometrics.POOL].encode(data.face_image, **biometrics.face_limits(ctx))
        except tuple(FACE_RETRIES) as exc:
            return _Verdict(staff_id=None, reason=FACE_RETRIES[type(exc)], mode="", threshold_version=None, retry=True)
    record: FingerRecord
    if data.fingerprint_image is not None:
        record = await biometrics.extract_fingerprint(ctx, data.fingerprint_image, dpi=data.dpi or 0)
    else:
        record = parse_record(data.fingerprint_record or b"")
    if len(record.views) != 1:
        # A check-in is one touch: one view (an empty one is a poor touch, answered with a retry below).
        raise TemplateFormatError(f"a check-in fingerprint holds exactly one finger view, not {len(record.views)}")
    decision = await biometrics.identify(
        ctx, site_id=terminal["site"], face_encoding=encoding, fingerprint_record=record, claimed_employee_no=data.employee_no
    )
    if decision.retry:
        return _Verdict(
            staff_id=None,
            reason="fingerprint_quality",
            mode="",
            threshold_version=decision.threshold_version,
            retry=True,
            fingers=decision.enrolled_positions,
        )
    modes = "+".join(m for m, ok in (("face", decision.face_passed), ("fingerprint", decision.fingerprint_passed)) if ok)
    return _Verdict(
        staff_id=decision.staff_id if decision.accepted else None,
        reason=None if decision.accepted else REASONS.get(decision.reason, decision.reason),
        mode=modes,
        threshold_version=decision.threshold_version,
    )


async def _store(
    ctx: AppContext, signed: SignedCheckIn, data: checkin.CheckInInput, verdict: _Verdict, *, digest: str, received: datetime
) -> tuple[int, bytes]:
    terminal = signed.terminal
    # Reads first, then one write transaction: the nonce, the punch (or the refusal), its audit event and the answer.
    person = await org.check_in_person(verdict.staff_id, site_id=terminal["site"]) if verdict.staff_id else None
    result = "accepted" if person else "retry" if verdict.retry else "rejected"
    answer: dict[str, Any] = {"event_id": data.event_id, "result": result, "recorded_at": received.isoformat()}
    if verdict.retry:
        answer["reason"] = verdict.reason
        if verdict.fingers:
            # Say which fingers the person enrolled, so the terminal can ask for one of them.
            answer.update(fingers=list(verdict.fingers), finger_names=[finger_name(p) for p in verdict.fingers])
    elif person is not None:
        meaning = await attendance.describe_punch(ctx, site_id=terminal["site"], at=data.captured_at)
        answer.update(employee_no=person.employee_no, name=person.name, **meaning.as_dict())
        if verdict.needs_attestation:
            answer["pending_attestation"] = True
    else:
        answer["reason"] = verdict.reason or "rejected"
    body = _encoder.encode(answer)
    try:
        async with write_transaction(ctx.engine):
            await burn_nonce(ctx, terminal, signed.nonce, now=received)
            if person is not None:
                punch = NewPunch(
                    staff_id=person.staff_id,
                    terminal_id=terminal["id"],
                    captured_at=data.captured_at,
                    source="signed_terminal",
                    verify_mode=verdict.mode,
                    threshold_version=verdict.threshold_version,
                    needs_attestation=verdict.needs_attestation,
                    future_capture=checkin.is_future(data.captured_at, received_at=received),
                    event_key=f"{terminal['serial']}:{data.event_id}",
                )
                stored = await record_punches(ctx, [punch], site_id=terminal["site"], received_at=received, time_zone=person.site_timezone)
                if verdict.failure_id is not None:
                    await service_card.clear_failure(verdict.failure_id)
                if stored.ids:  # none: a concurrent copy of this event stored it; its CheckInEvent below conflicts and answers
                    await audit.record(
                        ctx.engine,
                        at=received,
                        actor=f"terminal:{terminal['serial']}",
                        action="punch.recorded",
                        subject_type="punch",
                        subject_id=stored.ids[0],
                        data={"staff": person.staff_id, "captured_at": data.captured_at.isoformat(), "mode": verdict.mode},
                    )
            elif not verdict.retry:
                await execute(
                    ctx.engine,
                    "INSERT INTO check_in_rejection (terminal, event_id, reason, claimed_employee_no, captured_at, received_at) "
                    "VALUES ({}, {}, {}, {}, {}, {})",
                    terminal["id"],
                    data.event_id,
                    answer["reason"],
                    data.employee_no,
                    data.captured_at,
                    received,
                )
            await execute(
                ctx.engine,
                "INSERT INTO check_in_event (terminal, event_id, body_sha256, status_code, response, created_at) "
                "VALUES ({}, {}, {}, {}, {}, {})",
                terminal["id"],
                data.event_id,
                digest,
                200,
                body.decode(),
                received,
            )
    except INTEGRITY_ERRORS:
        # A concurrent copy of this event committed first; its answer is the answer (and this request's nonce is spent).
        previous = await _stored(ctx, terminal["id"], data.event_id)
        if previous is None:
            raise
        async with write_transaction(ctx.engine):
            await burn_nonce(ctx, terminal, signed.nonce, now=received)
        return _replay(previous, digest=digest)
    return 200, body


def _replay(previous: dict[str, Any], *, digest: str) -> tuple[int, bytes]:
    if previous["body_sha256"] != digest:
        raise EventIdReused()
    return previous["status_code"], previous["response"].encode()


async def purge_nonces(ctx: AppContext) -> int:
    """Delete nonces older than the replay window (they can no longer be replayed: created is too old)."""
    async with write_transaction(ctx.engine):
        rows = await execute(ctx.engine, "DELETE FROM terminal_nonce WHERE seen_at < {} RETURNING id", ctx.clock.now() - NONCE_WINDOW)
    return len(rows)


__all__ = ["CheckInOut", "SignedCheckIn", "authenticate", "authenticate_check_in", "burn_nonce", "check_in", "purge_nonces"]
