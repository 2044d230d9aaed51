"""The centre's inspection policy (rules/inspections/policy.toml): appeal period, board naming, evidence limits."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal, Mapping

from window_staff.common.context import AppContext
from window_staff.inspections.errors import InspectionPolicyInvalid

POLICY_FILE = Path("inspections") / "policy.toml"
_RESOURCE = "inspections.policy"

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


def _check(key: str, value: Any, *, source: str) -> None:
    if key == "exposure_naming":
        ok = isinstance(value, str) and value in NAMINGS
        expected = " | ".join(NAMINGS)
    elif key == "exposure_photos":
        ok, expected = type(value) is bool, "true or false"
    elif key in ("appeal_days", "exposure_days"):
        low = 1 if key == "exposure_days" else 0
        ok, expected = type(value) is int and low <= value <= _MAX_DAYS, f"an integer {low}..{_MAX_DAYS}"
    else:  # evidence limits
        ok, expected = type(value) is int and value > 0, "a positive integer"
    if not ok:
        raise InspectionPolicyInvalid(f"{source}: key {key!r} must be {expected}, got {value!r}", key=key)


def policy_from_mapping(data: Mapping[str, Any], *, source: str = "inspection policy") -> InspectionPolicy:
    """Build from a parsed TOML table; unknown, missing or mistyped keys are errors naming the key."""
    known = [f.name for f in fields(InspectionPolicy)]
    for key in sorted(data):
        if key not in known:
            raise InspectionPolicyInvalid(f"{source}: unknown key {key!r}", key=key)
    for key in known:
        if key not in data:
            raise InspectionPolicyInvalid(f"{source}: missing key {key!r}", key=key)
        _check(key, data[key], source=source)
    return InspectionPolicy(**{k: data[k] for k in known})


def load_policy(path: Path) -> InspectionPolicy:
    """Read and validate the policy file; errors name the file and the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InspectionPolicyInvalid(f"{path}: inspection policy file is missing", key="file") from None
    except tomllib.TOMLDecodeError as exc:
        raise InspectionPolicyInvalid(f"{path}: not valid TOML: {exc}", key="file") from exc
    return policy_from_mapping(data, source=str(path))


def policy_of(ctx: AppContext) -> InspectionPolicy:
    """The process's inspection policy (read once from rules/, cached in the context)."""
    found = ctx.resources.get(_RESOURCE)
    if found is None:
        found = ctx.resources[_RESOURCE] = load_policy(ctx.settings.resolved_rules_dir / POLICY_FILE)
    return found
