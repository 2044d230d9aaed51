"""The fused decision's pure core: surprisals, the threshold for a target rate, and who is accepted."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from window_staff.biometrics import fusion
from window_staff.biometrics.matching import DEFAULT_CALIBRATION


def tail(*, cap: float = 14.0) -> fusion.Tail:
    """Impostor similarities uniform on [0, 1) in steps of 1e-3, exponential beyond 0.9."""
    scores = np.arange(1000) / 1000.0
    return fusion.fit_tail(scores.tolist(), cap=cap, tail_fraction=0.1)


def calibration(**changes: object) -> fusion.Calibration:
    cal = fusion.load_calibration(DEFAULT_CALIBRATION)
    return fusion.Calibration(**{**{f: getattr(cal, f) for f in cal.__slots__}, **changes})  # type: ignore[arg-type]


def person(staff_id: int, *, face: float | None, finger: float | None, faces: int = 2, fingers: int = 3) -> fusion.Candidate:
    return fusion.Candidate(
        staff_id=staff_id,
        face_distance=face,
        face_templates=faces if face is not None else 0,
        finger_similarity=finger,
        finger_templates=fingers if finger is not None else 0,
    )


def test_surprisal_reads_the_impostor_survival():
    t = tail()
    assert t.surprisal(0.5) == pytest.approx(-math.log(0.5), abs=0.01)  # half the impostors score 0.5 or more
    assert t.surprisal(0.95) > t.surprisal(0.9) > t.surprisal(0.5) > t.surprisal(0.1)


def test_more_templates_earn_no_free_evidence():
    t = tail()
    one, three = t.surprisal(0.8), t.surprisal(0.8, templates=3)
    assert three == pytest.approx(-math.log(1 - 0.8**3), abs=0.01) and three < one


def test_surprisal_is_capped():
    assert tail(cap=5.0).surprisal(10.0) == 5.0


@given(st.floats(min_value=-2.0, max_value=2.0), st.floats(min_value=-2.0, max_value=2.0))
def test_surprisal_never_falls_as_the_similarity_rises(a, b):
    t = tail()
    low, high = sorted((a, b))
    assert t.surprisal(low) <= t.surprisal(high)


def test_similarity_for_inverts_surprisal():
    t = tail()
    for s in (1.0, 2.0, 3.0, 6.0):
        assert t.surprisal(t.similarity_for(s)) == pytest.approx(s, abs=1e-6)


@pytest.mark.parametrize("rate", [1e-2, 1e-4, 1e-7])
def test_threshold_solves_the_gamma_tail(rate):
    t = fusion.gamma2_threshold(rate)
    assert (1 + t) * math.exp(-t) == pytest.approx(rate, rel=1e-9)


def test_a_larger_gallery_needs_a_higher_threshold():
    cal = calibration()
    assert fusion.threshold(cal, target_far=1e-4, gallery_size=450) > fusion.threshold(cal, target_far=1e-4, gallery_size=10)


def test_the_right_person_ranked_second_by_face_is_accepted():
    cal = calibration()
    twin, right = person(1, face=0.2, finger=0.09), person(2, face=0.45, finger=0.45)
    outcome = fusion.decide([twin, right], calibration=cal, threshold=fusion.threshold(cal, target_far=1e-4, gallery_size=100))
    assert (outcome.staff_id, outcome.reason) == (2, "accepted")


def test_a_face_alone_never_carries_a_check_in():
    cal = calibration()
    outcome = fusion.decide(
        [person(1, face=0.0, finger=None)], calibration=cal, threshold=fusion.threshold(cal, target_far=1e-4, gallery_size=1)
    )
    assert (outcome.staff_id, outcome.reason, outcome.face_passed, outcome.fingerprint_passed) == (
        None,
        "fingerprint_mismatch",
        True,
        False,
    )


def test_a_fingerprint_alone_never_carries_a_check_in():
    cal = calibration()
    outcome = fusion.decide(
        [person(1, face=0.9, finger=1.0)], calibration=cal, threshold=fusion.threshold(cal, target_far=1e-4, gallery_size=1)
    )
    assert (outcome.staff_id, outcome.reason) == (None, "no_face_candidate")


def test_weak_agreement_of_both_is_not_enough():
    cal = calibration()
    outcome = fusion.decide(
        [person(1, face=0.64, finger=0.118)], calibration=cal, threshold=fusion.threshold(cal, target_far=1e-4, gallery_size=50)
    )
    assert (outcome.staff_id, outcome.reason, outcome.face_passed, outcome.fingerprint_passed) == (None, "not_confident", True, True)


def test_two_people_who_both_fit_are_refused_as_ambiguous():
    cal = calibration()
    outcome = fusion.decide(
        [person(1, face=0.3, finger=0.5), person(2, face=0.32, finger=0.5)],
        calibration=cal,
        threshold=fusion.threshold(cal, target_far=1e-4, gallery_size=10),
    )
    assert (outcome.staff_id, outcome.reason) == (None, "ambiguous")


def test_a_claim_with_one_modality_passes_only_under_the_fallback_policy():
    cal = calibration()
    limit = fusion.threshold(cal, target_far=1e-4, gallery_size=1)
    finger_only = [person(1, face=None, finger=0.6)]
    assert fusion.decide(finger_only, calibration=cal, threshold=limit).staff_id is None
    assert fusion.decide(finger_only, calibration=cal, threshold=limit, single_modality=True).staff_id == 1


def test_the_shipped_calibration_reads_back_as_written(tmp_path):
    cal = fusion.load_calibration(DEFAULT_CALIBRATION)
    path = tmp_path / "copy.json"
    path.write_text(fusion.dump_calibration(cal), encoding="utf-8")
    assert fusion.load_calibration(path) == cal


def test_a_broken_calibration_file_is_named(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"version": "x"}', encoding="utf-8")
    with pytest.raises(ValueError, match="broken.json"):
        fusion.load_calibration(path)


def test_too_few_impostor_scores_cannot_be_fitted():
    with pytest.raises(ValueError, match="too few"):
        fusion.fit_tail([0.1] * 50, cap=10.0)
