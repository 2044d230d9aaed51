"""``window-staff enroll`` and ``window-staff biometrics ...``: batch enrolment and calibration tools."""

from __future__ import annotations

import argparse
import getpass
import itertools
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from window_staff.common.cli import replace_settings, run_job
from window_staff.common.context import AppContext
from window_staff.common.spreadsheet import write_csv
from window_staff.settings import Settings


def cmd_enroll(args: argparse.Namespace, settings: Settings) -> int:
    """Enrol staff from a manifest; prints a per-person quality report; exit 1 if anyone needs a look."""
    from tqdm import tqdm

    from window_staff.biometrics import batch, service as biometrics
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
    # File names come from the pairs file: written as text a spreadsheet never runs (the scores are numbers).
    rows = ((a, b, None if score is None else Decimal(f"{score:.6f}")) for a, b, score in scorer.run(pairs))
    write_csv(sys.stdout, itertools.chain([("a", "b", "score")], rows))
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
    print(
        f"threshold for FMR <= {args.target_fmr:g}: {result['threshold']:.6f} (FMR {result['fmr_at_threshold'] * 100:.3f}%, FNMR "
        f"{result['fnmr_at_threshold'] * 100:.3f}%)"
    )
    if args.modality == "face":
        print(f"as a face distance: {1.0 - result['threshold']:.6f}")
    print("check-ins are decided on both modalities together: see `window-staff biometrics fit` and `evaluate`")
    return 0


def _finger_dirs(args: argparse.Namespace) -> list[tuple[Path, int]]:
    """Each --fingers folder with its --dpi (one --dpi serves all; otherwise one per folder, in order)."""
    dirs = [Path(d) for d in args.fingers]
    dpis = args.dpi or [500]
    if len(dpis) not in (1, len(dirs)):
        raise SystemExit("error: give one --dpi for all --fingers folders, or one per folder")
    return list(zip(dirs, dpis * len(dirs) if len(dpis) == 1 else dpis, strict=True))


def cmd_fit(args: argparse.Namespace, settings: Settings) -> int:
    """Fit a fusion calibration on labelled faces and fingers; write it as JSON (HR's own, or the shipped one)."""
    import asyncio

    from window_staff.biometrics import datasets, fusion, samples
    from window_staff.biometrics.pool import EncoderPool, fingerprint_pool
    from window_staff.biometrics.service import face_limits_of

    try:
        faces = datasets.read_identities(Path(args.faces), suffixes=datasets.FACE_SUFFIXES)
        fingers = [(datasets.read_fingers(d, iso=args.iso), dpi) for d, dpi in _finger_dirs(args)]
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    async def job() -> fusion.Calibration:
        async with (
            EncoderPool(max_workers=settings.face_workers, max_queue=8) as face_pool,
            fingerprint_pool(max_workers=settings.fingerprint_workers, max_queue=8) as finger_pool,
        ):
            encodings = await samples.encode_faces(face_pool, [p for i in faces for p in i.samples], limits=face_limits_of(settings))
            records: dict[Path, Any] = {}
            for idents, dpi in fingers:
                records.update(await samples.finger_records(finger_pool, [p for i in idents for p in i.samples], dpi=dpi))
        face_scores = samples.face_impostor_scores(faces, encodings)
        finger_scores = samples.finger_impostor_scores([g for idents, _ in fingers for g in samples.by_folder(idents)], records)
        print(f"impostor comparisons: faces {face_scores.size}, fingers {finger_scores.size}", file=sys.stderr)
        return samples.fit(face_scores, finger_scores, version=args.version, made_from=args.made_from or "")

    try:
        cal = asyncio.run(job())
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = fusion.dump_calibration(cal)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"calibration {cal.version} written to {args.output}; use it with WINDOW_STAFF_BIOMETRIC_CALIBRATION={args.output}")
    else:
        sys.stdout.write(text)
    return 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f} %"


def format_report(r: dict[str, Any], *, enrol_faces: int, enrol_fingers: int) -> str:
    """The evaluation as a table a person can read."""
    upper = f" (below {_pct(r['false_accept_rate_upper_95'])} at 95 % confidence)" if r["false_accept_rate_upper_95"] is not None else ""
    failures = ", ".join(f"{k} x{v}" for k, v in sorted(r["enrolment_failures"].items())) or "none"
    lines = [
        f"people: {r['people']} (a face identity paired with a finger identity), {enrol_faces} face photos and "
        f"{enrol_fingers} finger impressions enrolled each; identities left unpaired: {r['unused_identities']}",
        f"threshold: {r['threshold']} ({r['threshold_version']}), target false-accept rate {r['target_far']:g} per check-in",
        "",
        f"{'':32}{'count':>8}  rate",
        f"{'genuine check-ins':32}{r['genuine_checkins']:>8}",
        f"{'  refused (of those decided)':32}{r['genuine_refused']:>8}  {_pct(r['genuine_refusal_rate'])}",
        f"{'  refused, retries counted too':32}{'':>8}  {_pct(r['genuine_refusal_rate_with_retries'])}",
        f"{'  accepted as someone else':32}{r['wrong_person_accepted']:>8}",
        f"{'  asked to retry (poor capture)':32}{r['retries']:>8}  {_pct(r['retry_rate'])}",
        f"{'impostor check-ins':32}{r['impostor_checkins']:>8}",
        f"{'  false accepts':32}{r['false_accepts']:>8}  {_pct(r['false_accept_rate'])}{upper}",
        "",
        f"captures retaken at enrolment: {failures}",
    ]
    return "\n".join(lines)


def cmd_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    """Measure the check-in decision on labelled folders as a terminal uses it; print the figures (or JSON)."""
    import json

    from window_staff.biometrics import evaluation

    if args.target_far is not None:
        settings = replace_settings(settings, target_far=args.target_far)
    if args.calibration:
        settings = replace_settings(settings, biometric_calibration=Path(args.calibration))
    options = evaluation.Options(
        faces=Path(args.faces),
        fingers=Path(args.fingers),
        dpi=args.dpi[0] if args.dpi else 500,
        enrol_faces=args.enrol_faces,
        enrol_fingers=args.enrol_fingers,
        iso=args.iso,
        max_people=args.max_people,
    )
    say = (lambda _: None) if args.json else (lambda text: print(text, file=sys.stderr, flush=True))
    try:
        report = evaluation.evaluate(settings, options, progress=say)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    figures = report.as_dict()
    if args.plot:
        from window_staff.biometrics import det

        det.draw(
            Path(args.plot),
            genuine=[t.genuine_score for t in report.trials if t.outcome != "retry"],
            impostor=[t.impostor_score for t in report.trials if t.outcome != "retry"],
            operating=(figures["false_accept_rate"] or 0.0, figures["genuine_refusal_rate"] or 0.0),
            title=f"{report.people} people, {report.threshold_version}",
        )
        say(f"DET curve written to {args.plot}")
    print(
        json.dumps(figures, ensure_ascii=False)
        if args.json
        else format_report(figures, enrol_faces=args.enrol_faces, enrol_fingers=args.enrol_fingers)
    )
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
    fit = bio.add_parser("fit", help="fit the fused decision's calibration on labelled face and finger folders (impostor scores only)")
    fit.add_argument("--faces", required=True, help="face photos: one sub-folder per identity, or NAME_N files")
    fit.add_argument("--fingers", required=True, action="append", help="fingerprint images or ISO records (repeat for several scanners)")
    fit.add_argument(
        "--dpi", type=int, action="append", help="scanner resolution of the fingerprint images (one for all, or one per --fingers)"
    )
    fit.add_argument("--iso", action="store_true", help="use the folders' ISO 19794-2 records instead of their images")
    fit.add_argument("--version", required=True, help="a name recorded on every decision taken with this calibration")
    fit.add_argument("--made-from", help="a line saying which data it was fitted on")
    fit.add_argument("--output", help="write the JSON here (default: print it)")
    fit.set_defaults(func=cmd_fit)
    ev = bio.add_parser("evaluate", help="measure genuine refusals, false accepts and retries as terminals check people in")
    ev.add_argument("--faces", required=True, help="face photos: one sub-folder per identity, or NAME_N files")
    ev.add_argument("--fingers", required=True, help="fingerprint images (or ISO records): one sub-folder per finger, or FINGER_N files")
    ev.add_argument("--dpi", type=int, action="append", help="scanner resolution of the fingerprint images (default 500)")
    ev.add_argument("--enrol-faces", type=int, default=2, help="face photos enrolled per person (default 2)")
    ev.add_argument("--enrol-fingers", type=int, default=3, help="finger impressions enrolled per person (default 3)")
    ev.add_argument("--iso", action="store_true", help="use the folder's ISO 19794-2 records instead of its images")
    ev.add_argument("--target-far", type=float, help="target false-accept rate per check-in (default: the setting, 1e-4)")
    ev.add_argument("--calibration", help="a calibration file from `biometrics fit` (default: the one in force)")
    ev.add_argument("--max-people", type=int, help="evaluate at most this many people")
    ev.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    ev.add_argument("--plot", help="draw the DET curve into this PNG file")
    ev.set_defaults(func=cmd_evaluate)
