"""The 补卡 pages' words (pure): what was asked for, and a closed month's refusal naming the month."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

from window_staff.attendance.errors import MonthClosed
from window_staff.attendance.schemas import MissedPunchOut
from window_staff.web.controllers.missed_punch import punch_line, refusal_words


def _asked() -> MissedPunchOut:
    return MissedPunchOut(
        id=1, staff_id=2, day=date(2026, 11, 20), session="am", kind="in", at=datetime(2026, 11, 20, 0, 25, tzinfo=UTC),
        reason="终端未识别", status="requested", requested_at=datetime(2026, 12, 1, tzinfo=UTC), decided_by=None,
        decided_at=None, note="", punch_id=None,
    )  # fmt: skip


def _request(lang: str) -> SimpleNamespace:
    return SimpleNamespace(query_params={"lang": lang}, cookies={})


def test_the_punch_asked_for_reads_as_people_say_it():
    assert punch_line(_asked(), lang="zh") == "2026年11月20日上午签到 08:25"
    assert punch_line(_asked(), lang="en") == "Sign-in on the morning of 20 November 2026 at 08:25"


def test_a_closed_month_is_refused_naming_the_month():
    refused = MonthClosed("closed", month="2026-11")
    assert refusal_words(_request("zh"), refused).startswith("2026年11月考勤已结账，不能再补卡。")
    assert refusal_words(_request("en"), refused).startswith("Attendance for November 2026 is closed")
