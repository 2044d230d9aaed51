"""The shipped rule set: loads cleanly, is documented, and the engine's properties hold on it."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings, strategies as st

from window_staff.scoring import FACT_KINDS, Fact, RuleSet, load_default_rules, load_rules, score
from window_staff.scoring.rule_parsing import RULE_KEYS
from window_staff.scoring.rules import REPO_RULES_DIR
from window_staff.scoring.vocabulary import CATEGORY_CODES

RULES = load_rules(REPO_RULES_DIR)
MARCH = date(2025, 3, 1)
CHECKLIST = {item.id: item.positive for item in RULES.checklist}


def test_default_rules_load_without_errors(default_rules: RuleSet) -> None:
    assert default_rules.version == RULES.version
    assert {"attendance.toml", "categories.toml", "checklist.toml", "conduct.toml", "evaluation.toml", "appeals.toml"} <= set(
        default_rules.files
    )
    assert [c.code for c in default_rules.categories] == list(CATEGORY_CODES)
    assert sum(c.max_points for c in default_rules.categories) == default_rules.scale.base == 100
    assert [(g.title_zh, g.min_score) for g in default_rules.grades] == [("优秀", 95), ("良好", 85), ("合格", 70), ("不合格", 0)]


def test_load_default_rules_finds_the_shipped_set() -> None:
    assert load_default_rules().version == RULES.version


def test_every_shipped_rule_says_what_it_does_in_both_languages(default_rules: RuleSet) -> None:
    missing = [r.id for r in default_rules.rules if not (r.description_zh and r.description_en)]
    assert missing == []
    late = default_rules.rule("att.late")
    assert "第3次" in late.description_zh and "加倍" in late.description_zh and "double" in late.description_en


def test_every_fact_kind_and_category_has_rules(default_rules: RuleSet) -> None:
    assert {r.fact for r in default_rules.rules} == set(FACT_KINDS)
    assert {r.category for r in default_rules.rules} == set(CATEGORY_CODES)
    assert any(r.veto for r in default_rules.rules) and any(r.points > 0 for r in default_rules.rules)


def test_every_rule_has_a_comment_citing_its_practice() -> None:
    for path in sorted(REPO_RULES_DIR.glob("*.toml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, text in enumerate(lines):
            if text == "[[rule]]":
                assert lines[i - 1].startswith("#"), f"{path.name}:{i + 1}: no comment above the rule"


def test_readme_documents_every_key() -> None:
    readme = (REPO_RULES_DIR / "README.md").read_text(encoding="utf-8")
    keys = set(RULE_KEYS) | {"base", "ceiling", "floor", "veto_grade", "max_points", "bonus_max", "min_score", "positive"}
    keys |= {"below", "above", "size", "rounding", "from_occurrence", "factor", "field", "op", "value"}
    missing = sorted(k for k in keys if f"`{k}`" not in readme)
    assert not missing, missing
    for name in FACT_KINDS:
        assert f"`{name}`" in readme, name
    for op in ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "between"):
        assert f"`{op}`" in readme, op


# --- property tests ---------------------------------------------------------------------------------

SESSIONS = st.sampled_from(["am", "pm"])
RATE = st.decimals(min_value=0, max_value=100, places=2)
DAYS = st.integers(min_value=1, max_value=31).map(lambda d: date(2025, 3, d))


def _finding() -> st.SearchStrategy[tuple[str, dict[str, object]]]:
    return st.builds(
        lambda item, severity, visit: (
            "inspection.finding",
            {"item": item, "severity": severity, "visit_kind": visit, "positive": CHECKLIST[item]},
        ),
        st.sampled_from(sorted(CHECKLIST)),
        st.sampled_from(["minor", "major", "serious"]),
        st.sampled_from(["open", "undercover"]),
    )


def _kind(kind: str, **fields: st.SearchStrategy[object]) -> st.SearchStrategy[tuple[str, dict[str, object]]]:
    return st.fixed_dictionaries(fields).map(lambda f: (kind, f))


LATE = _kind("attendance.late", minutes=st.integers(0, 300), session=SESSIONS)
ANY_FACT = st.one_of(
    LATE,
    _kind("attendance.early_leave", minutes=st.integers(0, 300), session=SESSIONS),
    _kind("attendance.absent", session=SESSIONS),
    _kind("attendance.missing_punch", session=SESSIONS, direction=st.sampled_from(["in", "out"])),
    _kind("attendance.away_from_post", minutes=st.integers(0, 300), session=SESSIONS),
    _kind("attendance.missed_punch", session=SESSIONS, direction=st.sampled_from(["in", "out"]), nth=st.integers(1, 10)),
    _finding(),
    _kind("evaluation.delegate", score=RATE, count=st.integers(1, 20)),
    _kind("rating.citizen", level=st.integers(1, 5)),
    _kind("rating.bad_review_case", rectified_on_time=st.booleans(), voided=st.booleans()),
    _kind("service.onsite_rate", rate=RATE, transactions=st.integers(0, 500)),
    _kind("service.ontime_rate", rate=RATE, transactions=st.integers(0, 500)),
    _kind("service.satisfaction_rate", rate=RATE, transactions=st.integers(0, 500)),
    _kind(
        "appeal.adjustment",
        points=st.decimals(min_value=-5, max_value=5, places=2),
        rule_id=st.just("att.late"),
        category=st.sampled_from(CATEGORY_CODES),
    ),
)


def facts_from(drawn: list[tuple[tuple[str, dict[str, object]], date]], *, prefix: str = "f") -> list[Fact]:
    """Facts for staff 1 with unique ids."""
    return [
        Fact(id=f"{prefix}{i:04d}", kind=kind, staff_id=1, occurred_on=day, fields=fields) for i, ((kind, fields), day) in enumerate(drawn)
    ]


MONTHS = st.lists(st.tuples(ANY_FACT, DAYS), max_size=60)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(month=MONTHS, extra=st.lists(st.tuples(LATE, DAYS), min_size=1, max_size=10))
def test_more_lateness_never_raises_a_score(month, extra) -> None:
    base = facts_from(month)
    before = score({1: base}, rules=RULES, period=MARCH)[1]
    after = score({1: base + facts_from(extra, prefix="late")}, rules=RULES, period=MARCH)[1]
    assert after.total <= before.total
    assert all(after.categories[c] <= before.categories[c] for c in CATEGORY_CODES)
    assert RULES.grades.index(after.grade) >= RULES.grades.index(before.grade)


@FAST
@given(month=MONTHS, seed=st.integers())
def test_fact_order_never_matters(month, seed) -> None:
    facts = facts_from(month)
    shuffled = facts[:]
    random.Random(seed).shuffle(shuffled)
    assert score({1: facts}, rules=RULES, period=MARCH) == score({1: shuffled}, rules=RULES, period=MARCH)


@FAST
@given(month=MONTHS)
def test_scores_stay_within_floor_ceiling_and_caps(month) -> None:
    result = score({1: facts_from(month)}, rules=RULES, period=MARCH)[1]
    assert RULES.scale.floor <= result.total <= RULES.scale.ceiling
    for spec in RULES.categories:
        assert Decimal(0) <= result.categories[spec.code] <= spec.max_points + spec.bonus_max
    for line in result.lines:
        rule = RULES.rule(line.rule_id)
        if rule.cap is not None:
            assert abs(line.points) <= rule.cap
        assert line.points == line.uncapped or rule.cap is not None
        assert sum(i.points for i in line.items) == line.uncapped
    assert result.total == result.total.quantize(Decimal("0.01"))
    assert result.grade == RULES.grade_for(result.total, veto=result.veto)


def test_a_failing_item_reads_as_the_problem_found_and_a_commendation_as_praise(default_rules: RuleSet) -> None:
    items = {i.id: i for i in default_rules.checklist}
    assert (items["badge_worn"].wording("zh"), items["badge_worn"].wording("en")) == ("未佩戴工作牌", "Not wearing the staff badge")
    assert items["pennant"].wording("zh") == items["pennant"].title_zh
    assert all(i.problem_zh != i.title_zh and i.problem_en != i.title_en for i in default_rules.checklist if not i.positive)


def test_the_first_three_missed_punches_of_a_month_are_free_and_the_fourth_costs() -> None:
    facts = [
        Fact(
            id=f"mp{n}",
            kind="attendance.missed_punch",
            staff_id=1,
            occurred_on=date(2025, 3, 2 + n),
            fields={"session": "am", "direction": "in", "nth": n},
        )
        for n in (1, 2, 3, 4)
    ]
    result = score({1: facts}, rules=RULES, period=MARCH)[1]
    [line] = [ln for ln in result.lines if ln.rule_id == "att.missed_punch_beyond"]
    assert [i.fact_id for i in line.items] == ["mp4"] and line.points == Decimal("-0.2")
