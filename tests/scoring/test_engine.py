"""Engine examples, each checked by hand in its comment, on the shipped rules or a minimal set."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.scoring.conftest import checklist_toml, fact, rule_toml, write_minimal
from window_staff.scoring import FactInvalid, RuleSet, StaffScore, explain, load_rules, score

MARCH = date(2025, 3, 1)
D = Decimal


def one(facts: list, rules: RuleSet, *, period: date = MARCH) -> StaffScore:
    """Score staff 1 alone."""
    return score({1: facts}, rules=rules, period=period)[1]


def line(result: StaffScore, rule_id: str):
    """The line of one rule (fails when the rule did not fire)."""
    return next(x for x in result.lines if x.rule_id == rule_id)


def test_no_facts_gives_full_marks(default_rules: RuleSet) -> None:
    result = one([], default_rules)
    assert result.total == D("100.00") and result.grade.code == "excellent" and not result.veto and result.lines == ()
    assert result.categories == {"basic": D(15), "quality": D(20), "management": D(25), "post": D(20), "evaluation": D(20)}
    assert result.rules_version == default_rules.version


def test_late_25_minutes_is_three_units(default_rules: RuleSet) -> None:
    # 25 minutes / 10, rounded up = 3 units x -0.2 = -0.60; management 25 - 0.6 = 24.40.
    result = one([fact("attendance.late", minutes=25, session="am", fid="late1")], default_rules)
    late = line(result, "att.late")
    assert (late.occurrences, late.items[0].units, late.points, late.fact_ids) == (1, D(3), D("-0.60"), ("late1",))
    assert result.categories["management"] == D("24.40") and result.total == D("99.40")


def test_late_over_30_minutes_counts_as_half_day(default_rules: RuleSet) -> None:
    result = one([fact("attendance.late", minutes=31, session="pm")], default_rules)
    assert [x.rule_id for x in result.lines] == ["att.late_long"] and result.total == D("98.00")


def test_escalation_from_the_third_occurrence_in_day_order(default_rules: RuleSet) -> None:
    # Missing punches on the 3rd, 4th, 5th, 6th: -0.5, -0.5, then x2: -1, -1 = -3.00 (= the cap, not cut).
    days = [date(2025, 3, d) for d in (6, 3, 5, 4)]  # handed over out of order
    facts = [fact("attendance.missing_punch", day=d, session="am", direction="in", fid=f"mp{d.day}") for d in days]
    mp = line(one(facts, default_rules), "att.missing_punch")
    assert mp.fact_ids == ("mp3", "mp4", "mp5", "mp6")
    assert [i.factor for i in mp.items] == [1, 1, 2, 2]
    assert [i.points for i in mp.items] == [D("-0.50"), D("-0.50"), D("-1.00"), D("-1.00")]
    assert mp.points == D("-3.00") and not mp.capped


def test_monthly_cap(default_rules: RuleSet) -> None:
    # Ten hour-long absences from the post: 2 units x -0.5 = -1 each, -10 in all, capped at 5.
    facts = [fact("attendance.away_from_post", minutes=60, session="am", day=date(2025, 3, d)) for d in range(1, 11)]
    away = line(one(facts, default_rules), "att.away_from_post")
    assert (away.uncapped, away.points, away.capped, away.occurrences) == (D("-10.00"), D("-5"), True, 10)


def test_veto_caps_the_grade(default_rules: RuleSet) -> None:
    # Three half days absent: 100 - 6 = 94, good. The fourth: 92 but vetoed, so fail.
    absences = [fact("attendance.absent", session=s, day=date(2025, 3, d)) for d in (3, 4) for s in ("am", "pm")]
    three = one(absences[:3], default_rules)
    assert (three.total, three.grade.code, three.veto) == (D("94.00"), "good", False)
    four = one(absences, default_rules)
    assert (four.total, four.grade.code, four.veto, four.veto_rules) == (D("92.00"), "fail", True, ("att.absent",))


def test_integrity_finding_vetoes_on_first_occurrence(default_rules: RuleSet) -> None:
    finding = fact("inspection.finding", item="integrity", severity="major", visit_kind="undercover", positive=False)
    result = one([finding], default_rules)
    assert result.total == D("95.00") and result.veto and result.grade.code == "fail"


def test_category_never_below_zero(tmp_path: Path) -> None:
    # basic has 20; 30 badge findings at -1 = -30, floored at 0; the other categories keep 80.
    badge = rule_toml(
        "x.badge",
        fact="inspection.finding",
        points="-1",
        category="basic",
        condition='[{ field = "item", op = "eq", value = "badge_worn" }]',
    )
    rules = load_rules(write_minimal(tmp_path, badge, checklist=checklist_toml(("badge_worn", "basic", False))))
    facts = [fact("inspection.finding", item="badge_worn", severity="minor", visit_kind="open", positive=False) for _ in range(30)]
    result = one(facts, rules)
    assert result.categories["basic"] == D("0.00") and result.total == D("80.00")
    assert line(result, "x.badge").points == D("-30.00")  # the line keeps the full story


def test_ceiling_with_commendations(tmp_path: Path) -> None:
    # evaluation 20 + 15 capped at 20 + bonus_max 10 = 30; quality 20 + 8 capped at 25: 115 in all, ceiling 110.
    rules = load_rules(
        write_minimal(
            tmp_path,
            rule_toml(
                "x.praise",
                fact="rating.citizen",
                points="1",
                category="evaluation",
                condition='[{ field = "level", op = "eq", value = 5 }]',
            )
            + rule_toml(
                "x.deed",
                fact="inspection.finding",
                points="2",
                category="quality",
                condition='[{ field = "item", op = "in", value = ["good_deed"] }]',
            ),
            checklist=checklist_toml(("good_deed", "quality", True)),
        )
    )
    facts = [fact("rating.citizen", level=5) for _ in range(15)]
    facts += [fact("inspection.finding", item="good_deed", severity="minor", visit_kind="open", positive=True) for _ in range(4)]
    result = one(facts, rules)
    assert result.categories["evaluation"] == D("30.00") and result.categories["quality"] == D("25.00")
    assert result.total == D("110.00") and result.grade.code == "excellent"


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("110", "excellent"),
        ("95", "excellent"),
        ("94.99", "good"),
        ("85", "good"),
        ("84.99", "pass"),
        ("70", "pass"),
        ("69.99", "fail"),
        ("0", "fail"),
    ],
)
def test_grade_bands(default_rules: RuleSet, total: str, grade: str) -> None:
    assert default_rules.grade_for(D(total)).code == grade
    assert default_rules.grade_for(D(total), veto=True).code == "fail"


def test_rates_below_100_deduct_per_started_point(default_rules: RuleSet) -> None:
    # satisfaction 97.5 %: 2.5 points short, rounded up to 3 x -0.5 = -1.50. On time 100 %: nothing.
    facts = [
        fact("service.satisfaction_rate", rate=D("97.5"), transactions=120),
        fact("service.ontime_rate", rate=D(100), transactions=120),
        fact("service.onsite_rate", rate=D("99.99"), transactions=120),  # 0.01 short -> 1 unit x -0.2
    ]
    result = one(facts, default_rules)
    assert line(result, "service.satisfaction").points == D("-1.50")
    assert line(result, "service.onsite").points == D("-0.20")
    assert "service.ontime" not in {x.rule_id for x in result.lines}


def test_ratings_and_bad_review_cases(default_rules: RuleSet) -> None:
    # 2 x level 1 (-2), 1 x level 2 (-0.5), 3 x level 5 (+0.15), one unrectified case (-2), one voided (0).
    facts = [fact("rating.citizen", level=lv) for lv in (1, 1, 2, 5, 5, 5, 3, 4)]
    facts += [
        fact("rating.bad_review_case", rectified_on_time=False, voided=False),
        fact("rating.bad_review_case", rectified_on_time=False, voided=True),
    ]
    result = one(facts, default_rules)
    assert result.categories["evaluation"] == D("15.65")  # 20 - 2 - 0.5 + 0.15 - 2


def test_appeal_adjustment_restores_points(default_rules: RuleSet) -> None:
    facts = [
        fact("attendance.late", minutes=25, session="am"),
        fact("appeal.adjustment", points=D("0.6"), rule_id="att.late", category="management"),
    ]
    result = one(facts, default_rules)
    assert result.categories["management"] == D("25.00") and line(result, "appeal.management").points == D("0.60")


def test_delegate_evaluation(default_rules: RuleSet) -> None:
    # 86.4 is 3.6 under 90, rounded up to 4 x -0.5 = -2.00.
    low = one([fact("evaluation.delegate", score=D("86.4"), count=5)], default_rules)
    assert line(low, "eval.delegate_low").points == D("-2.00")
    high = one([fact("evaluation.delegate", score=D(99), count=3)], default_rules)
    assert line(high, "eval.delegate_excellent").points == D("1.00") and high.total == D("101.00")


def test_quantised_half_up(tmp_path: Path) -> None:
    rules = load_rules(
        write_minimal(
            tmp_path, rule_toml("x.adj", fact="appeal.adjustment", points="1", per_unit='{ field = "points", size = 1, rounding = "none" }')
        )
    )
    result = one([fact("appeal.adjustment", points=D("-0.125"), rule_id="r", category="basic")], rules)
    assert line(result, "x.adj").points == D("-0.13")


def test_rule_version_follows_the_period(tmp_path: Path) -> None:
    old = rule_toml("x.late", fact="attendance.late", points="-1", effective_to="2025-03-31")
    new = rule_toml("x.late", fact="attendance.late", points="-2", effective_from="2025-04-01")
    rules = load_rules(write_minimal(tmp_path, old + new))
    facts = [fact("attendance.late", minutes=5, session="am")]
    assert one(facts, rules, period=date(2025, 3, 17)).total == D("99.00")  # any day of the month picks the month
    assert one(facts, rules, period=date(2025, 4, 1)).total == D("98.00")


def test_several_staff_sorted_and_independent(default_rules: RuleSet) -> None:
    facts = {7: [fact("attendance.absent", staff=7, session="am")], 3: []}
    results = score(facts, rules=default_rules, period=MARCH)
    assert list(results) == [3, 7] and results[3].total == D(100) and results[7].total == D(98)


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (fact("attendance.late", minutes="25", session="am"), "must be int"),
        (fact("attendance.late", minutes=25), "missing field 'session'"),
        (fact("attendance.late", minutes=25, session="am", extra=1), "unknown field 'extra'"),
        (fact("attendance.lateness", minutes=25), "unknown fact kind"),
        (fact("rating.citizen", level=6), "<= 5"),
        (fact("service.onsite_rate", rate=99.5, transactions=3), "must be Decimal"),
        (fact("attendance.absent", staff=2, session="am"), "filed under staff 1"),
        (fact("inspection.finding", item="badge", severity="minor", visit_kind="open", positive=False), "not in this rule set's checklist"),
        (fact("inspection.finding", item="badge_worn", severity="minor", visit_kind="open", positive=True), "positive must be False"),
    ],
)
def test_invalid_facts_are_refused(default_rules: RuleSet, bad, words: str) -> None:
    with pytest.raises(FactInvalid) as info:
        one([bad], default_rules)
    assert words in info.value.detail


def test_duplicate_fact_ids_are_refused(default_rules: RuleSet) -> None:
    twice = [fact("attendance.absent", session="am", fid="x"), fact("attendance.absent", session="pm", fid="x")]
    with pytest.raises(FactInvalid, match="duplicate id"):
        one(twice, default_rules)


def test_order_of_facts_does_not_matter(default_rules: RuleSet) -> None:
    facts = [fact("attendance.late", minutes=m, session="am", day=date(2025, 3, 1 + m % 20)) for m in range(1, 40, 3)]
    facts += [
        fact("inspection.finding", item="badge_worn", severity="minor", visit_kind="open", positive=False, day=date(2025, 3, d))
        for d in (9, 2, 5, 2)
    ]
    shuffled = facts[:]
    random.Random(7).shuffle(shuffled)
    assert one(facts, default_rules) == one(shuffled, default_rules)


def test_explanation_reads(default_rules: RuleSet) -> None:
    facts = [
        fact("attendance.late", minutes=25, session="am", fid="late-0303"),
        fact("inspection.finding", item="pennant", severity="minor", visit_kind="open", positive=True, fid="pen-1"),
    ]
    result = one(facts, default_rules)
    zh = explain(result, rules=default_rules)
    assert "迟到（30分钟以内） [att.late]: 1 次, -0.60" in zh and "late-0303 03-03 3 单位 -0.60" in zh
    assert "服务评价标准: 21.00 / 20" in zh and "总分 100.40 (等级 优秀)" in zh
    repeats = [fact("attendance.missing_punch", session="am", direction="in", day=date(2025, 3, d), fid=f"mp{d}") for d in (3, 4, 5)]
    assert "mp5 03-05 ×2 -1.00" in explain(one(repeats, default_rules), rules=default_rules)
    en = explain(result, rules=default_rules, lang="en")
    assert "Late (up to 30 minutes) [att.late]: 1 x, -0.60" in en
