"""rules/evaluations/policy.toml: every key required, checked and bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from window_staff.evaluations.errors import EvaluationPolicyInvalid
from window_staff.evaluations.policy import load_policy, policy_from_mapping

SHIPPED = Path(__file__).resolve().parents[2] / "rules" / "evaluations" / "policy.toml"


def good(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "invitation_days": 14,
        "invitation_attempts": 5,
        "delegate_session_minutes": 120,
        "min_answers": 3,
        "bad_review_max_level": 2,
        "rectify_working_days": 15,
    }
    values.update(changes)
    return values


def test_the_shipped_policy_loads() -> None:
    policy = load_policy(SHIPPED)
    assert (policy.min_answers, policy.bad_review_max_level, policy.rectify_working_days) == (3, 2, 15)


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"min_answers": 0}, "min_answers"),
        ({"rectify_working_days": "15"}, "rectify_working_days"),
        ({"bad_review_max_level": 5}, "bad_review_max_level"),
        ({"invitation_days": True}, "invitation_days"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_a_wrong_key_is_named(changes: dict[str, object], key: str) -> None:
    with pytest.raises(EvaluationPolicyInvalid) as caught:
        policy_from_mapping(good(**changes))
    assert key in caught.value.detail


def test_a_missing_key_is_named() -> None:
    values = good()
    del values["min_answers"]
    with pytest.raises(EvaluationPolicyInvalid, match="missing key 'min_answers'"):
        policy_from_mapping(values)
