"""Checks across entries and files: sums, grade bands, duplicate and overlapping ids, checklist links."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from window_staff.scoring.rules import CategorySpec, ChecklistItem, GradeBand, Rule, Scale

if TYPE_CHECKING:
    from window_staff.scoring.parsing import Errors

FINDING = "inspection.finding"


def cross_check(
    *,
    scale: Scale | None,
    categories: Sequence[CategorySpec],
    grades: Sequence[GradeBand],
    checklist: Sequence[ChecklistItem],
    rules: Sequence[Rule],
    files_of: dict[str, str],
    errors: Errors,
) -> None:
    """Record every cross-entry problem in ``errors``."""
    if scale is not None and categories:
        total = sum((c.max_points for c in categories), start=scale.base * 0)
        if total != scale.base:
            parts = " + ".join(f"{c.code} {c.max_points}" for c in categories)
            errors.add(
                files_of["categories"],
                "categories",
                "max_points",
                f"category max points add up to {total} ({parts}), but scale.base is {scale.base}",
            )
    if "grades" in files_of:
        _check_grades(scale, grades, file=files_of["grades"], scale_file=files_of.get("scale", "?"), errors=errors)
    items = _check_checklist(checklist, file=files_of.get("checklist", "?"), errors=errors)
    _check_rule_ids(rules, errors=errors)
    if "checklist" in files_of:
        _check_finding_rules(rules, items, file=files_of["checklist"], errors=errors)


def _check_grades(scale: Scale | None, grades: Sequence[GradeBand], *, file: str, scale_file: str, errors: Errors) -> None:
    if not grades:
        errors.add(file, "grades", "grades", "at least one grade band is needed")
        return
    seen: set[str] = set()
    for i, band in enumerate(grades):
        entry = f"grade {band.code}"
        if band.code in seen:
            errors.add(file, entry, f"grades[{i}].code", "duplicate grade code")
        seen.add(band.code)
        if i and band.min_score >= grades[i - 1].min_score:
            errors.add(
                file,
                entry,
                f"grades[{i}].min_score",
                f"bands must be listed highest first with strictly falling min_score; {band.min_score} follows {grades[i - 1].min_score}",
            )
        if scale is not None and band.min_score > scale.ceiling:
            errors.add(
                file, entry, f"grades[{i}].min_score", f"{band.min_score} is above the ceiling {scale.ceiling}: no score can reach it"
            )
    if scale is not None:
        lowest = min(grades, key=lambda g: g.min_score)
        if lowest.min_score > scale.floor:
            where = f"grades[{list(grades).index(lowest)}].min_score"
            errors.add(
                file,
                f"grade {lowest.code}",
                where,
                f"the lowest band starts at {lowest.min_score}, above the floor {scale.floor}: some scores would have no grade",
            )
        if scale.veto_grade not in seen:
            errors.add(
                scale_file,
                "scale",
                "scale.veto_grade",
                f"{scale.veto_grade!r} is not a grade code (known: {', '.join(g.code for g in grades)})",
            )


def _check_checklist(checklist: Sequence[ChecklistItem], *, file: str, errors: Errors) -> dict[str, ChecklistItem]:
    items: dict[str, ChecklistItem] = {}
    for i, item in enumerate(checklist):
        if item.id in items:
            errors.add(file, f"checklist {item.id}", f"checklist[{i}].id", "duplicate checklist item id")
        items.setdefault(item.id, item)
    return items


def _check_rule_ids(rules: Sequence[Rule], *, errors: Errors) -> None:
    by_id: dict[str, list[Rule]] = defaultdict(list)
    for rule in rules:
        by_id[rule.id].append(rule)
    for rule_id, versions in by_id.items():
        for j, later in enumerate(versions):
            for earlier in versions[:j]:
                if later.effective_from == earlier.effective_from:
                    errors.add(
                        later.source,
                        rule_id,
                        "id",
                        f"duplicate rule id (also in {earlier.source}, same effective_from); give a new version its own effective_from",
                    )
                elif _overlap(earlier, later):
                    errors.add(
                        later.source,
                        rule_id,
                        "effective_from",
                        f"effective dates {_span(later)} overlap {_span(earlier)} of the same id in {earlier.source}",
                    )


def _overlap(a: Rule, b: Rule) -> bool:
    a_start, b_start = a.effective_from or date.min, b.effective_from or date.min
    a_end, b_end = a.effective_to or date.max, b.effective_to or date.max
    return a_start <= b_end and b_start <= a_end


def _span(rule: Rule) -> str:
    return f"[{rule.effective_from or '...'}, {rule.effective_to or '...'}]"


def _pinned_items(rule: Rule) -> tuple[str, set[str]] | None:
    """The op and the checklist ids a finding rule's ``item`` condition names, if any."""
    for cond in rule.condition:
        if cond.field == "item":
            # item is a str field: one id (eq, ne) or a frozenset of ids (in, not_in), typed when the rule loaded
            ids = cond.value if isinstance(cond.value, frozenset) else {cond.value}
            return cond.op, {v for v in ids if isinstance(v, str)}
    return None


def _check_finding_rules(rules: Sequence[Rule], items: dict[str, ChecklistItem], *, file: str, errors: Errors) -> None:
    used: set[str] = set()
    for rule in rules:
        if rule.fact != FINDING:
            continue
        pinned = _pinned_items(rule)
        if pinned is None:
            continue
        op, values = pinned
        key = f"condition[{[c.field for c in rule.condition].index('item')}].value"
        for value in sorted(values - items.keys()):
            errors.add(rule.source, rule.id, key, f"{value!r} is not a checklist item id in {file}")
        if op not in ("eq", "in"):
            continue
        used |= values
        for value in sorted(values & items.keys()):
            item = items[value]
            if rule.points and (rule.points > 0) != item.positive:
                kind = "a commendation (positive = true)" if item.positive else "a violation (positive = false)"
                errors.add(rule.source, rule.id, "points", f"checklist item {value!r} is {kind} but the rule's points are {rule.points}")
            if op == "eq" and item.category != rule.category:
                errors.add(
                    rule.source,
                    rule.id,
                    "category",
                    f"checklist item {value!r} is in category {item.category!r}, the rule in {rule.category!r}",
                )
    for item_id in sorted(items.keys() - used):
        errors.add(file, f"checklist {item_id}", "id", "no rule reads this checklist item (add a rule with condition item eq/in it)")
