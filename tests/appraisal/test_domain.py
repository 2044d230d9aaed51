"""The appraisal's pure core: transitions, hashes, rankings, adjustment points."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from window_staff.appraisal import domain
from window_staff.appraisal.errors import AppraisalInputInvalid, MonthInvalid, PeriodStateConflict
from window_staff.appraisal.service.appeals import adjustment_points
from window_staff.common import periods
from window_staff.scoring import Fact


def late(fact_id: str, minutes: int) -> Fact:
    return Fact(id=fact_id, kind="attendance.late", staff_id=1, occurred_on=date(2025, 3, 4), fields={"minutes": minutes, "session": "am"})


@pytest.mark.parametrize(
    ("state", "action", "target"),
    [
        ("open", "compute", "computed"),
        ("computed", "compute", "computed"),
        ("appeals", "compute", "appeals"),
        ("decided", "compute", "decided"),
        ("computed", "open_appeals", "appeals"),
        ("appeals", "end_appeals", "decided"),
        ("decided", "approve", "approved"),
        ("decided", "return", "computed"),
        ("approved", "return", "computed"),
        ("approved", "publish", "published"),
        ("published", "close", "closed"),
        ("closed", "reopen", "computed"),
    ],
)
def test_allowed_transitions(state: str, action: str, target: str) -> None:
    assert domain.next_state(state, action=action) == target


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("approved", "compute"),
        ("published", "compute"),
        ("closed", "compute"),
        ("computed", "approve"),
        ("appeals", "approve"),
        ("open", "open_appeals"),
        ("decided", "publish"),
        ("approved", "close"),
        ("published", "reopen"),
        ("computed", "end_appeals"),
    ],
)
def test_refused_transitions_name_the_state(state: str, action: str) -> None:
    with pytest.raises(PeriodStateConflict) as caught:
        domain.next_state(state, action=action)
    assert state in caught.value.detail


@pytest.mark.parametrize("bad", ["2025-13", "2025-3", "25-03", "march", "2025-03-01", ""])
def test_months_must_be_yyyy_mm(bad: str) -> None:
    with pytest.raises(MonthInvalid):
        periods.parse_month(bad)


def test_inputs_hash_ignores_fact_order_but_not_content() -> None:
    a, b = late("x", 5), late("y", 12)
    assert domain.inputs_hash([a, b]) == domain.inputs_hash([b, a])
    assert domain.inputs_hash([a, b]) != domain.inputs_hash([a, late("y", 13)])


def test_rankings_share_a_rank_on_equal_averages() -> None:
    rows = [(1, 9000, "good"), (1, 10000, "excellent"), (2, 9500, "excellent"), (3, 8000, "pass")]
    ranked = domain.rank_groups(rows, labels={1: "A", 2: "B", 3: "C"}, grade_codes=["excellent", "good", "pass", "fail"])
    # 1 and 2 both average 95.00: they share rank 1 and the next is rank 3, not 2.
    assert [(g.key, g.rank, g.average) for g in ranked] == [(1, 1, Decimal("95.00")), (2, 1, Decimal("95.00")), (3, 3, Decimal("80.00"))]
    assert ranked[0].grades == {"excellent": 1, "good": 1, "pass": 0, "fail": 0}
    assert (ranked[0].best, ranked[0].worst) == (Decimal("100.00"), Decimal("90.00"))


def test_upheld_appeal_restores_the_whole_line_by_default() -> None:
    assert adjustment_points(Decimal("-1.60"), outcome="upheld", asked=None) == Decimal("1.60")


def test_upheld_appeal_may_restore_part_of_a_line() -> None:
    assert adjustment_points(Decimal("-2"), outcome="upheld", asked=Decimal("0.5")) == Decimal("0.5")


@pytest.mark.parametrize("asked", ["-0.5", "0", "2.01"])
def test_adjustment_cannot_deduct_more_or_exceed_the_line(asked: str) -> None:
    with pytest.raises(AppraisalInputInvalid):
        adjustment_points(Decimal("-2"), outcome="upheld", asked=Decimal(asked))


def test_rejected_appeal_adds_nothing_and_takes_no_points() -> None:
    assert adjustment_points(Decimal("-2"), outcome="rejected", asked=None) == 0
    with pytest.raises(AppraisalInputInvalid):
        adjustment_points(Decimal("-2"), outcome="rejected", asked=Decimal(1))


def test_a_fact_appeal_restores_that_facts_points_and_no_more_than_the_cap_lets_through() -> None:
    from window_staff.appraisal.domain import restored_points

    items = [
        ["a", "2025-03-04", "3", "1", "-0.60", {}],
        ["b", "2025-03-05", "3", "1", "-0.60", {}],
        ["c", "2025-03-06", "3", "2", "-1.20", {}],
    ]
    assert restored_points({"points": "-2.40", "uncapped": "-2.40", "items": items}, disputed=["b"]) == Decimal("0.60")
    # Capped at 2: taking 0.60 off an uncapped −2.40 leaves −1.80, so 0.20 comes back; the next 0.60 all of it.
    capped = {"points": "-2", "uncapped": "-2.40", "items": items}
    assert restored_points(capped, disputed=["b"]) == Decimal("0.20")
    assert restored_points(capped, disputed=["a"], already=["b"]) == Decimal("0.60")
