"""Bonus errors: invalid bonus rules (every problem at once) and invalid per-staff input."""

from __future__ import annotations

from collections.abc import Sequence

from window_staff.common.errors import InvalidInput
from window_staff.scoring.errors import RuleError


class BonusRulesInvalid(InvalidInput):
    """rules/bonuses/bonus.toml cannot be used; ``errors`` names the file and key of every problem."""

    code = "bonus_rules_invalid"
    title = "Invalid bonus rules"

    def __init__(self, errors: Sequence[RuleError], /) -> None:
        self.errors: tuple[RuleError, ...] = tuple(errors)
        # The file is small: list every problem in the detail so `rules check` prints them all.
        summary = f"{len(self.errors)} error(s) in the bonus rules: " + "; ".join(str(e) for e in self.errors)
        super().__init__(summary, errors=[str(e) for e in self.errors])


class BonusInputInvalid(InvalidInput):
    """A per-staff result handed to the bonus formula is unusable (unknown grade, duplicate employee, ...)."""

    code = "bonus_input_invalid"
    title = "Invalid bonus input"
