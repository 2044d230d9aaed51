"""Loading rules/bonuses/bonus.toml: the shipped file loads; every refusal names the file and the key."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.bonuses.conftest import SCORING, SHIPPED, edited, parse
from window_staff.bonuses import BONUS_FILE, BonusRulesInvalid, load_bonus_rules
from window_staff.common.errors import InvalidInput
from window_staff.scoring.rules import REPO_RULES_DIR

FILE = "bonuses/bonus.toml"


def refusals(text: str) -> list[tuple[str, str | None, str]]:
    """(file, key, message) of every error; fail if the text loads."""
    with pytest.raises(BonusRulesInvalid) as info:
        parse(text)
    return [(e.file, e.key, e.message) for e in info.value.errors]


def names(text: str, key: str, words: str = "") -> bool:
    """True when some refusal is in the bonus file, at exactly ``key``, with ``words`` in its message."""
    return any(f == FILE and k == key and words in m for f, k, m in refusals(text))


def test_the_shipped_file_loads_with_its_stated_values(shipped) -> None:
    assert (shipped.formula, shipped.rounding.quantum, shipped.rounding.mode) == ("per_person", Decimal("0.01"), ROUND_HALF_UP)
    assert dict(shipped.coefficients) == {"excellent": Decimal("1.2"), "good": Decimal("1.0"), "pass": Decimal("0.8"), "fail": Decimal(0)}


def test_the_loader_reads_the_shipped_file_from_disk() -> None:
    rules = load_bonus_rules(REPO_RULES_DIR / BONUS_FILE, grades=SCORING.grades, veto_grade="fail")
    assert rules.per_person is not None and rules.per_person.default == Decimal("1000.00")


def test_bonus_rules_invalid_is_invalid_input() -> None:
    assert issubclass(BonusRulesInvalid, InvalidInput)


def test_an_unknown_top_level_key_is_named() -> None:
    assert names("bonus_cap = 5\n" + SHIPPED, "bonus_cap", "unknown key")


def test_an_unknown_key_in_a_section_is_named() -> None:
    assert names(edited('quantum = "0.01"', 'quantum = "0.01"\nround_to = "fen"'), "rounding.round_to", "unknown key")


def test_float_money_is_refused_naming_the_key() -> None:
    assert names(edited('default_base = "1000.00"', "default_base = 1000.0"), "per_person.default_base", "TOML float")


def test_float_money_for_a_department_is_refused_naming_the_key() -> None:
    text = edited("[per_person.departments]\n", "[per_person.departments]\ntax = 1200.5\n")
    assert names(text, "per_person.departments.tax", "TOML float")


def test_a_float_coefficient_is_refused() -> None:
    assert names(edited('excellent = "1.2"', "excellent = 1.2"), "coefficients.excellent", "TOML float")


def test_an_unknown_grade_is_refused() -> None:
    assert names(edited('fail = "0"', 'fail = "0"\noutstanding = "1.5"'), "coefficients.outstanding", "unknown key")


def test_a_missing_grade_is_refused() -> None:
    assert names(edited('pass = "0.8"\n', ""), "coefficients.pass", "missing")


def test_an_unknown_excluded_grade_is_refused() -> None:
    assert names(edited('exclude_grades = ["fail"]', 'exclude_grades = ["bad"]'), "pool.exclude_grades[0]", "unknown grade")


def test_a_negative_coefficient_is_refused() -> None:
    assert names(edited('pass = "0.8"', 'pass = "-0.8"'), "coefficients.pass", ">= 0")


def test_negative_money_is_refused() -> None:
    assert names(edited('default_pool = "10000.00"', 'default_pool = "-1.00"'), "pool.default_pool", ">= 0")


def test_money_finer_than_the_quantum_is_refused() -> None:
    assert names(edited('default_base = "1000.00"', 'default_base = "1000.005"'), "per_person.default_base", "quantum")


def test_missing_rounding_is_refused() -> None:
    text = SHIPPED[: SHIPPED.index("[rounding]")] + SHIPPED[SHIPPED.index("[coefficients]") :]
    assert names(text, "rounding", "required key is missing")


def test_a_missing_rounding_mode_is_refused() -> None:
    assert names(edited('mode = "half_up"\n', ""), "rounding.mode", "missing")


def test_an_unknown_rounding_mode_is_refused() -> None:
    assert names(edited('mode = "half_up"', 'mode = "bankers"'), "rounding.mode", "unknown rounding mode")


def test_a_quantum_that_is_not_a_power_of_ten_is_refused() -> None:
    assert names(edited('quantum = "0.01"', 'quantum = "0.05"'), "rounding.quantum", "power of ten")


def test_an_unknown_formula_is_refused() -> None:
    assert names(edited('formula = "per_person"', 'formula = "equal"'), "formula", "unknown formula")


def test_the_selected_formula_needs_its_section() -> None:
    start, end = SHIPPED.index("[pool]\n"), SHIPPED.index("[pool.departments]\n")
    text = edited('formula = "per_person"', 'formula = "pool"', SHIPPED[:start] + SHIPPED[end + len("[pool.departments]\n") :])
    assert names(text, "pool", "required key is missing")


def test_every_problem_is_reported_at_once() -> None:
    text = edited('pass = "0.8"', 'pass = "-0.8"', edited('default_base = "1000.00"', "default_base = 1000.0"))
    keys = {k for _, k, _ in refusals(text)}
    assert {"coefficients.pass", "per_person.default_base"} <= keys


def test_a_missing_file_is_refused_naming_it(tmp_path) -> None:
    with pytest.raises(BonusRulesInvalid, match="bonus.toml: bonus rules file is missing"):
        load_bonus_rules(tmp_path / "bonus.toml", grades=SCORING.grades, veto_grade="fail")


def test_a_file_that_is_not_toml_is_refused_naming_it(tmp_path) -> None:
    (tmp_path / "bonus.toml").write_text("formula = [\n", encoding="utf-8")
    with pytest.raises(BonusRulesInvalid, match="bonus.toml: not valid UTF-8 TOML"):
        load_bonus_rules(tmp_path / "bonus.toml", grades=SCORING.grades, veto_grade="fail")
