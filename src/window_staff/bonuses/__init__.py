"""Target-management bonus (目标管理考核奖): rules, the pure formula and payroll exports."""

from __future__ import annotations

from window_staff.bonuses.domain import BonusLine, BonusResult, DepartmentTotal, StaffResult, compute_bonuses
from window_staff.bonuses.errors import BonusInputInvalid, BonusRulesInvalid
from window_staff.bonuses.export import PayrollHeading, bonus_csv, bonus_xlsx
from window_staff.bonuses.rules import BONUS_FILE, BonusRules, bonus_rules_of, load_bonus_rules, parse_bonus_rules

__all__ = [
    "BONUS_FILE",
    "BonusInputInvalid",
    "BonusLine",
    "BonusResult",
    "BonusRules",
    "BonusRulesInvalid",
    "DepartmentTotal",
    "PayrollHeading",
    "StaffResult",
    "bonus_csv",
    "bonus_rules_of",
    "bonus_xlsx",
    "compute_bonuses",
    "load_bonus_rules",
    "parse_bonus_rules",
]

# The modules another domain may import, besides the names above (tests/test_architecture.py).
PUBLIC = frozenset({"domain", "errors", "export", "rules"})
