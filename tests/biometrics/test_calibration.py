"""Error-rate helpers: similarity scores, accept when score >= threshold."""

from __future__ import annotations

import numpy as np
import pytest

from window_staff.biometrics.calibration import eer, fnmr_at_fmr, rates_at, threshold_for_fmr


def test_perfectly_separated_scores_have_zero_eer():
    assert eer([0.8, 0.9, 1.0], [0.1, 0.2, 0.3]) == 0.0


def test_identical_distributions_have_eer_near_one_half():
    rng = np.random.default_rng(0)
    scores = rng.random(20000)
    assert eer(scores[:10000], scores[10000:]) == pytest.approx(0.5, abs=0.02)


def test_one_overlapping_pair_out_of_ten_gives_ten_percent_eer():
    genuine = [0.05] + [0.9] * 9
    impostor = [0.95] + [0.1] * 9
    assert eer(genuine, impostor) == pytest.approx(0.1)


def test_eer_is_lower_when_genuine_scores_are_higher():
    rng = np.random.default_rng(1)
    impostor = rng.normal(0.2, 0.1, 2000)
    assert eer(rng.normal(0.8, 0.1, 2000), impostor) < eer(rng.normal(0.4, 0.1, 2000), impostor)


def test_threshold_for_fmr_keeps_fmr_at_or_below_target():
    impostor = np.linspace(0, 1, 1000)
    t = threshold_for_fmr(impostor, 0.01)
    fmr, _ = rates_at([1.0], impostor, threshold=t)
    assert fmr <= 0.01
    assert rates_at([1.0], impostor, threshold=np.nextafter(impostor[-11], -np.inf))[0] > 0.01


def test_threshold_is_just_above_the_highest_impostor_at_zero_fmr():
    assert threshold_for_fmr([0.1, 0.4, 0.3], 0.0) > 0.4
    assert threshold_for_fmr([0.1, 0.4, 0.3], 0.0) == pytest.approx(0.4)


def test_fnmr_at_fmr_counts_genuine_below_the_threshold():
    impostor = [i / 100 for i in range(100)]  # one impostor in 100 may pass at FMR100
    genuine = [0.985, 0.995, 0.5, 1.0]
    # Threshold just above 0.98: 0.5 is rejected, the rest accepted.
    assert fnmr_at_fmr(genuine, impostor, 0.01) == pytest.approx(0.25)


def test_fmr1000_is_never_easier_than_fmr100():
    rng = np.random.default_rng(2)
    genuine, impostor = rng.normal(0.7, 0.15, 3000), rng.normal(0.3, 0.15, 3000)
    assert fnmr_at_fmr(genuine, impostor, 0.001) >= fnmr_at_fmr(genuine, impostor, 0.01)


def test_ties_at_the_threshold_count_as_accepted():
    assert rates_at([0.5], [0.5], threshold=0.5) == (1.0, 0.0)


def test_empty_scores_are_refused():
    with pytest.raises(ValueError):
        eer([], [0.1])


def test_nan_scores_are_refused():
    with pytest.raises(ValueError):
        eer([0.5, float("nan")], [0.1])
