"""Rule loading: every validation error names the file, the rule (or entry) id and the key, all at once."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.scoring.conftest import rule_toml, write_minimal
from window_staff.common.errors import InvalidInput
from window_staff.scoring import RuleSetInvalid, load_rules
from window_staff.scoring.cli import check_command


def errors_of(directory: Path) -> list[tuple[str, str | None, str | None, str]]:
    """Load and return (file, rule_id, key, message) of every error; fail if it loads."""
    with pytest.raises(RuleSetInvalid) as info:
        load_rules(directory)
    return [(e.file, e.rule_id, e.key, e.message) for e in info.value.errors]


def has(errors: list[tuple[str, str | None, str | None, str]], file: str, rule_id: str | None, key: str | None, words: str = "") -> bool:
    """True when one error matches file, id and key exactly and its message contains ``words``."""
    return any(e[:3] == (file, rule_id, key) and words in e[3] for e in errors)


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact snippet in a file (and insist it was there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


LATE = 'id = "att.late"\n'


def test_rule_set_invalid_is_invalid_input() -> None:
    assert issubclass(RuleSetInvalid, InvalidInput)
    assert RuleSetInvalid.code == "rule_set_invalid"


def test_unknown_rule_key(rules_copy: Path) -> None:
    edit(rules_copy / "attendance.toml", LATE, LATE + 'colour = "red"\n')
    assert has(errors_of(rules_copy), "attendance.toml", "att.late", "colour", "unknown key")


def test_unknown_fact(rules_copy: Path) -> None:
    edit(rules_copy / "attendance.toml", 'fact = "attendance.late"', 'fact = "attendance.tardy"')
    assert has(errors_of(rules_copy), "attendance.toml", "att.late", "fact", "unknown fact")


def test_unknown_fact_field_in_condition_and_per_unit(rules_copy: Path) -> None:
    edit(rules_copy / "attendance.toml", '{ field = "minutes", op = "between"', '{ field = "mins", op = "between"')
    edit(rules_copy / "attendance.toml", 'per_unit = { field = "minutes"', 'per_unit = { field = "hours"')
    errors = errors_of(rules_copy)
    assert has(errors, "attendance.toml", "att.late", "condition[0].field", "unknown field 'mins'")
    assert has(errors, "attendance.toml", "att.late", "per_unit.field", "unknown field 'hours'")


def test_unknown_operator(rules_copy: Path) -> None:
    edit(rules_copy / "attendance.toml", 'op = "between"', 'op = "like"')
    assert has(errors_of(rules_copy), "attendance.toml", "att.late", "condition[0].op", "unknown operator 'like'")


def test_ordering_operator_on_text_field(tmp_path: Path) -> None:
    write_minimal(
        tmp_path, rule_toml("x.a", fact="attendance.late", points="-1", condition='[{ field = "session", op = "gt", value = "am" }]')
    )
    assert has(errors_of(tmp_path), "rules.toml", "x.a", "condition[0].op", "numeric")


def test_condition_value_outside_choices(tmp_path: Path) -> None:
    write_minimal(
        tmp_path, rule_toml("x.a", fact="attendance.late", points="-1", condition='[{ field = "session", op = "eq", value = "noon" }]')
    )
    assert has(errors_of(tmp_path), "rules.toml", "x.a", "condition[0].value", "one of")


def test_unknown_category_in_rule_and_in_categories(rules_copy: Path) -> None:
    edit(rules_copy / "attendance.toml", 'category = "management"', 'category = "discipline"')
    edit(rules_copy / "categories.toml", "[categories.post]", "[categories.duty]")
    errors = errors_of(rules_copy)
    assert has(errors, "attendance.toml", "att.late", "category", "unknown category")
    assert has(errors, "categories.toml", "category duty", "categories.duty", "unknown category")
    assert has(errors, "categories.toml", "category post", "categories.post", "missing")


def test_duplicate_rule_id(rules_copy: Path) -> None:
    edit(rules_copy / "attendance.toml", 'id = "att.early_leave"', 'id = "att.late"')
    assert has(errors_of(rules_copy), "attendance.toml", "att.late", "id", "duplicate rule id")


def test_overlapping_effective_dates(tmp_path: Path) -> None:
    first = rule_toml("x.late", fact="attendance.late", points="-1", effective_from="2025-01-01", effective_to="2025-06-30")
    second = rule_toml("x.late", fact="attendance.late", points="-2", effective_from="2025-06-01")
    write_minimal(tmp_path, first + second)
    assert has(errors_of(tmp_path), "rules.toml", "x.late", "effective_from", "overlap")


def test_successive_versions_load_and_rules_for_picks_one(tmp_path: Path) -> None:
    first = rule_toml("x.late", fact="attendance.late", points="-1", effective_to="2025-06-30")
    second = rule_toml("x.late", fact="attendance.late", points="-2", effective_from="2025-07-01")
    rules = load_rules(write_minimal(tmp_path, first + second))
    assert [r.points for r in rules.rules_for(date(2025, 6, 1))] == [Decimal(-1)]
    assert [r.points for r in rules.rules_for(date(2025, 7, 1))] == [Decimal(-2)]
    assert rules.rule("x.late").points == Decimal(-2)
    assert rules.rule("x.late", on=date(2024, 1, 1)).points == Decimal(-1)


def test_effective_dates_must_be_month_aligned(tmp_path: Path) -> None:
    write_minimal(tmp_path, rule_toml("x.a", fact="attendance.late", points="-1", effective_from="2025-01-15", effective_to='"2025-12-31"'))
    errors = errors_of(tmp_path)
    assert has(errors, "rules.toml", "x.a", "effective_from", "first day of a month")
    assert has(errors, "rules.toml", "x.a", "effective_to", "TOML date")


def test_category_max_points_must_add_up_to_base(rules_copy: Path) -> None:
    edit(rules_copy / "categories.toml", "max_points = 15", "max_points = 16")
    assert has(errors_of(rules_copy), "categories.toml", "categories", "max_points", "add up to 101")


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('points = "-0.2"', "points = -0.2", "points"),
        ("cap = 5", "cap = 5.0", "cap"),
        ("size = 10", "size = 10.0", "per_unit.size"),
        ("factor = 2", "factor = 2.0", "escalation.factor"),
    ],
)
def test_toml_float_is_an_error(rules_copy: Path, old: str, new: str, key: str) -> None:
    edit(rules_copy / "attendance.toml", old, new)
    assert has(errors_of(rules_copy), "attendance.toml", "att.late", key, "TOML float")


def test_float_in_scale_and_in_decimal_condition(rules_copy: Path) -> None:
    edit(rules_copy / "categories.toml", "ceiling = 110", "ceiling = 110.0")
    edit(rules_copy / "evaluation.toml", 'op = "lt", value = 90 }', 'op = "lt", value = 89.5 }')
    errors = errors_of(rules_copy)
    assert has(errors, "categories.toml", "scale", "scale.ceiling", "TOML float")
    assert has(errors, "evaluation.toml", "eval.delegate_low", "condition[0].value", "TOML float")


def test_bad_decimal_strings(tmp_path: Path) -> None:
    write_minimal(
        tmp_path, rule_toml("x.a", fact="attendance.late", points='"1e3"') + rule_toml("x.b", fact="attendance.late", points='"NaN"')
    )
    errors = errors_of(tmp_path)
    assert has(errors, "rules.toml", "x.a", "points", "decimal string")
    assert has(errors, "rules.toml", "x.b", "points", "decimal string")


def test_bad_grade_bands(rules_copy: Path) -> None:
    edit(rules_copy / "categories.toml", "min_score = 85", "min_score = 96")
    edit(rules_copy / "categories.toml", "min_score = 0", "min_score = 10")
    edit(rules_copy / "categories.toml", 'veto_grade = "fail"', 'veto_grade = "bad"')
    errors = errors_of(rules_copy)
    assert has(errors, "categories.toml", "grade good", "grades[1].min_score", "strictly falling")
    assert has(errors, "categories.toml", "grade fail", "grades[3].min_score", "above the floor")
    assert has(errors, "categories.toml", "scale", "scale.veto_grade", "not a grade code")


def test_escalation_must_not_soften(rules_copy: Path) -> None:
    edit(rules_copy / "attendance.toml", "factor = 2", 'factor = "0.5"')
    assert has(errors_of(rules_copy), "attendance.toml", "att.late", "escalation.factor", ">= 1")


def test_cap_is_positive_and_zero_points_need_veto(tmp_path: Path) -> None:
    write_minimal(tmp_path, rule_toml("x.a", fact="attendance.late", points="0", cap="-3"))
    errors = errors_of(tmp_path)
    assert has(errors, "rules.toml", "x.a", "cap", "positive")
    assert has(errors, "rules.toml", "x.a", "points", "must move points or veto")


def test_checklist_links(rules_copy: Path) -> None:
    edit(rules_copy / "conduct.toml", 'value = "attire" }', 'value = "atire" }')
    edit(rules_copy / "conduct.toml", 'id = "cond.pennant"', 'id = "cond.pennant"\n# sign flipped\n')
    edit(rules_copy / "conduct.toml", 'value = "pennant" }]\npoints = 1', 'value = "pennant" }]\npoints = -1')
    errors = errors_of(rules_copy)
    assert has(errors, "conduct.toml", "cond.attire", "condition[0].value", "not a checklist item")
    assert has(errors, "checklist.toml", "checklist attire", "id", "no rule reads")
    assert has(errors, "conduct.toml", "cond.pennant", "points", "commendation")


def test_missing_required_keys_and_unknown_sections(rules_copy: Path) -> None:
    edit(rules_copy / "attendance.toml", 'title_en = "Late (up to 30 minutes)"\n', "")
    (rules_copy / "bonus.toml").write_text("[bonus]\nbase = 1\n", encoding="utf-8")
    errors = errors_of(rules_copy)
    assert has(errors, "attendance.toml", "att.late", "title_en", "required")
    assert has(errors, "bonus.toml", None, "bonus", "unknown top-level key")


def test_toml_syntax_error_names_the_file(rules_copy: Path) -> None:
    (rules_copy / "broken.toml").write_text("[[rule]\nid = 1\n", encoding="utf-8")
    assert has(errors_of(rules_copy), "broken.toml", None, None, "TOML")


def test_section_defined_twice(rules_copy: Path) -> None:
    shutil.copy(rules_copy / "checklist.toml", rules_copy / "zz-checklist.toml")
    assert has(errors_of(rules_copy), "zz-checklist.toml", None, "checklist", "already defined in checklist.toml")


def test_missing_directory(tmp_path: Path) -> None:
    assert errors_of(tmp_path / "nowhere")[0][3] == "rule directory does not exist"


def test_all_errors_are_collected_at_once(rules_copy: Path) -> None:
    edit(rules_copy / "attendance.toml", LATE, LATE + "x = 1\n")
    edit(rules_copy / "attendance.toml", 'fact = "attendance.absent"', 'fact = "attendance.gone"')
    edit(rules_copy / "evaluation.toml", 'points = "0.05"', "points = 0.05")
    edit(rules_copy / "categories.toml", "max_points = 25", "max_points = 20")
    errors = errors_of(rules_copy)
    assert has(errors, "attendance.toml", "att.late", "x")
    assert has(errors, "attendance.toml", "att.absent", "fact")
    assert has(errors, "evaluation.toml", "rating.very_satisfied", "points")
    assert has(errors, "categories.toml", "categories", "max_points")
    assert len(errors) == 4


def test_error_text_names_file_rule_and_key(rules_copy: Path) -> None:
    edit(rules_copy / "attendance.toml", 'points = "-0.2"', "points = -0.2")
    with pytest.raises(RuleSetInvalid) as info:
        load_rules(rules_copy)
    text = str(info.value.errors[0])
    assert text.startswith("attendance.toml: rule att.late: key 'points': TOML float")
    assert info.value.extra["errors"] == [text]


def test_version_is_a_content_hash(rules_copy: Path, tmp_path: Path) -> None:
    first = load_rules(rules_copy)
    again = shutil.copytree(rules_copy, tmp_path / "again")
    assert load_rules(again).version == first.version
    (again / "README.md").write_text("docs do not change the version", encoding="utf-8")
    assert load_rules(again).version == first.version
    edit(again / "attendance.toml", "cap = 5", "cap = 6")
    assert load_rules(again).version != first.version
    assert len(first.version) == 64


def test_check_command(rules_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_command(rules_copy) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: ") and " rules, version " in out
    edit(rules_copy / "attendance.toml", 'points = "-0.2"', "points = -0.2")
    edit(rules_copy / "attendance.toml", 'fact = "attendance.absent"', 'fact = "attendance.gone"')
    assert check_command(rules_copy) == 1
    err = capsys.readouterr().err
    assert "attendance.toml: rule att.late: key 'points'" in err
    assert "attendance.toml: rule att.absent: key 'fact'" in err
    assert "INVALID: 2 error(s)" in err


def test_a_failing_item_without_its_problem_wording_is_refused(rules_copy: Path) -> None:
    edit(rules_copy / "checklist.toml", 'problem_en = "Not wearing the staff badge"\n', "")
    assert has(errors_of(rules_copy), "checklist.toml", "checklist badge_worn", "checklist[0].problem_en", "required")
