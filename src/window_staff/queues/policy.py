"""The queues policy (rules/queues/policy.toml): the longest pause allowed and when a waiting queue is 空岗."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from window_staff.common import policy as common
from window_staff.common.context import AppContext
from window_staff.queues.errors import QueuePolicyInvalid

POLICY_FILE = Path("queues") / "policy.toml"
_RESOURCE = "queues.policy"
_NAME = "queues policy"


@dataclass(frozen=True, slots=True)
class QueuePolicy:
    """Validated policy values; every key is required so nothing is silently defaulted."""

    max_pause_minutes: int
    vacant_min_minutes: int


# Bounds that catch typos without dictating policy.
_CHECKS: Mapping[str, common.Check] = {
    "max_pause_minutes": common.int_between(1, 8 * 60),
    "vacant_min_minutes": common.int_between(1, 8 * 60),
}


def policy_from_mapping(data: Mapping[str, Any], *, source: str = _NAME) -> QueuePolicy:
    """Build from a parsed TOML table; unknown, missing or out-of-range keys are errors naming the key."""
    return common.policy_from_mapping(data, schema=QueuePolicy, checks=_CHECKS, error=QueuePolicyInvalid, source=source)


def load_policy(path: Path) -> QueuePolicy:
    """Read and validate the policy file; errors name the file and the key."""
    return common.load_policy(path, schema=QueuePolicy, checks=_CHECKS, error=QueuePolicyInvalid, name=_NAME)


def policy_of(ctx: AppContext) -> QueuePolicy:
    """The process's queues policy (read once from rules/, cached in the context)."""
    return common.cached(ctx, _RESOURCE, lambda: load_policy(ctx.settings.resolved_rules_dir / POLICY_FILE))
