"""The bonus formula: worked examples checked by hand, and properties of both formulas."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from tests.bonuses.conftest import SHIPPED, edited, parse, pool_rules, staff
from window_staff.bonuses import BonusInputInvalid, StaffResult, compute_bonuses
from window_staff.bonuses.domain import share_pool

D = Decimal
GRADES = ("excellent", "good", "pass", "fail")


def test_worked_example_per_person() -> None:
    # Department "hall" has a base of 1234.57 a person (the others the default 1000.00).
    #   001 优秀 1234.57 x 1.2 = 1481.484  -> 1481.48 (half up)
    #   002 良好 1234.57 x 1.0 = 1234.57
    #   003 合格 1234.57 x 0.8 =  987.656  ->  987.66 (half up)
    #   004 优秀 but vetoed (一票否决) -> paid as 不合格 x 0 = 0.00
    #   total 1481.48 + 1234.57 + 987.66 + 0.00 = 3703.71
    rules = parse(edited("[per_person.departments]\n", '[per_person.departments]\nhall = "1234.57"\n'))
    people = [
        staff("001", "97", "excellent", dept="hall"),
        staff("002", "88", dept="hall"),
        staff("003", "75", "pass", dept="hall"),
        staff("004", "96", "excellent", dept="hall", veto=True),
    ]
    result = compute_bonuses(people, rules=rules)
    assert [line.bonus for line in result.lines] == [D("1481.48"), D("1234.57"), D("987.66"), D("0.00")]
    assert result.departments[0].total == D("3703.71") and result.departments[0].amount == D("1234.57")


def test_a_vetoed_person_is_paid_on_the_veto_grade(shipped) -> None:
    line = compute_bonuses([staff("001", "99", "excellent", veto=True)], rules=shipped).lines[0]
    assert (line.grade, line.grade_title, line.bonus) == ("fail", "不合格", D("0.00"))


def test_an_unlisted_department_gets_the_default_base(shipped) -> None:
    assert compute_bonuses([staff("001", "90", "good", dept="nowhere")], rules=shipped).lines[0].bonus == D("1000.00")


def test_worked_example_pool() -> None:
    # Pool 1000.00 for "tax"; 004 is 不合格 and excluded, so the weights are 95 + 90 + 85 = 270.
    #   001: 1000 x 95/270 = 351.8518.. -> 351.85, remainder 0.185 cent
    #   002: 1000 x 90/270 = 333.3333.. -> 333.33, remainder 0.333 cent
    #   003: 1000 x 85/270 = 314.8148.. -> 314.81, remainder 0.481 cent
    # Floors add up to 999.99; the one cent left goes to the largest remainder, 003 -> 314.82.
    # 351.85 + 333.33 + 314.82 = 1000.00 exactly; 004 gets 0.00.
    people = [staff("001", "95", "excellent"), staff("002", "90"), staff("003", "85"), staff("004", "60", "fail")]
    result = compute_bonuses(people, rules=pool_rules(pool="1000.00"))
    assert [line.bonus for line in result.lines] == [D("351.85"), D("333.33"), D("314.82"), D("0.00")]
    assert (result.departments[0].total, result.departments[0].undistributed) == (D("1000.00"), D("0.00"))


def test_pool_ties_go_to_the_lower_employee_number() -> None:
    # 0.01 among three equal scores: one cent, three equal remainders -> the lowest employee number.
    result = compute_bonuses([staff("003", "90"), staff("001", "90"), staff("002", "90")], rules=pool_rules(pool="0.01"))
    assert [(line.employee_no, line.bonus) for line in result.lines] == [("001", D("0.01")), ("002", D("0.00")), ("003", D("0.00"))]


def test_a_pool_nobody_may_share_stays_undistributed() -> None:
    result = compute_bonuses([staff("001", "50", "fail")], rules=pool_rules(pool="500.00"))
    assert result.lines[0].bonus == D("0.00") and result.departments[0].undistributed == D("500.00")


def test_without_exclusions_a_fail_grade_shares_the_pool() -> None:
    result = compute_bonuses([staff("001", "50", "fail"), staff("002", "50")], rules=pool_rules(pool="100.00", exclude="[]"))
    assert [line.bonus for line in result.lines] == [D("50.00"), D("50.00")]


def test_an_unknown_grade_in_the_input_is_refused(shipped) -> None:
    with pytest.raises(BonusInputInvalid, match="unknown grade"):
        compute_bonuses([staff("001", "90", "优秀")], rules=shipped)


def test_a_duplicate_employee_is_refused(shipped) -> None:
    with pytest.raises(BonusInputInvalid, match="twice"):
        compute_bonuses([staff("001", "90"), staff("001", "80", dept="other")], rules=shipped)


def test_a_negative_score_is_refused(shipped) -> None:
    with pytest.raises(BonusInputInvalid, match="score"):
        compute_bonuses([staff("001", "-1")], rules=shipped)


# --- properties ---

scores = st.decimals(min_value=0, max_value=110, places=2, allow_nan=False, allow_infinity=False)
cents = st.integers(min_value=0, max_value=10**9)


@st.composite
def departments(draw: st.DrawFn) -> list[StaffResult]:
    """One department's staff with distinct employee numbers, any scores and grades."""
    n = draw(st.integers(min_value=1, max_value=12))
    numbers = draw(st.lists(st.integers(min_value=1, max_value=9999), min_size=n, max_size=n, unique=True))
    return [staff(f"{no:04d}", str(draw(scores)), draw(st.sampled_from(GRADES)), veto=draw(st.booleans())) for no in numbers]


def exact_shares(pool: Decimal, weights: list[Decimal]) -> list[Fraction]:
    """The exact proportional shares, as fractions."""
    whole = sum(Fraction(w) for w in weights)
    return [Fraction(pool) * Fraction(w) / whole for w in weights]


@settings(max_examples=300)
@given(pool=cents, weights=st.lists(scores, min_size=1, max_size=20))
def test_pool_shares_sum_to_the_pool_exactly(pool: int, weights: list[Decimal]) -> None:
    shares = share_pool(D(pool) / 100, weights=weights, keys=[f"{i:03d}" for i in range(len(weights))], quantum=D("0.01"))
    assert sum(shares) == (D(pool) / 100 if any(weights) else 0)


@settings(max_examples=300)
@given(pool=cents, weights=st.lists(scores, min_size=1, max_size=20).filter(any))
def test_each_pool_share_is_within_one_cent_of_its_exact_value(pool: int, weights: list[Decimal]) -> None:
    amount = D(pool) / 100
    shares = share_pool(amount, weights=weights, keys=[f"{i:03d}" for i in range(len(weights))], quantum=D("0.01"))
    assert all(abs(Fraction(s) - e) < Fraction(1, 100) for s, e in zip(shares, exact_shares(amount, weights), strict=True))


@settings(max_examples=200)
@given(people=departments(), pool=cents, data=st.data())
def test_input_order_never_matters(people: list[StaffResult], pool: int, data: st.DataObject) -> None:
    rules = pool_rules(pool=str(D(pool) / 100))
    shuffled = data.draw(st.permutations(people))
    assert compute_bonuses(shuffled, rules=rules) == compute_bonuses(people, rules=rules)


@settings(max_examples=200)
@given(people=departments(), pool=cents)
def test_a_higher_score_never_gets_a_smaller_pool_share(people: list[StaffResult], pool: int) -> None:
    lines = [line for line in compute_bonuses(people, rules=pool_rules(pool=str(D(pool) / 100))).lines if line.grade != "fail"]
    assert all(a.bonus >= b.bonus for a in lines for b in lines if a.score > b.score)


@settings(max_examples=200)
@given(people=departments(), base=cents)
def test_a_per_person_bonus_is_never_negative(people: list[StaffResult], base: int) -> None:
    rules = parse(edited('default_base = "1000.00"', f'default_base = "{D(base) / 100}"', SHIPPED))
    assert all(line.bonus >= 0 for line in compute_bonuses(people, rules=rules).lines)
