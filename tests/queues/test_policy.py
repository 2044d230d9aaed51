"""rules/queues/policy.toml: every key required, checked and bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from window_staff.queues.errors import QueuePolicyInvalid
from window_staff.queues.policy import load_policy, policy_from_mapping

SHIPPED = Path(__file__).resolve().parents[2] / "rules" / "queues" / "policy.toml"


def test_the_shipped_policy_loads() -> None:
    assert (load_policy(SHIPPED).max_pause_minutes, load_policy(SHIPPED).vacant_min_minutes) == (30, 10)


@pytest.mark.parametrize(
    "data",
    [
        {"max_pause_minutes": 30},
        {"max_pause_minutes": 0, "vacant_min_minutes": 10},
        {"max_pause_minutes": 30, "vacant_min_minutes": 10, "x": 1},
    ],
)
def test_a_missing_unknown_or_out_of_range_key_is_refused(data: dict[str, object]) -> None:
    with pytest.raises(QueuePolicyInvalid):
        policy_from_mapping(data)
