"""Synthetic biometric samples for the simulator, benchmarks and tests: no real person behind them."""

from __future__ import annotations

import numpy as np

from window_staff.biometrics.iso19794 import Minutia, record_from_minutiae, write_record


def synthetic_minutiae(seed: int, *, n: int = 45, width: int = 300, height: int = 360) -> list[Minutia]:
    """Random minutiae at least 12 px apart, with a smooth orientation field like a real finger."""
    rng = np.random.default_rng(seed)
    pts: list[tuple[float, float]] = []
    while len(pts) < n:
        x, y = rng.uniform(20, width - 20), rng.uniform(20, height - 20)
        if all((x - px) ** 2 + (y - py) ** 2 >= 144 for px, py in pts):
            pts.append((x, y))
    a, b, c = rng.uniform(-1, 1, 3)
    out = []
    for x, y in pts:
        flow = a * np.sin(x / 70) + b * np.cos(y / 90) + c  # orientation in radians
        angle = (flow + rng.choice([0.0, np.pi])) % (2 * np.pi)
        out.append(Minutia(kind=int(rng.integers(1, 3)), x=int(x), y=int(y), angle=int(round(angle * 128 / np.pi)) % 256))
    return out


def synthetic_record(seed: int, *, n: int = 45, width: int = 300, height: int = 360, position: int = 2) -> bytes:
    """An ISO 19794-2 record of ``synthetic_minutiae``."""
    minutiae = synthetic_minutiae(seed, n=n, width=width, height=height)
    return write_record(record_from_minutiae(minutiae, width=width, height=height, position=position))


def synthetic_face_encoding(seed: int) -> bytes:
    """A plausible 128-float face encoding (norm 1.4, inside the accepted band), little-endian float32."""
    vec = np.random.default_rng(seed).normal(size=128)
    return (vec / np.linalg.norm(vec) * 1.4).astype("<f4").tobytes()
