"""Payroll exports: the CSV reads back through the csv module (BOM and all); the XLSX has the right totals."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from tests.bonuses.conftest import pool_rules, staff
from window_staff.bonuses import BonusResult, bonus_csv, bonus_xlsx, compute_bonuses
from window_staff.bonuses.export import HEADER

D = Decimal


def month() -> BonusResult:
    """Two departments on a 1000.00 pool each (see test_domain's worked example for tax)."""
    people = [
        staff("001", "95", "excellent", name="张三"),
        staff("002", "90", name="李四"),
        staff("003", "85", name="王五"),
        staff("004", "60", "fail", name="赵六"),
        staff("101", "88.5", dept="civil", name="=HYPERLINK(1)"),
    ]
    return compute_bonuses(people, rules=pool_rules(pool="1000.00"))


def test_the_csv_starts_with_a_utf8_bom() -> None:
    assert bonus_csv(month()).startswith(b"\xef\xbb\xbf")


def test_the_csv_round_trips_through_the_csv_module() -> None:
    rows = list(csv.reader(io.StringIO(bonus_csv(month()).decode("utf-8-sig"), newline="")))
    assert rows[0] == list(HEADER)
    assert rows[1] == ["101", "'=HYPERLINK(1)", "civil", "88.5", "良好", "1000.00"]
    assert [r[1] for r in rows[2:]] == ["张三", "李四", "王五", "赵六"]
    assert sum(D(r[5]) for r in rows[1:]) == D("2000.00")


def test_the_xlsx_has_a_header_row_and_money_as_numbers_formatted_to_two_places() -> None:
    ws = load_workbook(io.BytesIO(bonus_xlsx(month())))["奖金"]
    assert [c.value for c in ws[1]] == list(HEADER)
    cell = ws.cell(row=2, column=6)
    assert isinstance(cell.value, (int, float)) and cell.number_format == "0.00"


def test_the_xlsx_total_row_matches_the_lines() -> None:
    ws = load_workbook(io.BytesIO(bonus_xlsx(month())))["奖金"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    people, total = rows[:-1], rows[-1]
    assert total[0] == "合计" and round(sum(r[5] for r in people), 2) == total[5] == 2000.00


def test_the_xlsx_department_sheet_has_each_department_total() -> None:
    ws = load_workbook(io.BytesIO(bonus_xlsx(month())))["部门合计"]
    totals = {r[0]: (r[1], r[3]) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert totals == {"civil": (1, 1000.00), "tax": (4, 1000.00)}


def test_the_xlsx_writes_a_formula_like_name_as_text() -> None:
    ws = load_workbook(io.BytesIO(bonus_xlsx(month())))["奖金"]
    cell = ws.cell(row=2, column=2)
    assert cell.value == "'=HYPERLINK(1)" and cell.data_type == "s"


def test_the_csv_neutralises_a_name_after_a_leading_space_or_line_break() -> None:
    people = [staff("001", "95", name=" =1+1"), staff("002", "90", name="\n@SUM(A1)")]
    rows = list(
        csv.reader(io.StringIO(bonus_csv(compute_bonuses(people, rules=pool_rules(pool="1000.00"))).decode("utf-8-sig"), newline=""))
    )
    assert sorted(r[1] for r in rows[1:]) == sorted(["' =1+1", "'\n@SUM(A1)"])
