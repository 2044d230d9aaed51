"""Typed rule objects and the loader for ``rules/*.toml`` (keys documented in ``rules/README.md``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from window_staff.common.context import AppContext

REPO_RULES_DIR = Path(__file__).resolve().parents[3] / "rules"
ROUNDINGS = ("up", "down", "half_up", "none")


@dataclass(frozen=True, slots=True)
class Condition:
    """``<fact field> <op> <value>``; ``value`` is already typed (a frozenset for in/not_in, a pair for between)."""

    field: str
    op: str
    value: object


@dataclass(frozen=True, slots=True)
class PerUnit:
    """Points count per unit of a numeric field: units = round((value or its distance past a threshold) / size)."""

    field: str
    size: Decimal
    rounding: str
    below: Decimal | None = None
    above: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Escalation:
    """From the ``from_occurrence``-th occurrence in the month on, each occurrence counts ``factor`` times."""

    from_occurrence: int
    factor: Decimal


@dataclass(frozen=True, slots=True)
class Rule:
    """One scoring rule: which facts it reads, when it fires and how many points each occurrence is worth."""

    id: str
    title_zh: str
    title_en: str
    category: str
    fact: str
    condition: tuple[Condition, ...]
    points: Decimal
    per_unit: PerUnit | None
    cap: Decimal | None
    escalation: tuple[Escalation, ...]
    veto: bool
    veto_from_occurrence: int
    effective_from: date | None
    effective_to: date | None
    source: str
    description_zh: str = ""  # what the rule does, in a sentence, with its escalation, cap and veto
    description_en: str = ""

    def effective_on(self, day: date) -> bool:
        """True when the rule is in force on ``day`` (both ends inclusive, open ends unbounded)."""
        return (self.effective_from is None or self.effective_from <= day) and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True, slots=True)
class CategorySpec:
    """One of the five standards: its share of the base and how far commendations may lift it."""

    code: str
    title_zh: str
    title_en: str
    max_points: Decimal
    bonus_max: Decimal


@dataclass(frozen=True, slots=True)
class GradeBand:
    """A grade reached by any total at or above ``min_score``."""

    code: str
    title_zh: str
    title_en: str
    min_score: Decimal


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """An inspection checklist item; findings on it reach the rules as ``inspection.finding`` item ids."""

    id: str
    title_zh: str
    title_en: str
    category: str
    positive: bool
    # How a finding on it reads: the problem found (未佩戴工作牌); a commendation's is its title.
    problem_zh: str = ""
    problem_en: str = ""

    def wording(self, lang: str) -> str:
        """What a finding on this item says, in the page language: the problem found, or the commendation."""
        if lang == "en":
            return self.problem_en or self.title_en
        return self.problem_zh or self.title_zh


@dataclass(frozen=True, slots=True)
class Scale:
    """The month's base, ceiling and floor, and the grade a veto caps at."""

    base: Decimal
    ceiling: Decimal
    floor: Decimal
    veto_grade: str


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A validated rule set; ``version`` is the sha256 of its files, stored with every computed appraisal."""

    version: str
    scale: Scale
    categories: tuple[CategorySpec, ...]
    grades: tuple[GradeBand, ...]  # highest first
    checklist: tuple[ChecklistItem, ...]
    rules: tuple[Rule, ...]
    files: tuple[str, ...]

    def rules_for(self, period_start: date) -> tuple[Rule, ...]:
        """The rules in force for the month starting on ``period_start``, in file order."""
        return tuple(r for r in self.rules if r.effective_on(period_start))

    def rule(self, rule_id: str, *, on: date | None = None) -> Rule:
        """The rule with this id (the version in force ``on`` a day, else the latest); KeyError if none."""
        found = [r for r in self.rules if r.id == rule_id and (on is None or r.effective_on(on))]
        if not found:
            raise KeyError(rule_id)
        return max(found, key=lambda r: r.effective_from or date.min)

    def category(self, code: str) -> CategorySpec:
        """The category with this code; KeyError if none."""
        for spec in self.categories:
            if spec.code == code:
                return spec
        raise KeyError(code)

    def grade_for(self, total: Decimal, *, veto: bool = False) -> GradeBand:
        """The grade for a total; a veto caps it at the scale's veto grade."""
        band = next((g for g in self.grades if total >= g.min_score), self.grades[-1])
        if veto:
            cap = next(i for i, g in enumerate(self.grades) if g.code == self.scale.veto_grade)
            band = self.grades[max(cap, self.grades.index(band))]
        return band


def content_version(files: list[tuple[str, bytes]]) -> str:
    """sha256 over (name, length, bytes) of each file, sorted by name, so the hash is order-free."""
    digest = hashlib.sha256()
    for name, data in sorted(files):
        digest.update(name.encode() + b"\0" + str(len(data)).encode() + b"\0")
        digest.update(data)
    return digest.hexdigest()


def load_rules(directory: Path) -> RuleSet:
    """Load and validate every ``*.toml`` in ``directory`` (not sub-folders); raise RuleSetInvalid with all errors."""
    from window_staff.scoring.parsing import parse_directory

    return parse_directory(Path(directory))


def default_rules_dir() -> Path:
    """``settings.rules_dir`` when it exists, else ``<repo>/rules``."""
    from window_staff.settings import get_settings

    return get_settings().resolved_rules_dir


def load_default_rules() -> RuleSet:
    """Load the configured rule set (``WINDOW_STAFF_RULES_DIR``, default ``rules/``)."""
    return load_rules(default_rules_dir())


RULES_RESOURCE = "scoring.rules"


def rules_of(ctx: AppContext) -> RuleSet:
    """The process's rule set: read once from the configured folder (the app does it at start-up)."""
    found = ctx.resources.get(RULES_RESOURCE)
    if found is None:
        found = ctx.resources[RULES_RESOURCE] = load_rules(ctx.settings.resolved_rules_dir)
    return found
