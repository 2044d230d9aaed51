"""Minutia Cylinder-Code matching on synthetic minutiae sets (no ../shared needed)."""

from __future__ import annotations

import numpy as np
import pytest

from window_staff.biometrics import mcc
from window_staff.biometrics.errors import FingerprintQualityTooLow, TemplateFormatError
from window_staff.biometrics.iso19794 import Minutia, record_from_minutiae
from window_staff.biometrics.synthetic import synthetic_minutiae

# On the FVC2002 B sets genuine pairs score a median of about 0.2 and impostors stay below about
# 0.13 (FMR 0.1 % at about 0.125). Synthetic copies are cleaner than real impressions (about 0.75),
# so they must clear a wide margin, and unrelated sets must stay in the impostor range.
MATCH = 0.35
NON_MATCH = 0.12


def finger(seed: int, *, n: int = 45, width: int = 300, height: int = 360) -> list[Minutia]:
    """Random minutiae at least 12 px apart, with a smooth orientation field like a real finger."""
    return synthetic_minutiae(seed, n=n, width=width, height=height)


def transform(mins, *, degrees: float, dx: float, dy: float, jitter: float = 0.0, seed: int = 0) -> list[Minutia]:
    """Turn the print counter-clockwise as seen on the image, then shift it; keep what stays on a 1000 px pad."""
    rng = np.random.default_rng(seed)
    t = np.radians(degrees)
    out = []
    for m in mins:
        # y points down, so a visual counter-clockwise turn is x' = c x + s y, y' = -s x + c y.
        x = np.cos(t) * m.x + np.sin(t) * m.y + dx + rng.normal(0, jitter)
        y = -np.sin(t) * m.x + np.cos(t) * m.y + dy + rng.normal(0, jitter)
        angle = (m.angle + round(degrees * 256 / 360) + int(rng.integers(-1, 2) * (jitter > 0))) % 256
        if 0 <= x < 1000 and 0 <= y < 1000:
            out.append(Minutia(kind=m.kind, x=int(round(x)), y=int(round(y)), angle=angle))
    return out


def tpl(mins) -> mcc.MccTemplate:
    return mcc.build_template(mins)


def test_a_set_matches_itself_almost_perfectly():
    t = tpl(finger(1))
    assert mcc.similarity(t, t) > 0.9


@pytest.mark.parametrize("degrees", [-40, -15, 10, 30, 45])
def test_rotated_and_translated_copy_matches(degrees):
    base = finger(2)
    moved = transform(base, degrees=degrees, dx=300, dy=300, jitter=1.5, seed=abs(degrees))
    assert len(moved) == len(base)
    assert mcc.similarity(tpl(base), tpl(moved)) > MATCH


def test_partially_cropped_copy_matches():
    base = finger(3)
    cropped = [m for m in transform(base, degrees=20, dx=120, dy=140, jitter=1.0) if m.y < 330]
    assert len(cropped) < 0.8 * len(base)
    assert mcc.similarity(tpl(base), tpl(cropped)) > MATCH


def test_unrelated_sets_do_not_match():
    templates = [tpl(finger(seed)) for seed in range(10, 16)]
    scores = [mcc.similarity(a, b) for i, a in enumerate(templates) for b in templates[i + 1 :]]
    assert max(scores) < NON_MATCH


def test_mirrored_angles_do_not_match_a_rotated_copy():
    """The ISO angle must be negated into the x/y frame: a sign error breaks rotation invariance."""
    base = finger(4)
    moved = transform(base, degrees=35, dx=150, dy=160)
    mirrored = [Minutia(kind=m.kind, x=m.x, y=m.y, angle=(-m.angle) % 256) for m in moved]
    base_mirrored = [Minutia(kind=m.kind, x=m.x, y=m.y, angle=(-m.angle) % 256) for m in base]
    assert mcc.similarity(tpl(base), tpl(moved)) > 2 * mcc.similarity(tpl(base_mirrored), tpl(mirrored))


def test_score_is_within_unit_interval_and_nearly_symmetric():
    a, b = tpl(finger(5)), tpl(transform(finger(5), degrees=12, dx=100, dy=90, jitter=2.0))
    ab, ba = mcc.similarity(a, b), mcc.similarity(b, a)
    assert 0.0 <= ab <= 1.0 and 0.0 <= ba <= 1.0
    assert ab == pytest.approx(ba, abs=0.05)


def test_record_resolution_is_normalised_to_500_dpi():
    base = finger(6)
    doubled = [Minutia(kind=m.kind, x=2 * m.x, y=2 * m.y, angle=m.angle) for m in base]
    at_1000 = record_from_minutiae(doubled, width=700, height=800, dpi=1000)
    at_500 = record_from_minutiae(base, width=350, height=400, dpi=500)
    assert mcc.similarity(tpl(at_500), tpl(at_1000)) > 0.9


def test_empty_template_scores_zero():
    assert mcc.similarity(tpl([]), tpl(finger(7))) == 0.0


def test_few_minutiae_are_refused_at_enrolment():
    sparse = tpl(finger(8)[:3])
    with pytest.raises(FingerprintQualityTooLow) as info:
        mcc.check_enrolable(sparse, min_valid_cylinders=10)
    assert info.value.code == "fingerprint_quality_too_low"


def test_a_rich_template_is_enrolable():
    mcc.check_enrolable(tpl(finger(9)), min_valid_cylinders=10)


def test_bytes_round_trip_keeps_the_score():
    a, b = tpl(finger(10)), tpl(transform(finger(10), degrees=25, dx=120, dy=120, jitter=1.0))
    restored = mcc.from_bytes(mcc.to_bytes(a))
    assert restored.n_valid == a.n_valid
    assert mcc.similarity(restored, b) == pytest.approx(mcc.similarity(a, b), abs=0.01)


def test_corrupt_template_bytes_are_refused():
    data = mcc.to_bytes(tpl(finger(11)))
    with pytest.raises(TemplateFormatError):
        mcc.from_bytes(data[:-1])
    with pytest.raises(TemplateFormatError):
        mcc.from_bytes(b"XXXX" + data[4:])
