"""Scoring errors: an invalid rule set (all problems at once) and invalid facts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from window_staff.common.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class RuleError:
    """One problem in a rule set: the file, the rule (or other entry) id, the key path and what is wrong.

    ``rule_id`` is the rule id for rules; for other entries it names the entry (``category basic``,
    ``grade good``, ``checklist badge_worn``, ``scale``); None when the problem is the whole file.
    """

    file: str
    rule_id: str | None
    key: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.rule_id is not None:
            parts.append(self.rule_id if " " in self.rule_id else f"rule {self.rule_id}")
        if self.key is not None:
            parts.append(f"key {self.key!r}")
        return ": ".join(parts) + f": {self.message}"


class RuleSetInvalid(InvalidInput):
    """The rule files cannot be used; ``errors`` lists every problem found, not just the first."""

    code = "rule_set_invalid"
    title = "Invalid rule set"

    def __init__(self, errors: Sequence[RuleError], /) -> None:
        self.errors: tuple[RuleError, ...] = tuple(errors)
        summary = f"{len(self.errors)} error(s) in the rule set"
        if self.errors:
            summary += f"; first: {self.errors[0]}"
        super().__init__(summary, errors=[str(e) for e in self.errors])


class FactInvalid(InvalidInput):
    """A fact handed to the engine does not match the vocabulary (a bug in the producing domain)."""

    code = "fact_invalid"
    title = "Invalid fact"
