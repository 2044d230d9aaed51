"""``window-staff biometrics evaluate``: the check-in decision measured as a terminal is used.

Chimeric people (a face identity paired with a finger identity) are enrolled through the real
enrolment code into a temporary database, then every remaining face photo of a person is paired with
every remaining finger impression of theirs and checked in through the real ``identify`` path at
their site. Each such probe is also checked in as an impostor: at the same site with its owner left
out of the shortlist, so every other enrolled person is a candidate (zero-effort impostors).
"""

from __future__ import annotations

import base64
import functools
import logging
import math
import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from window_staff.biometrics import datasets, fusion, samples
from window_staff.biometrics.iso19794 import FingerRecord
from window_staff.biometrics.pool import EncoderPool, fingerprint_pool
from window_staff.common.errors import DomainError
from window_staff.settings import Settings

log = logging.getLogger("window_staff.biometrics.evaluation")
EVAL_POSITION = 2  # every finger identity is enrolled as a right index finger


@dataclass(frozen=True, slots=True)
class Options:
    """What to evaluate and how many samples each person enrols."""

    faces: Path
    fingers: Path
    dpi: int = 500
    enrol_faces: int = 2
    enrol_fingers: int = 3
    iso: bool = False  # use the folder's ISO records (a terminal's own minutiae) instead of its images
    max_people: int | None = None


@dataclass(slots=True)
class Trial:
    """One probe (a face photo and a finger impression of one person) checked in as itself and as an impostor."""

    person: int
    outcome: str  # accepted | wrong_person | rejected | retry
    reason: str
    impostor_accepted: bool
    genuine_score: float  # the owner's fused score when both floors are met, else -inf
    impostor_score: float  # the best other candidate's fused score when both floors are met, else -inf


@dataclass(slots=True)
class Report:
    """Counts and rates of one evaluation."""

    people: int
    threshold: float
    threshold_version: str
    target_far: float
    trials: list[Trial] = field(default_factory=list)
    enrolment_failures: dict[str, int] = field(default_factory=dict)
    unused_identities: int = 0

    def count(self, outcome: str) -> int:
        """Genuine probes with this outcome."""
        return sum(t.outcome == outcome for t in self.trials)

    def as_dict(self) -> dict[str, Any]:
        """The figures as one JSON-ready object."""
        genuine = len(self.trials)
        retries = self.count("retry")
        decided = genuine - retries
        refused = self.count("rejected") + self.count("wrong_person")
        impostors = sum(t.outcome != "retry" for t in self.trials)
        false_accepts = sum(t.impostor_accepted for t in self.trials) + self.count("wrong_person")
        return {
            "people": self.people,
            "genuine_checkins": genuine,
            "genuine_refused": refused,
            "genuine_refusal_rate": refused / decided if decided else None,
            "genuine_refusal_rate_with_retries": (refused + retries) / genuine if genuine else None,
            "wrong_person_accepted": self.count("wrong_person"),
            "retries": retries,
            "retry_rate": retries / genuine if genuine else None,
            "impostor_checkins": impostors,
            "false_accepts": false_accepts,
            "false_accept_rate": false_accepts / impostors if impostors else None,
            # With no false accept in n tries, the rate is below 3/n at 95 % confidence (the rule of three).
            "false_accept_rate_upper_95": (3.0 / impostors if false_accepts == 0 else None) if impostors else None,
            "threshold": round(self.threshold, 4),
            "threshold_version": self.threshold_version,
            "target_far": self.target_far,
            "enrolment_failures": self.enrolment_failures,
            "unused_identities": self.unused_identities,
        }


def temporary_settings(settings: Settings, folder: Path) -> Settings:
    """The user's settings, pointed at a throw-away SQLite database and vault key in ``folder``."""
    return msgspec.structs.replace(
        settings,
        data_dir=folder,
        database_url=f"sqlite:///{folder / 'evaluate.sqlite3'}",
        vault_key_file=None,
        vault_key=base64.b64encode(secrets.token_bytes(32)).decode(),
        face_pool_warm=True,
    )


async def _enrol_people(
    ctx: Any,
    pairs: list[tuple[datasets.Identity, datasets.Identity]],
    *,
    faces: dict[Path, Any],
    fingers: dict[Path, Any],
    options: Options,
    failures: dict[str, int],
) -> list[tuple[int, list[Path], list[Path]]]:
    """Enrol each chimeric person (retaking a failed capture with the next sample); returns (staff id, face probes, finger probes)."""
    from window_staff.biometrics import service as biometrics
    from window_staff.biometrics.schemas import ConsentIn
    from window_staff.org import service as org
    from window_staff.org.schemas import DepartmentIn, SiteIn, StaffIn, WindowIn

    actor = "cli:evaluate"
    site = await org.create_site(ctx, SiteIn(code="EVAL", name="评测中心", kind="county_centre"), actor=actor)
    dept = await org.create_department(ctx, DepartmentIn(code="EVAL", name="评测"), actor=actor)
    window = await org.create_window(ctx, WindowIn(site_id=site.id, department_id=dept.id, number="1"), actor=actor)
    people = []
    for k, (face_id, finger_id) in enumerate(pairs):
        staff = await org.create_staff(
            ctx,
            StaffIn(employee_no=f"EV{k:05d}", name=f"受测者{k + 1}", department_id=dept.id, window_id=window.id, hired_on=date(2020, 1, 1)),
            actor=actor,
        )
        for modality in ("face", "fingerprint"):
            await biometrics.grant_consent(ctx, staff.id, ConsentIn(modality=modality, notice_version="evaluate"), actor=actor)
        face_left = await _enrol_each(
            face_id.samples, options.enrol_faces, failures, "face", functools.partial(_enrol_face_at, ctx, staff.id, faces)
        )
        finger_left = await _enrol_each(
            finger_id.samples, options.enrol_fingers, failures, "fingerprint", functools.partial(_enrol_finger_at, ctx, staff.id, fingers)
        )
        people.append((staff.id, face_left, finger_left))
    return people


async def _enrol_each(
    paths: tuple[Path, ...], wanted: int, failures: dict[str, int], modality: str, enrol: Callable[[Path], Any]
) -> list[Path]:
    """Enrol samples in order until ``wanted`` succeed; the rest are probes."""
    done = 0
    for i, path in enumerate(paths):
        if done == wanted:
            return list(paths[i:])
        try:
            await enrol(path)
            done += 1
        except DomainError as exc:
            key = f"{modality}:{exc.code}"
            failures[key] = failures.get(key, 0) + 1
    return []


async def _enrol_face_at(ctx: Any, staff_id: int, encodings: dict[Path, Any], path: Path) -> None:
    await _enrol_face(ctx, staff_id, encodings[path])


async def _enrol_finger_at(ctx: Any, staff_id: int, records: dict[Path, Any], path: Path) -> None:
    await _enrol_finger(ctx, staff_id, records[path])


async def _enrol_face(ctx: Any, staff_id: int, encoding: Any) -> None:
    from window_staff.biometrics import service as biometrics
    from window_staff.biometrics.errors import NoFaceFound

    if not isinstance(encoding, np.ndarray):
        raise NoFaceFound(code=str(encoding))
    await biometrics.enrol_face_encoding(ctx, staff_id, encoding=encoding, actor="cli:evaluate")


async def _enrol_finger(ctx: Any, staff_id: int, record: Any) -> None:
    from window_staff.biometrics import service as biometrics
    from window_staff.biometrics.errors import FingerprintImageInvalid

    if not isinstance(record, FingerRecord):
        raise FingerprintImageInvalid(code=str(record))
    await biometrics.enrol_fingerprint_record(ctx, staff_id, record=record, position=EVAL_POSITION, actor="cli:evaluate")


def _best(cal: fusion.Calibration, candidates: tuple[fusion.Candidate, ...], *, own: int | None = None, others: bool = False) -> float:
    """The fused score of the owner's candidate (or the best other one) when it meets both floors."""
    best = -math.inf
    for c in candidates:
        if (others and c.staff_id == own) or (not others and c.staff_id != own):
            continue
        if fusion.face_surprisal(cal, c) >= cal.face_floor and fusion.fingerprint_surprisal(cal, c) >= cal.fingerprint_floor:
            best = max(best, fusion.fused(cal, c))
    return best


async def _probe(ctx: Any, staff_id: int, face: Any, finger: Any) -> Trial:
    """Check one probe in as its owner, and as an impostor with its owner left out."""
    from window_staff.biometrics import matching

    if not isinstance(face, np.ndarray):
        return Trial(staff_id, "retry", f"face:{face}", False, -math.inf, -math.inf)
    if not isinstance(finger, FingerRecord):
        return Trial(staff_id, "retry", f"fingerprint:{finger}", False, -math.inf, -math.inf)
    cal = matching.calibration(ctx)
    genuine = await matching.assess(ctx, site_id=ctx.resources["evaluate_site"], face_encoding=face, fingerprint_record=finger)
    d = genuine.decision
    if d.retry:
        return Trial(staff_id, "retry", d.reason, False, -math.inf, -math.inf)
    outcome = "accepted" if d.accepted and d.staff_id == staff_id else "wrong_person" if d.accepted else "rejected"
    impostor = await matching.assess(
        ctx, site_id=ctx.resources["evaluate_site"], face_encoding=face, fingerprint_record=finger, exclude=frozenset({staff_id})
    )
    return Trial(
        staff_id,
        outcome,
        d.reason,
        impostor.decision.accepted,
        _best(cal, genuine.candidates, own=staff_id),
        _best(cal, impostor.candidates, own=staff_id, others=True),
    )


def evaluate(settings: Settings, options: Options, *, progress: Callable[[str], None] = lambda _: None) -> Report:
    """Run the whole protocol in a temporary database; returns the report (nothing of it is kept)."""
    import asyncio

    from window_staff.biometrics import matching
    from window_staff.biometrics.service import face_limits_of
    from window_staff.common.cli import run_job
    from window_staff.org import service as org

    faces = datasets.usable(datasets.read_identities(options.faces, suffixes=datasets.FACE_SUFFIXES), enrol=options.enrol_faces)
    fingers = datasets.usable(datasets.read_fingers(options.fingers, iso=options.iso), enrol=options.enrol_fingers)
    pairs = datasets.chimeric_pairs(faces, fingers)[: options.max_people]
    if len(pairs) < 2:
        raise ValueError(f"need at least two people: {len(faces)} face and {len(fingers)} finger identities have enough samples")

    async def extract() -> tuple[dict[Path, Any], dict[Path, Any]]:
        async with (
            EncoderPool(max_workers=settings.face_workers, max_queue=8) as face_pool,
            fingerprint_pool(
                max_workers=settings.fingerprint_workers, max_queue=8, defaults={"extractor": settings.fingerprint_extractor}
            ) as fp,
        ):
            progress(f"encoding {sum(len(f.samples) for f, _ in pairs)} face photos")
            encodings = await samples.encode_faces(face_pool, [p for f, _ in pairs for p in f.samples], limits=face_limits_of(settings))
            progress(f"extracting minutiae from {sum(len(g.samples) for _, g in pairs)} finger impressions")
            records = await samples.finger_records(fp, [p for _, g in pairs for p in g.samples], dpi=options.dpi)
        return encodings, records

    encodings, records = asyncio.run(extract())
    with tempfile.TemporaryDirectory(prefix="window-staff-evaluate-") as folder:
        os.chmod(folder, 0o700)
        temp = temporary_settings(settings, Path(folder))

        async def job(ctx: Any) -> Report:
            failures: dict[str, int] = {}
            progress(f"enrolling {len(pairs)} people")
            people = await _enrol_people(ctx, pairs, faces=encodings, fingers=records, options=options, failures=failures)
            site = (await org.site_of_staff(people[0][0])) or 0
            ctx.resources["evaluate_site"] = site
            gallery = await matching.site_gallery(ctx, site)
            cal = matching.calibration(ctx)
            n = max(1, gallery.staff_count)
            report = Report(
                people=len(people),
                threshold=fusion.threshold(cal, target_far=temp.target_far, gallery_size=n),
                threshold_version=matching.threshold_version(cal, target_far=temp.target_far, gallery_size=n),
                target_far=temp.target_far,
                enrolment_failures=failures,
                unused_identities=len(faces) + len(fingers) - 2 * len(pairs),
            )
            progress(f"checking in {sum(len(a) * len(b) for _, a, b in people)} probes, each as its owner and as an impostor")
            for staff_id, face_probes, finger_probes in people:
                for fp in face_probes:
                    for gp in finger_probes:
                        report.trials.append(await _probe(ctx, staff_id, encodings[fp], records[gp]))
            return report

        return run_job(temp, job, migrate=True)
