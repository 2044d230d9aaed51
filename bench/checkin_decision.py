"""Check-in decisions on the development sets, as terminals use them: today's fused decision beside yesterday's gates.

Run: uv run python bench/checkin_decision.py [--sets DB1_B,DB2_B,DB3_B,DB4_B] [--faces DIR]
Data: $WINDOW_STAFF_SHARED_DATA (default <repo>/../shared/data): the LFW subset's faces paired with
each FVC2002 B set's fingers (chimeric people).

- fused: ``window-staff biometrics evaluate`` itself (LEADER minutiae, 2 faces and 3 impressions
  enrolled through the real enrolment code, the fused decision at the default target).
- gates: yesterday's pipeline on the same people and probes: mindtct minutiae, the face nearest
  within 0.45, then that person's fingerprint at MCC 0.12 or more; with 1 face + 1 impression
  enrolled (as it was used) and with 2 + 3 (to tell the enrolment's part from the decision's).
Genuine refusal rates exclude captures asked to retry (both pipelines see the same failed encodings).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from window_staff.biometrics import datasets, evaluation, mcc, samples
from window_staff.biometrics.gallery import Gallery
from window_staff.biometrics.pool import EncoderPool, fingerprint_pool
from window_staff.biometrics.service import face_limits_of
from window_staff.settings import get_settings

SETS = ("DB1_B", "DB2_B", "DB3_B", "DB4_B")
DPI = {"DB2_B": 569}
FACE_GATE, FINGER_GATE = 0.45, 0.12  # yesterday's WINDOW_STAFF_FACE_THRESHOLD / _FINGERPRINT_THRESHOLD


def shared() -> Path:
    """The shared data folder."""
    env = os.environ.get("WINDOW_STAFF_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "data"


def gates(pairs, encodings: dict, records: dict, *, faces: int, fingers: int) -> dict[str, float]:
    """Yesterday's decision over the same chimeric people: refusal rate, false-accept rate, counts."""
    people = []
    for k, (face_id, finger_id) in enumerate(pairs):
        face_ok = [p for p in face_id.samples if isinstance(encodings.get(p), np.ndarray)]
        finger_ok = [p for p in finger_id.samples if records.get(p) is not None and not isinstance(records[p], str)]
        enrolled_faces, face_probes = face_ok[:faces], [p for p in face_id.samples if p not in face_ok[:faces]]
        enrolled_fingers, finger_probes = finger_ok[:fingers], [p for p in finger_id.samples if p not in finger_ok[:fingers]]
        people.append((k, enrolled_faces, face_probes, [mcc.build_template(records[p]) for p in enrolled_fingers], finger_probes))
    gallery = Gallery.build([(k, encodings[p]) for k, fs, _, _, _ in people for p in fs], version=0)
    templates = {k: t for k, _, _, t, _ in people}
    refused = accepted_wrong = tries = false_accepts = impostor_tries = retries = 0
    for k, _, face_probes, _, finger_probes in people:
        for fp in face_probes:
            for gp in finger_probes:
                if not isinstance(encodings.get(fp), np.ndarray) or isinstance(records.get(gp), str):
                    retries += 1
                    continue
                probe = mcc.build_template(records[gp])
                tries += 1
                impostor_tries += 1
                for exclude, genuine in ((frozenset(), True), (frozenset({k}), False)):
                    best = gallery.shortlist(encodings[fp], k=1, max_distance=FACE_GATE, exclude=exclude)
                    ok = bool(best) and max((mcc.similarity(probe, t) for t in templates[best[0].staff_id]), default=0.0) >= FINGER_GATE
                    who = best[0].staff_id if ok else None
                    if genuine:
                        refused += who != k
                        accepted_wrong += who is not None and who != k
                    else:
                        false_accepts += who is not None
    return {
        "refused": refused / tries if tries else 0.0,
        "far": false_accepts / impostor_tries if impostor_tries else 0.0,
        "tries": tries,
        "false_accepts": false_accepts + accepted_wrong,
        "retries": retries,
    }


async def extract(pairs, *, dpi: int) -> tuple[dict, dict]:
    """Face encodings and mindtct records of every sample (yesterday's extractor)."""
    settings = get_settings()
    async with (
        EncoderPool(max_workers=settings.face_workers, max_queue=8) as face_pool,
        fingerprint_pool(max_workers=2, max_queue=8, defaults={"extractor": "mindtct"}) as finger_pool,
    ):
        encodings = await samples.encode_faces(face_pool, [p for f, _ in pairs for p in f.samples], limits=face_limits_of(settings))
        records = await samples.finger_records(finger_pool, [p for _, g in pairs for p in g.samples], dpi=dpi)
    return encodings, records


def main(argv: list[str] | None = None) -> int:
    """Print the table: fused decision against yesterday's gates, per set, with the ratio of refusals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--faces", help="face folder (default: the LFW subset in the shared data)")
    args = parser.parse_args(argv)
    root = shared()
    faces_dir = Path(args.faces) if args.faces else root / "faces" / "lfw-subset"
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    finger_root = root / "fingerprints" / "fvc2002"
    if not faces_dir.is_dir() or any(not (finger_root / s).is_dir() for s in names):
        print(f"development data not found under {root}; set WINDOW_STAFF_SHARED_DATA. Nothing to do.")
        return 0
    settings = get_settings()
    print(f"genuine refusal rate (of decided check-ins) / false accepts; target false-accept rate {settings.target_far:g} per check-in")
    head = f"{'set':6} | {'fused 2+3 (today)':>26} | {'gates 1+1 (yesterday)':>22} | {'gates 2+3':>18} | {'refusals fused/gates 1+1':>24}"
    print(head)
    print("-" * len(head))
    totals = {"fused": [], "g11": [], "g23": []}
    for name in names:
        dpi = DPI.get(name, 500)
        report = evaluation.evaluate(settings, evaluation.Options(faces=faces_dir, fingers=finger_root / name, dpi=dpi)).as_dict()
        faces = datasets.usable(datasets.read_identities(faces_dir, suffixes=datasets.FACE_SUFFIXES), enrol=2)
        fingers = datasets.usable(datasets.read_fingers(finger_root / name), enrol=3)
        pairs = datasets.chimeric_pairs(faces, fingers)
        encodings, records = asyncio.run(extract(pairs, dpi=dpi))
        g11 = gates(pairs, encodings, records, faces=1, fingers=1)
        g23 = gates(pairs, encodings, records, faces=2, fingers=3)
        fused = report["genuine_refusal_rate"] or 0.0
        totals["fused"].append(fused)
        totals["g11"].append(g11["refused"])
        totals["g23"].append(g23["refused"])
        ratio = fused / g11["refused"] if g11["refused"] else float("nan")
        print(
            f"{name:6} | {100 * fused:6.2f} % {report['false_accepts']:>3} FA of {report['impostor_checkins']:>4} "
            f"| {100 * g11['refused']:6.2f} % {g11['false_accepts']:>3} FA of {g11['tries']:>4} "
            f"| {100 * g23['refused']:6.2f} % {g23['false_accepts']:>3} FA | {ratio:24.2f}",
            flush=True,
        )
    mean = {k: float(np.mean(v)) for k, v in totals.items()}
    print("-" * len(head))
    ratio = mean["fused"] / mean["g11"] if mean["g11"] else float("nan")
    print(
        f"{'mean':6} | {100 * mean['fused']:6.2f} %{'':18} | {100 * mean['g11']:6.2f} %{'':14} | {100 * mean['g23']:6.2f} %{'':10} | "
        f"{ratio:24.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
