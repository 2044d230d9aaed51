"""Work calendar on real dates: statutory holidays, adjusted working days, data files, site overrides."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest

from window_staff.attendance.calendar import (
    DayKind,
    NationalCalendar,
    SessionHours,
    SiteOverride,
    WorkCalendar,
    load_national_calendar,
    load_year_file,
)
from window_staff.attendance.errors import (
    CalendarFileInvalid,
    CalendarOverrideInvalid,
    CalendarYearMissing,
    SessionHoursInvalid,
    SessionHoursMissing,
)
from window_staff.common.errors import InvalidInput

REPO = Path(__file__).resolve().parents[2]
RULES_CALENDAR = REPO / "rules" / "calendar"
EXAMPLE = Path(__file__).parent / "calendar_example"


@pytest.fixture(scope="module")
def national() -> NationalCalendar:
    return load_national_calendar(RULES_CALENDAR)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_spring_festival_2025(national: NationalCalendar) -> None:
    for d in days(date(2025, 1, 28), date(2025, 2, 4)):
        assert national.kind_of(d) == DayKind.HOLIDAY, d
    # Sunday 26 January and Saturday 8 February are worked in lieu
    assert national.kind_of(date(2025, 1, 26)) == DayKind.ADJUSTED_WORKDAY
    assert national.kind_of(date(2025, 2, 8)) == DayKind.ADJUSTED_WORKDAY
    assert national.kind_of(date(2025, 1, 27)) == DayKind.WORKDAY
    assert national.kind_of(date(2025, 1, 25)) == DayKind.WEEKEND
    assert national.kind_of(date(2025, 2, 5)) == DayKind.WORKDAY
    assert national.kind_of(date(2025, 2, 9)) == DayKind.WEEKEND


def test_national_day_2025(national: NationalCalendar) -> None:
    for d in days(date(2025, 10, 1), date(2025, 10, 8)):
        assert national.kind_of(d) == DayKind.HOLIDAY, d
    assert national.kind_of(date(2025, 9, 28)) == DayKind.ADJUSTED_WORKDAY
    assert national.kind_of(date(2025, 10, 11)) == DayKind.ADJUSTED_WORKDAY
    assert national.kind_of(date(2025, 10, 9)) == DayKind.WORKDAY
    assert national.kind_of(date(2025, 10, 12)) == DayKind.WEEKEND


def test_spring_festival_2026_per_chinese_calendar(national: NationalCalendar) -> None:
    # chinese-calendar 1.11.0: 15-23 February off, Saturdays 14 and 28 February worked
    for d in days(date(2026, 2, 15), date(2026, 2, 23)):
        assert national.kind_of(d) == DayKind.HOLIDAY, d
    assert national.kind_of(date(2026, 2, 14)) == DayKind.ADJUSTED_WORKDAY
    assert national.kind_of(date(2026, 2, 28)) == DayKind.ADJUSTED_WORKDAY
    assert national.kind_of(date(2026, 2, 13)) == DayKind.WORKDAY
    assert national.kind_of(date(2026, 2, 24)) == DayKind.WORKDAY


def test_national_day_2026_per_chinese_calendar(national: NationalCalendar) -> None:
    # 1-7 October off, Sunday 20 September and Saturday 10 October worked; Mid-autumn 25-27 September
    for d in days(date(2026, 10, 1), date(2026, 10, 7)):
        assert national.kind_of(d) == DayKind.HOLIDAY, d
    assert national.kind_of(date(2026, 9, 20)) == DayKind.ADJUSTED_WORKDAY
    assert national.kind_of(date(2026, 10, 10)) == DayKind.ADJUSTED_WORKDAY
    assert national.kind_of(date(2026, 9, 25)) == DayKind.HOLIDAY
    assert national.kind_of(date(2026, 10, 8)) == DayKind.WORKDAY


@pytest.mark.parametrize("day", [date(2027, 1, 4), date(2027, 6, 1), date(2003, 12, 31)])
def test_uncovered_year_is_an_error_naming_it(national: NationalCalendar, day: date) -> None:
    with pytest.raises(CalendarYearMissing) as err:
        national.kind_of(day)
    assert err.value.year == day.year
    assert str(day.year) in err.value.detail
    assert isinstance(err.value, InvalidInput)
    assert err.value.code == "calendar_year_missing"


def test_2027_is_not_shipped(national: NationalCalendar) -> None:
    assert not (RULES_CALENDAR / "2027.toml").exists()
    assert national.missing_years(date(2026, 12, 1), end=date(2027, 1, 31)) == [2027]
    cal = WorkCalendar(national)
    with pytest.raises(CalendarYearMissing):
        cal.is_working_day(date(2027, 1, 4), site_id=1)


def test_year_file_from_temporary_toml(tmp_path: Path) -> None:
    # a fictional schedule: the test is about the loader, not 2027's real holidays
    (tmp_path / "2027.toml").write_text(
        'year = 2027\nnotice = "test fixture, not the official schedule"\n'
        "holidays = [2027-01-01, 2027-03-03]\nworking_days = [2027-03-06]\n",
        encoding="utf-8",
    )
    (tmp_path / "README.md").write_text("ignored", encoding="utf-8")
    national = load_national_calendar(tmp_path)
    assert national.covers(2027)
    assert national.source_of(2027).endswith("2027.toml")
    assert national.kind_of(date(2027, 3, 3)) == DayKind.HOLIDAY
    assert national.kind_of(date(2027, 3, 6)) == DayKind.ADJUSTED_WORKDAY
    assert national.kind_of(date(2027, 3, 4)) == DayKind.WORKDAY
    assert national.kind_of(date(2027, 3, 7)) == DayKind.WEEKEND
    assert national.kind_of(date(2025, 1, 28)) == DayKind.HOLIDAY  # the package still answers its years
    with pytest.raises(CalendarYearMissing):
        national.kind_of(date(2028, 1, 3))


def test_shipped_example_file_loads() -> None:
    national = load_national_calendar(EXAMPLE)
    assert national.kind_of(date(2099, 1, 2)) == DayKind.HOLIDAY
    assert national.kind_of(date(2099, 1, 4)) == DayKind.ADJUSTED_WORKDAY
    assert national.kind_of(date(2099, 1, 5)) == DayKind.WORKDAY


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('year = 2027\nnotice = "n"\nholidays = [2027-01-01]\nworking_days = []\nextra = 1\n', "extra"),
        ('year = 2028\nnotice = "n"\nholidays = [2028-01-03]\nworking_days = []\n', "year"),
        ("year = 2027\nholidays = [2027-01-01]\nworking_days = []\n", "notice"),
        ('year = 2027\nnotice = "n"\nholidays = ["2027-01-01"]\nworking_days = []\n', "holidays"),
        ('year = 2027\nnotice = "n"\nholidays = [2027-01-01T00:00:00]\nworking_days = []\n', "holidays"),
        ('year = 2027\nnotice = "n"\nholidays = [2026-12-31]\nworking_days = []\n', "holidays"),
        ('year = 2027\nnotice = "n"\nholidays = []\nworking_days = []\n', "holidays"),
        ('year = 2027\nnotice = "n"\nholidays = [2027-01-01, 2027-01-01]\nworking_days = []\n', "holidays"),
        ('year = 2027\nnotice = "n"\nholidays = [2027-01-01]\nworking_days = [2027-01-04]\n', "working_days"),
        ('year = 2027\nnotice = "n"\nholidays = [2027-01-02]\nworking_days = [2027-01-02]\n', "working_days"),
        ("year = 2027\nnotice = \n", "file"),
    ],
)
def test_bad_year_file_names_file_and_key(tmp_path: Path, body: str, key: str) -> None:
    path = tmp_path / "2027.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CalendarFileInvalid) as err:
        load_year_file(path)
    assert err.value.extra["key"] == key
    assert "2027.toml" in err.value.detail


def test_file_for_a_package_year_must_agree(tmp_path: Path) -> None:
    agreeing = "holidays = [2025-01-01, 2025-01-28, 2025-01-29, 2025-01-30, 2025-01-31, 2025-02-01, 2025-02-02, 2025-02-03, 2025-02-04, 2025-04-04, 2025-05-01, 2025-05-02, 2025-05-03, 2025-05-04, 2025-05-05, 2025-05-31, 2025-06-01, 2025-06-02, 2025-10-01, 2025-10-02, 2025-10-03, 2025-10-04, 2025-10-05, 2025-10-06, 2025-10-07, 2025-10-08]\nworking_days = [2025-01-26, 2025-02-08, 2025-04-27, 2025-09-28, 2025-10-11]\n"  # noqa: E501
    (tmp_path / "2025.toml").write_text(f'year = 2025\nnotice = "国办发明电〔2024〕12号"\n{agreeing}', encoding="utf-8")
    assert load_national_calendar(tmp_path).kind_of(date(2025, 2, 8)) == DayKind.ADJUSTED_WORKDAY
    (tmp_path / "2025.toml").write_text(f'year = 2025\nnotice = "typo"\n{agreeing.replace("2025-02-08, ", "")}', encoding="utf-8")
    with pytest.raises(CalendarFileInvalid, match="2025-02-08"):
        load_national_calendar(tmp_path)


def test_non_year_toml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "holidays.toml").write_text("year = 2027\n", encoding="utf-8")
    with pytest.raises(CalendarFileInvalid, match="YYYY.toml"):
        load_national_calendar(tmp_path)


HOURS = [
    SessionHours("winter", date(2025, 1, 1), date(2025, 4, 30), time(8, 30), time(12), time(14, 30), time(17, 30)),
    SessionHours("summer", date(2025, 5, 1), date(2025, 9, 30), time(8, 30), time(12), time(15), time(18)),
    SessionHours("autumn", date(2025, 10, 1), date(2026, 4, 30), time(8, 30), time(12), time(14, 30), time(17, 30)),
]


def make_calendar(national: NationalCalendar, overrides: list[SiteOverride] = ()) -> WorkCalendar:
    return WorkCalendar(national, overrides, hours={1: HOURS, 2: HOURS[:1]}, time_zones={2: "Asia/Urumqi"})


def test_site_closed_on_a_working_day(national: NationalCalendar) -> None:
    monday = date(2025, 3, 3)
    cal = make_calendar(national, [SiteOverride(1, monday, "closed", "power cut")])
    assert cal.kind_of(monday, site_id=1) == DayKind.CLOSED
    assert not cal.is_working_day(monday, site_id=1)
    assert cal.sessions_on(monday, site_id=1) == []
    assert cal.is_working_day(monday, site_id=2)  # only that site


def test_site_working_on_a_sunday(national: NationalCalendar) -> None:
    sunday = date(2025, 3, 9)
    cal = make_calendar(national, [SiteOverride(1, sunday, "working")])
    assert cal.kind_of(sunday, site_id=1) == DayKind.SERVICE_DAY
    assert cal.is_working_day(sunday, site_id=1)
    assert [w.session for w in cal.sessions_on(sunday, site_id=1)] == ["am", "pm"]
    assert cal.kind_of(sunday, site_id=2) == DayKind.WEEKEND


def test_local_holiday_and_override_in_an_uncovered_year(national: NationalCalendar) -> None:
    cal = make_calendar(national, [SiteOverride(1, date(2025, 3, 4), "holiday"), SiteOverride(1, date(2027, 1, 4), "closed")])
    assert cal.kind_of(date(2025, 3, 4), site_id=1) == DayKind.LOCAL_HOLIDAY
    # HR's statement for the site answers without national data; the next day still needs it
    assert cal.kind_of(date(2027, 1, 4), site_id=1) == DayKind.CLOSED
    with pytest.raises(CalendarYearMissing):
        cal.kind_of(date(2027, 1, 5), site_id=1)


def test_bad_overrides(national: NationalCalendar) -> None:
    with pytest.raises(CalendarOverrideInvalid):
        SiteOverride(1, date(2025, 3, 3), "party")
    with pytest.raises(CalendarOverrideInvalid):
        make_calendar(national, [SiteOverride(1, date(2025, 3, 3), "closed"), SiteOverride(1, date(2025, 3, 3), "holiday")])


def test_sessions_are_aware_in_the_site_zone_and_follow_the_season(national: NationalCalendar) -> None:
    cal = make_calendar(national)
    am, pm = cal.sessions_on(date(2025, 3, 3), site_id=1)
    assert (am.session, am.start.hour, am.start.minute, am.end.hour) == ("am", 8, 30, 12)
    assert am.start.utcoffset() == timedelta(hours=8)
    assert str(am.start.tzinfo) == "Asia/Shanghai"
    assert (pm.start.time(), pm.end.time()) == (time(14, 30), time(17, 30))
    _, summer_pm = cal.sessions_on(date(2025, 7, 1), site_id=1)
    assert (summer_pm.start.time(), summer_pm.end.time()) == (time(15), time(18))
    urumqi_am, _ = cal.sessions_on(date(2025, 3, 3), site_id=2)
    assert urumqi_am.start.utcoffset() == timedelta(hours=6)
    assert cal.sessions_on(date(2025, 10, 1), site_id=1) == []  # National Day


def test_missing_and_overlapping_hours(national: NationalCalendar) -> None:
    cal = make_calendar(national)
    with pytest.raises(SessionHoursMissing):
        cal.sessions_on(date(2025, 5, 6), site_id=2)
    with pytest.raises(SessionHoursInvalid, match="overlap"):
        WorkCalendar(national, hours={1: [HOURS[0], HOURS[0]]})
    overlapping = SessionHours("x", date(2025, 4, 30), date(2025, 5, 2), time(9), time(12), time(14), time(17))
    with pytest.raises(SessionHoursInvalid, match="overlap"):
        WorkCalendar(national, hours={1: [*HOURS, overlapping]})
    WorkCalendar(national, hours={1: HOURS[:1], 2: HOURS[:1]})  # the same range on two sites is fine


@pytest.mark.parametrize(
    "args",
    [
        (date(2025, 1, 2), date(2025, 1, 1), time(8), time(12), time(14), time(17)),
        (date(2025, 1, 1), date(2025, 1, 2), time(12), time(8), time(14), time(17)),
        (date(2025, 1, 1), date(2025, 1, 2), time(8), time(14, 30), time(14), time(17)),
    ],
)
def test_bad_session_hours(args: tuple) -> None:
    with pytest.raises(SessionHoursInvalid):
        SessionHours("bad", *args)


def test_unknown_time_zone(national: NationalCalendar) -> None:
    with pytest.raises(SessionHoursInvalid, match="Mars"):
        WorkCalendar(national, time_zones={1: "Mars/Olympus"})
