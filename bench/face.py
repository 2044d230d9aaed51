"""Face engine benchmark: LFW-subset accuracy (FAR/FRR/EER) and 1:N search speed.

Run: uv run python bench/face.py   (data from $WINDOW_STAFF_SHARED_DATA, default <repo>/../shared/data)
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from window_staff.biometrics.errors import EncoderBusy
from window_staff.biometrics.gallery import Gallery
from window_staff.biometrics.pool import EncoderPool
from window_staff.common.errors import DomainError

LIMITS = {
    "min_face_px": 60,
    "max_pixels": 20_000_000,
    "max_bytes": 10_000_000,
    "working_px": 1600,
    "max_decoded_pixels": 20_000_000,
    "upsample": 0,
    "model": "small",
}
THRESHOLDS = (0.40, 0.45, 0.50, 0.55, 0.60)
GALLERY_SIZES = (1_000, 10_000, 100_000)
ROWS_PER_STAFF = 3


def shared_data() -> Path:
    """Where the third-party sample data lives (never inside the repository)."""
    return Path(os.environ.get("WINDOW_STAFF_SHARED_DATA", REPO.parent / "shared" / "data"))


async def encode_all(paths: list[Path]) -> tuple[dict[Path, np.ndarray], Counter[str]]:
    """Encode every image once through the real pool; count failures by error code."""
    workers = max(1, os.cpu_count() or 1)
    encodings: dict[Path, np.ndarray] = {}
    failures: Counter[str] = Counter()
    async with EncoderPool(max_workers=workers, max_queue=workers * 4, defaults=LIMITS) as pool:
        sem = asyncio.Semaphore(workers * 4)  # stay under max_queue: this is a batch, not a burst test

        async def one(path: Path) -> None:
            async with sem:
                try:
                    encodings[path] = await pool.encode(path.read_bytes())
                except EncoderBusy:
                    raise
                except DomainError as exc:
                    failures[exc.code] += 1

        await asyncio.gather(*(one(p) for p in paths))
    return encodings, failures


def pair_distances(encodings: dict[Path, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Genuine = every pair within a person's folder; impostor = every pair across folders."""
    items = sorted(encodings.items())
    genuine, impostor = [], []
    for (pa, ea), (pb, eb) in itertools.combinations(items, 2):
        d = float(np.linalg.norm(ea.astype(np.float64) - eb.astype(np.float64)))
        (genuine if pa.parent == pb.parent else impostor).append(d)
    return np.array(genuine), np.array(impostor)


def equal_error_rate(genuine: np.ndarray, impostor: np.ndarray) -> tuple[float, float]:
    """EER and its threshold, by a fine sweep where FAR (accepting impostors) meets FRR."""
    grid = np.linspace(0.0, 1.2, 12_001)
    far = np.searchsorted(np.sort(impostor), grid, side="right") / impostor.size
    frr = 1.0 - np.searchsorted(np.sort(genuine), grid, side="right") / genuine.size
    i = int(np.argmin(np.abs(far - frr)))
    return float((far[i] + frr[i]) / 2), float(grid[i])


def accuracy(lfw: Path) -> np.ndarray:
    """Part (a): print FAR/FRR per threshold and the EER; return the real encodings for part (b)."""
    paths = sorted(lfw.glob("*/*.jpg"))
    started = time.perf_counter()
    encodings, failures = asyncio.run(encode_all(paths))
    elapsed = time.perf_counter() - started
    people = len({p.parent for p in paths})
    print(
        f"(a) LFW subset: {len(paths)} images of {people} people, encoded in {elapsed:.1f} s "
        f"(HOG upsample 0, model 'small', {os.cpu_count()} workers)"
    )
    print(f"    failed to encode: {sum(failures.values())} {dict(failures) or ''} (excluded from the pairs)")
    genuine, impostor = pair_distances(encodings)
    print(f"    pairs: {genuine.size} genuine, {impostor.size} impostor")
    print("    threshold    FAR %     FRR %")
    for t in THRESHOLDS:
        far = 100.0 * np.mean(impostor <= t)
        frr = 100.0 * np.mean(genuine > t)
        print(f"    {t:9.2f} {far:8.2f} {frr:9.2f}")
    eer, at = equal_error_rate(genuine, impostor)
    print(f"    EER {100 * eer:.2f} % at threshold {at:.3f}")
    return np.stack(list(encodings.values()))


def timed_pair(fa, fb, probes: np.ndarray, *, rounds: int = 3) -> tuple[float, float, int]:
    """Median seconds per query of two searches, interleaved per query so that load from other
    processes on the machine hits both alike; also how many answers agree."""
    fa(probes[0]), fb(probes[0])  # warm-up (BLAS threads, page faults)
    ta, tb, same = [], [], 0
    for _ in range(rounds):
        for probe in probes:
            t0 = time.perf_counter()
            a = fa(probe)
            t1 = time.perf_counter()
            b = fb(probe)
            t2 = time.perf_counter()
            ta.append(t1 - t0)
            tb.append(t2 - t1)
            same += a == b
    return float(np.median(ta)), float(np.median(tb)), same // rounds


def search_speed(real: np.ndarray) -> None:
    """Part (b): Gallery.search vs face_recognition.face_distance + argmin on the same data."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
        import face_recognition

    rng = np.random.default_rng(42)
    # ~0.35 from their source face: a crowd of look-alikes, the hard case for ranking.
    sigma = 0.35 / np.sqrt(128)
    print(f"\n(b) 1:N search, {ROWS_PER_STAFF} encodings per staff member, median per query")
    print("    gallery   queries   Gallery.search   face_distance+argmin   ratio   same answers")
    for size in GALLERY_SIZES:
        base = real[rng.integers(len(real), size=size)].astype(np.float64)
        rows = base + rng.normal(scale=sigma, size=base.shape)
        staff = np.arange(size) // ROWS_PER_STAFF
        gallery = Gallery.build(zip(staff.tolist(), rows, strict=True), version=1)
        known = rows  # what a face_recognition user holds: float64 encodings
        queries = 50 if size < 100_000 else 20
        probes = rows[rng.integers(size, size=queries)] + rng.normal(scale=sigma / 2, size=(queries, 128))

        def ours(p: np.ndarray, gallery: Gallery = gallery) -> int:
            match = gallery.search(p.astype(np.float32), threshold=10.0)
            return -1 if match is None else match.staff_id

        def theirs(p: np.ndarray, staff: np.ndarray = staff, known: np.ndarray = known) -> int:
            return int(staff[int(np.argmin(face_recognition.face_distance(known, p)))])

        t_ours, t_theirs, same = timed_pair(ours, theirs, probes)
        print(f"    {size:7d} {queries:9d} {1e3 * t_ours:13.3f} ms {1e3 * t_theirs:19.3f} ms {t_theirs / t_ours:7.1f}x   {same}/{queries}")


def main() -> int:
    """Run both parts; exit 0 with a message when the shared data is not there."""
    lfw = shared_data() / "faces" / "lfw-subset"
    if not lfw.is_dir():
        print(f"LFW subset not found at {lfw}; set WINDOW_STAFF_SHARED_DATA. Nothing to benchmark.")
        return 0
    started = time.perf_counter()
    real = accuracy(lfw)
    search_speed(real)
    print(f"\ntotal {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
