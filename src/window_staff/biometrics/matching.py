"""Site galleries and the check-in decision: a face shortlist at the site, each candidate's fingerprint, one fused score.

Distances, similarities and fused scores stay inside the biometrics package: callers get a
``Decision`` that says who, which modalities agreed and under which threshold, never by how much.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from window_staff.biometrics import domain, fusion, mcc, store
from window_staff.biometrics.gallery import Gallery, GalleryCache
from window_staff.biometrics.iso19794 import FingerRecord, parse_record
from window_staff.biometrics.schemas import Decision
from window_staff.common.context import AppContext
from window_staff.org import service as org

log = logging.getLogger("window_staff.biometrics")
GALLERIES = "gallery_cache"
FINGER_CACHE = "fingerprint_template_cache"
CALIBRATION = "fusion_calibration"
FINGER_CACHE_SIZE = 4096  # MCC templates of enrolled fingers; rows never change, only get deleted
DEFAULT_CALIBRATION = Path(__file__).resolve().parent / "data" / "fusion-dev-2026-12.json"


def calibration(ctx: AppContext) -> fusion.Calibration:
    """The fusion calibration in force (the configured file, else the one shipped), read once per process."""
    path = ctx.settings.biometric_calibration or DEFAULT_CALIBRATION
    cached = ctx.resources.get(CALIBRATION)
    if cached is None or cached[0] != path:
        cached = (path, fusion.load_calibration(path))
        ctx.resources[CALIBRATION] = cached
    return cached[1]


def threshold_version(cal: fusion.Calibration, *, target_far: float, gallery_size: int) -> str:
    """What a decision records: the calibration, the target and the gallery size fix the threshold exactly."""
    return f"{cal.version}/far{target_far:.0e}/n{gallery_size}"[:64]


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


async def finger_templates(ctx: AppContext, staff_ids: list[int]) -> dict[int, list[tuple[int, mcc.MccTemplate]]]:
    """Each person's enrolled fingers as (finger position, MCC template), read in one query and cached by content."""
    cache: OrderedDict[bytes, tuple[int, mcc.MccTemplate]] = ctx.resources.setdefault(FINGER_CACHE, OrderedDict())
    out: dict[int, list[tuple[int, mcc.MccTemplate]]] = {sid: [] for sid in staff_ids}
    missing: list[tuple[bytes, int, bytes]] = []
    for _, staff_id, plain in await store.opened(ctx, staff_ids, modality="fingerprint"):
        # Keyed by content, not row id: SQLite may reuse the id of a deleted last row.
        key = hashlib.sha256(plain).digest()
        hit = cache.get(key)
        if hit is None:
            missing.append((key, staff_id, plain))
        else:
            cache.move_to_end(key)
            out[staff_id].append(hit)
    if missing:

        def build() -> list[tuple[int, mcc.MccTemplate]]:
            built = []
            for _, _, plain in missing:
                record = parse_record(plain)
                built.append((record.views[0].position, mcc.build_template(record)))
            return built

        for (key, staff_id, _), entry in zip(missing, await asyncio.to_thread(build), strict=True):
            cache[key] = entry
            out[staff_id].append(entry)
            if len(cache) > FINGER_CACHE_SIZE:
                cache.popitem(last=False)
    return out


def best_finger(probe: mcc.MccTemplate, *, position: int, enrolled: list[tuple[int, mcc.MccTemplate]]) -> tuple[float | None, int]:
    """The best similarity against the enrolled impressions of the probe's finger (all fingers when unknown), and how many."""
    # Position 0 means "unknown finger": it is compared with every enrolled finger.
    same = [t for pos, t in enrolled if not position or not pos or pos == position]
    if not same:
        return None, 0
    return max(mcc.similarity(probe, t) for t in same), len(same)


def positions_of(enrolled: list[tuple[int, mcc.MccTemplate]]) -> tuple[int, ...]:
    """The known finger positions among enrolled templates, in ISO order."""
    return tuple(sorted({pos for pos, _ in enrolled if pos}))


@dataclass(frozen=True, slots=True)
class Assessment:
    """A decision with what it was taken on (for the evaluation tool; never leaves the package)."""

    decision: Decision
    candidates: tuple[fusion.Candidate, ...]
    threshold: float
    gallery_size: int


async def identify(
    ctx: AppContext,
    *,
    site_id: int,
    face_encoding: np.ndarray | bytes | None,
    fingerprint_record: FingerRecord | bytes | None,
    claimed_employee_no: str | None = None,
) -> Decision:
    """Decide a check-in at a site's terminal; malformed probes raise, poor ones get a retry, non-matches a rejected Decision."""
    return (
        await assess(
            ctx,
            site_id=site_id,
            face_encoding=face_encoding,
            fingerprint_record=fingerprint_record,
            claimed_employee_no=claimed_employee_no,
        )
    ).decision


async def assess(
    ctx: AppContext,
    *,
    site_id: int,
    face_encoding: np.ndarray | bytes | None,
    fingerprint_record: FingerRecord | bytes | None,
    claimed_employee_no: str | None = None,
    exclude: frozenset[int] = frozenset(),
) -> Assessment:
    """``identify`` with its candidates; ``exclude`` leaves people out of the shortlist (impostor trials of the evaluation)."""
    s = ctx.settings
    cal = calibration(ctx)
    face = domain.face_probe(face_encoding)
    finger = domain.finger_probe(fingerprint_record)
    claimed = bool(claimed_employee_no)
    store.vault(ctx)
    probe = await asyncio.to_thread(mcc.build_template, finger) if finger is not None and finger.views else None
    position = finger.views[0].position if finger is not None and finger.views else 0

    def result(
        outcome: str,
        *,
        staff_id: int | None = None,
        reason: str,
        face_ok: bool = False,
        finger_ok: bool = False,
        n: int = 1,
        positions: tuple[int, ...] = (),
        threshold: float = 0.0,
        candidates: tuple[fusion.Candidate, ...] = (),
    ) -> Assessment:
        decision = Decision(
            accepted=outcome == "accepted",
            retry=outcome == "retry",
            staff_id=staff_id if outcome == "accepted" else None,
            face_passed=face_ok,
            fingerprint_passed=finger_ok,
            mode="verify" if claimed else "identify",
            policy=s.match_policy,
            threshold_version=threshold_version(cal, target_far=s.target_far, gallery_size=n),
            reason=reason,
            enrolled_positions=positions,
        )
        log.info(
            "check-in decision at site %s: %s (%s, face=%s, fingerprint=%s, candidates=%d)",
            site_id,
            outcome,
            reason,
            face_ok,
            finger_ok,
            len(candidates),
        )
        return Assessment(decision=decision, candidates=candidates, threshold=threshold, gallery_size=n)

    if claimed:
        staff_id = (await org.staff_ids_by_employee_no([claimed_employee_no or ""])).get(claimed_employee_no or "")
        if staff_id is None:
            return result("rejected", reason="unknown_employee")
        ids, distances, n = [staff_id], {}, 1
        if face is not None:
            own = [(sid, store.encoding_of(p)) for _, sid, p in await store.opened(ctx, [staff_id], modality="face")]
            if own:
                match = Gallery.build(own, version=0).shortlist(face, k=1, max_distance=float("inf"))
                distances = {m.staff_id: (m.distance, m.templates) for m in match}
    else:
        if face is None:
            return result("rejected", reason="face_required")
        gallery = await site_gallery(ctx, site_id)
        n = max(1, gallery.staff_count)
        shortlist = gallery.shortlist(face, k=cal.shortlist, max_distance=cal.max_face_distance, exclude=exclude)
        if not shortlist:
            return result(
                "rejected", reason="no_face_candidate", n=n, threshold=fusion.threshold(cal, target_far=s.target_far, gallery_size=n)
            )
        ids = [m.staff_id for m in shortlist]
        distances = {m.staff_id: (m.distance, m.templates) for m in shortlist}
    enrolled = await finger_templates(ctx, ids)
    positions = tuple(sorted({p for sid in ids for p in positions_of(enrolled[sid])}))
    if finger is not None and (probe is None or probe.n_valid < s.fingerprint_min_cylinders):
        # Too little ridge detail to tell anyone apart: ask for another touch, not a refusal.
        return result("retry", reason="fingerprint_quality", n=n, positions=positions, face_ok=bool(distances))
    if probe is not None:
        # MCC similarity is a few milliseconds per candidate: off the event loop, so other check-ins are not held up.
        scores = await asyncio.to_thread(lambda: [best_finger(probe, position=position, enrolled=enrolled[sid]) for sid in ids])
    else:
        scores = [(None, 0)] * len(ids)
    candidates = []
    for sid, (similarity, m) in zip(ids, scores, strict=True):
        distance, faces = distances.get(sid, (None, 0))
        candidates.append(
            fusion.Candidate(staff_id=sid, face_distance=distance, face_templates=faces, finger_similarity=similarity, finger_templates=m)
        )
    limit = fusion.threshold(cal, target_far=s.target_far, gallery_size=n)
    single = claimed and s.match_policy == "claimed_fallback"
    outcome = fusion.decide(candidates, calibration=cal, threshold=limit, single_modality=single)
    reason = outcome.reason
    if claimed and outcome.staff_id is None and reason != "ambiguous":
        # One person was claimed, so say which of their modalities did not agree.
        flags = (outcome.face_passed, outcome.fingerprint_passed)
        reason = {(True, False): "fingerprint_mismatch", (False, True): "face_mismatch", (False, False): "no_match"}.get(
            flags, "not_confident"
        )
    return result(
        "accepted" if outcome.staff_id is not None else "rejected",
        staff_id=outcome.staff_id,
        reason=reason,
        face_ok=outcome.face_passed,
        finger_ok=outcome.fingerprint_passed,
        n=n,
        positions=positions,
        threshold=limit,
        candidates=tuple(candidates),
    )
