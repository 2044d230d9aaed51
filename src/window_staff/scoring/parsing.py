"""Rule directory -> RuleSet: files, sections (scale, categories, grades, checklist) and the version."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from window_staff.scoring.errors import RuleSetInvalid
from window_staff.scoring.reader import ID, Errors, Reader, array_of
from window_staff.scoring.rule_parsing import parse_rules
from window_staff.scoring.rules import CategorySpec, ChecklistItem, GradeBand, Rule, RuleSet, Scale, content_version
from window_staff.scoring.validation import cross_check
from window_staff.scoring.vocabulary import CATEGORY_CODES

SECTIONS = ("scale", "categories", "grades", "checklist", "rule")
_SINGLE = ("scale", "categories", "grades", "checklist")  # exactly once per directory


def parse_directory(directory: Path) -> RuleSet:
    """Read, parse and cross-check a rule directory; raise RuleSetInvalid listing every problem."""
    errors = Errors()
    if not directory.is_dir():
        errors.add(str(directory), None, None, "rule directory does not exist")
        raise RuleSetInvalid(errors.items)
    files: list[tuple[str, bytes]] = [(p.name, p.read_bytes()) for p in sorted(directory.glob("*.toml")) if p.is_file()]
    if not files:
        errors.add(str(directory), None, None, "no *.toml rule files")
    found: dict[str, tuple[str, Any]] = {}
    rules: list[Rule] = []
    for name, data in files:
        try:
            doc = tomllib.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            errors.add(name, None, None, f"not valid UTF-8 TOML: {exc}")
            continue
        for key, value in doc.items():
            if key == "rule":
                rules.extend(parse_rules(value, file=name, errors=errors))
            elif key in _SINGLE:
                if key in found:
                    errors.add(name, None, key, f"section already defined in {found[key][0]}")
                else:
                    found[key] = (name, value)
            else:
                errors.add(name, None, key, f"unknown top-level key (allowed: {', '.join(SECTIONS)})")
    for key in _SINGLE:
        if key not in found and files:
            errors.add(str(directory), None, key, "section is missing from every file")
    scale = _scale(*found["scale"], errors=errors) if "scale" in found else None
    categories = _categories(*found["categories"], errors=errors) if "categories" in found else ()
    grades = _grades(*found["grades"], errors=errors) if "grades" in found else ()
    checklist = _checklist(*found["checklist"], errors=errors) if "checklist" in found else ()
    files_of = {k: v[0] for k, v in found.items()}
    cross_check(scale=scale, categories=categories, grades=grades, checklist=checklist, rules=rules, files_of=files_of, errors=errors)
    if errors.items or scale is None:
        raise RuleSetInvalid(errors.items)
    return RuleSet(
        version=content_version(files),
        scale=scale,
        categories=categories,
        grades=grades,
        checklist=checklist,
        rules=tuple(rules),
        files=tuple(name for name, _ in files),
    )


def _scale(file: str, data: object, *, errors: Errors) -> Scale | None:
    r = Reader(data, file=file, entry="scale", prefix="scale", errors=errors, keys=("base", "ceiling", "floor", "veto_grade"))
    base, ceiling, floor = r.decimal("base"), r.decimal("ceiling"), r.decimal("floor")
    veto_grade = r.text("veto_grade")
    if base is None or ceiling is None or floor is None or veto_grade is None:
        return None
    if not (Decimal(0) <= floor < base <= ceiling):
        r.fail(None, f"need 0 <= floor < base <= ceiling, got floor {floor}, base {base}, ceiling {ceiling}")
    return Scale(base=base, ceiling=ceiling, floor=floor, veto_grade=veto_grade)


def _categories(file: str, data: object, *, errors: Errors) -> tuple[CategorySpec, ...]:
    if not isinstance(data, dict):
        errors.add(file, None, "categories", "must be a table of [categories.<code>] tables")
        return ()
    out = []
    for code, table in data.items():
        r = Reader(
            table,
            file=file,
            entry=f"category {code}",
            prefix=f"categories.{code}",
            errors=errors,
            keys=("title_zh", "title_en", "max_points", "bonus_max"),
        )
        if code not in CATEGORY_CODES:
            r.fail(None, f"unknown category (the five are: {', '.join(CATEGORY_CODES)})")
        title_zh, title_en = r.text("title_zh"), r.text("title_en")
        max_points, bonus_max = r.decimal("max_points"), r.decimal("bonus_max", required=False)
        for key, value in (("max_points", max_points), ("bonus_max", bonus_max)):
            if value is not None and value < 0:
                r.fail(key, f"must be >= 0, got {value}")
        if title_zh and title_en and max_points is not None and code in CATEGORY_CODES:
            out.append(CategorySpec(code, title_zh, title_en, max_points, bonus_max or Decimal(0)))
    for code in CATEGORY_CODES:
        if code not in data:
            errors.add(file, f"category {code}", f"categories.{code}", "category is missing")
    # The category order in explanations is the glossary's, whatever the file order.
    return tuple(sorted(out, key=lambda c: CATEGORY_CODES.index(c.code)))


def _grades(file: str, data: object, *, errors: Errors) -> tuple[GradeBand, ...]:
    out: list[GradeBand] = []
    for i, table in enumerate(array_of(file, "grades", data, errors=errors)):
        code = table.get("code") if isinstance(table, dict) else None
        entry = f"grade {code}" if isinstance(code, str) else f"grade #{i + 1}"
        r = Reader(table, file=file, entry=entry, prefix=f"grades[{i}]", errors=errors, keys=("code", "title_zh", "title_en", "min_score"))
        code, title_zh, title_en, min_score = r.text("code", pattern=ID), r.text("title_zh"), r.text("title_en"), r.decimal("min_score")
        if code and title_zh and title_en and min_score is not None:
            out.append(GradeBand(code, title_zh, title_en, min_score))
    return tuple(out)


def _checklist(file: str, data: object, *, errors: Errors) -> tuple[ChecklistItem, ...]:
    out: list[ChecklistItem] = []
    for i, table in enumerate(array_of(file, "checklist", data, errors=errors)):
        item_id = table.get("id") if isinstance(table, dict) else None
        entry = f"checklist {item_id}" if isinstance(item_id, str) else f"checklist #{i + 1}"
        r = Reader(
            table,
            file=file,
            entry=entry,
            prefix=f"checklist[{i}]",
            errors=errors,
            keys=("id", "title_zh", "title_en", "problem_zh", "problem_en", "category", "positive"),
        )
        item_id, title_zh, title_en = r.text("id", pattern=ID), r.text("title_zh"), r.text("title_en")
        category, positive = r.text("category"), r.boolean("positive")
        # A failing is ticked and published in its own words (未佩戴工作牌), never as the standard it broke.
        problem_zh, problem_en = r.text("problem_zh", required=positive is False), r.text("problem_en", required=positive is False)
        if category is not None and category not in CATEGORY_CODES:
            r.fail("category", f"unknown category {category!r} (the five are: {', '.join(CATEGORY_CODES)})")
            category = None
        if item_id and title_zh and title_en and category and positive is not None:
            out.append(ChecklistItem(item_id, title_zh, title_en, category, positive, problem_zh or title_zh, problem_en or title_en))
    return tuple(out)
