"""A DET curve (false-accept rate against genuine refusal rate, both on normal-deviate axes) drawn with Pillow."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from scipy.special import ndtri

TICKS = (1e-5, 1e-4, 1e-3, 1e-2, 0.05, 0.2, 0.5)
LOW, HIGH = 1e-5, 0.5
SIZE, MARGIN = 640, 70


def curve(genuine: Sequence[float], impostor: Sequence[float]) -> list[tuple[float, float]]:
    """(false-accept rate, genuine refusal rate) at every threshold between the scores."""
    gen = np.sort(np.asarray(genuine, dtype=np.float64))
    imp = np.sort(np.asarray(impostor, dtype=np.float64))
    finite = np.concatenate([gen[np.isfinite(gen)], imp[np.isfinite(imp)]])
    points = []
    for t in np.unique(finite):
        far = float(np.mean(imp >= t)) if imp.size else 0.0
        frr = float(np.mean(gen < t)) if gen.size else 0.0
        points.append((far, frr))
    return points


def _axis(rate: float) -> float:
    """Position of a rate on a normal-deviate axis, 0 at LOW and 1 at HIGH (clipped)."""
    r = min(max(rate, LOW), HIGH)
    return float((ndtri(r) - ndtri(LOW)) / (ndtri(HIGH) - ndtri(LOW)))


def draw(path: Path, *, genuine: Sequence[float], impostor: Sequence[float], operating: tuple[float, float], title: str) -> None:
    """Write the DET curve as a PNG, with the operating point of the configured threshold marked."""
    img = Image.new("RGB", (SIZE, SIZE), "white")
    d = ImageDraw.Draw(img)
    span = SIZE - 2 * MARGIN

    def xy(far: float, frr: float) -> tuple[float, float]:
        return MARGIN + _axis(far) * span, SIZE - MARGIN - _axis(frr) * span

    for tick in TICKS:
        x, _ = xy(tick, LOW)
        _, y = xy(LOW, tick)
        d.line([(x, MARGIN), (x, SIZE - MARGIN)], fill=(225, 225, 225))
        d.line([(MARGIN, y), (SIZE - MARGIN, y)], fill=(225, 225, 225))
        label = f"{tick:g}"
        d.text((x - 3 * len(label), SIZE - MARGIN + 6), label, fill="black")
        d.text((MARGIN - 8 - 6 * len(label), y - 5), label, fill="black")
    d.rectangle([MARGIN, MARGIN, SIZE - MARGIN, SIZE - MARGIN], outline="black")
    pts = [xy(far, frr) for far, frr in curve(genuine, impostor)]
    if len(pts) > 1:
        d.line(pts, fill=(0, 90, 200), width=2)
    ox, oy = xy(*operating)
    d.ellipse([ox - 5, oy - 5, ox + 5, oy + 5], outline=(200, 0, 0), width=2)
    d.text((MARGIN, 20), title, fill="black")
    d.text((SIZE // 2 - 80, SIZE - 30), "false-accept rate per check-in", fill="black")
    d.text((8, MARGIN - 20), "genuine refusal rate", fill="black")
    if math.isfinite(operating[0]):
        d.text((ox + 8, oy - 6), "threshold in use", fill=(200, 0, 0))
    img.save(path, format="PNG")
