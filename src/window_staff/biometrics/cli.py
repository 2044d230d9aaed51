"""``window-staff enroll`` and ``window-staff biometrics ...``: batch enrolment and calibration tools."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from window_staff.common.cli import run_job
from window_staff.common.context import AppContext
from window_staff.settings import Settings


def cmd_enroll(args: argparse.Namespace, settings: Settings) -> int:
    """Enrol staff from a manifest; prints a per-person quality report; exit 1 if anyone needs a look."""
    from tqdm import tqdm

    from window_staff.biometrics import batch
    from window_staff.biometrics import service as biometrics
    from window_staff.biometrics.manifest import load_manifest
    from window_staff.common.errors import DomainError

    try:
        entries = load_manifest(Path(args.manifest))
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    actor = f"cli:enroll:{getpass.getuser()}"

    async def job(ctx: AppContext) -> list[batch.PersonReport]:
        await biometrics.start(ctx)
        try:
            with tqdm(total=len(entries), unit="person", desc="enrolling", file=sys.stderr, disable=args.quiet) as bar:
                return await batch.enrol_manifest(ctx, entries, actor=actor, progress=lambda _: bar.update(1))
        finally:
            await biometrics.stop(ctx)

    try:
        reports = run_job(settings, job)
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(batch.format_report(reports))
    return 0 if all(r.ok for r in reports) else 1


def cmd_score(args: argparse.Namespace, settings: Settings) -> int:
    """Print ``a,b,score`` for every pair (higher = more alike); empty score when a file has no template."""
    import csv

    from window_staff.biometrics.scores import Scorer, read_pairs

    pairs_path = Path(args.pairs)
    try:
        pairs = read_pairs(pairs_path)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from window_staff.biometrics.service import face_limits_of

    # Data sets on disk are not uploads: the byte cap is only a sanity bound here.
    limits = {**face_limits_of(settings), "max_bytes": max(settings.face_image_limit_bytes, 50_000_000)}
    scorer = Scorer(args.modality, base=pairs_path.parent, dpi=args.dpi, face_limits=limits)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["a", "b", "score"])
    for a, b, score in scorer.run(pairs):
        out.writerow([a, b, "" if score is None else f"{score:.6f}"])
    for name, reason in scorer.failures.items():
        print(f"warning: no template from {name}: {reason}", file=sys.stderr)
    return 0


def cmd_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    """Print EER, FMR100, FMR1000 and the threshold for a target false-match rate."""
    from window_staff.biometrics.scores import calibrate, read_scores

    try:
        genuine, skipped_g = read_scores(Path(args.genuine))
        impostor, skipped_i = read_scores(Path(args.impostor))
        result = calibrate(genuine, impostor, target_fmr=args.target_fmr)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"modality: {args.modality}")
    print(f"genuine scores: {len(genuine)} (skipped {skipped_g}), impostor scores: {len(impostor)} (skipped {skipped_i})")
    print(f"EER: {result['eer'] * 100:.3f}%")
    print(f"FMR100: {result['fmr100'] * 100:.3f}%")
    print(f"FMR1000: {result['fmr1000'] * 100:.3f}%")
    print(f"threshold for FMR <= {args.target_fmr:g}: {result['threshold']:.6f} (FMR {result['fmr_at_threshold'] * 100:.3f}%, FNMR {result['fnmr_at_threshold'] * 100:.3f}%)")
    if args.modality == "face":
        print(f"as a face distance: WINDOW_STAFF_FACE_THRESHOLD={1.0 - result['threshold']:.6f}")
    else:
        print(f"as a setting: WINDOW_STAFF_FINGERPRINT_THRESHOLD={result['threshold']:.6f}")
    return 0


def add_commands(sub: Any) -> None:
    """Add ``enroll`` and ``biometrics score|calibrate`` to the main parser."""
    enroll = sub.add_parser("enroll", help="enrol staff biometrics from a manifest (see enrollment/README.md)")
    enroll.add_argument("manifest", help="a .toml or .csv manifest")
    enroll.add_argument("--quiet", action="store_true", help="no progress bar")
    enroll.set_defaults(func=cmd_enroll)
    bio = sub.add_parser("biometrics", help="calibration tools").add_subparsers(dest="biometrics_command", required=True)
    score = bio.add_parser("score", help="print a,b,score for image pairs (higher = more alike; face: 1 - distance)")
    score.add_argument("--modality", choices=["face", "fingerprint"], required=True)
    score.add_argument("--pairs", required=True, help="CSV with columns a,b (paths; fingerprints may be .iso records)")
    score.add_argument("--dpi", type=int, default=500, help="fingerprint image resolution (default 500)")
    score.set_defaults(func=cmd_score)
    cal = bio.add_parser("calibrate", help="EER, FMR100, FMR1000 and the threshold for a target FMR")
    cal.add_argument("--modality", choices=["face", "fingerprint"], required=True)
    cal.add_argument("--genuine", required=True, help="CSV of genuine scores (column score, or one bare column)")
    cal.add_argument("--impostor", required=True, help="CSV of impostor scores")
    cal.add_argument("--target-fmr", type=float, default=0.001, help="target false-match rate (default 0.001)")
    cal.set_defaults(func=cmd_calibrate)
