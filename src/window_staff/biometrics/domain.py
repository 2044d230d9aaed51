"""Pure biometric rules: template formats, the check-in policy, the score mapping of the calibration tool."""

from __future__ import annotations

import numpy as np

from window_staff.biometrics.face import ENCODING_DIM, encoding_from_bytes
from window_staff.biometrics.errors import EncodingInvalid
from window_staff.biometrics.iso19794 import FingerRecord, FingerView, parse_record, write_record

MODALITIES = ("face", "fingerprint")
# Template format versions, bound into each ciphertext's associated data: a format change gets a
# new number, and old rows then refuse to decrypt as the new format instead of being misread.
FACE_VERSION = 1  # 128 little-endian float32, dlib "small" landmark model, 1 jitter
FINGERPRINT_VERSION = 1  # one-view ISO/IEC 19794-2:2005 record
ISO_MAGIC = b"FMR\x00"

POLICIES = ("face_and_fingerprint", "claimed_fallback")


def is_iso_record(data: bytes) -> bool:
    """True when the bytes start like an ISO 19794-2 record (anything else is treated as an image)."""
    return data[:4] == ISO_MAGIC


def face_probe(value: np.ndarray | bytes | None) -> np.ndarray | None:
    """A face probe as float32 (128,): wire bytes are validated, arrays checked for shape."""
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return encoding_from_bytes(bytes(value))
    vec = np.asarray(value, dtype=np.float32)
    if vec.shape != (ENCODING_DIM,) or not np.all(np.isfinite(vec)):
        raise EncodingInvalid()
    return vec


def finger_probe(value: FingerRecord | bytes | None) -> FingerRecord | None:
    """A fingerprint probe as a parsed record (strictly validated when given as bytes)."""
    if value is None or isinstance(value, FingerRecord):
        return value
    return parse_record(bytes(value))


def single_views(record: FingerRecord, *, position: int | None = None) -> list[tuple[FingerView, bytes]]:
    """Split a record into one-view records (one template per finger impression), with their bytes."""
    out = []
    for view in record.views:
        if position is not None:
            view = FingerView(position=position, view_number=view.view_number, impression_type=view.impression_type,
                              quality=view.quality, minutiae=view.minutiae, extended_data=view.extended_data)
        one = FingerRecord(capture_equipment=record.capture_equipment, width=record.width, height=record.height,
                           x_resolution=record.x_resolution, y_resolution=record.y_resolution, views=(view,))
        out.append((view, write_record(one)))
    return out


def decide(*, policy: str, claimed: bool, face_passed: bool, fingerprint_passed: bool) -> tuple[bool, str]:
    """Apply the match policy; returns (accepted, reason code)."""
    if policy not in POLICIES:
        raise ValueError(f"unknown match policy {policy!r}")
    if face_passed and fingerprint_passed:
        return True, "accepted"
    if policy == "claimed_fallback" and claimed and (face_passed or fingerprint_passed):
        return True, "accepted"
    if not face_passed and not fingerprint_passed:
        return False, "no_match"
    return False, "fingerprint_mismatch" if face_passed else "face_mismatch"


def face_score(distance: float) -> float:
    """The calibration tool's face score: 1 - Euclidean distance (higher = more alike)."""
    return 1.0 - float(distance)


def face_threshold_as_score(distance_threshold: float) -> float:
    """A distance threshold expressed on the ``face_score`` scale."""
    return 1.0 - distance_threshold
