"""Service transactions, pure: reading CSV, checking rows, and the two rates on hand-checked examples (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from window_staff.evaluations.domain_metrics import (
    COLUMNS,
    MAX_ROWS,
    RawRow,
    StaffRef,
    Transaction,
    WindowRef,
    check_rows,
    parse_flag,
    parse_instant,
    rate,
    read_csv,
    tally,
)

MARCH = date(2025, 3, 1)
NOW = datetime(2025, 3, 20, 4, 0, tzinfo=UTC)  # 20 March, 12:00 in Shanghai


def sh(day: int, hh: int = 10, mm: int = 0, *, month: int = 3) -> datetime:
    """A Shanghai wall-clock time in 2025, as a UTC instant."""
    return parse_instant(f"2025-{month:02d}-{day:02d} {hh:02d}:{mm:02d}", zone="Asia/Shanghai")


def tx(received: datetime, promised: datetime, completed: datetime | None, *, onsite: bool = False) -> Transaction:
    return Transaction(received_at=received, promised_at=promised, completed_at=completed, onsite=onsite)


def test_onsite_rate_counts_transactions_received_in_the_month() -> None:
    month = [tx(sh(3), sh(5), sh(3, 11), onsite=True), tx(sh(4), sh(6), sh(4, 11), onsite=True), tx(sh(5), sh(12), sh(10))]
    t = tally([*month, tx(sh(27, month=2), sh(3), sh(2), onsite=True)], first=MARCH, now=NOW)  # received in February: not March's
    assert (t.transactions, t.onsite, t.onsite_rate) == (3, 2, Decimal("66.66"))  # 2/3 truncated, never rounded up


def test_ontime_rate_counts_what_was_due_in_the_month() -> None:
    t = tally(
        [
            tx(sh(3), sh(5), sh(4)),  # on time
            tx(sh(3), sh(5, 17), sh(5, 17)),  # on time: exactly at the promised minute
            tx(sh(3), sh(6), sh(7)),  # late
            tx(sh(24, month=2), sh(3), sh(2)),  # received in February, due in March: counts in March
            tx(sh(25), sh(2, month=4), sh(26)),  # due in April: not March's
        ],
        first=MARCH,
        now=NOW,
    )
    assert (t.due, t.on_time, t.ontime_rate) == (4, 3, Decimal("75.00"))


def test_an_open_transaction_past_its_promised_time_counts_as_late() -> None:
    t = tally([tx(sh(3), sh(5), sh(4)), tx(sh(10), sh(12), None)], first=MARCH, now=NOW)
    assert (t.due, t.on_time, t.ontime_rate) == (2, 1, Decimal("50.00"))


def test_an_open_transaction_not_due_yet_is_left_out() -> None:
    t = tally([tx(sh(3), sh(5), sh(4)), tx(sh(18), sh(25), None)], first=MARCH, now=NOW)
    assert (t.transactions, t.due, t.on_time, t.ontime_rate) == (2, 1, 1, Decimal("100.00"))


def test_the_month_is_the_local_date_in_the_sites_zone() -> None:
    # 31 March 23:30 in Shanghai is still March there, though it is 15:30 UTC; 1 April 00:30 is April's.
    last = Transaction(received_at=sh(31, 23, 30), promised_at=sh(31, 23, 45), completed_at=sh(31, 23, 40), onsite=True)
    first_april = Transaction(
        received_at=sh(1, 0, 30, month=4), promised_at=sh(1, 1, month=4), completed_at=sh(1, 0, 40, month=4), onsite=True
    )
    march = tally([last, first_april], first=MARCH, now=sh(2, month=4))
    assert (march.transactions, march.due) == (1, 1)


def test_rates_are_truncated_to_hundredths_and_none_without_a_denominator() -> None:
    assert rate(19_999, whole=20_000) == Decimal("99.99")  # 99.995 would round half up to 100.00
    assert rate(1, whole=3) == Decimal("33.33")
    assert rate(0, whole=4) == Decimal("0.00")
    assert rate(0, whole=0) is None


def test_times_with_an_offset_keep_it_and_local_times_take_the_zone() -> None:
    assert parse_instant("2025-03-03T09:00:00+08:00", zone="Asia/Tokyo") == datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
    assert parse_instant("2025-03-03T01:00:00Z", zone="Asia/Tokyo") == datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
    assert parse_instant("2025-03-03 09:00", zone="Asia/Tokyo") == datetime(2025, 3, 3, 0, 0, tzinfo=UTC)
    assert parse_instant("2025-03-03 09:00:30", zone="Asia/Shanghai") == datetime(2025, 3, 3, 1, 0, 30, tzinfo=UTC)
    for bad in ("2025-03-03", "03/03/2025 09:00", "2025-02-30 09:00", "2025-03-03 25:00", "1999-12-31 09:00", "20250303T0900"):
        with pytest.raises(ValueError):
            parse_instant(bad, zone="Asia/Shanghai")


def test_flags_accept_digits_words_and_chinese() -> None:
    assert [parse_flag(v) for v in ("1", "TRUE", "是", "0", "false", "否")] == [True, True, True, False, False, False]
    with pytest.raises(ValueError):
        parse_flag("yes")


def test_read_csv_names_the_line_of_each_row_and_skips_blank_lines() -> None:
    text = ",".join(COLUMNS) + "\r\n" + ",".join(["A1"] + ["x"] * 8) + "\r\n\r\n" + '"A2","two\nlines"' + ",x" * 7 + "\r\n" + "A3,short\r\n"
    rows, errors = read_csv(text.encode())
    assert [(r.line, r.values["external_id"]) for r in rows] == [(2, "A1"), (4, "A2")]
    assert [(e.line, e.column) for e in errors] == [(6, None)]  # the quoted field spans lines 4-5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"external_id,item\r\n", "missing column"),
        ((",".join(COLUMNS) + ",colour\r\n").encode(), "unknown column 'colour'"),
        ((",".join(COLUMNS) + "\r\n").encode(), "no rows"),
        ((",".join(COLUMNS) + "\r\n").encode() + "项目".encode("gbk"), "not UTF-8"),  # saved from Excel as plain "CSV" on a Chinese Windows
    ],
)
def test_read_csv_refuses_a_file_it_cannot_read(data: bytes, message: str) -> None:
    rows, errors = read_csv(data)
    assert rows == [] and message in errors[0].message


def test_read_csv_refuses_more_than_the_row_cap() -> None:
    line = ",".join(["x"] * len(COLUMNS)) + "\n"
    rows, errors = read_csv((",".join(COLUMNS) + "\n" + line * (MAX_ROWS + 1)).encode())
    assert rows == [] and [(e.line, e.message) for e in errors] == [(MAX_ROWS + 2, "more than 50,000 rows: split the file")]


def test_check_rows_reports_every_problem_of_every_row() -> None:
    windows = {("GY", "A01"): WindowRef(id=1, department_id=7, zone="Asia/Shanghai")}
    staff = {"E1": StaffRef(id=5, hired_on=date(2025, 3, 10), left_on=None)}

    def raw(line: int, **changes: str) -> RawRow:
        values = {
            "external_id": f"T{line}",
            "item": "登记",
            "site_code": "GY",
            "window_number": "A01",
            "employee_no": "E1",
            "received_at": "2025-03-11 09:00",
            "promised_at": "2025-03-12 09:00",
            "completed_at": "",
            "onsite": "0",
        }
        return RawRow(line, {**values, **changes})

    checked, errors = check_rows(
        [
            raw(2),
            raw(3, external_id="T2", onsite="1"),  # duplicate id; on the spot without a completion time
            raw(4, site_code="XX", employee_no="E9", received_at="2025-03-11T09:00:00+08:00", promised_at="2025-03-10 09:00"),
            raw(5, received_at="2025-03-03 09:00", promised_at="2025-03-04 09:00"),  # before E1 was hired
            raw(6, received_at="2025-03-21 09:00", promised_at="2025-03-22 09:00"),  # after "now"
        ],
        windows=windows,
        site_codes={"GY"},
        staff=staff,
        now=NOW,
    )
    assert [(c.line, c.staff_id, c.department_id) for c in checked] == [(2, 5, 7)]
    assert [(e.line, e.column) for e in errors] == [
        (3, "external_id"),
        (3, "completed_at"),
        (4, "site_code"),
        (4, "employee_no"),
        (4, "promised_at"),
        (5, "employee_no"),
        (6, "received_at"),
    ]
