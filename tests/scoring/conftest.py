"""Helpers for scoring tests: a copy of the shipped rules to break, and fact builders."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from window_staff.scoring import Fact, RuleSet, load_rules
from window_staff.scoring.rules import REPO_RULES_DIR

_ids = itertools.count(1)


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped rule directory."""
    target = tmp_path / "rules"
    shutil.copytree(REPO_RULES_DIR, target, ignore=shutil.ignore_patterns("*.md"))
    return target


@pytest.fixture(scope="session")
def default_rules() -> RuleSet:
    """The shipped default rule set."""
    return load_rules(REPO_RULES_DIR)


def fact(kind: str, *, staff: int = 1, day: date = date(2025, 3, 3), fid: str | None = None, **fields: object) -> Fact:
    """A fact with a fresh id unless one is given."""
    return Fact(id=fid or f"f{next(_ids):06d}", kind=kind, staff_id=staff, occurred_on=day, fields=fields)


@pytest.fixture
def make_fact() -> Callable[..., Fact]:
    """The fact builder, as a fixture."""
    return fact


MINIMAL_SCALE = """
[scale]
base = 100
ceiling = 110
floor = 0
veto_grade = "fail"

[categories.basic]
title_zh = "服务基础标准"
title_en = "Basics"
max_points = 20
[categories.quality]
title_zh = "服务质量标准"
title_en = "Quality"
max_points = 20
bonus_max = 5
[categories.management]
title_zh = "服务管理标准"
title_en = "Management"
max_points = 20
[categories.post]
title_zh = "服务岗位标准"
title_en = "Post"
max_points = 20
[categories.evaluation]
title_zh = "服务评价标准"
title_en = "Evaluation"
max_points = 20
bonus_max = 10

[[grades]]
code = "excellent"
title_zh = "优秀"
title_en = "Excellent"
min_score = 95
[[grades]]
code = "good"
title_zh = "良好"
title_en = "Good"
min_score = 85
[[grades]]
code = "pass"
title_zh = "合格"
title_en = "Pass"
min_score = 70
[[grades]]
code = "fail"
title_zh = "不合格"
title_en = "Fail"
min_score = 0
"""


def checklist_toml(*items: tuple[str, str, bool]) -> str:
    """[[checklist]] tables from (id, category, positive)."""
    return "".join(
        f'[[checklist]]\nid = "{i}"\ntitle_zh = "{i}"\ntitle_en = "{i}"\ncategory = "{c}"\npositive = {str(p).lower()}\n'
        + ("" if p else f'problem_zh = "no {i}"\nproblem_en = "no {i}"\n')
        for i, c, p in items
    )


def write_minimal(directory: Path, rules: str, *, scale: str = MINIMAL_SCALE, checklist: str = "checklist = []\n") -> Path:
    """A rule directory with the five categories (20 each), the four usual grades, ``checklist`` (default none) and ``rules``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "categories.toml").write_text(scale, encoding="utf-8")
    (directory / "checklist.toml").write_text(checklist, encoding="utf-8")
    (directory / "rules.toml").write_text(rules, encoding="utf-8")
    return directory


def rule_toml(rule_id: str, *, fact: str, points: str, category: str = "management", **extra: str) -> str:
    """One [[rule]] table; ``extra`` values are raw TOML."""
    lines = [
        "[[rule]]",
        f'id = "{rule_id}"',
        f'title_zh = "{rule_id}"',
        f'title_en = "{rule_id}"',
        f'category = "{category}"',
        f'fact = "{fact}"',
        f"points = {points}",
    ]
    lines += [f"{key} = {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n\n"
