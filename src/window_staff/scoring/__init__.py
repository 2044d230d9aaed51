"""Scoring: the five standards as rules (``rules/*.toml``) and the pure engine that applies them to facts."""

from window_staff.scoring.engine import Line, LineItem, StaffScore, score
from window_staff.scoring.errors import FactInvalid, RuleError, RuleSetInvalid
from window_staff.scoring.explain import explain
from window_staff.scoring.rules import (
    CategorySpec,
    ChecklistItem,
    Condition,
    Escalation,
    GradeBand,
    PerUnit,
    Rule,
    RuleSet,
    Scale,
    load_default_rules,
    load_rules,
)
from window_staff.scoring.vocabulary import CATEGORY_CODES, FACT_KINDS, OPERATORS, Fact

__all__ = [
    "CATEGORY_CODES",
    "FACT_KINDS",
    "OPERATORS",
    "CategorySpec",
    "ChecklistItem",
    "Condition",
    "Escalation",
    "Fact",
    "FactInvalid",
    "GradeBand",
    "Line",
    "LineItem",
    "PerUnit",
    "Rule",
    "RuleError",
    "RuleSet",
    "RuleSetInvalid",
    "Scale",
    "StaffScore",
    "explain",
    "load_default_rules",
    "load_rules",
    "score",
]

# The modules another domain may import, besides the names above (tests/test_architecture.py).
PUBLIC = frozenset({"engine", "errors", "explain", "reader", "rules", "vocabulary"})
