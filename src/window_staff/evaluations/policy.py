"""The evaluations policy (rules/evaluations/policy.toml): invitations, anonymity threshold, the bad-review deadline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from window_staff.common import policy as common
from window_staff.common.context import AppContext
from window_staff.evaluations.errors import EvaluationPolicyInvalid

POLICY_FILE = Path("evaluations") / "policy.toml"
_RESOURCE = "evaluations.policy"
_NAME = "evaluations policy"


@dataclass(frozen=True, slots=True)
class EvaluationPolicy:
    """Validated policy values; every key is required so nothing is silently defaulted."""

    invitation_days: int
    invitation_attempts: int
    delegate_session_minutes: int
    min_answers: int
    bad_review_max_level: int
    rectify_working_days: int


# Bounds that catch typos without dictating policy.
_CHECKS: Mapping[str, common.Check] = {
    "invitation_days": common.int_between(1, 90),
    "invitation_attempts": common.int_between(1, 20),
    "delegate_session_minutes": common.int_between(5, 24 * 60),
    "min_answers": common.int_between(1, 50),
    "bad_review_max_level": common.int_between(1, 4),
    "rectify_working_days": common.int_between(1, 60),
}


def policy_from_mapping(data: Mapping[str, Any], *, source: str = _NAME) -> EvaluationPolicy:
    """Build from a parsed TOML table; unknown, missing or out-of-range keys are errors naming the key."""
    return common.policy_from_mapping(data, schema=EvaluationPolicy, checks=_CHECKS, error=EvaluationPolicyInvalid, source=source)


def load_policy(path: Path) -> EvaluationPolicy:
    """Read and validate the policy file; errors name the file and the key."""
    return common.load_policy(path, schema=EvaluationPolicy, checks=_CHECKS, error=EvaluationPolicyInvalid, name=_NAME)


def policy_of(ctx: AppContext) -> EvaluationPolicy:
    """The process's evaluations policy (read once from rules/, cached in the context)."""
    return common.cached(ctx, _RESOURCE, lambda: load_policy(ctx.settings.resolved_rules_dir / POLICY_FILE))
