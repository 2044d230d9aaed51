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


def synthetic_touch(record: bytes, seed: int, *, poor: bool = False) -> bytes:
    """Another touch of an enrolled synthetic finger: turned, shifted, a few minutiae lost and moved; ``poor`` keeps only five."""
    from window_staff.biometrics.iso19794 import Minutia, parse_record

    rng = np.random.default_rng(seed)
    parsed = parse_record(record)
    view = parsed.views[0]
    turn = np.radians(rng.uniform(-12, 12))
    dx, dy = rng.uniform(-25, 25, 2)
    cx, cy = parsed.width / 2, parsed.height / 2
    out = []
    for m in view.minutiae:
        if rng.random() < 0.15:
            continue  # not captured this time
        x = cx + np.cos(turn) * (m.x - cx) + np.sin(turn) * (m.y - cy) + dx + rng.normal(0, 1.5)
        y = cy - np.sin(turn) * (m.x - cx) + np.cos(turn) * (m.y - cy) + dy + rng.normal(0, 1.5)
        x, y = int(round(x)), int(round(y))
        if 0 <= x < parsed.width and 0 <= y < parsed.height:
            angle = (m.angle + int(round(np.degrees(turn) * 256 / 360)) + int(rng.integers(-2, 3))) % 256
            out.append(Minutia(kind=m.kind, x=x, y=y, angle=angle, quality=m.quality))
    if poor:
        out = out[:5]
    return write_record(record_from_minutiae(out, width=parsed.width, height=parsed.height, position=view.position))
