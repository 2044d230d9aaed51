"""Error-rate calibration shared by face and fingerprint matching.

Convention: every score is a *similarity* (higher = more alike) and a comparison is accepted when
``score >= threshold``. Hence FMR(t) is the share of impostor scores >= t and FNMR(t) the share of
genuine scores < t. Distance-based matchers (face) must pass negated distances.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np


def _as_scores(scores: Iterable[float], *, name: str) -> np.ndarray:
    arr = np.asarray(list(scores) if not isinstance(scores, np.ndarray) else scores, dtype=np.float64).ravel()
    if arr.size == 0:
        raise ValueError(f"{name} scores are empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} scores contain NaN or infinity")
    return arr


def rates_at(genuine: Iterable[float], impostor: Iterable[float], *, threshold: float) -> tuple[float, float]:
    """Return (FMR, FNMR) when accepting scores >= threshold."""
    gen = _as_scores(genuine, name="genuine")
    imp = _as_scores(impostor, name="impostor")
    return float(np.mean(imp >= threshold)), float(np.mean(gen < threshold))


def eer(genuine_scores: Iterable[float], impostor_scores: Iterable[float]) -> float:
    """Equal error rate as a fraction, estimated as in the FVC reports (midpoint of the crossing)."""
    gen = np.sort(_as_scores(genuine_scores, name="genuine"))
    imp = np.sort(_as_scores(impostor_scores, name="impostor"))
    # Every distinct score is a candidate threshold; +inf rejects everything.
    thresholds = np.append(np.unique(np.concatenate([gen, imp])), np.inf)
    fmr = 1.0 - np.searchsorted(imp, thresholds, side="left") / imp.size
    fnmr = np.searchsorted(gen, thresholds, side="left") / gen.size
    # FMR falls and FNMR rises with the threshold: t1 is the last point with FNMR <= FMR and
    # t2 the first with FNMR >= FMR; FVC takes the tighter of the two bracketing intervals.
    below = np.nonzero(fnmr <= fmr)[0]
    above = np.nonzero(fnmr >= fmr)[0]
    i1 = below[-1] if below.size else 0
    i2 = above[0] if above.size else thresholds.size - 1
    if fmr[i1] + fnmr[i1] <= fmr[i2] + fnmr[i2]:
        low, high = fnmr[i1], fmr[i1]
    else:
        low, high = fmr[i2], fnmr[i2]
    return float((low + high) / 2.0)


def threshold_for_fmr(impostor: Iterable[float], fmr: float) -> float:
    """Lowest threshold whose FMR on these impostor scores is at most ``fmr``."""
    if not 0.0 <= fmr <= 1.0:
        raise ValueError(f"fmr must be within [0, 1], got {fmr}")
    imp = np.sort(_as_scores(impostor, name="impostor"))[::-1]
    allowed = math.floor(fmr * imp.size + 1e-9)  # impostors that may still be accepted
    if allowed >= imp.size:
        return float(imp[-1])
    # Any threshold at or below the (allowed+1)-th highest impostor accepts too many of them.
    return float(np.nextafter(imp[allowed], np.inf))


def fnmr_at_fmr(genuine: Iterable[float], impostor: Iterable[float], fmr: float) -> float:
    """Lowest FNMR reachable with FMR <= ``fmr`` (FMR100: fmr=0.01, FMR1000: fmr=0.001)."""
    gen = _as_scores(genuine, name="genuine")
    threshold = threshold_for_fmr(impostor, fmr)
    return float(np.mean(gen < threshold))
