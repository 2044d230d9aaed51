"""The calibration tool: score image pairs in one process, and turn score lists into error rates.

Every score is a similarity (higher = more alike). Fingerprints: the MCC similarity in [0, 1].
Faces: ``1 - Euclidean distance`` between dlib encodings, so a face distance threshold ``d`` is
the score threshold ``1 - d`` (``face_threshold = 1 - t``).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from window_staff.biometrics import calibration, domain, face, mcc
from window_staff.biometrics.iso19794 import parse_record
from window_staff.biometrics.minutiae import extract_minutiae
from window_staff.common.errors import DomainError
from window_staff.settings import Settings


def _resolve(raw: str, base: Path) -> Path:
    p = Path(raw)
    if p.is_absolute() or p.exists():
        return p
    return base / p  # relative to the CSV's folder when not found from the working directory


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """The ``a,b`` rows of a pairs CSV (a header row with columns a and b is required)."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"a", "b"} <= set(reader.fieldnames):
            raise ValueError(f"{path}: the pairs file needs a header with columns a,b")
        return [(row["a"].strip(), row["b"].strip()) for row in reader if row.get("a") and row.get("b")]


class Scorer:
    """Scores pairs of one modality, extracting each file's template once."""

    def __init__(self, modality: str, *, base: Path, dpi: int = 500, face_limits: dict[str, Any] | None = None) -> None:
        if modality not in domain.MODALITIES:
            raise ValueError(f"modality must be face or fingerprint, got {modality!r}")
        self.modality = modality
        self.base = base
        self.dpi = dpi
        # Photos are scaled to the service's working size, so calibrated distances are the ones it will see.
        defaults = Settings()
        self.face_limits = face_limits or {
            "min_face_px": 40,
            "max_pixels": defaults.face_max_pixels,
            "max_bytes": 50_000_000,
            "working_px": defaults.face_working_px,
            "max_decoded_pixels": defaults.face_max_decoded_pixels,
        }
        self._cache: dict[str, Any] = {}
        self.failures: dict[str, str] = {}

    def template(self, name: str) -> Any:
        """The file's encoding or MCC template, or None when it cannot be extracted (reason in ``failures``)."""
        if name in self._cache:
            return self._cache[name]
        result: np.ndarray | mcc.MccTemplate | None = None
        try:
            data = _resolve(name, self.base).read_bytes()
            if self.modality == "face":
                result = face.encode_face(data, **self.face_limits)
            else:
                record = parse_record(data) if domain.is_iso_record(data) else extract_minutiae(data, dpi=self.dpi)
                result = mcc.build_template(record)
        except OSError as exc:
            self.failures[name] = f"cannot read: {exc.strerror}"
        except DomainError as exc:
            self.failures[name] = exc.code
        self._cache[name] = result
        return result

    def score(self, a: str, b: str) -> float | None:
        """Similarity of two files, or None when either has no template."""
        ta, tb = self.template(a), self.template(b)
        if ta is None or tb is None:
            return None
        if self.modality == "face":
            distance = float(np.linalg.norm(ta.astype(np.float64) - tb.astype(np.float64)))
            return domain.face_score(distance)
        return mcc.similarity(ta, tb)

    def run(self, pairs: list[tuple[str, str]]) -> Iterator[tuple[str, str, float | None]]:
        """Score every pair in order."""
        for a, b in pairs:
            yield a, b, self.score(a, b)


def read_scores(path: Path) -> tuple[list[float], int]:
    """Scores from a CSV with a ``score`` column (``biometrics score`` output) or one bare column; returns (scores, skipped)."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        return [], 0
    header = [c.strip() for c in rows[0]]
    column, body = (header.index("score"), rows[1:]) if "score" in header else (0, rows)
    scores, skipped = [], 0
    for row in body:
        try:
            value = float(row[column])
        except (IndexError, ValueError):
            skipped += 1
            continue
        if math.isfinite(value):
            scores.append(value)
        else:
            skipped += 1
    return scores, skipped


def calibrate(genuine: list[float], impostor: list[float], *, target_fmr: float) -> dict[str, float]:
    """EER, FMR100, FMR1000 and the score threshold for a target false-match rate."""
    return {
        "eer": calibration.eer(genuine, impostor),
        "fmr100": calibration.fnmr_at_fmr(genuine, impostor, 0.01),
        "fmr1000": calibration.fnmr_at_fmr(genuine, impostor, 0.001),
        "threshold": calibration.threshold_for_fmr(impostor, target_fmr),
        "fmr_at_threshold": calibration.rates_at(genuine, impostor, threshold=calibration.threshold_for_fmr(impostor, target_fmr))[0],
        "fnmr_at_threshold": calibration.rates_at(genuine, impostor, threshold=calibration.threshold_for_fmr(impostor, target_fmr))[1],
    }
