"""Site galleries and the check-in decision: a face shortlist at the site, each candidate's fingerprint, one fused score.

Distances, similarities and fused scores stay inside the biometrics package: callers get a
``Decision`` that says who, which modalities agreed and under which threshold, never by how much.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from window_staff.biometrics import domain, fusion, mcc, store
from window_staff.biometrics.built import Finger, LoadStopped, RowKey, fingers_of
from window_staff.biometrics.gallery import Gallery, GalleryCache
from window_staff.biometrics.iso19794 import FingerRecord
from window_staff.biometrics.schemas import Decision
from window_staff.common.context import AppContext
from window_staff.org import service as org

log = logging.getLogger("window_staff.biometrics")
GALLERIES = "gallery_cache"
BUILT_AT_ENROLMENT = "fingerprint_templates_built_at_enrolment"
BUILT_AT_ENROLMENT_KEPT = 1024  # enrolled here, waiting for the next load of their site's gallery
CALIBRATION = "fusion_calibration"
DEFAULT_CALIBRATION = Path(__file__).resolve().parent / "data" / "fusion-dev-2026-12.json"


@dataclass(frozen=True, slots=True, eq=False)
class SiteTemplates:
    """A site's enrolled templates at one gallery version: the face gallery and every finger impression, built.

    Sized for the site: every impression of its active staff, each ~100 KB (``mcc.CompactTemplate``), so a centre
    of 450 staff enrolled with 2 fingers x 3 impressions holds ~270 MB, and a township centre of 30 about 18 MB.
    """

    version: int
    faces: Gallery
    fingers: Mapping[int, tuple[Finger, ...]]  # staff id -> impressions
    staff: frozenset[int]  # the site's active staff when loaded (with or without templates)
    built: Mapping[RowKey, Finger]  # carried to the next version: only impressions new to this process are built

    @property
    def staff_count(self) -> int:
        """People with a face enrolled at the site (the N of the threshold)."""
        return self.faces.staff_count

    @property
    def nbytes(self) -> int:
        """Bytes held by the face gallery and the built finger impressions (what the memory budget counts)."""
        return self.faces.nbytes + sum(t.nbytes for _, t in self.built.values())


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


def galleries(ctx: AppContext) -> GalleryCache[SiteTemplates]:
    """The process's per-site snapshots."""
    cache = ctx.resources.get(GALLERIES)
    if cache is None:
        cache = ctx.resources[GALLERIES] = GalleryCache(budget_bytes=ctx.settings.gallery_memory_mb * 1_000_000)
    return cache


def _built_at_enrolment(ctx: AppContext) -> OrderedDict[RowKey, Finger]:
    return ctx.resources.setdefault(BUILT_AT_ENROLMENT, OrderedDict())


def remember_built(ctx: AppContext, key: RowKey, finger: Finger) -> None:
    """An impression enrolled by this process, already built: the next load of its site takes it instead of building it."""
    kept = _built_at_enrolment(ctx)
    kept[key] = finger
    while len(kept) > BUILT_AT_ENROLMENT_KEPT:
        kept.popitem(last=False)


def _key(row: dict[str, Any]) -> RowKey:
    return store.sealed_key(
        staff_id=row["staff"], modality=row["modality"], version=row["version"], ciphertext=row["ciphertext"], nonce=row["nonce"]
    )


async def _load_site(ctx: AppContext, site_id: int, version: int, previous: SiteTemplates | None) -> SiteTemplates:
    staff_ids = await org.active_staff_ids_at_site(site_id)
    known = previous.built if previous is not None else {}
    handed = _built_at_enrolment(ctx)
    ready: dict[RowKey, Finger] = {}
    faces: list[tuple[int, np.ndarray]] = []
    order: list[tuple[int, RowKey]] = []  # (staff, fingerprint row) in id order: each person's impressions as enrolled
    started = time.perf_counter()
    built = 0
    # 500 people at a time: a chunk's sealed bytes are let go once its templates are open.
    async for rows in store.sealed_chunks(staff_ids):
        waiting: list[tuple[RowKey, dict[str, Any]]] = []
        for row in rows:
            if row["modality"] == "face":
                plain = store.open_row(ctx, row)
                if plain is not None:
                    faces.append((row["staff"], store.encoding_of(plain)))
                continue
            key = _key(row)
            order.append((row["staff"], key))
            if (hit := handed.pop(key, None) or known.get(key)) is not None:
                ready[key] = hit
            else:
                waiting.append((key, row))
        if waiting:
            opened, n = await fingers_of(ctx, waiting, site_id=site_id)
            ready.update(opened)
            built += n
    fingers: dict[int, list[Finger]] = {}
    for staff_id, key in order:
        finger = ready.get(key)
        if finger is not None:
            fingers.setdefault(staff_id, []).append(finger)
    # Stacking 100k rows takes ~0.1 s: keep it off the event loop.
    gallery = await asyncio.to_thread(Gallery.build, faces, version=version)
    megabytes = sum(t.nbytes for _, t in ready.values()) / 1e6
    log.info(
        "site %s gallery version %s: %d faces, %d finger impressions (%d built) in %.1f s, %.0f MB",
        site_id,
        version,
        len(faces),
        len(ready),
        built,
        time.perf_counter() - started,
        megabytes,
    )
    return SiteTemplates(
        version=version, faces=gallery, fingers={k: tuple(v) for k, v in fingers.items()}, staff=frozenset(staff_ids), built=ready
    )


async def site_templates(ctx: AppContext, site_id: int) -> SiteTemplates:
    """The site's templates, reloaded only when its gallery version in the database has changed (one read per call)."""
    store.vault(ctx)  # fail with VaultUnavailable before touching templates
    return await galleries(ctx).get(site_id, current_version=store.gallery_version, load=lambda s, v, prev: _load_site(ctx, s, v, prev))


async def site_gallery(ctx: AppContext, site_id: int) -> Gallery:
    """The site's face gallery at its current version."""
    return (await site_templates(ctx, site_id)).faces


async def warm(ctx: AppContext) -> None:
    """Load every site with enrolled templates (at start-up, so the first check-ins of the day build nothing)."""
    for site_id in await store.sites_with_galleries():
        if galleries(ctx).full():
            log.info("gallery memory budget reached at start-up: the other sites load on their first check-in")
            return
        try:
            await site_templates(ctx, site_id)
        except LoadStopped:
            return
        except Exception:  # a site that fails here loads (and says why) on its first check-in
            log.exception("gallery of site %s not loaded at start-up", site_id)


async def _claimed_elsewhere(ctx: AppContext, staff_id: int) -> tuple[list[tuple[int, np.ndarray]], tuple[Finger, ...]]:
    """A claimed person who is not on the terminal's site: their faces and built fingers, read for this decision only."""
    faces: list[tuple[int, np.ndarray]] = []
    rows: list[tuple[RowKey, dict[str, Any]]] = []
    for row in await store.sealed([staff_id]):
        if row["modality"] == "fingerprint":
            rows.append((_key(row), row))
        elif (plain := store.open_row(ctx, row)) is not None:
            faces.append((row["staff"], store.encoding_of(plain)))
    ready, _ = await fingers_of(ctx, rows, site_id=None) if rows else ({}, 0)
    return faces, tuple(ready[key] for key, _ in rows if key in ready)


def best_finger(probe: mcc.MccTemplate, *, position: int, enrolled: Sequence[Finger]) -> tuple[float | None, int]:
    """The best similarity against the enrolled impressions of the probe's finger (all fingers when unknown), and how many."""
    # Position 0 means "unknown finger": it is compared with every enrolled finger.
    same = [t for pos, t in enrolled if not position or not pos or pos == position]
    if not same:
        return None, 0
    return max(mcc.similarities(probe, same)), len(same)


def positions_of(enrolled: Sequence[Finger]) -> tuple[int, ...]:
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
        site = await site_templates(ctx, site_id)
        if staff_id in site.staff:
            own, enrolled = site.faces, {staff_id: site.fingers.get(staff_id, ())}
        else:
            elsewhere, fingers = await _claimed_elsewhere(ctx, staff_id)
            own, enrolled = Gallery.build(elsewhere, version=0), {staff_id: fingers}
        match = own.distance_to(face, staff_id) if face is not None else None
        if match is not None:
            distances = {staff_id: (match.distance, match.templates)}
    else:
        if face is None:
            return result("rejected", reason="face_required")
        site = await site_templates(ctx, site_id)
        gallery = site.faces
        n = max(1, gallery.staff_count)
        shortlist = gallery.shortlist(face, k=cal.shortlist, max_distance=cal.max_face_distance, exclude=exclude)
        if not shortlist:
            return result(
                "rejected", reason="no_face_candidate", n=n, threshold=fusion.threshold(cal, target_far=s.target_far, gallery_size=n)
            )
        ids = [m.staff_id for m in shortlist]
        distances = {m.staff_id: (m.distance, m.templates) for m in shortlist}
        enrolled = {sid: site.fingers.get(sid, ()) for sid in ids}
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
