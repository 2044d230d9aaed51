"""The staff month's punches in words (pure): how each was verified, and the months either side."""

from datetime import UTC, datetime

from window_staff.attendance.schemas import MonthPunchOut
from window_staff.web.month_punches import how_words, leave_split, neighbours, punch_days


def test_a_terminal_mode_reads_as_its_parts():
    assert how_words("face+fingerprint", lang="zh") == "人脸+指纹"
    assert how_words("card+password", lang="en") == "card+PIN"


def test_alternatives_read_with_or():
    assert how_words("fingerprint|card", lang="zh") == "指纹或刷卡"


def test_an_approved_missed_punch_says_so():
    assert how_words("missed_punch", lang="zh") == "补卡（经审批）"


def test_an_unknown_mode_is_another_way_not_a_code():
    assert how_words("mode-99", lang="en") == "another way"


def test_a_missed_punch_is_marked_and_names_no_terminal():
    punch = MonthPunchOut(
        id=1, at=datetime(2026, 11, 20, 0, 25, tzinfo=UTC), kind="in", source="missed_punch", verify_mode="missed_punch", terminal_id=None
    )
    [day] = punch_days([punch], terminals={}, zone="Asia/Shanghai", lang="zh")
    assert day["day"] == "11月20日"
    assert day["punches"] == [{"time": "08:25", "kind": "签到", "where": "", "how": "补卡（经审批）", "missed": True}]


def test_the_next_month_is_offered_only_once_it_has_begun():
    assert neighbours("2026-11", this_month="2026-12") == ("2026-10", "2026-12")
    assert neighbours("2026-12", this_month="2026-12") == ("2026-11", None)
    assert neighbours("2026-01", this_month="2026-12") == ("2025-12", "2026-02")


def test_leave_splits_as_the_rules_count_it():
    counting = frozenset({"personal", "sick"})
    assert leave_split({"personal": 2, "leave": 1, "annual": 4, "training": 1}, counting=counting) == (3, 5)
