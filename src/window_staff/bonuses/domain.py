"""The bonus formula, pure: per-staff results + bonus rules -> per-staff bonus lines and department totals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from window_staff.bonuses.errors import BonusInputInvalid
from window_staff.bonuses.rules import BonusRules

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class StaffResult:
    """One staff member's month as the bonus needs it (from the appraisal's StaffScore and the org data)."""

    employee_no: str
    name: str
    department: str
    score: Decimal
    grade: str  # grade code (excellent, good, pass, fail)
    veto: bool = False


@dataclass(frozen=True, slots=True)
class BonusLine:
    """One person's bonus; ``grade`` is the grade paid on (the veto grade when vetoed)."""

    employee_no: str
    name: str
    department: str
    score: Decimal
    grade: str
    grade_title: str
    veto: bool
    bonus: Decimal
    # What the amount was worked out from, for the reader: per_person the base and the grade's coefficient
    # (bonus = base x factor, rounded); pool the pool and this person's share of it. None when not known.
    base: Decimal | None = None
    factor: Decimal | None = None


@dataclass(frozen=True, slots=True)
class DepartmentTotal:
    """A department's figures: ``amount`` is the base per person (per_person) or the pool (pool)."""

    department: str
    headcount: int
    amount: Decimal
    total: Decimal
    undistributed: Decimal  # pool only: a pool nobody may share (all excluded or all scores zero) stays here


@dataclass(frozen=True, slots=True)
class BonusResult:
    """The month's bonus: lines sorted by department then employee number, totals by department."""

    formula: str
    lines: tuple[BonusLine, ...]
    departments: tuple[DepartmentTotal, ...]

    @property
    def total(self) -> Decimal:
        """The sum of every line."""
        return sum((line.bonus for line in self.lines), ZERO)


def paid_grade(rules: BonusRules, *, grade: str, veto: bool) -> str:
    """The grade the bonus is paid on: a veto (一票否决) caps it at the veto grade, as the scoring does."""
    if grade not in rules.grades:
        raise BonusInputInvalid(f"unknown grade {grade!r} (the grades are: {', '.join(rules.grades)})", key="grade")
    if not veto:
        return grade
    # Grades are highest first, so the larger index is the worse grade.
    return rules.grades[max(rules.grades.index(grade), rules.grades.index(rules.veto_grade))]


def compute_bonuses(results: Iterable[StaffResult], *, rules: BonusRules) -> BonusResult:
    """Every staff member's bonus under the rules' formula; the same inputs in any order give the same result."""
    staff = sorted(results, key=lambda s: (s.department, s.employee_no))
    _check(staff)
    by_department: dict[str, list[StaffResult]] = defaultdict(list)
    for s in staff:
        by_department[s.department].append(s)
    lines: list[BonusLine] = []
    totals: list[DepartmentTotal] = []
    for department, members in sorted(by_department.items()):
        grades = [paid_grade(rules, grade=s.grade, veto=s.veto) for s in members]
        if rules.formula == "per_person":
            assert rules.per_person is not None  # the loader requires the section for this formula
            amount = rules.per_person.of(department)
            factors = [rules.coefficient(g) for g in grades]
            bonuses = [rules.rounding.apply(amount * f) for f in factors]
            undistributed = ZERO.quantize(rules.rounding.quantum)
        else:
            assert rules.pool is not None
            amount = rules.pool.of(department)
            weights = [ZERO if g in rules.pool_exclude_grades else s.score for s, g in zip(members, grades, strict=True)]
            bonuses = share_pool(amount, weights=weights, keys=[s.employee_no for s in members], quantum=rules.rounding.quantum)
            factors = pool_shares(weights)
            undistributed = amount - sum(bonuses, ZERO)
        for s, g, b, f in zip(members, grades, bonuses, factors, strict=True):
            lines.append(BonusLine(s.employee_no, s.name, department, s.score, g, rules.title(g), s.veto, b, amount, f))
        totals.append(DepartmentTotal(department, len(members), amount, sum(bonuses, ZERO), undistributed))
    return BonusResult(rules.formula, tuple(lines), tuple(totals))


def pool_shares(weights: Sequence[Decimal]) -> list[Decimal]:
    """Each weight's share of the pool (0.2375 = 23.75 %), to four places: shown beside the amount, never paid from."""
    whole = sum(weights, ZERO)
    if not whole:
        return [ZERO for _ in weights]
    return [(w / whole).quantize(Decimal("0.0001")) for w in weights]


def share_pool(pool: Decimal, *, weights: Sequence[Decimal], keys: Sequence[str], quantum: Decimal) -> list[Decimal]:
    """Split ``pool`` in proportion to ``weights`` into multiples of ``quantum`` that add up to it exactly.

    Largest-remainder method (Hamilton): everyone gets their exact share rounded down to the quantum, then
    the cents still left go one each to the largest remainders, ties broken by ``keys`` (employee number)
    so the result never depends on input order. Rounding each share half up instead could pay out a cent
    more or less than the pool; this way each share is within one quantum of its exact value and a larger
    weight never gets less. All weights zero: nobody shares and everything stays undistributed.
    """
    if not all(w.is_finite() for w in weights):
        raise BonusInputInvalid("pool weights (scores) must be finite", key="score")
    if any(w < 0 for w in weights):
        raise BonusInputInvalid("pool weights (scores) must be >= 0", key="score")
    units = int(pool / quantum)  # the loader guarantees the pool is a whole number of quanta
    # Scale the weights to integers so floors and remainders are exact (no Decimal context rounding).
    # typeshed types an exponent int | 'n' | 'N' | 'F' (NaN, sNaN, infinity); a finite weight's is an int
    exponent = max((-cast(int, w.as_tuple().exponent) for w in weights if w), default=0)
    exponent = max(exponent, 0)
    ints = [int(w.scaleb(exponent)) for w in weights]
    whole = sum(ints)
    if whole == 0:
        return [ZERO * quantum for _ in weights]
    floors = [units * w // whole for w in ints]
    remainders = [units * w % whole for w in ints]
    left = units - sum(floors)
    order = sorted(range(len(ints)), key=lambda i: (-remainders[i], keys[i]))
    for i in order[:left]:
        floors[i] += 1
    return [quantum * n for n in floors]


def _check(staff: Sequence[StaffResult]) -> None:
    seen: set[str] = set()
    for s in staff:
        if s.employee_no in seen:
            raise BonusInputInvalid(f"employee {s.employee_no!r} appears twice", key="employee_no")
        seen.add(s.employee_no)
        if not s.score.is_finite() or s.score < 0:
            raise BonusInputInvalid(f"employee {s.employee_no!r}: score must be a finite number >= 0, got {s.score}", key="score")
