"""The evaluations policy (rules/evaluations/policy.toml): invitations, anonymity threshold, the bad-review deadline."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping

from window_staff.common.context import AppContext
from window_staff.evaluations.errors import EvaluationPolicyInvalid

POLICY_FILE = Path("evaluations") / "policy.toml"
_RESOURCE = "evaluations.policy"
# (low, high) per key: bounds that catch typos without dictating policy.
_BOUNDS: Mapping[str, tuple[int, int]] = {
    "invitation_days": (1, 90),
    "invitation_attempts": (1, 20),
    "delegate_session_minutes": (5, 24 * 60),
    "min_answers": (1, 50),
    "bad_review_max_level": (1, 4),
    "rectify_working_days": (1, 60),
}


@dataclass(frozen=True, slots=True)
class EvaluationPolicy:
    """Validated policy values; every key is required so nothing is silently defaulted."""

    invitation_days: int
    invitation_attempts: int
    delegate_session_minutes: int
    min_answers: int
    bad_review_max_level: int
    rectify_working_days: int


def policy_from_mapping(data: Mapping[str, Any], *, source: str = "evaluations policy") -> EvaluationPolicy:
    """Build from a parsed TOML table; unknown, missing or out-of-range keys are errors naming the key."""
    known = [f.name for f in fields(EvaluationPolicy)]
    for key in sorted(data):
        if key not in known:
            raise EvaluationPolicyInvalid(f"{source}: unknown key {key!r}", key=key)
    for key in known:
        if key not in data:
            raise EvaluationPolicyInvalid(f"{source}: missing key {key!r}", key=key)
        low, high = _BOUNDS[key]
        value = data[key]
        if type(value) is not int or not low <= value <= high:
            raise EvaluationPolicyInvalid(f"{source}: key {key!r} must be an integer {low}..{high}, got {value!r}", key=key)
    return EvaluationPolicy(**{k: data[k] for k in known})


def load_policy(path: Path) -> EvaluationPolicy:
    """Read and validate the policy file; errors name the file and the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvaluationPolicyInvalid(f"{path}: evaluations policy file is missing", key="file") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise EvaluationPolicyInvalid(f"{path}: not valid UTF-8 TOML: {exc}", key="file") from exc
    return policy_from_mapping(data, source=str(path))


def policy_of(ctx: AppContext) -> EvaluationPolicy:
    """The process's evaluations policy (read once from rules/, cached in the context)."""
    found = ctx.resources.get(_RESOURCE)
    if found is None:
        found = ctx.resources[_RESOURCE] = load_policy(ctx.settings.resolved_rules_dir / POLICY_FILE)
    return found
