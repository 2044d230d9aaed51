"""The appraisal policy (rules/appraisal/policy.toml): how long the appeal window stays open."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from window_staff.appraisal.errors import AppraisalPolicyInvalid
from window_staff.common.context import AppContext

POLICY_FILE = Path("appraisal") / "policy.toml"
_RESOURCE = "appraisal.policy"
_MAX_APPEAL_DAYS = 60  # catches a typo (a year of appeals) without dictating policy


@dataclass(frozen=True, slots=True)
class AppraisalPolicy:
    """Validated policy values; every key is required so nothing is silently defaulted."""

    appeal_days: int


def policy_from_mapping(data: Mapping[str, Any], *, source: str = "appraisal policy") -> AppraisalPolicy:
    """Build from a parsed TOML table; unknown, missing or mistyped keys are errors naming the key."""
    for key in sorted(data):
        if key != "appeal_days":
            raise AppraisalPolicyInvalid(f"{source}: unknown key {key!r}", key=key)
    value = data.get("appeal_days")
    if value is None:
        raise AppraisalPolicyInvalid(f"{source}: missing key 'appeal_days'", key="appeal_days")
    if type(value) is not int or not 1 <= value <= _MAX_APPEAL_DAYS:
        raise AppraisalPolicyInvalid(f"{source}: key 'appeal_days' must be an integer 1..{_MAX_APPEAL_DAYS}, got {value!r}", key="appeal_days")
    return AppraisalPolicy(appeal_days=value)


def load_policy(path: Path) -> AppraisalPolicy:
    """Read and validate the policy file; errors name the file and the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AppraisalPolicyInvalid(f"{path}: appraisal policy file is missing", key="file") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AppraisalPolicyInvalid(f"{path}: not valid UTF-8 TOML: {exc}", key="file") from exc
    return policy_from_mapping(data, source=str(path))


def policy_of(ctx: AppContext) -> AppraisalPolicy:
    """The process's appraisal policy (read once from rules/, cached in the context)."""
    found = ctx.resources.get(_RESOURCE)
    if found is None:
        found = ctx.resources[_RESOURCE] = load_policy(ctx.settings.resolved_rules_dir / POLICY_FILE)
    return found
