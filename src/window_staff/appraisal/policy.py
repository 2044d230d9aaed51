"""The appraisal policy (rules/appraisal/policy.toml): how long the appeal window stays open, the smallest ranked group."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from window_staff.appraisal.errors import AppraisalPolicyInvalid
from window_staff.common import policy as common
from window_staff.common.context import AppContext

POLICY_FILE = Path("appraisal") / "policy.toml"
_RESOURCE = "appraisal.policy"
_NAME = "appraisal policy"
_MAX_APPEAL_DAYS = 60  # catches a typo (a year of appeals) without dictating policy
_MAX_MIN_GROUP = 50


@dataclass(frozen=True, slots=True)
class AppraisalPolicy:
    """Validated policy values; every key is required so nothing is silently defaulted."""

    appeal_days: int
    ranking_min_group: int


_CHECKS: Mapping[str, common.Check] = {
    "appeal_days": common.int_between(1, _MAX_APPEAL_DAYS),
    "ranking_min_group": common.int_between(1, _MAX_MIN_GROUP),
}


def policy_from_mapping(data: Mapping[str, Any], *, source: str = _NAME) -> AppraisalPolicy:
    """Build from a parsed TOML table; unknown, missing or mistyped keys are errors naming the key."""
    return common.policy_from_mapping(data, schema=AppraisalPolicy, checks=_CHECKS, error=AppraisalPolicyInvalid, source=source)


def load_policy(path: Path) -> AppraisalPolicy:
    """Read and validate the policy file; errors name the file and the key."""
    return common.load_policy(path, schema=AppraisalPolicy, checks=_CHECKS, error=AppraisalPolicyInvalid, name=_NAME)


def policy_of(ctx: AppContext) -> AppraisalPolicy:
    """The process's appraisal policy (read once from rules/, cached in the context)."""
    return common.cached(ctx, _RESOURCE, lambda: load_policy(ctx.settings.resolved_rules_dir / POLICY_FILE))
