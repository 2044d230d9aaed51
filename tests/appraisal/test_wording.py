"""The sheet's lines in sentences people can check: dates as written, the rule's escalation, no codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from window_staff.appraisal.wording import Item, item_sentence, line_sentence, rule_description
from window_staff.scoring.rules import REPO_RULES_DIR, load_rules

RULES = load_rules(REPO_RULES_DIR)
CHECKLIST = {c.id: c for c in RULES.checklist}
D = Decimal


def _late(day: int, minutes: int, *, units: str, factor: str, points: str) -> Item:
    return Item(
        f"attendance.late:2026-11-{day:02d}:am", date(2026, 11, day), D(units), D(factor), D(points), {"minutes": minutes, "session": "am"}
    )


def test_a_second_lateness_is_told_by_day_session_minutes_and_count() -> None:
    item = _late(6, 18, units="2", factor="1", points="-0.40")
    zh = item_sentence(RULES.rule("att.late"), item, occurrence=2)
    en = item_sentence(RULES.rule("att.late"), item, occurrence=2, lang="en")
    assert zh == "11月6日上午迟到18分钟（按2个10分钟计），本月第2次，扣0.40分"
    assert en == "Late 18 minutes on the morning of 6 November (counted as 2 × 10 minutes), the 2nd time this month: −0.40"


def test_a_third_lateness_says_the_rule_doubled_it() -> None:
    item = _late(10, 16, units="2", factor="2", points="-0.80")
    assert (
        item_sentence(RULES.rule("att.late"), item, occurrence=3)
        == "11月10日上午迟到16分钟（按2个10分钟计），本月第3次，按规则加倍扣0.80分"
    )
    assert item_sentence(RULES.rule("att.late"), item, occurrence=3, lang="en").endswith(
        "the 3rd time this month: doubled by the rule, −0.80"
    )


def test_the_rule_explains_its_escalation_where_the_deduction_is_made() -> None:
    assert "本月第3次迟到起每次加倍扣分" in rule_description(RULES.rule("att.late"))
    assert "from the 3rd late arrival in a month each counts double" in rule_description(RULES.rule("att.late"), lang="en")


def test_a_finding_is_told_by_visit_and_rule_title() -> None:
    item = Item(
        "inspection.finding:12",
        date(2026, 11, 12),
        D(1),
        D(1),
        D("-1.00"),
        {"item": "badge_worn", "severity": "minor", "visit_kind": "undercover", "positive": False},
    )
    rule = RULES.rule("cond.badge_worn")
    assert item_sentence(rule, item, occurrence=1, checklist=CHECKLIST) == "11月12日暗访发现：未戴牌上岗，本月第1次，扣1.00分"
    assert item_sentence(rule, item, occurrence=1, lang="en", checklist=CHECKLIST) == (
        "Found on an undercover visit on 12 November: Not wearing the staff badge, the 1st time this month: −1.00"
    )


def test_a_commendation_adds_points_in_words() -> None:
    item = Item(
        "inspection.finding:30",
        date(2026, 11, 20),
        D(1),
        D(1),
        D("1.00"),
        {"item": "praise_letter", "severity": "minor", "visit_kind": "open", "positive": True},
    )
    rule = RULES.rule("cond.praise_letter")
    zh = item_sentence(rule, item, occurrence=1, checklist=CHECKLIST)
    en = item_sentence(rule, item, occurrence=1, lang="en", checklist=CHECKLIST)
    assert zh.startswith("11月20日明查表扬：") and zh.endswith("，加1.00分")
    assert en.startswith("Commended on an open visit on 20 November: ") and en.endswith(": +1.00")


def test_an_upheld_appeal_is_told_by_the_line_it_was_about_not_its_codes() -> None:
    item = Item(
        "appeal.adjustment:4",
        date(2026, 12, 2),
        D("0.20"),
        D(1),
        D("0.20"),
        {"points": D("0.20"), "rule_id": "att.late", "category": "management"},
    )
    titles = {"att.late": ("迟到（30分钟以内）", "Late (up to 30 minutes)")}
    zh = item_sentence(RULES.rule("appeal.management"), item, occurrence=1, titles=titles)
    en = item_sentence(RULES.rule("appeal.management"), item, occurrence=1, lang="en", titles=titles)
    assert zh == "12月2日关于“迟到（30分钟以内）”的申诉经审核予以支持，恢复0.20分"
    assert en == "Appeal about “Late (up to 30 minutes)” upheld on 2 December: 0.20 restored"
    assert "att.late" not in zh + en and "management" not in zh + en


def test_a_line_sums_up_its_count_and_the_cap_that_cut_it() -> None:
    rule = RULES.rule("att.late")
    assert line_sentence(rule, occurrences=5, points=D("-2.40"), uncapped=D("-2.40"), veto=False) == "本月共5次，合计扣2.40分"
    capped = line_sentence(rule, occurrences=9, points=D("-5"), uncapped=D("-6.20"), veto=False, lang="en")
    assert capped == "9 times this month, −5 in all (−6.20 by the rule, but at most 5 a month)"


def test_a_missed_punch_beyond_the_free_ones_is_told_as_补卡_with_its_number() -> None:
    item = Item("attendance.missed_punch:7", date(2026, 11, 20), D(1), D(1), D("-0.20"), {"session": "am", "direction": "in", "nth": 4})
    rule = RULES.rule("att.missed_punch_beyond")
    assert item_sentence(rule, item, occurrence=1) == "11月20日上午补卡签到（经审批，本月第4次），扣0.20分"
    assert item_sentence(rule, item, occurrence=1, lang="en") == (
        "Sign-in by an approved missed punch (补卡) on the morning of 20 November, number 4 this month: −0.20"
    )
