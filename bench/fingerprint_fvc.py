"""FVC2002 B-set benchmark: our MCC (LSS-R) against NIST bozorth3 on the same mindtct minutiae.

Run: uv run python bench/fingerprint_fvc.py [--sets DB1_B,DB2_B,DB3_B,DB4_B]
Data: $WINDOW_STAFF_SHARED_DATA/fingerprints/fvc2002 (default <repo>/../shared/data).
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
from pathlib import Path

# Small matrix products thrash when OpenBLAS spreads them over busy cores: time one thread, as the
# service runs many matches side by side anyway. Must be set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from window_staff.biometrics import mcc  # noqa: E402
from window_staff.biometrics.calibration import eer, fnmr_at_fmr  # noqa: E402
from window_staff.biometrics.iso19794 import FingerRecord  # noqa: E402
from window_staff.biometrics.minutiae import _get_extractor, extract_minutiae  # noqa: E402

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


def load_set(folder: Path, *, dpi: int) -> dict:
    """Extract our minutiae record for every impression of a set."""
    return {
        (f, i): extract_minutiae((folder / f"{f}_{i}.tif").read_bytes(), dpi=dpi) for f in FINGERS for i in IMPRESSIONS
    }


def score_pairs(templates: dict, pairs: list, match) -> np.ndarray:
    """Score each pair with ``match(a, b)``."""
    return np.array([match(templates[a], templates[b]) for a, b in pairs], dtype=np.float64)


def indicators(gen: np.ndarray, imp: np.ndarray, ext: np.ndarray) -> tuple[float, float, float]:
    """EER (FVC protocol), FMR100 and FMR1000 (extended impostors), as percentages."""
    return 100 * eer(gen, imp), 100 * fnmr_at_fmr(gen, ext, 0.01), 100 * fnmr_at_fmr(gen, ext, 0.001)


def timed(match, templates: dict, pairs: list) -> tuple[np.ndarray, float]:
    """Scores and mean milliseconds per comparison."""
    start = time.perf_counter()
    scores = score_pairs(templates, pairs, match)
    return scores, 1000 * (time.perf_counter() - start) / len(pairs)


def run_set(name: str, folder: Path, *, params: mcc.MccParams = mcc.DEFAULT_PARAMS) -> dict:
    """Extract, build both kinds of templates and score one set."""
    records = load_set(folder, dpi=DPI.get(name, 500))
    genuine, impostor, extended = protocol_pairs()
    all_pairs = genuine + extended  # the 45 FVC impostors are a subset of the extended ones
    ext_index = {p: k for k, p in enumerate(extended)}
    imp_rows = [ext_index[p] for p in impostor]
    t0 = time.perf_counter()
    ours = {k: mcc.build_template(r, params=params) for k, r in records.items()}
    build_ms = 1000 * (time.perf_counter() - t0) / len(records)
    extractor = _get_extractor()
    theirs = {k: extractor.load_iso_19794_2_2005(nbis_flavoured(r)) for k, r in records.items()}
    result = {"build_ms": build_ms, "minutiae": np.mean([len(r.views[0].minutiae) for r in records.values()])}
    for label, tpl, match in (
        ("mcc", ours, lambda a, b: mcc.similarity(a, b, params=params)),
        ("bz3", theirs, lambda a, b: float(a.compare(b))),
    ):
        scores, ms = timed(match, tpl, all_pairs)
        gen, ext = scores[: len(genuine)], scores[len(genuine) :]
        result[label] = indicators(gen, ext[imp_rows], ext)
        result[label + "_ms"] = ms
    return result


def main(argv: list[str] | None = None) -> int:
    """Print the EER/FMR100/FMR1000 table for the chosen sets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated, e.g. DB1_B,DB3_B")
    args = parser.parse_args(argv)
    root = data_root()
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [s for s in names if s not in SETS]
    if unknown:
        parser.error(f"unknown sets {unknown}; choose from {', '.join(SETS)}")
    missing = [s for s in names if not (root / s).is_dir()]
    if missing:
        print(f"FVC2002 data not found under {root} (missing {', '.join(missing)}); "
              "set WINDOW_STAFF_SHARED_DATA to the shared data folder. Nothing to do.")
        return 0
    head = f"{'set':8} {'minu':>5} | {'MCC EER':>8} {'FMR100':>7} {'FMR1000':>8} | {'bz3 EER':>8} {'FMR100':>7} {'FMR1000':>8}"
    print(head)
    print("-" * len(head))
    rows = []
    for name in names:
        r = run_set(name, root / name)
        rows.append(r)
        print(f"{name:8} {r['minutiae']:5.1f} | {r['mcc'][0]:7.2f}% {r['mcc'][1]:6.2f}% {r['mcc'][2]:7.2f}% | "
              f"{r['bz3'][0]:7.2f}% {r['bz3'][1]:6.2f}% {r['bz3'][2]:7.2f}%", flush=True)
    ours = np.mean([r["mcc"] for r in rows], axis=0)
    theirs = np.mean([r["bz3"] for r in rows], axis=0)
    print("-" * len(head))
    print(f"{'mean':8} {'':5} | {ours[0]:7.2f}% {ours[1]:6.2f}% {ours[2]:7.2f}% | "
          f"{theirs[0]:7.2f}% {theirs[1]:6.2f}% {theirs[2]:7.2f}%")
    ratio = ours / np.maximum(theirs, 1e-9)
    print(f"{'ratio':8} {'':5} | {ratio[0]:8.2f} {ratio[1]:7.2f} {ratio[2]:8.2f} | (MCC / bozorth3)")
    mcc_ms = np.mean([r["mcc_ms"] for r in rows])
    bz_ms = np.mean([r["bz3_ms"] for r in rows])
    build = np.mean([r["build_ms"] for r in rows])
    print(f"1:1 match time: MCC {mcc_ms:.2f} ms, bozorth3 {bz_ms:.2f} ms (MCC template build {build:.1f} ms)")
    goals = ours[0] < theirs[0] and ours[0] <= 3.0 and mcc_ms < 2.0
    print(f"goals (mean EER < bozorth3, <= 3 %, 1:1 < 2 ms): {'met' if goals else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
