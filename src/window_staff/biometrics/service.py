"""Biometric use cases: consent, enrolment, deletion, status, and the lifecycle of the encoder pool.

Matching (galleries and the check-in decision) lives in ``biometrics.matching``; ``identify`` is
re-exported here so other domains call ``biometrics.service`` only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import numpy as np

from window_staff.biometrics import domain, fusion, matching, mcc, store
from window_staff.biometrics.built import stop_flag
from window_staff.biometrics.errors import (
    ConsentAlreadyActive,
    ConsentNotActive,
    ConsentRequired,
    FaceDuplicate,
    FingerprintImageInvalid,
    FingerprintNotSameFinger,
    StaffNotEnrolable,
    TemplateNotFound,
    TooManyTemplates,
)
from window_staff.biometrics.face import encoding_to_bytes
from window_staff.biometrics.iso19794 import FingerRecord, parse_record
from window_staff.biometrics.matching import calibration, identify, site_gallery, site_templates
from window_staff.biometrics.pool import EncoderPool, fingerprint_pool
from window_staff.biometrics.schemas import (
    ConsentIn,
    ConsentOut,
    ConsentStatusOut,
    EnrolmentOut,
    FingerEnrolmentOut,
    SummaryOut,
    TemplateOut,
)
from window_staff.biometrics.tables import BiometricConsent, BiometricTemplate
from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.db import INTEGRITY_ERRORS, erase_traces, write_transaction
from window_staff.common.errors import InvalidInput
from window_staff.org import service as org
from window_staff.org.service import StaffChange
from window_staff.settings import Settings

__all__ = [
    "consent_status",
    "delete_template",
    "delete_templates",
    "enrol_face_encoding",
    "enrol_face_image",
    "enrol_fingerprint",
    "enrol_fingerprint_record",
    "enrolment",
    "extract_fingerprint",
    "grant_consent",
    "identify",
    "start",
    "stop",
    "summary",
    "withdraw_consent",
]

log = logging.getLogger("window_staff.biometrics")
POOL = "encoder_pool"
GALLERY_WARM = "gallery_warm_task"
FINGER_POOL = "fingerprint_pool"
MCC_WARM = "mcc_warm"
# A new impression must look like the person's earlier ones of that finger: an impostor finger does
# as well about once in e^6 = 400 tries (fingerprint surprisal, see biometrics.fusion).
SAME_FINGER_SURPRISAL = 6.0


# --- lifecycle ---------------------------------------------------------------------------------


def face_limits(ctx: AppContext) -> dict[str, Any]:
    """The encoder's image limits from settings."""
    return face_limits_of(ctx.settings)


def face_limits_of(settings: Settings) -> dict[str, Any]:
    """The encoder's image limits (keyword arguments of ``face.encode_face``) from a settings object."""
    return {
        "min_face_px": settings.face_min_px,
        "max_pixels": settings.face_max_pixels,
        "max_bytes": settings.face_image_limit_bytes,
        "working_px": settings.face_working_px,
        "max_decoded_pixels": settings.face_max_decoded_pixels,
    }


def finger_options(ctx: AppContext) -> dict[str, Any]:
    """The minutiae extractor from settings."""
    return {"extractor": ctx.settings.fingerprint_extractor}


async def start(ctx: AppContext, *, pool: bool = True, warm_galleries: bool = False) -> None:
    """Check the vault against the stored templates and the fusion calibration, then start the worker pools.

    ``warm_galleries`` (a server, with ``gallery_warm`` on): load every site's templates in the background.
    """
    await store.check_vault(ctx)
    calibration(ctx)  # a missing or malformed calibration file stops start-up, not the first check-in
    stop_flag(ctx).clear()
    if warm_galleries and MCC_WARM not in ctx.resources:
        # The compiled MCC loops load (or compile, once per install) now rather than in the first check-ins.
        ctx.resources[MCC_WARM] = asyncio.create_task(asyncio.to_thread(mcc.warm_up))
    if warm_galleries and ctx.settings.gallery_warm and GALLERY_WARM not in ctx.resources:
        ctx.resources[GALLERY_WARM] = asyncio.create_task(matching.warm(ctx))
    if pool and POOL not in ctx.resources:
        s = ctx.settings
        encoder = EncoderPool(max_workers=s.face_workers, max_queue=s.face_queue, defaults=face_limits(ctx))
        encoder.start(warm=s.face_pool_warm)
        ctx.resources[POOL] = encoder
        fingers = fingerprint_pool(max_workers=s.fingerprint_workers, max_queue=s.fingerprint_queue, defaults=finger_options(ctx))
        fingers.start(warm=s.face_pool_warm)
        ctx.resources[FINGER_POOL] = fingers


async def stop(ctx: AppContext) -> None:
    """Stop the gallery warm-up and the worker pools."""
    # A load's thread cannot be cancelled: it sees the flag at its next impression, so the process can exit now.
    stop_flag(ctx).set()
    for name in (GALLERY_WARM, MCC_WARM):
        warming = ctx.resources.pop(name, None)
        if warming is not None:
            warming.cancel()
            with contextlib.suppress(BaseException):
                await warming
    for name in (POOL, FINGER_POOL):
        encoder = ctx.resources.pop(name, None)
        if encoder is not None:
            await encoder.close()


async def extract_fingerprint(ctx: AppContext, image: bytes, *, dpi: int) -> FingerRecord:
    """Minutiae of a fingerprint image, extracted in the fingerprint pool (503 when it is full)."""
    return await ctx.resources[FINGER_POOL].encode(image, dpi=dpi)


# --- consent -----------------------------------------------------------------------------------


def _consent_out(r: dict[str, Any]) -> ConsentOut:
    return ConsentOut(
        id=r["id"],
        staff_id=r["staff"],
        modality=r["modality"],
        notice_version=r["notice_version"],
        granted_at=r["granted_at"],
        recorded_by=r["recorded_by"],
        withdrawn_at=r["withdrawn_at"],
        withdrawal_reason=r["withdrawal_reason"],
        active=r["withdrawn_at"] is None,
    )


async def _active_consent(staff_id: int, modality: str) -> dict[str, Any] | None:
    return (
        await BiometricConsent.select()
        .where((BiometricConsent.staff == staff_id) & (BiometricConsent.modality == modality) & BiometricConsent.withdrawn_at.is_null())
        .first()
    )


async def grant_consent(ctx: AppContext, staff_id: int, data: ConsentIn, *, actor: str) -> ConsentOut:
    """Record a staff member's consent for one modality under a notice version."""
    staff = await org.get_staff(ctx, staff_id)
    if staff.status != "active":
        raise StaffNotEnrolable("the staff member has left")
    now = ctx.clock.now()
    try:
        async with write_transaction(ctx.engine):
            if await _active_consent(staff_id, data.modality) is not None:
                raise ConsentAlreadyActive()
            rows = await BiometricConsent.insert(
                BiometricConsent(
                    staff=staff_id, modality=data.modality, notice_version=data.notice_version, granted_at=now, recorded_by=actor
                )
            ).returning(BiometricConsent.id)
            await audit.record(
                ctx.engine,
                at=now,
                actor=actor,
                action="biometrics.consent_granted",
                subject_type="staff",
                subject_id=staff_id,
                data={"modality": data.modality, "notice_version": data.notice_version},
            )
    except INTEGRITY_ERRORS as exc:  # a concurrent grant won the partial unique index
        raise ConsentAlreadyActive() from exc
    row = await BiometricConsent.select().where(BiometricConsent.id == rows[0]["id"]).first()
    assert row is not None  # inserted above; consents are never deleted (a withdrawal is an update)
    return _consent_out(row)


def _check_modality(modality: str) -> None:
    if modality not in domain.MODALITIES:
        raise InvalidInput(f"modality must be one of: {', '.join(domain.MODALITIES)}", code="modality_invalid")


async def withdraw_consent(ctx: AppContext, staff_id: int, modality: str, *, actor: str, only_staff_id: int | None = None) -> ConsentOut:
    """Close the active consent of a modality and delete that modality's templates, in one transaction."""
    _check_modality(modality)
    await org.get_staff(ctx, staff_id, only_staff_id=only_staff_id)
    reason = "withdrawn"
    now = ctx.clock.now()
    site_id = await org.site_of_staff(staff_id)
    async with write_transaction(ctx.engine):
        row = await _active_consent(staff_id, modality)
        if row is None:
            raise ConsentNotActive()
        await BiometricConsent.update(
            {BiometricConsent.withdrawn_at: now, BiometricConsent.withdrawn_by: actor, BiometricConsent.withdrawal_reason: reason}
        ).where(BiometricConsent.id == row["id"])
        deleted = await store.delete_rows(staff_id, modality=modality, site_ids=[site_id])
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="biometrics.consent_withdrawn",
            subject_type="staff",
            subject_id=staff_id,
            data={"modality": modality, "templates_deleted": deleted, "reason": reason},
        )
    await erase_traces(ctx.engine)
    withdrawn = await BiometricConsent.select().where(BiometricConsent.id == row["id"]).first()
    assert withdrawn is not None  # updated above; consents are never deleted
    return _consent_out(withdrawn)


async def consent_status(ctx: AppContext, staff_id: int, *, only_staff_id: int | None = None) -> ConsentStatusOut:
    """A staff member's consents; ``only_staff_id`` scopes a staff user to themself (others are 404)."""
    await org.get_staff(ctx, staff_id, only_staff_id=only_staff_id)
    rows = await BiometricConsent.select().where(BiometricConsent.staff == staff_id).order_by(BiometricConsent.id)
    history = [_consent_out(r) for r in rows]
    active = {c.modality: c for c in history if c.active}
    return ConsentStatusOut(staff_id=staff_id, face=active.get("face"), fingerprint=active.get("fingerprint"), history=history)


# --- enrolment ---------------------------------------------------------------------------------


async def _enrolable_site(ctx: AppContext, staff_id: int) -> int:
    """The site whose gallery the staff member joins; refuses those who left or have no window."""
    staff = await org.get_staff(ctx, staff_id)
    if staff.status != "active":
        raise StaffNotEnrolable("the staff member has left")
    site_id = await org.site_of_staff(staff_id)
    if site_id is None:
        raise StaffNotEnrolable("assign the staff member to a window first: galleries are per site")
    return site_id


async def _require_consent_and_room(ctx: AppContext, staff_id: int, modality: str, *, adding: int) -> None:
    """Inside the write transaction: active consent, and the per-person cap not exceeded."""
    if await _active_consent(staff_id, modality) is None:
        raise ConsentRequired(f"record the staff member's {modality} consent before enrolment")
    cap = ctx.settings.face_max_templates if modality == "face" else ctx.settings.fingerprint_max_templates
    have = await BiometricTemplate.count().where((BiometricTemplate.staff == staff_id) & (BiometricTemplate.modality == modality))
    if have + adding > cap:
        raise TooManyTemplates(f"at most {cap} {modality} templates per person; delete one first", limit=cap)


async def enrol_face_image(ctx: AppContext, staff_id: int, *, image: bytes, actor: str, confirm_lookalike: bool = False) -> TemplateOut:
    """Encode a photo (exactly one face) in the encoder pool and enrol it."""
    await _enrolable_site(ctx, staff_id)
    if await _active_consent(staff_id, "face") is None:
        # Checked before encoding too, so an image of someone who has not consented is never processed.
        raise ConsentRequired("record the staff member's face consent before enrolment")
    pool: EncoderPool = ctx.resources[POOL]
    encoding = await pool.encode(image, **face_limits(ctx))
    return await enrol_face_encoding(ctx, staff_id, encoding=encoding, actor=actor, confirm_lookalike=confirm_lookalike)


async def enrol_face_encoding(
    ctx: AppContext, staff_id: int, *, encoding: np.ndarray, actor: str, confirm_lookalike: bool = False
) -> TemplateOut:
    """Enrol a face encoding, unless it matches another enrolled staff member of the site (FaceDuplicate).

    ``confirm_lookalike``: HR has checked that the two are different people (twins, close look-alikes);
    check-ins tell them apart by their fingerprints, and the confirmation is in the audit trail.
    """
    site_id = await _enrolable_site(ctx, staff_id)
    vec = domain.face_probe(encoding)
    vault = store.vault(ctx)
    gallery = await site_gallery(ctx, site_id)
    match = gallery.search(vec, threshold=duplicate_face_distance(calibration(ctx)))
    lookalike_of = match.staff_id if match is not None and match.staff_id != staff_id else None
    if lookalike_of is not None and not confirm_lookalike:
        log.warning("face enrolment for staff %s refused: matches another staff member of site %s", staff_id, site_id)
        raise FaceDuplicate(matched_staff_id=lookalike_of)
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        await _require_consent_and_room(ctx, staff_id, "face", adding=1)
        ciphertext, nonce = vault.seal(encoding_to_bytes(vec), staff_id=staff_id, modality="face", version=domain.FACE_VERSION)
        template_id = await store.insert(
            staff_id=staff_id,
            modality="face",
            version=domain.FACE_VERSION,
            ciphertext=ciphertext,
            nonce=nonce,
            now=now,
            actor=actor,
            site_id=site_id,
        )
        data: dict[str, Any] = {"modality": "face", "template_id": template_id}
        if lookalike_of is not None:
            data["lookalike_of_staff"] = lookalike_of
        await audit.record(
            ctx.engine, at=now, actor=actor, action="biometrics.template_enrolled", subject_type="staff", subject_id=staff_id, data=data
        )
    return (await store.template_rows(staff_id, template_id=template_id))[0]


async def enrol_fingerprint(
    ctx: AppContext, staff_id: int, *, data: bytes, dpi: int | None, position: int | None, actor: str
) -> list[TemplateOut]:
    """Enrol an ISO 19794-2 record (every view) or a grey-scale image at ``dpi`` (one view at ``position``)."""
    if position is not None and not 0 <= position <= 10:
        raise InvalidInput("finger position must be 0-10 (ISO/IEC 19794-2)", code="finger_position_invalid")
    if domain.is_iso_record(data):
        record = parse_record(data)
    else:
        await _enrolable_site(ctx, staff_id)
        if await _active_consent(staff_id, "fingerprint") is None:
            raise ConsentRequired("record the staff member's fingerprint consent before enrolment")
        if dpi is None:
            raise FingerprintImageInvalid("give the scanner resolution (dpi) with a fingerprint image")
        record = await extract_fingerprint(ctx, data, dpi=dpi)
    return await enrol_fingerprint_record(ctx, staff_id, record=record, position=position, actor=actor)


async def enrol_fingerprint_record(
    ctx: AppContext, staff_id: int, *, record: FingerRecord, position: int | None, actor: str
) -> list[TemplateOut]:
    """Enrol each view of a record as one template; all or none, each with enough valid cylinders."""
    site_id = await _enrolable_site(ctx, staff_id)
    vault = store.vault(ctx)
    views = domain.single_views(record, position=position)
    qualities = []
    earlier = [(pos, t.expand()) for pos, t in (await site_templates(ctx, site_id)).fingers.get(staff_id, ())]
    for view, raw in views:
        template = await asyncio.to_thread(mcc.build_template, parse_record(raw))
        mcc.check_enrolable(template, min_valid_cylinders=ctx.settings.fingerprint_min_cylinders)
        _check_same_finger(ctx, template, position=view.position, earlier=earlier)
        earlier = [*earlier, (view.position, template)]
        qualities.append((view, raw, template))
    # Sealed before the write transaction (compressing a built template takes ~2 ms): the record, and its built
    # template bound to it, so no process builds this impression again.
    sealed = []
    for view, raw, template in qualities:
        ciphertext, nonce = vault.seal(raw, staff_id=staff_id, modality="fingerprint", version=domain.FINGERPRINT_VERSION)
        compact = mcc.compact(template)
        built_sealed = store.seal_built(
            vault, view.position, compact, staff_id=staff_id, version=domain.FINGERPRINT_VERSION, raw_nonce=nonce
        )
        sealed.append((view, template, ciphertext, nonce, compact, built_sealed))
    now = ctx.clock.now()
    ids: list[int] = []
    built: list[tuple[matching.RowKey, matching.Finger]] = []
    async with write_transaction(ctx.engine):
        await _require_consent_and_room(ctx, staff_id, "fingerprint", adding=len(views))
        for view, template, ciphertext, nonce, compact, built_sealed in sealed:
            impression = await store.next_impression(staff_id, view.position)
            ids.append(
                await store.insert(
                    staff_id=staff_id,
                    modality="fingerprint",
                    version=domain.FINGERPRINT_VERSION,
                    ciphertext=ciphertext,
                    nonce=nonce,
                    now=now,
                    actor=actor,
                    site_id=site_id,
                    finger_position=view.position,
                    impression=impression,
                    minutiae_count=len(view.minutiae),
                    valid_cylinders=template.n_valid,
                    quality=view.quality,
                    built=built_sealed,
                )
            )
            key = store.sealed_key(
                staff_id=staff_id, modality="fingerprint", version=domain.FINGERPRINT_VERSION, ciphertext=ciphertext, nonce=nonce
            )
            built.append((key, (view.position, compact)))
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="biometrics.template_enrolled",
            subject_type="staff",
            subject_id=staff_id,
            data={"modality": "fingerprint", "template_ids": ids, "positions": [v.position for v, _, _ in qualities]},
        )
    for key, finger in built:
        # Built once, here: the next load of the site's gallery (in this process) takes them as they are.
        matching.remember_built(ctx, key, finger)
    rows = await store.template_rows(staff_id)
    return [t for t in rows if t.id in ids]


def duplicate_face_distance(cal: fusion.Calibration) -> float:
    """A face this close to another person's is as alike as the calibration can express: refuse it as a duplicate."""
    return -cal.face.similarity_for(cal.face.cap)


def _check_same_finger(ctx: AppContext, template: mcc.MccTemplate, *, position: int, earlier: list[tuple[int, mcc.MccTemplate]]) -> None:
    """Refuse an impression that does not look like the person's earlier impressions of the same (known) finger."""
    same = [t for pos, t in earlier if position and pos == position]
    if not same:
        return
    best = max(mcc.similarity(template, t) for t in same)
    if calibration(ctx).fingerprint.surprisal(best, templates=len(same)) < SAME_FINGER_SURPRISAL:
        log.warning("fingerprint impression refused at enrolment: it does not match the earlier impressions of position %s", position)
        raise FingerprintNotSameFinger(position=position, finger=domain.finger_name(position, lang="en"))


# --- status and deletion -----------------------------------------------------------------------


async def enrolment(ctx: AppContext, staff_id: int) -> EnrolmentOut:
    """Consent flags, counts and per-template quality of a staff member (never template bytes)."""
    await org.get_staff(ctx, staff_id)
    templates = await store.template_rows(staff_id)
    consents = {
        r["modality"]
        for r in await BiometricConsent.select(BiometricConsent.modality).where(
            (BiometricConsent.staff == staff_id) & BiometricConsent.withdrawn_at.is_null()
        )
    }
    s = ctx.settings
    faces = sum(t.modality == "face" for t in templates)
    counts: dict[int, int] = {}
    for t in templates:
        if t.modality == "fingerprint":
            counts[t.finger_position or 0] = counts.get(t.finger_position or 0, 0) + 1
    fingers = [
        FingerEnrolmentOut(position=p, impressions=c, wanted=max(0, s.fingerprint_enrol_impressions - c))
        for p, c in sorted(counts.items())
        if p
    ]
    faces_wanted = max(0, s.face_enrol_photos - faces)
    fingers_wanted = domain.fingers_wanted(counts, fingers=s.fingerprint_enrol_fingers, impressions=s.fingerprint_enrol_impressions)
    return EnrolmentOut(
        staff_id=staff_id,
        face_consent="face" in consents,
        fingerprint_consent="fingerprint" in consents,
        face_count=faces,
        fingerprint_count=sum(counts.values()),
        templates=templates,
        faces_wanted=faces_wanted,
        fingers=fingers,
        fingers_wanted=fingers_wanted,
        complete=faces_wanted == 0 and fingers_wanted == 0,
    )


async def delete_templates(ctx: AppContext, staff_id: int, *, modality: str | None, actor: str) -> int:
    """Delete a staff member's templates (of one modality, or all); returns how many."""
    if modality is not None:
        _check_modality(modality)
    await org.get_staff(ctx, staff_id)
    site_id = await org.site_of_staff(staff_id)
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        deleted = await store.delete_rows(staff_id, modality=modality, site_ids=[site_id])
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="biometrics.templates_deleted",
            subject_type="staff",
            subject_id=staff_id,
            data={"modality": modality or "all", "count": deleted},
        )
    await erase_traces(ctx.engine)
    return deleted


async def delete_template(ctx: AppContext, staff_id: int, template_id: int, *, actor: str) -> None:
    """Delete one template (a poor capture before re-enrolment)."""
    site_id = await org.site_of_staff(staff_id)
    now = ctx.clock.now()
    async with write_transaction(ctx.engine):
        if await store.delete_rows(staff_id, template_id=template_id, site_ids=[site_id]) == 0:
            raise TemplateNotFound()
        await audit.record(
            ctx.engine,
            at=now,
            actor=actor,
            action="biometrics.templates_deleted",
            subject_type="staff",
            subject_id=staff_id,
            data={"template_id": template_id, "count": 1},
        )
    await erase_traces(ctx.engine)


async def summary(ctx: AppContext) -> SummaryOut:
    """How many staff have templates and active consents, per modality."""
    return SummaryOut(**await store.counts())


async def on_staff_changed(ctx: AppContext, change: StaffChange) -> None:
    """Org hook, inside org's transaction: leaving erases every template and closes consents; moving bumps both galleries."""
    if not change.left:
        await store.bump_galleries([change.old_site_id, change.new_site_id])
        return
    await BiometricConsent.update(
        {BiometricConsent.withdrawn_at: change.at, BiometricConsent.withdrawn_by: change.actor, BiometricConsent.withdrawal_reason: "left"}
    ).where((BiometricConsent.staff == change.staff_id) & BiometricConsent.withdrawn_at.is_null())
    deleted = await store.delete_rows(change.staff_id, site_ids=[change.old_site_id])
    await audit.record(
        ctx.engine,
        at=change.at,
        actor=change.actor,
        action="biometrics.erased_on_leaving",
        subject_type="staff",
        subject_id=change.staff_id,
        data={"templates_deleted": deleted},
    )


org.on_staff_changed(on_staff_changed)
