"""Site galleries and the check-in decision: face 1:N in the site, then fingerprint 1:1 of that person.

Distances and similarities stay inside this module: callers get a ``Decision`` that says which
modalities passed and under which threshold version, never by how much.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict

import numpy as np

from window_staff.biometrics import domain, mcc, store
from window_staff.biometrics.gallery import Gallery, GalleryCache
from window_staff.biometrics.iso19794 import FingerRecord, parse_record
from window_staff.biometrics.schemas import Decision
from window_staff.common.context import AppContext
from window_staff.org import service as org

log = logging.getLogger("window_staff.biometrics")
GALLERIES = "gallery_cache"
FINGER_CACHE = "fingerprint_template_cache"
FINGER_CACHE_SIZE = 4096  # MCC templates of enrolled fingers; rows never change, only get deleted


def galleries(ctx: AppContext) -> GalleryCache:
    """The process's per-site gallery snapshots."""
    return ctx.resources.setdefault(GALLERIES, GalleryCache())


async def _load_site(ctx: AppContext, site_id: int) -> list[tuple[int, np.ndarray]]:
    staff_ids = await org.active_staff_ids_at_site(site_id)
    return [(sid, store.encoding_of(plain)) for _, sid, plain in await store.opened(ctx, staff_ids, modality="face")]


async def site_gallery(ctx: AppContext, site_id: int) -> Gallery:
    """The site's face gallery, reloaded only when its version in the database has changed."""
    store.vault(ctx)  # fail with VaultUnavailable before touching templates
    return await galleries(ctx).get(site_id, current_version=store.gallery_version, load=lambda s: _load_site(ctx, s))


async def _finger_templates(ctx: AppContext, staff_id: int, *, position: int | None) -> list[mcc.MccTemplate]:
    cache: OrderedDict[bytes, mcc.MccTemplate] = ctx.resources.setdefault(FINGER_CACHE, OrderedDict())
    out = []
    for _, _, plain in await store.opened(ctx, [staff_id], modality="fingerprint", position=position):
        # Keyed by content, not row id: SQLite may reuse the id of a deleted last row.
        key = hashlib.sha256(plain).digest()
        template = cache.get(key)
        if template is None:
            template = await asyncio.to_thread(mcc.build_template, parse_record(plain))
            cache[key] = template
            if len(cache) > FINGER_CACHE_SIZE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
        out.append(template)
    return out


async def verify_fingerprint(ctx: AppContext, staff_id: int, probe: FingerRecord) -> bool:
    """1:1: does the probe's first view match any enrolled finger of the staff member?"""
    if not probe.views:
        return False
    position = probe.views[0].position or None
    enrolled = await _finger_templates(ctx, staff_id, position=position)
    if not enrolled:
        return False
    probe_template = await asyncio.to_thread(mcc.build_template, probe)
    threshold = ctx.settings.fingerprint_threshold
    return any(mcc.similarity(probe_template, t) >= threshold for t in enrolled)


async def verify_face(ctx: AppContext, staff_id: int, probe: np.ndarray) -> bool:
    """1:1: does the probe match any enrolled face of the staff member?"""
    entries = [(sid, store.encoding_of(p)) for _, sid, p in await store.opened(ctx, [staff_id], modality="face")]
    if not entries:
        return False
    return Gallery.build(entries, version=0).verify(probe, staff_id, threshold=ctx.settings.face_threshold)


async def identify(
    ctx: AppContext,
    *,
    site_id: int,
    face_encoding: np.ndarray | bytes | None,
    fingerprint_record: FingerRecord | bytes | None,
    claimed_employee_no: str | None = None,
) -> Decision:
    """Decide a check-in at a site's terminal; malformed probes raise, non-matches are a rejected Decision."""
    s = ctx.settings
    face = domain.face_probe(face_encoding)
    finger = domain.finger_probe(fingerprint_record)
    claimed = bool(claimed_employee_no)

    def result(*, staff_id: int | None, face_ok: bool, finger_ok: bool, reason: str | None = None) -> Decision:
        accepted, why = domain.decide(policy=s.match_policy, claimed=claimed, face_passed=face_ok, fingerprint_passed=finger_ok)
        decision = Decision(
            accepted=accepted and reason is None, staff_id=staff_id if accepted and reason is None else None, face_passed=face_ok,
            fingerprint_passed=finger_ok, mode="verify" if claimed else "identify", policy=s.match_policy,
            threshold_version=s.threshold_version, reason=reason or why,
        )
        log.info("check-in decision at site %s: %s (%s, face=%s, fingerprint=%s)", site_id, "accepted" if decision.accepted else "rejected",
                 decision.reason, face_ok, finger_ok)
        return decision

    store.vault(ctx)
    if claimed:
        staff_id = (await org.staff_ids_by_employee_no([claimed_employee_no or ""])).get(claimed_employee_no or "")
        if staff_id is None:
            return result(staff_id=None, face_ok=False, finger_ok=False, reason="unknown_employee")
        face_ok = face is not None and await verify_face(ctx, staff_id, face)
        finger_ok = finger is not None and await verify_fingerprint(ctx, staff_id, finger)
        return result(staff_id=staff_id, face_ok=face_ok, finger_ok=finger_ok)
    if face is None:
        return result(staff_id=None, face_ok=False, finger_ok=False, reason="face_required")
    gallery = await site_gallery(ctx, site_id)
    match = gallery.search(face, threshold=s.face_threshold)
    if match is None:
        return result(staff_id=None, face_ok=False, finger_ok=False, reason="no_face_candidate")
    finger_ok = finger is not None and await verify_fingerprint(ctx, match.staff_id, finger)
    return result(staff_id=match.staff_id, face_ok=True, finger_ok=finger_ok)
