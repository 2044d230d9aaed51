"""Face detection and 128-d dlib encodings, plus the wire format of encodings sent by terminals."""

from __future__ import annotations

import functools
import math
import warnings
from types import ModuleType

import numpy as np

from window_staff.biometrics.errors import EncodingInvalid, FaceBlurred, FaceTooSmall, MultipleFaces, NoFaceFound
from window_staff.biometrics.images import load_rgb

ENCODING_DIM = 128
ENCODING_BYTES = ENCODING_DIM * 4
# dlib descriptors are not unit vectors: their norms measured 1.29-1.50 on LFW and the sample faces.
# The band rejects zeros, scaled garbage and unit-normalised vectors (another pipeline's scale).
MIN_NORM = 1.1
MAX_NORM = 2.0
_MODELS = frozenset({"small", "large"})
# Sharp faces measured 0.007-0.29 on LFW and the face_recognition examples; a Gaussian blur of 3 px on a
# 250 px photo gave at most 0.003. Below this, ask for another photo rather than encode a smear.
MIN_SHARPNESS = 0.004
_WIRE_DTYPE = np.dtype("<f4")


@functools.cache
def _face_recognition() -> ModuleType:
    """Import face_recognition on first use: it loads ~100 MB of models, only encoder workers need it."""
    from PIL import ImageFile

    # face_recognition's import sets the process-global ImageFile.LOAD_TRUNCATED_IMAGES = True,
    # which would make Pillow pad truncated uploads with grey instead of failing: restore it.
    load_truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        with warnings.catch_warnings():
            # face_recognition_models still imports pkg_resources (setuptools<81 keeps it working).
            warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
            import face_recognition
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = load_truncated
    return face_recognition


def preload() -> None:
    """Load the detector and encoder models now (for pool initializers and warm-up)."""
    _face_recognition()


def encode_face(
    data: bytes,
    *,
    min_face_px: int,
    max_pixels: int,
    max_bytes: int,
    working_px: int,
    max_decoded_pixels: int,
    upsample: int = 0,
    model: str = "small",
) -> np.ndarray:
    """Decode an image holding exactly one face and return its float32 (128,) encoding."""
    if model not in _MODELS:
        raise ValueError(f"unknown landmark model {model!r}")
    if not 0 <= upsample <= 2:
        # Each upsample step costs ~3x; more than 2 is a denial of service, not a setting.
        raise ValueError("upsample must be 0, 1 or 2")
    # Photos are scaled down to working_px before detection, and min_face_px is measured there: the
    # encoder's evidence is the face it sees, not the pixels the phone captured.
    rgb = load_rgb(data, max_pixels=max_pixels, max_bytes=max_bytes, working_px=working_px, max_decoded_pixels=max_decoded_pixels)
    return encode_rgb(rgb, min_face_px=min_face_px, upsample=upsample, model=model)


def encode_rgb(rgb: np.ndarray, *, min_face_px: int, upsample: int = 0, model: str = "small") -> np.ndarray:
    """Encode the single face of an RGB uint8 array; see ``encode_face``."""
    fr = _face_recognition()
    boxes = fr.face_locations(rgb, number_of_times_to_upsample=upsample, model="hog")
    if not boxes:
        raise NoFaceFound()
    if len(boxes) > 1:
        raise MultipleFaces(faces=len(boxes))
    top, right, bottom, left = boxes[0]
    if min(bottom - top, right - left) < min_face_px:
        raise FaceTooSmall(min_face_px=min_face_px)
    if sharpness(rgb, boxes[0]) < MIN_SHARPNESS:
        raise FaceBlurred()
    # The landmark model is passed explicitly: face_recognition 1.3.0 defaults to "small" while its
    # docstring says "large", and the two give encodings ~0.13 apart that must never be mixed.
    encodings = fr.face_encodings(rgb, known_face_locations=[boxes[0]], num_jitters=1, model=model)
    return np.asarray(encodings[0], dtype=np.float32)


def sharpness(rgb: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Fine detail of the face: the Laplacian's variance over the face at 128 x 128, relative to its contrast."""
    from PIL import Image

    top, right, bottom, left = box
    h, w = rgb.shape[:2]
    crop = rgb[max(0, top) : min(h, bottom), max(0, left) : min(w, right)]
    if crop.size == 0:
        return 0.0
    a = np.asarray(Image.fromarray(crop).convert("L").resize((128, 128), Image.Resampling.BILINEAR), dtype=np.float64)
    lap = 4 * a[1:-1, 1:-1] - a[:-2, 1:-1] - a[2:, 1:-1] - a[1:-1, :-2] - a[1:-1, 2:]
    return float(lap.var() / max(a.var(), 1.0))


def encoding_from_bytes(raw: bytes) -> np.ndarray:
    """Parse 128 little-endian float32 values from a terminal, refusing anything implausible."""
    if len(raw) != ENCODING_BYTES:
        raise EncodingInvalid(expected_bytes=ENCODING_BYTES)
    vec = np.frombuffer(raw, dtype=_WIRE_DTYPE).astype(np.float32)
    if not np.all(np.isfinite(vec)):
        raise EncodingInvalid()
    norm = math.sqrt(float(np.dot(vec.astype(np.float64), vec.astype(np.float64))))
    if not MIN_NORM <= norm <= MAX_NORM:
        raise EncodingInvalid()
    return vec


def encoding_to_bytes(encoding: np.ndarray) -> bytes:
    """Serialise an encoding as 128 little-endian float32 values (512 bytes)."""
    vec = np.asarray(encoding)
    if vec.shape != (ENCODING_DIM,):
        raise EncodingInvalid()
    return vec.astype(_WIRE_DTYPE).tobytes()
