"""The fused check-in decision (pure): each modality's score becomes its impostor surprisal, and their sum is judged.

Surprisal of a comparison = -ln P(an impostor scores at least this), read from a calibration of
impostor scores only (see ``docs/DESIGN.md``, "Check-in decisions by fusion"). For a comparison
against m templates of one person (the best of m is kept), the chance that one of m impostor
comparisons does as well is 1 - (1 - p)^m, so more templates earn no free evidence. Under impostors
each surprisal is Exp(1) (or smaller, as the fitted tail is heavier than the data) and the two
modalities are independent, so their sum is at most Gamma(2, 1): P(sum >= T) = (1 + T) e^-T. A
check-in at a site whose gallery holds N people is N such comparisons, so the threshold for a target
false-accept rate per check-in is the T with (1 + T) e^-T = target / N.

Each modality's contribution is capped below any threshold in use, so neither a look-alike face nor
a fingerprint alone can carry a check-in, and each must reach a floor: both must agree weakly at
least, whatever the other says.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Tail:
    """Impostor survival of one modality's similarity (higher = more alike): knots, then an exponential tail."""

    knots: tuple[float, ...]  # similarity values, ascending
    log_survival: tuple[float, ...]  # ln P(impostor >= knot), falling from 0
    beta: float  # scale of the exponential tail beyond the last knot
    cap: float  # the most surprisal this modality may contribute

    def __post_init__(self) -> None:
        if len(self.knots) < 2 or len(self.knots) != len(self.log_survival):
            raise ValueError("a tail needs at least two knots, each with its log-survival")
        if any(b < a for a, b in zip(self.knots, self.knots[1:], strict=False)):
            raise ValueError("tail knots must ascend")
        if any(b > a for a, b in zip(self.log_survival, self.log_survival[1:], strict=False)) or self.log_survival[0] > 0:
            raise ValueError("tail log-survival must start at or below 0 and never rise")
        if not self.beta > 0 or not self.cap > 0:
            raise ValueError("tail beta and cap must be positive")

    def surprisal(self, similarity: float, *, templates: int = 1) -> float:
        """-ln P(the best of ``templates`` impostor comparisons scores at least ``similarity``), capped."""
        if math.isnan(similarity):
            return 0.0
        knots, logs = self.knots, self.log_survival
        if similarity <= knots[0]:
            log_p = logs[0]
        elif similarity >= knots[-1]:
            log_p = logs[-1] - (similarity - knots[-1]) / self.beta
        else:
            i = bisect.bisect_right(knots, similarity)
            x0, x1, y0, y1 = knots[i - 1], knots[i], logs[i - 1], logs[i]
            log_p = y0 + (y1 - y0) * (similarity - x0) / (x1 - x0) if x1 > x0 else y1
        p = math.exp(log_p)
        m = max(1, templates)
        # 1 - (1 - p)^m, computed without losing small p.
        p_m = -math.expm1(m * math.log1p(-min(p, 1.0 - 1e-15)))
        return max(0.0, min(self.cap, -math.log(p_m)))

    def similarity_for(self, surprisal: float) -> float:
        """The lowest single-comparison similarity whose surprisal reaches ``surprisal`` (for the shortlist radius)."""
        target = -surprisal
        logs = self.log_survival
        if target >= logs[0]:
            return self.knots[0]
        if target <= logs[-1]:
            return self.knots[-1] + (logs[-1] - target) * self.beta
        for i in range(1, len(logs)):
            if logs[i] <= target:
                y0, y1, x0, x1 = logs[i - 1], logs[i], self.knots[i - 1], self.knots[i]
                return x1 if y1 == y0 else x0 + (x1 - x0) * (y0 - target) / (y0 - y1)
        return self.knots[-1]


@dataclass(frozen=True, slots=True)
class Calibration:
    """A versioned fusion calibration: both tails, the floors, and the shortlist size."""

    version: str
    face: Tail  # similarity = -(Euclidean distance of dlib encodings)
    fingerprint: Tail  # similarity = MCC LSS-R score in [0, 1]
    face_floor: float  # least face surprisal for a shortlisted candidate
    fingerprint_floor: float  # least fingerprint surprisal for an accepted candidate
    shortlist: int  # face candidates whose fingerprints are verified
    made_from: str = ""

    def __post_init__(self) -> None:
        if not 1 <= self.shortlist <= 20:
            raise ValueError("shortlist must be 1..20")
        if self.face_floor < 0 or self.fingerprint_floor < 0:
            raise ValueError("floors must be non-negative")

    @property
    def max_face_distance(self) -> float:
        """The loose face distance of the shortlist: beyond it, a face cannot reach its floor."""
        return -self.face.similarity_for(self.face_floor)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One shortlisted person: the best face distance and fingerprint similarity, over how many templates."""

    staff_id: int
    face_distance: float | None
    face_templates: int
    finger_similarity: float | None
    finger_templates: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """The fused decision: who (or nobody), why, and under which threshold. Scores stay here."""

    staff_id: int | None
    reason: str  # accepted | no_face_candidate | fingerprint_mismatch | not_confident | ambiguous
    threshold: float
    face_passed: bool
    fingerprint_passed: bool


def gamma2_threshold(rate: float) -> float:
    """The T with (1 + T) e^-T = rate: the Gamma(2, 1) tail, which bounds a sum of two Exp(1) surprisals."""
    if not 0.0 < rate < 1.0:
        raise ValueError("a false-accept rate must lie strictly between 0 and 1")
    low, high = 0.0, 200.0
    for _ in range(200):  # bisection: the tail is monotone, and 200 halvings are far below float precision
        mid = (low + high) / 2.0
        if (1.0 + mid) * math.exp(-mid) > rate:
            low = mid
        else:
            high = mid
    return high


def threshold(calibration: Calibration, *, target_far: float, gallery_size: int) -> float:
    """The fused threshold for a target false-accept rate per check-in at a gallery of ``gallery_size`` people."""
    return gamma2_threshold(target_far / max(1, gallery_size))


def face_surprisal(calibration: Calibration, candidate: Candidate) -> float:
    """The face's contribution (0 without a face)."""
    if candidate.face_distance is None:
        return 0.0
    return calibration.face.surprisal(-candidate.face_distance, templates=candidate.face_templates)


def fingerprint_surprisal(calibration: Calibration, candidate: Candidate) -> float:
    """The fingerprint's contribution (0 without a fingerprint)."""
    if candidate.finger_similarity is None:
        return 0.0
    return calibration.fingerprint.surprisal(candidate.finger_similarity, templates=candidate.finger_templates)


def fused(calibration: Calibration, candidate: Candidate) -> float:
    """The fused score of a candidate (a sum of capped surprisals)."""
    return face_surprisal(calibration, candidate) + fingerprint_surprisal(calibration, candidate)


def decide(candidates: Sequence[Candidate], *, calibration: Calibration, threshold: float, single_modality: bool = False) -> Outcome:
    """Accept the best fused candidate at or above the threshold; refuse when nobody, or more than one, reaches it.

    ``single_modality`` (a claimed employee number under the ``claimed_fallback`` policy) also accepts
    a candidate whose face or fingerprint alone reaches the threshold, without the other's floor.
    """
    cal = calibration
    if not candidates:
        return Outcome(staff_id=None, reason="no_face_candidate", threshold=threshold, face_passed=False, fingerprint_passed=False)
    scored = []
    for c in candidates:
        f, p = face_surprisal(cal, c), fingerprint_surprisal(cal, c)
        both = f >= cal.face_floor and p >= cal.fingerprint_floor and f + p >= threshold
        alone = single_modality and max(f, p) >= threshold
        scored.append((f + p, both or alone, f, p, c))
    scored.sort(key=lambda s: -s[0])
    passing = [s for s in scored if s[1]]
    best = passing[0] if passing else scored[0]
    _, _, f, p, c = best
    face_ok, finger_ok = f >= cal.face_floor, p >= cal.fingerprint_floor
    if len(passing) > 1:
        # Two people both fit face and finger: an enrolment mistake (one person enrolled twice) to look into, never a guess.
        return Outcome(staff_id=None, reason="ambiguous", threshold=threshold, face_passed=face_ok, fingerprint_passed=finger_ok)
    if passing:
        return Outcome(staff_id=c.staff_id, reason="accepted", threshold=threshold, face_passed=face_ok, fingerprint_passed=finger_ok)
    reason = "fingerprint_mismatch" if face_ok and not finger_ok else "no_face_candidate" if not face_ok else "not_confident"
    return Outcome(staff_id=None, reason=reason, threshold=threshold, face_passed=face_ok, fingerprint_passed=finger_ok)


def _tail(raw: dict[str, Any]) -> Tail:
    return Tail(
        knots=tuple(float(x) for x in raw["knots"]),
        log_survival=tuple(float(x) for x in raw["log_survival"]),
        beta=float(raw["beta"]),
        cap=float(raw["cap"]),
    )


def load_calibration(path: Path) -> Calibration:
    """Read a calibration file (JSON written by ``dump_calibration``); ValueError names what is wrong."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Calibration(
            version=str(raw["version"]),
            face=_tail(raw["face"]),
            fingerprint=_tail(raw["fingerprint"]),
            face_floor=float(raw["face_floor"]),
            fingerprint_floor=float(raw["fingerprint_floor"]),
            shortlist=int(raw["shortlist"]),
            made_from=str(raw.get("made_from", "")),
        )
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a fusion calibration ({exc.__class__.__name__}: {exc})") from None


def dump_calibration(calibration: Calibration) -> str:
    """The calibration as JSON text (rounded: six significant digits are far below the data's own noise)."""

    def tail(t: Tail) -> dict[str, Any]:
        return {
            "knots": [round(x, 6) for x in t.knots],
            "log_survival": [round(x, 6) for x in t.log_survival],
            "beta": round(t.beta, 6),
            "cap": t.cap,
        }

    c = calibration
    return (
        json.dumps(
            {
                "version": c.version,
                "made_from": c.made_from,
                "shortlist": c.shortlist,
                "face_floor": c.face_floor,
                "fingerprint_floor": c.fingerprint_floor,
                "face": tail(c.face),
                "fingerprint": tail(c.fingerprint),
            },
            indent=1,
            ensure_ascii=False,
        )
        + "\n"
    )


def fit_tail(impostor: Sequence[float], *, cap: float, tail_fraction: float = 0.05, knots: int = 48) -> Tail:
    """Fit a tail to impostor similarities: empirical survival at quantile knots, exponential beyond the top fraction."""
    scores = sorted(float(s) for s in impostor)
    n = len(scores)
    if n < 200:
        raise ValueError(f"{n} impostor scores are too few to calibrate (need at least 200)")
    k = max(20, int(tail_fraction * n))
    start = scores[n - k - 1]  # the tail begins above this score: k scores lie above it
    exceed = [s - start for s in scores[n - k :]]
    beta = max(sum(exceed) / len(exceed), 1e-6)  # the exponential's maximum-likelihood scale
    # Knots from the lowest score to the tail's start, survival counted as "at or above".
    xs: list[float] = []
    for j in range(knots):
        q = (1.0 - tail_fraction) * j / (knots - 1)
        x = scores[min(n - 1, int(q * n))]
        if not xs or x > xs[-1]:
            xs.append(x)
    if xs[-1] < start:
        xs.append(start)
    logs = [math.log(max(1, n - bisect.bisect_left(scores, x)) / n) for x in xs]
    logs[-1] = math.log(k / n)  # join the exponential tail exactly
    for i in range(1, len(logs)):  # ties can make the empirical curve flat; never let it rise
        logs[i] = min(logs[i], logs[i - 1])
    logs[0] = min(0.0, logs[0])
    return Tail(knots=tuple(xs), log_survival=tuple(logs), beta=beta, cap=cap)
