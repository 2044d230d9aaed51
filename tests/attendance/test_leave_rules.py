"""Leave kinds and balances (pure): the rules file's checks, annual leave by years of service, days in half days, 调休 earned."""

import tomllib
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from window_staff.attendance.errors import LeaveRulesInvalid
from window_staff.attendance.leave_rules import (
    KINDS,
    Balance,
    annual_entitlement,
    canonical_kind,
    days_words,
    fits,
    leave_days,
    leave_rules_from,
    load_leave_rules,
    time_off_earned,
)
from window_staff.scoring.rules import REPO_RULES_DIR

SHANGHAI = ZoneInfo("Asia/Shanghai")
SHIPPED = REPO_RULES_DIR / "attendance" / "leave.toml"


def _shipped() -> dict:
    return tomllib.loads(SHIPPED.read_text(encoding="utf-8"))


def _at(d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2025, 3, d, hh, mm, tzinfo=SHANGHAI)


def _weekdays(day: date) -> bool:
    return day.weekday() < 5


def test_the_shipped_rules_give_every_kind_its_meaning():
    rules = load_leave_rules(SHIPPED)
    assert set(rules.kinds) == set(KINDS)
    assert rules.of("personal").paid is False and rules.of("sick").needs_document is True
    assert rules.of("annual").balance == "annual" and rules.of("time_off").balance == "time_off"
    assert rules.time_off_hours_per_day == Decimal(8)


def test_the_old_kind_leave_reads_as_personal_leave():
    assert canonical_kind("leave") == "personal"
    assert load_leave_rules(SHIPPED).of("leave").kind == "personal"


def test_a_missing_kind_is_refused_naming_it():
    data = _shipped()
    data["kind"] = [k for k in data["kind"] if k["kind"] != "sick"]
    with pytest.raises(LeaveRulesInvalid, match="'sick'"):
        leave_rules_from(data)


def test_an_unknown_kind_is_refused():
    data = _shipped()
    data["kind"].append({"kind": "sabbatical", "paid": True, "counts_against_attendance": False, "needs_document": False})
    with pytest.raises(LeaveRulesInvalid, match="sabbatical"):
        leave_rules_from(data)


def test_a_kind_twice_is_refused():
    data = _shipped()
    data["kind"].append(dict(data["kind"][0]))
    with pytest.raises(LeaveRulesInvalid, match="twice"):
        leave_rules_from(data)


def test_a_word_for_a_boolean_is_refused_naming_the_key():
    data = _shipped()
    data["kind"][0]["paid"] = "yes"
    with pytest.raises(LeaveRulesInvalid, match="'paid'"):
        leave_rules_from(data)


def test_an_unknown_key_is_refused():
    data = _shipped()
    data["kind"][0]["paid_days"] = 3
    with pytest.raises(LeaveRulesInvalid, match="paid_days"):
        leave_rules_from(data)


def test_only_annual_and_time_off_have_a_balance():
    data = _shipped()
    data["kind"][0]["balance"] = "annual"  # 事假 with the annual balance
    with pytest.raises(LeaveRulesInvalid, match="own balance"):
        leave_rules_from(data)


def test_hours_per_day_of_time_off_must_be_whole_hours():
    data = {**_shipped(), "time_off_hours_per_day": 7.5}
    with pytest.raises(LeaveRulesInvalid, match="time_off_hours_per_day"):
        leave_rules_from(data)


@pytest.mark.parametrize(
    ("start", "days"),
    [
        (date(2024, 6, 1), 0),  # under a year
        (date(2024, 1, 1), 5),  # exactly one year
        (date(2015, 1, 2), 5),  # a day short of ten years
        (date(2015, 1, 1), 10),  # ten years
        (date(2005, 1, 2), 10),  # a day short of twenty
        (date(2005, 1, 1), 15),  # twenty years
        (date(1990, 5, 1), 15),
    ],
)
def test_annual_leave_follows_years_of_service(start, days):
    assert annual_entitlement(start, on=date(2025, 1, 1)) == days


def test_no_service_start_means_no_annual_leave():
    assert annual_entitlement(None, on=date(2025, 1, 1)) == 0


def test_a_whole_working_day_is_one_day():
    assert leave_days(_at(3, 8, 30), _at(3, 17, 30), zone="Asia/Shanghai", is_workday=_weekdays) == Decimal(1)


def test_a_morning_is_half_a_day():
    assert leave_days(_at(3, 8, 30), _at(3, 12), zone="Asia/Shanghai", is_workday=_weekdays) == Decimal("0.5")


def test_a_week_counts_its_working_days_only():
    # Monday 3 March 08:30 to Monday 10 March 08:00 (before noon: the Monday morning counts too)
    assert leave_days(_at(3, 8, 30), _at(10, 8), zone="Asia/Shanghai", is_workday=_weekdays) == Decimal("5.5")


def test_days_are_counted_in_the_sites_zone():
    # 00:30 UTC is 08:30 in Shanghai: a morning, not the previous evening
    start = datetime(2025, 3, 3, 0, 30, tzinfo=ZoneInfo("UTC"))
    end = datetime(2025, 3, 3, 4, 0, tzinfo=ZoneInfo("UTC"))
    assert leave_days(start, end, zone="Asia/Shanghai", is_workday=_weekdays) == Decimal("0.5")


def test_time_off_is_earned_in_whole_half_days():
    assert time_off_earned([Decimal(3), Decimal(3)], hours_per_day=Decimal(8)) == Decimal("0.5")
    assert time_off_earned([Decimal(2)] * 8, hours_per_day=Decimal(8)) == Decimal(2)
    assert time_off_earned([], hours_per_day=Decimal(8)) == Decimal(0)


def test_a_request_fits_up_to_what_is_left():
    balance = Balance("annual", 2025, granted=Decimal(5), taken=Decimal(3))
    assert fits(balance, asked=Decimal(2))
    assert not fits(balance, asked=Decimal("2.5"))
    assert balance.left == Decimal(2)


def test_days_read_as_people_write_them():
    assert days_words(Decimal("5.0")) == "5"
    assert days_words(Decimal("2.5")) == "2.5"
    assert days_words(Decimal(10)) == "10"
