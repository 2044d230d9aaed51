"""Phone-size face photos: the working size (encoding drift, detection, time) and the cost of each format.

Run: uv run python bench/face_photos.py [--costs-only]   (data from $WINDOW_STAFF_SHARED_DATA, default <repo>/../shared/data)

Phone photos are simulated: each sample is upscaled to 12 and 48 MP with a little sensor-like grain.
Part 1 encodes every simulated photo at several working sizes and reports the distance to the
encoding of the original-resolution photo (same pipeline, no scaling). Part 2 runs ``encode_face``
with the service's defaults on a 12 MP and a 48 MP JPEG and a 24 MP WebP and PNG, each in a fresh
process, and reports wall time and the process's peak resident memory (VmHWM) above its baseline
(models loaded, file read).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from window_staff.biometrics.face import encode_face, preload
from window_staff.biometrics.service import face_limits_of
from window_staff.common.errors import DomainError
from window_staff.settings import Settings

DEFAULTS = face_limits_of(Settings())
WORKING_SIZES = (800, 1024, 1280, 1600, 2048)
SAMPLES = ("obama.jpg", "obama2.jpg", "obama-1080p.jpg", "biden.jpg", "alex-lacamoire.png", "lin-manuel-miranda.png")
SIDEWAYS = Image.Exif()
SIDEWAYS[0x0112] = 6  # stored turned left, shown turned right: how phones save portraits
LFW_PEOPLE = ("Colin_Powell", "Tony_Blair", "Hugo_Chavez", "Vladimir_Putin")


def shared_data() -> Path:
    """Where the third-party sample data lives (never inside the repository)."""
    return Path(os.environ.get("WINDOW_STAFF_SHARED_DATA", REPO.parent / "shared" / "data"))


def phone_photo(im: Image.Image, megapixels: float, *, seed: int = 0) -> Image.Image:
    """``im`` upscaled to about ``megapixels`` with Gaussian grain (sigma 3), like a phone's sensor noise."""
    k = (megapixels * 1e6 / (im.width * im.height)) ** 0.5
    big = np.asarray(im.resize((round(im.width * k), round(im.height * k)), Image.Resampling.BICUBIC), dtype=np.int16)
    grain = np.random.default_rng(seed).normal(0, 3, big.shape[:2] + (1,)).astype(np.int16)
    return Image.fromarray(np.clip(big + grain, 0, 255).astype(np.uint8))


def save(im: Image.Image, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **options)
    return buf.getvalue()


def encode(data: bytes, **overrides: object) -> tuple[np.ndarray | None, float, str]:
    """The encoding (or None), seconds taken, and the error code when it failed."""
    limits = {**DEFAULTS, "max_bytes": 10**9, **overrides}
    started = time.perf_counter()
    try:
        return encode_face(data, **limits), time.perf_counter() - started, ""
    except DomainError as exc:
        return None, time.perf_counter() - started, exc.code


def working_size_drift() -> None:
    """Part 1: distance from the original-resolution encoding, per working size, for 12 and 48 MP copies."""
    base = shared_data() / "faces"
    paths = [base / "face-recognition-examples" / name for name in SAMPLES]
    paths += [base / "lfw-subset" / person / f"{person}_0001.jpg" for person in LFW_PEOPLE]
    print(f"{'photo':26} {'MP':>3} " + " ".join(f"{w:>13}" for w in WORKING_SIZES))
    drifts: dict[int, list[float]] = {w: [] for w in WORKING_SIZES}
    times: dict[int, list[float]] = {w: [] for w in WORKING_SIZES}
    for path in paths:
        original = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
        reference, _, code = encode(path.read_bytes(), working_px=max(original.size), max_decoded_pixels=10**9)
        if reference is None:
            print(f"{path.name:26} reference failed: {code}")
            continue
        for megapixels in (12, 48):
            data = save(phone_photo(original, megapixels), "JPEG", quality=90)
            cells = []
            for working in WORKING_SIZES:
                vec, seconds, code = encode(data, working_px=working)
                if vec is None:
                    cells.append(f"{code[:13]:>13}")
                    continue
                drift = float(np.linalg.norm(vec - reference))
                drifts[working].append(drift)
                times[working].append(seconds)
                cells.append(f"{drift:.3f} {seconds:5.2f}s")
            print(f"{path.name[:26]:26} {megapixels:>3} " + " ".join(cells))
    print(f"{'median':30} " + " ".join(f"{np.median(drifts[w]):.3f} {np.median(times[w]):5.2f}s" for w in WORKING_SIZES))
    print(f"{'max':30} " + " ".join(f"{max(drifts[w]):.3f} {max(times[w]):5.2f}s" for w in WORKING_SIZES))


def memory_mb() -> tuple[int, int]:
    """This process's resident memory now and its peak (VmRSS, VmHWM), in MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024


def one_cost(path: str, reference: str, *, unscaled: bool) -> None:
    """In a fresh process: time, peak memory and drift of one encode_face (defaults, or unscaled for comparison)."""
    preload()
    data = Path(path).read_bytes()
    overrides = {"working_px": 10**6, "max_decoded_pixels": 10**9} if unscaled else {}
    # ru_maxrss survives exec (it would report the parent's peak): reset the kernel's peak instead.
    Path("/proc/self/clear_refs").write_text("5")
    baseline, _ = memory_mb()
    vec, seconds, code = encode(data, max_bytes=DEFAULTS["max_bytes"], **overrides)
    _, peak = memory_mb()
    with Image.open(path) as im:
        size = f"{im.width}x{im.height}"
    ref, _, _ = encode(Path(reference).read_bytes(), working_px=10**6, max_decoded_pixels=10**9)
    result = code if vec is None or ref is None else f"distance to the original {float(np.linalg.norm(vec - ref)):.3f}"
    label = Path(path).name + (" (unscaled)" if unscaled else "")
    print(f"{label:21} {size:>10} {len(data) / 2**20:5.1f} MiB  {seconds:5.2f} s  peak +{peak - baseline:4d} MB  {result}")


def format_costs(tmp: Path) -> None:
    """Part 2: a 12 and a 48 MP JPEG, a 24 MP WebP and PNG (6000x4000-class), each in its own process."""
    original = ImageOps.exif_transpose(Image.open(shared_data() / "faces" / "face-recognition-examples" / "obama.jpg")).convert("RGB")
    files = {
        "p12.jpg": (phone_photo(original, 12), "JPEG", {"quality": 90}),
        "p12s.jpg": (phone_photo(original, 12).transpose(Image.Transpose.ROTATE_90), "JPEG", {"quality": 90, "exif": SIDEWAYS}),
        "p48.jpg": (phone_photo(original, 48), "JPEG", {"quality": 90}),
        "p24.webp": (phone_photo(original, 23.9), "WEBP", {"quality": 85}),
        "p24.png": (phone_photo(original, 23.9), "PNG", {"compress_level": 1}),
    }
    for name, (im, fmt, options) in files.items():
        (tmp / name).write_bytes(save(im, fmt, **options))
    reference = shared_data() / "faces" / "face-recognition-examples" / "obama.jpg"
    for name in files:
        subprocess.run([sys.executable, __file__, "--one", str(tmp / name), str(reference)], check=True)
    subprocess.run([sys.executable, __file__, "--one", str(tmp / "p12.jpg"), str(reference), "--unscaled"], check=True)


def main() -> None:
    if len(sys.argv) >= 4 and sys.argv[1] == "--one":
        one_cost(sys.argv[2], sys.argv[3], unscaled="--unscaled" in sys.argv)
        return
    if not (shared_data() / "faces").is_dir():
        sys.exit(f"no face data at {shared_data() / 'faces'}")
    import tempfile

    preload()
    print("Part 1: distance to the original-resolution encoding, and time, per working size (longest side, px)")
    if "--costs-only" not in sys.argv:
        working_size_drift()
    print(f"\nPart 2: encode_face with the defaults ({DEFAULTS}), one fresh process per file;")
    print("peak = the process's peak resident memory above its baseline (models loaded, file read)")
    with tempfile.TemporaryDirectory() as tmp:
        format_costs(Path(tmp))


if __name__ == "__main__":
    main()
