"""Pure biometric rules: template formats, the check-in policy, the score mapping of the calibration tool."""

from __future__ import annotations

from typing import Literal, overload

import numpy as np

from window_staff.biometrics.errors import EncodingInvalid
from window_staff.biometrics.face import ENCODING_DIM, encoding_from_bytes
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


@overload
def face_probe(value: None) -> None: ...


@overload
def face_probe(value: np.ndarray | bytes) -> np.ndarray: ...


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
            view = FingerView(
                position=position,
                view_number=view.view_number,
                impression_type=view.impression_type,
                quality=view.quality,
                minutiae=view.minutiae,
                extended_data=view.extended_data,
            )
        one = FingerRecord(
            capture_equipment=record.capture_equipment,
            width=record.width,
            height=record.height,
            x_resolution=record.x_resolution,
            y_resolution=record.y_resolution,
            views=(view,),
        )
        out.append((view, write_record(one)))
    return out


def face_score(distance: float) -> float:
    """The calibration tool's face score: 1 - Euclidean distance (higher = more alike)."""
    return 1.0 - float(distance)


# ISO/IEC 19794-2 finger positions, as people name them (zh-CN, English).
FINGER_NAMES: dict[int, tuple[str, str]] = {
    0: ("未指明的手指", "unspecified finger"),
    1: ("右手拇指", "right thumb"),
    2: ("右手食指", "right index finger"),
    3: ("右手中指", "right middle finger"),
    4: ("右手无名指", "right ring finger"),
    5: ("右手小指", "right little finger"),
    6: ("左手拇指", "left thumb"),
    7: ("左手食指", "left index finger"),
    8: ("左手中指", "left middle finger"),
    9: ("左手无名指", "left ring finger"),
    10: ("左手小指", "left little finger"),
}
# Usable minutiae regions (valid MCC cylinders) of one impression, graded for the enrolment desk.
GRADES = ("excellent", "good", "fair", "poor")
ImpressionGrade = Literal["excellent", "good", "fair", "poor"]
_GRADE_FLOORS: tuple[tuple[int, ImpressionGrade], ...] = ((35, "excellent"), (22, "good"), (12, "fair"))


def finger_name(position: int, *, lang: str = "zh") -> str:
    """A finger position in words."""
    zh, en = FINGER_NAMES.get(position, FINGER_NAMES[0])
    return en if lang == "en" else zh


def impression_grade(valid_cylinders: int | None) -> ImpressionGrade | None:
    """excellent / good / fair / poor from the impression's usable minutiae regions (None when unknown)."""
    if valid_cylinders is None:
        return None
    return next((grade for floor, grade in _GRADE_FLOORS if valid_cylinders >= floor), "poor")


def fingers_wanted(counts: dict[int, int], *, fingers: int, impressions: int) -> int:
    """How many more fingers must reach ``impressions`` impressions (unknown positions never count)."""
    return max(0, fingers - sum(1 for p, c in counts.items() if p and c >= impressions))
