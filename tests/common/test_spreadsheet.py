"""Spreadsheet cells: text a spreadsheet would run as a formula is written as text with a leading apostrophe."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from window_staff.common.spreadsheet import append_row, csv_bytes, safe_text


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil.example","x")', "+1", "-1+2", "@SUM(A1)", "\tx", "\rx", "\nx", " =1", "  @x", "\t=1", "＝1"],
)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(value: str) -> None:
    assert safe_text(value) == "'" + value


@pytest.mark.parametrize("value", ["张三", "E001", "a=b", "", "O'Brien", "1-2"])
def test_ordinary_text_is_left_as_written(value: str) -> None:
    assert safe_text(value) == value


def test_xlsx_rows_keep_text_as_text_and_numbers_as_numbers() -> None:
    wb = Workbook()
    append_row(wb.active, ["=1+1", -5, Decimal("-1.50"), None, "-"])
    buf = io.BytesIO()
    wb.save(buf)
    cells = list(load_workbook(buf).active[1])
    assert [c.value for c in cells[:3]] == ["'=1+1", -5, -1.5] and cells[0].data_type == "s"
    assert cells[3].value is None and cells[4].value == "'-"


def test_csv_rows_neutralise_text_but_not_numbers() -> None:
    rows = list(csv.reader(io.StringIO(csv_bytes([["@x", Decimal("-3.10"), -2, None]]).decode("utf-8-sig"))))
    assert rows == [["'@x", "-3.10", "-2", ""]]
