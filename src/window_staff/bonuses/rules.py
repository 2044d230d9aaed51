"""Bonus rules (rules/bonuses/bonus.toml): the formula, rounding, grade coefficients and department amounts."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from window_staff.bonuses.errors import BonusRulesInvalid
from window_staff.scoring.errors import RuleError
from window_staff.scoring.reader import MISSING, Errors, Reader, parse_decimal, toml_type

if TYPE_CHECKING:
    from window_staff.common.context import AppContext

# In a sub-folder: the scoring loader reads every *.toml directly under rules/ as a scoring rule file.
BONUS_FILE = Path("bonuses") / "bonus.toml"
_RESOURCE = "bonuses.rules"
FORMULAS = ("per_person", "pool")
ROUNDING_MODES: Mapping[str, str] = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN}
_TOP = ("formula", "rounding", "coefficients", "per_person", "pool")


class GradeLike(Protocol):
    """What the loader needs of a scoring grade band (``scoring.rules.GradeBand``, a frozen dataclass: read-only)."""

    @property
    def code(self) -> str: ...

    @property
    def title_zh(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Rounding:
    """Money is quantised to ``quantum`` (0.01 yuan) with ``mode`` (a ``decimal`` rounding constant)."""

    quantum: Decimal
    mode: str

    def apply(self, amount: Decimal) -> Decimal:
        """``amount`` rounded to the quantum with the stated mode."""
        return amount.quantize(self.quantum, rounding=self.mode)


@dataclass(frozen=True, slots=True)
class DepartmentAmounts:
    """A money amount per department code, with a default for departments not listed."""

    default: Decimal
    departments: tuple[tuple[str, Decimal], ...]

    def of(self, department: str) -> Decimal:
        """The amount for ``department`` (the default when it is not listed)."""
        return dict(self.departments).get(department, self.default)


@dataclass(frozen=True, slots=True)
class BonusRules:
    """Validated bonus rules; ``grades`` are the scoring grade codes, highest first."""

    formula: str
    rounding: Rounding
    coefficients: tuple[tuple[str, Decimal], ...]
    per_person: DepartmentAmounts | None
    pool: DepartmentAmounts | None
    pool_exclude_grades: frozenset[str]
    grades: tuple[str, ...]
    grade_titles: tuple[tuple[str, str], ...]
    veto_grade: str

    def coefficient(self, grade: str) -> Decimal:
        """The coefficient of a grade code; KeyError when unknown."""
        return dict(self.coefficients)[grade]

    def title(self, grade: str) -> str:
        """The Chinese title of a grade code (优秀 ...), for exports."""
        return dict(self.grade_titles).get(grade, grade)


def _money(r: Reader, key: str, value: object, *, quantum: Decimal | None) -> Decimal | None:
    """A non-negative decimal string (or integer) that fits the rounding quantum; a TOML float is an error."""
    parsed, problem = parse_decimal(value)
    if problem:
        r.fail(key, problem)
        return None
    assert parsed is not None
    if parsed < 0:
        r.fail(key, f"must be >= 0, got {parsed}")
        return None
    # An amount finer than the quantum could never be paid out exactly, so the pool could not reconcile.
    if quantum is not None and parsed != parsed.quantize(quantum, rounding=ROUND_DOWN):
        r.fail(key, f"{parsed} is not a multiple of the rounding quantum {quantum}")
        return None
    return parsed


def _table(r: Reader, key: str, *, required: bool) -> dict[str, object] | None:
    """The sub-table under ``key``, or None (recording an error when it is missing or not a table)."""
    raw = r.raw(key, required=required)
    if raw is MISSING:
        return None
    if not isinstance(raw, dict):
        r.fail(key, f"must be a table, got {toml_type(raw)}")
        return None
    return raw


def _rounding(r: Reader) -> Rounding | None:
    raw = _table(r, "rounding", required=True)
    if raw is None:
        return None
    c = r.child(raw, prefix="rounding", keys=("quantum", "mode"))
    quantum, mode = c.decimal("quantum"), c.text("mode")
    if quantum is not None and (quantum <= 0 or quantum.as_tuple().digits != (1,)):
        # 1, 0.1, 0.01 ...: a power of ten, so "a multiple of the quantum" means "at most that many decimals".
        c.fail("quantum", f'must be a positive power of ten like "0.01", got {quantum}')
        quantum = None
    if mode is not None and mode not in ROUNDING_MODES:
        c.fail("mode", f"unknown rounding mode {mode!r} (allowed: {', '.join(ROUNDING_MODES)})")
        mode = None
    if quantum is None or mode is None:
        return None
    return Rounding(quantum, ROUNDING_MODES[mode])


def _coefficients(r: Reader, grades: Sequence[str]) -> tuple[tuple[str, Decimal], ...]:
    raw = _table(r, "coefficients", required=True)
    if raw is None:
        return ()
    # Every grade needs a coefficient and nothing else may appear: a typo (优秀 for excellent) is an unknown key.
    c = r.child(raw, prefix="coefficients", keys=tuple(grades))
    out = []
    for grade in grades:
        value = c.decimal(grade)
        if value is not None and value < 0:
            c.fail(grade, f"must be >= 0, got {value}")
        elif value is not None:
            out.append((grade, value))
    return tuple(out)


def _amounts(
    r: Reader, section: str, *, default_key: str, quantum: Decimal | None, extra: tuple[str, ...] = ()
) -> tuple[DepartmentAmounts | None, Reader | None]:
    # Only the selected formula's section is required; the other may stay in the file, validated, for a switch.
    raw = _table(r, section, required=r.data.get("formula") == section)
    if raw is None:
        return None, None
    c = r.child(raw, prefix=section, keys=(default_key, "departments", *extra))
    value = c.raw(default_key, required=True)
    default = None if value is MISSING else _money(c, default_key, value, quantum=quantum)
    departments: list[tuple[str, Decimal]] = []
    listed = raw.get("departments", {})
    if not isinstance(listed, dict):
        c.fail("departments", f"must be a table of department code = amount, got {toml_type(listed)}")
        listed = {}
    for code, amount in listed.items():
        parsed = _money(c, f"departments.{code}", amount, quantum=quantum)
        if parsed is not None:
            departments.append((code, parsed))
    if default is None:
        return None, c
    return DepartmentAmounts(default, tuple(sorted(departments))), c


def parse_bonus_rules(data: Mapping[str, object], *, file: str, grades: Sequence[GradeLike], veto_grade: str) -> BonusRules:
    """Validate a parsed bonus.toml against the scoring grades; raise BonusRulesInvalid naming every key."""
    errors = Errors()
    codes = tuple(g.code for g in grades)
    r = Reader(dict(data), file=file, entry=None, prefix="", errors=errors, keys=_TOP)
    formula = r.text("formula")
    if formula is not None and formula not in FORMULAS:
        r.fail("formula", f"unknown formula {formula!r} (allowed: {', '.join(FORMULAS)})")
        formula = None
    rounding = _rounding(r)
    quantum = rounding.quantum if rounding else None
    coefficients = _coefficients(r, codes)
    per_person, _ = _amounts(r, "per_person", default_key="default_base", quantum=quantum)
    pool, pool_reader = _amounts(r, "pool", default_key="default_pool", quantum=quantum, extra=("exclude_grades",))
    excluded: list[str] = []
    if pool_reader is not None and "exclude_grades" in pool_reader.data:
        value = pool_reader.data["exclude_grades"]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            pool_reader.fail("exclude_grades", f"must be an array of grade codes, got {toml_type(value)}")
        else:
            for i, grade in enumerate(value):
                if grade not in codes:
                    pool_reader.fail(f"exclude_grades[{i}]", f"unknown grade {grade!r} (the grades are: {', '.join(codes)})")
                else:
                    excluded.append(grade)
    if veto_grade not in codes:
        errors.add(file, None, None, f"the scoring veto grade {veto_grade!r} is not a grade")
    if errors.items or formula is None or rounding is None:
        raise BonusRulesInvalid(errors.items)
    return BonusRules(
        formula=formula,
        rounding=rounding,
        coefficients=coefficients,
        per_person=per_person,
        pool=pool,
        pool_exclude_grades=frozenset(excluded),
        grades=codes,
        grade_titles=tuple((g.code, g.title_zh) for g in grades),
        veto_grade=veto_grade,
    )


def load_bonus_rules(path: Path, *, grades: Sequence[GradeLike], veto_grade: str, file: str | None = None) -> BonusRules:
    """Read and validate a bonus rules file; errors name the file (``file``, default the path) and the key."""
    name = file or str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BonusRulesInvalid([RuleError(name, None, None, "bonus rules file is missing")]) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BonusRulesInvalid([RuleError(name, None, None, f"not valid UTF-8 TOML: {exc}")]) from exc
    return parse_bonus_rules(data, file=name, grades=grades, veto_grade=veto_grade)


def bonus_rules_of(ctx: AppContext) -> BonusRules:
    """The process's bonus rules (read once from rules/bonuses/, checked against the scoring grades)."""
    found = ctx.resources.get(_RESOURCE)
    if found is None:
        from window_staff.scoring.rules import rules_of

        scoring = rules_of(ctx)
        found = ctx.resources[_RESOURCE] = load_bonus_rules(
            ctx.settings.resolved_rules_dir / BONUS_FILE,
            grades=scoring.grades,
            veto_grade=scoring.scale.veto_grade,
            file=BONUS_FILE.as_posix(),
        )
    return found
