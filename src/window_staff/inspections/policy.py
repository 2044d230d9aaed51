"""The centre's inspection policy (rules/inspections/policy.toml): appeal period, board naming, evidence limits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from window_staff.common import policy as common
from window_staff.common.context import AppContext
from window_staff.inspections.errors import InspectionPolicyInvalid

POLICY_FILE = Path("inspections") / "policy.toml"
_RESOURCE = "inspections.policy"
_NAME = "inspection policy"

Naming = Literal["named", "surname", "anonymous"]
NAMINGS: tuple[str, ...] = ("named", "surname", "anonymous")
# Bounds that catch typos (a year of appeals, a board entry for a decade) without dictating policy.
_MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class InspectionPolicy:
    """Validated policy values; every key of the file is required so nothing is silently defaulted."""

    appeal_days: int
    exposure_naming: Naming
    exposure_days: int
    exposure_photos: bool
    evidence_max_bytes: int
    evidence_max_pixels: int


_CHECKS: Mapping[str, common.Check] = {
    "appeal_days": common.int_between(0, _MAX_DAYS),
    "exposure_naming": common.one_of(*NAMINGS),
    "exposure_days": common.int_between(1, _MAX_DAYS),
    "exposure_photos": common.boolean(),
    "evidence_max_bytes": common.positive_int(),
    "evidence_max_pixels": common.positive_int(),
}


def policy_from_mapping(data: Mapping[str, Any], *, source: str = _NAME) -> InspectionPolicy:
    """Build from a parsed TOML table; unknown, missing or mistyped keys are errors naming the key."""
    return common.policy_from_mapping(data, schema=InspectionPolicy, checks=_CHECKS, error=InspectionPolicyInvalid, source=source)


def load_policy(path: Path) -> InspectionPolicy:
    """Read and validate the policy file; errors name the file and the key."""
    return common.load_policy(path, schema=InspectionPolicy, checks=_CHECKS, error=InspectionPolicyInvalid, name=_NAME)


def policy_of(ctx: AppContext) -> InspectionPolicy:
    """The process's inspection policy (read once from rules/, cached in the context)."""
    return common.cached(ctx, _RESOURCE, lambda: load_policy(ctx.settings.resolved_rules_dir / POLICY_FILE))
