"""FVC2002 B-set benchmark: minutiae extractors and matchers side by side, in one process.

Run: uv run python bench/fingerprint_fvc.py [--sets DB1_B,DB2_B,DB3_B,DB4_B] [--leader-thresholds 0.3,0.45,0.55]
Data: $WINDOW_STAFF_SHARED_DATA/fingerprints/fvc2002 (default <repo>/../shared/data).

Columns, all on the same impressions:
- mindtct + MCC: yesterday's pipeline (the baseline of the ratio);
- LEADER + MCC at each detection threshold (the first one is the service's default, tuned here);
- SDK + MCC: the commercial ISO records beside the images, as a terminal that sends its own minutiae;
- mindtct + bozorth3: NIST's own matcher, for reference.
EER uses the FVC protocol (280 genuine, 45 impostor); FMR100/FMR1000 use the extended 2,880
cross-finger impostor pairs, because 45 impostors cannot resolve an FMR below 2.2 %.
"""

from __future__ import annotations

import argparse
import itertools
import os
import struct
import sys
import time
from dataclasses import replace
from pathlib import Path

# Small matrix products thrash when OpenBLAS spreads them over busy cores: time one thread, as the
# service runs many matches side by side anyway. Must be set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from window_staff.biometrics import leader, mcc
from window_staff.biometrics.calibration import eer, fnmr_at_fmr
from window_staff.biometrics.iso19794 import FingerRecord, parse_record
from window_staff.biometrics.minutiae import _get_extractor, extract_minutiae

SETS = ("DB1_B", "DB2_B", "DB3_B", "DB4_B")
DPI = {"DB2_B": 569}  # the TIFF dpi tag is a dummy; FVC2002 DB2 is 569 dpi, the others 500
FINGERS = range(101, 111)
IMPRESSIONS = range(1, 9)


def data_root() -> Path:
    """Folder holding fingerprints/fvc2002, from WINDOW_STAFF_SHARED_DATA or ../shared/data."""
    env = os.environ.get("WINDOW_STAFF_SHARED_DATA")
    base = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "data"
    return base / "fingerprints" / "fvc2002"


def protocol_pairs() -> tuple[list, list, list]:
    """Genuine (280), FVC impostor (45) and extended impostor (2,880) pairs of (finger, impression)."""
    genuine = [((f, i), (f, j)) for f in FINGERS for i, j in itertools.combinations(IMPRESSIONS, 2)]
    impostor = [((f, 1), (g, 1)) for f, g in itertools.combinations(FINGERS, 2)]
    extended = [((f, i), (g, j)) for f, g in itertools.combinations(FINGERS, 2) for i in IMPRESSIONS for j in IMPRESSIONS]
    return genuine, impostor, extended


def nbis_flavoured(record: FingerRecord) -> bytes:
    """The layout nbis-py's own loader reads (its malformed 'ISO'), to feed bozorth3 our minutiae."""
    mins = sorted(record.views[0].minutiae, key=lambda m: (m.x, m.y))  # bozorth3 is order-sensitive
    body = b"".join(struct.pack(">HHBB", m.kind << 14 | m.x, m.y, m.angle, m.quality) for m in mins)
    # nbis-py: 24-byte header with zero resolutions, then a 16-bit count, minutiae, no trailer.
    head = b"FMR\x00 20\x00" + struct.pack(">IHHHHHHH", 26 + len(body), 0, record.width, record.height, 0, 0, 0, len(mins))
    return head + body


def above(record: FingerRecord, threshold: float) -> FingerRecord:
    """The record's minutiae detected at ``threshold`` or more (LEADER's quality is its detection score)."""
    view = record.views[0]
    kept = tuple(m for m in view.minutiae if m.quality >= round(threshold * 100))
    return replace(record, views=(replace(view, minutiae=kept),))


def extract(folder: Path, *, dpi: int, extractor: str, threshold: float = leader.DETECTION_THRESHOLD) -> tuple[dict, float]:
    """Every impression's record, and the mean milliseconds per image."""
    start = time.perf_counter()
    records = {
        (f, i): extract_minutiae((folder / f"{f}_{i}.tif").read_bytes(), dpi=dpi, extractor=extractor, threshold=threshold)
        for f in FINGERS
        for i in IMPRESSIONS
    }
    return records, 1000 * (time.perf_counter() - start) / len(records)


def indicators(gen: np.ndarray, imp: np.ndarray, ext: np.ndarray) -> tuple[float, float, float]:
    """EER (FVC protocol), FMR100 and FMR1000 (extended impostors), as percentages."""
    return 100 * eer(gen, imp), 100 * fnmr_at_fmr(gen, ext, 0.01), 100 * fnmr_at_fmr(gen, ext, 0.001)


def score(templates: dict, match) -> tuple[tuple[float, float, float], float]:
    """The indicators of one matcher on one set of templates, and its mean milliseconds per comparison."""
    genuine, impostor, extended = protocol_pairs()
    ext_index = {p: k for k, p in enumerate(extended)}
    start = time.perf_counter()
    gen = np.array([match(templates[a], templates[b]) for a, b in genuine])
    ext = np.array([match(templates[a], templates[b]) for a, b in extended])
    ms = 1000 * (time.perf_counter() - start) / (len(genuine) + len(extended))
    return indicators(gen, ext[[ext_index[p] for p in impostor]], ext), ms


def run_set(name: str, folder: Path, *, thresholds: list[float]) -> dict:
    """Every column of one set."""
    dpi = DPI.get(name, 500)
    out: dict = {}
    mindtct, out["mindtct_ms"] = extract(folder, dpi=dpi, extractor="mindtct")
    out["mindtct"], out["mcc_ms"] = score({k: mcc.build_template(r) for k, r in mindtct.items()}, mcc.similarity)
    lowest, out["leader_ms"] = extract(folder, dpi=dpi, extractor="leader", threshold=min(thresholds))
    for t in thresholds:
        records = {k: above(r, t) for k, r in lowest.items()}
        out[f"leader@{t:g}"], _ = score({k: mcc.build_template(r) for k, r in records.items()}, mcc.similarity)
        out[f"minutiae@{t:g}"] = float(np.mean([len(r.views[0].minutiae) for r in records.values()]))
    sdk = {(f, i): parse_record((folder / f"{f}_{i}.iso").read_bytes()) for f in FINGERS for i in IMPRESSIONS}
    out["sdk"], _ = score({k: mcc.build_template(r) for k, r in sdk.items()}, mcc.similarity)
    nbis = _get_extractor()
    out["bozorth3"], out["bz3_ms"] = score(
        {k: nbis.load_iso_19794_2_2005(nbis_flavoured(r)) for k, r in mindtct.items()}, lambda a, b: float(a.compare(b))
    )
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the EER/FMR100/FMR1000 table for the chosen sets, with LEADER against yesterday's mindtct."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated, e.g. DB1_B,DB3_B")
    parser.add_argument(
        "--leader-thresholds", default="0.3,0.45,0.55", help="LEADER detection thresholds; the first is the default's column"
    )
    args = parser.parse_args(argv)
    root = data_root()
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    thresholds = [float(t) for t in args.leader_thresholds.split(",") if t.strip()]
    unknown = [s for s in names if s not in SETS]
    if unknown:
        parser.error(f"unknown sets {unknown}; choose from {', '.join(SETS)}")
    missing = [s for s in names if not (root / s).is_dir()]
    if missing:
        print(
            f"FVC2002 data not found under {root} (missing {', '.join(missing)}); "
            "set WINDOW_STAFF_SHARED_DATA to the shared data folder. Nothing to do."
        )
        return 0
    columns = ["mindtct"] + [f"leader@{t:g}" for t in thresholds] + ["sdk", "bozorth3"]
    labels = {
        "mindtct": "mindtct+MCC",
        "sdk": "SDK iso+MCC",
        "bozorth3": "mindtct+bz3",
        **{f"leader@{t:g}": f"LEADER {t:g}+MCC" for t in thresholds},
    }
    print("EER % (FVC protocol) / FMR100 % / FMR1000 % (extended impostors); each column on the same impressions")
    head = f"{'set':7}" + "".join(f" | {labels[c]:>19}" for c in columns)
    print(head)
    print("-" * len(head))
    rows = []
    for name in names:
        r = run_set(name, root / name, thresholds=thresholds)
        rows.append(r)
        print(f"{name:7}" + "".join(f" | {r[c][0]:5.2f} {r[c][1]:5.2f} {r[c][2]:5.2f} " for c in columns), flush=True)
    print("-" * len(head))
    means = {c: np.mean([r[c] for r in rows], axis=0) for c in columns}
    print(f"{'mean':7}" + "".join(f" | {means[c][0]:5.2f} {means[c][1]:5.2f} {means[c][2]:5.2f} " for c in columns))
    base = np.maximum(means["mindtct"], 1e-9)
    print(
        f"{'ratio':7}"
        + "".join(f" | {means[c][0] / base[0]:5.2f} {means[c][1] / base[1]:5.2f} {means[c][2] / base[2]:5.2f} " for c in columns)
        + "  (against mindtct+MCC)"
    )
    counts = ", ".join(f"{t:g}: {np.mean([r[f'minutiae@{t:g}'] for r in rows]):.1f}" for t in thresholds)
    print(f"mean minutiae per impression, LEADER at {counts}")
    print(
        f"extraction per image: LEADER {np.mean([r['leader_ms'] for r in rows]):.0f} ms, mindtct "
        f"{np.mean([r['mindtct_ms'] for r in rows]):.0f} ms; "
        f"1:1 match: MCC {np.mean([r['mcc_ms'] for r in rows]):.2f} ms, bozorth3 {np.mean([r['bz3_ms'] for r in rows]):.2f} ms"
    )
    best = min((c for c in columns if c.startswith("leader@")), key=lambda c: (means[c][0], means[c][2]))
    print(f"lowest mean EER among the LEADER thresholds: {labels[best]} (the service uses {leader.DETECTION_THRESHOLD:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
