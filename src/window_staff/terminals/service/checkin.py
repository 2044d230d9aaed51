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
from window_staff.org import service as org
from window_staff.terminals import checkin, secrets as terminal_secrets
from window_staff.terminals.errors import EventIdReused, SignatureInvalid
from window_staff.terminals.schemas.registry import CheckInOut
from window_staff.terminals.service import card as service_card
from window_staff.terminals.signatures import SignatureRefused, SignedRequest, key_id_of, verify
from window_staff.terminals.tables import CheckInEvent, CheckInRejection, Terminal, TerminalNonce, TerminalSecret

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


async def authenticate(ctx: AppContext, request: SignedRequest, body: bytes) -> dict[str, Any]:
    """Verify a terminal's signed request and burn its nonce; returns the terminal row or raises 401."""
    now = ctx.clock.now()
    serial = key_id_of(request.headers)
    terminal = await Terminal.select().where(Terminal.serial == (serial or "")).first() if serial else None
    keys: list[bytes] = []
    if terminal is not None and terminal["status"] == "approved":
        for row in await TerminalSecret.select().where((TerminalSecret.terminal == terminal["id"]) & TerminalSecret.retired_at.is_null()):
            secret = terminal_secrets.unseal(ctx, row["ciphertext"], nonce=row["nonce"], terminal_id=terminal["id"])
            if secret is not None:
                keys.append(secret)
    try:
        verified = verify(request, body, secrets_for_key=keys, now=now)
    except SignatureRefused as exc:
        status = "unknown" if terminal is None else terminal["status"]
        log.warning("terminal request refused: serial=%s status=%s reason=%s", serial, status, exc.reason)
        raise SignatureInvalid() from None
    assert terminal is not None
    try:
        async with write_transaction(ctx.engine):
            # Old nonces only take space (their `created` is refused anyway): purge about once a minute, not per request.
            if ctx.resources.get(_NONCES_PURGED, datetime.min.replace(tzinfo=now.tzinfo)) < now - PURGE_EVERY:
                await TerminalNonce.delete().where(TerminalNonce.seen_at < now - NONCE_WINDOW)
                ctx.resources[_NONCES_PURGED] = now
            await TerminalNonce.insert(TerminalNonce(terminal=terminal["id"], nonce=verified.nonce, seen_at=now))
    except INTEGRITY_ERRORS:
        log.warning("terminal request refused: serial=%s reason=nonce replayed", serial)
        raise SignatureInvalid() from None
    return terminal


def _body_hash(form: Mapping[str, Sequence[object]]) -> str:
    # Hash the fields, not the raw multipart bytes: a retry may use a different boundary.
    h = hashlib.sha256()
    for name in sorted(form):
        for value in form[name]:
            data = value if isinstance(value, bytes) else str(value).encode()
            h.update(name.encode() + b"\x00" + hashlib.sha256(data).digest())
    return h.hexdigest()


async def _stored(terminal_id: int, event_id: str) -> dict[str, Any] | None:
    return await CheckInEvent.select().where((CheckInEvent.terminal == terminal_id) & (CheckInEvent.event_id == event_id)).first()


async def check_in(ctx: AppContext, terminal: dict[str, Any], form: dict[str, list[bytes]]) -> tuple[int, bytes]:
    """Decide one check-in and store its answer; a retry of the same event gets the same bytes."""
    data = checkin.parse(form)
    digest = _body_hash(form)
    previous = await _stored(terminal["id"], data.event_id)
    if previous is not None:
        return _replay(previous, digest=digest)
    received = ctx.clock.now()
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
    return await _store(ctx, terminal, data, verdict, digest=digest, received=received)


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
    ctx: AppContext, terminal: dict[str, Any], data: checkin.CheckInInput, verdict: _Verdict, *, digest: str, received: datetime
) -> tuple[int, bytes]:
    postings = await org.postings_of([verdict.staff_id]) if verdict.staff_id else []
    staff: dict[str, Any] | None = (
        {"id": postings[0].staff_id, "employee_no": postings[0].employee_no, "name": postings[0].name} if postings else None
    )
    result = "accepted" if staff else "retry" if verdict.retry else "rejected"
    answer: dict[str, Any] = {"event_id": data.event_id, "result": result, "recorded_at": received.isoformat()}
    if verdict.retry:
        answer["reason"] = verdict.reason
        if verdict.fingers:
            # Say which fingers the person enrolled, so the terminal can ask for one of them.
            answer.update(fingers=list(verdict.fingers), finger_names=[finger_name(p) for p in verdict.fingers])
    elif staff is not None:
        meaning = await attendance.describe_punch(ctx, site_id=terminal["site"], at=data.captured_at)
        answer.update(employee_no=staff["employee_no"], name=staff["name"], **meaning.as_dict())
        if verdict.needs_attestation:
            answer["pending_attestation"] = True
    else:
        answer["reason"] = verdict.reason or "rejected"
    body = _encoder.encode(answer)
    try:
        async with write_transaction(ctx.engine):
            if staff is not None:
                ids = (
                    await record_punches(
                        ctx,
                        [
                            NewPunch(
                                staff_id=staff["id"],
                                terminal_id=terminal["id"],
                                captured_at=data.captured_at,
                                source="signed_terminal",
                                verify_mode=verdict.mode,
                                threshold_version=verdict.threshold_version,
                                needs_attestation=verdict.needs_attestation,
                                future_capture=checkin.is_future(data.captured_at, received_at=received),
                                event_key=f"{terminal['serial']}:{data.event_id}",
                            )
                        ],
                        site_id=terminal["site"],
                        received_at=received,
                    )
                ).ids
                if verdict.failure_id is not None:
                    await service_card.clear_failure(verdict.failure_id)
                if ids:  # none: a concurrent copy of this event stored it; its CheckInEvent below conflicts and answers
                    await audit.record(
                        ctx.engine,
                        at=received,
                        actor=f"terminal:{terminal['serial']}",
                        action="punch.recorded",
                        subject_type="punch",
                        subject_id=ids[0],
                        data={"staff": staff["id"], "captured_at": data.captured_at.isoformat(), "mode": verdict.mode},
                    )
            elif not verdict.retry:
                await CheckInRejection.insert(
                    CheckInRejection(
                        terminal=terminal["id"],
                        event_id=data.event_id,
                        reason=answer["reason"],
                        claimed_employee_no=data.employee_no,
                        captured_at=data.captured_at,
                        received_at=received,
                    )
                )
            await CheckInEvent.insert(
                CheckInEvent(
                    terminal=terminal["id"],
                    event_id=data.event_id,
                    body_sha256=digest,
                    status_code=200,
                    response=body.decode(),
                    created_at=received,
                )
            )
    except INTEGRITY_ERRORS:
        # A concurrent copy of this event committed first; its answer is the answer.
        previous = await _stored(terminal["id"], data.event_id)
        if previous is None:
            raise
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


__all__ = ["CheckInOut", "authenticate", "check_in", "purge_nonces"]
