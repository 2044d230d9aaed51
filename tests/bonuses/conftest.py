"""Helpers for bonus tests: the shipped rules as text to edit, a loader over text, and staff results."""

from __future__ import annotations

import tomllib
from decimal import Decimal

import pytest

from window_staff.bonuses import BONUS_FILE, BonusRules, StaffResult, parse_bonus_rules
from window_staff.scoring.rules import REPO_RULES_DIR, RuleSet, load_rules

SHIPPED = (REPO_RULES_DIR / BONUS_FILE).read_text(encoding="utf-8")
SCORING: RuleSet = load_rules(REPO_RULES_DIR)


def parse(text: str) -> BonusRules:
    """Bonus rules from TOML text, checked against the shipped grades."""
    return parse_bonus_rules(tomllib.loads(text), file="bonuses/bonus.toml", grades=SCORING.grades, veto_grade=SCORING.scale.veto_grade)


def edited(old: str, new: str, text: str = SHIPPED) -> str:
    """The shipped file with one exact snippet replaced (and insist it was there)."""
    assert old in text, old
    return text.replace(old, new, 1)


def pool_rules(*, pool: str = "10000.00", exclude: str = '["fail"]') -> BonusRules:
    """The shipped rules switched to the pool formula."""
    text = edited('formula = "per_person"', 'formula = "pool"')
    text = edited('default_pool = "10000.00"', f'default_pool = "{pool}"', text)
    return parse(edited('exclude_grades = ["fail"]', f"exclude_grades = {exclude}", text))


def staff(no: str, score: str, grade: str = "good", *, dept: str = "tax", veto: bool = False, name: str = "") -> StaffResult:
    """A staff result with a default name."""
    return StaffResult(no, name or f"员工{no}", dept, Decimal(score), grade, veto)


@pytest.fixture(scope="session")
def shipped() -> BonusRules:
    """The shipped bonus rules (per_person)."""
    return parse(SHIPPED)
