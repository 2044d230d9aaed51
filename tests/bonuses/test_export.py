"""Payroll exports: the CSV reads back through the csv module (BOM and all); the XLSX is a printable form payroll can
read, check and sign: names not codes, the factor behind each amount, subtotals, the approver, a signature block."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from tests.bonuses.conftest import SHIPPED, parse, pool_rules, staff
from window_staff.bonuses import BonusResult, PayrollHeading, bonus_csv, bonus_xlsx, compute_bonuses
from window_staff.common.spreadsheet import text_width

D = Decimal
HEADING = PayrollHeading(
    month=date(2026, 11, 1),
    unit="贵阳县政务服务中心",
    state="已批准",
    approver="王主任",
    approved_on=date(2026, 12, 3),
    made_on=date(2026, 12, 7),
    departments={"tax": "县税务局", "civil": "县民政局"},
    windows={"001": "1 综合窗口", "101": "中心 2 民政窗口"},
    grades={"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"},
)
HEADER = ["序号", "工号", "姓名", "部门", "窗口", "考核得分", "等次", "基数（元）", "系数", "奖金金额（元）"]
CODES = re.compile(r"user:\d+:|\b(published|approved|closed|excellent|good|pass|fail|tax|civil|per_person)\b")


def people() -> list:
    """Two departments: four in tax, one (with a formula-like name) in civil."""
    return [
        staff("001", "95", "excellent", name="张三"),
        staff("002", "90", name="李四"),
        staff("003", "85", "pass", name="王五"),
        staff("004", "60", "fail", name="赵六"),
        staff("101", "88.5", dept="civil", name="=HYPERLINK(1)"),
    ]


def month() -> BonusResult:
    """The month under the shipped per_person rules (base 1000.00; 优秀 1.2, 良好 1.0, 合格 0.8, 不合格 0)."""
    return compute_bonuses(people(), rules=parse(SHIPPED))


def sheet(result: BonusResult | None = None, heading: PayrollHeading = HEADING):
    """The bonus sheet of the XLSX form."""
    return load_workbook(io.BytesIO(bonus_xlsx(result or month(), heading=heading)))["奖金"]


def rows_of(ws) -> list[tuple]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def header_row(ws) -> int:
    return next(i for i, r in enumerate(rows_of(ws), start=1) if r[0] == HEADER[0])


def texts(ws) -> list[str]:
    return [str(v) for r in rows_of(ws) for v in r if v is not None]


def test_the_csv_starts_with_a_utf8_bom() -> None:
    assert bonus_csv(month(), heading=HEADING).startswith(b"\xef\xbb\xbf")


def test_the_csv_names_departments_and_grades_in_words_and_shows_the_factor() -> None:
    rows = list(csv.reader(io.StringIO(bonus_csv(month(), heading=HEADING).decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADER[1:]
    assert rows[1] == ["101", "'=HYPERLINK(1)", "县民政局", "中心 2 民政窗口", "88.5", "良好", "1000.00", "1.0", "1000.00"]
    assert [r[1] for r in rows[2:]] == ["张三", "李四", "王五", "赵六"]
    assert sum(D(r[8]) for r in rows[1:]) == month().total


def test_the_form_has_a_title_the_unit_the_month_in_words_the_state_and_the_date_made() -> None:
    ws = sheet()
    assert ws["A1"].value == "2026年11月目标管理考核奖发放表"
    facts = texts(ws)[1:7]
    assert "单位：贵阳县政务服务中心" in facts and "月份：2026年11月" in facts
    assert "状态：已批准" in facts and "制表日期：2026年12月7日" in facts


def test_the_form_names_the_approver_and_the_approval_date() -> None:
    assert {"批准人：王主任", "批准日期：2026年12月3日"} <= set(texts(sheet()))


def test_each_person_has_employee_number_department_name_window_grade_base_and_coefficient() -> None:
    ws = sheet()
    top = header_row(ws)
    assert list(rows_of(ws)[top - 1]) == HEADER
    first = rows_of(ws)[top]
    assert first == (1, "101", "'=HYPERLINK(1)", "县民政局", "中心 2 民政窗口", 88.5, "良好", 1000.0, 1.0, 1000.0)
    zhang = next(r for r in rows_of(ws) if r[2] == "张三")
    assert zhang[1] == "001" and zhang[3] == "县税务局" and zhang[6] == "优秀" and zhang[8] == 1.2 and zhang[9] == 1200.0


def test_subtotals_add_up_each_department_and_the_total_adds_up_all() -> None:
    ws = sheet()
    rows = rows_of(ws)[header_row(ws) :]
    people_rows = [r for r in rows if isinstance(r[0], int)]
    subtotals = {r[3]: r[9] for r in rows if isinstance(r[3], str) and r[3].endswith("小计")}
    assert subtotals == {
        "县民政局 小计": sum(r[9] for r in people_rows if r[3] == "县民政局"),
        "县税务局 小计": sum(r[9] for r in people_rows if r[3] == "县税务局"),
    }
    total = next(r for r in rows if r[3] == "合计")
    assert round(sum(r[9] for r in people_rows), 2) == total[9] == float(month().total) == 4000.0
    assert [r[0] for r in people_rows] == [1, 2, 3, 4, 5]


def test_money_is_numbers_with_two_places_and_thousands_separators() -> None:
    ws = sheet()
    cell = ws.cell(row=header_row(ws) + 1, column=10)
    assert isinstance(cell.value, (int, float)) and cell.number_format == "#,##0.00"
    assert ws.cell(row=header_row(ws) + 1, column=6).number_format == "0.00"


def test_a_pool_month_shows_the_pool_and_each_persons_share() -> None:
    result = compute_bonuses(people(), rules=pool_rules(pool="1000.00"))
    ws = sheet(result)
    top = header_row(ws)
    assert rows_of(ws)[top - 1][7:9] == ("奖金池（元）", "分配比例")
    zhang = next(r for r in rows_of(ws) if r[2] == "张三")
    assert zhang[7] == 1000.0 and zhang[8] == round(95 / (95 + 90 + 85), 4)
    assert ws.cell(row=top + 2, column=9).number_format == "0.00%"


def test_the_form_ends_in_a_signature_block_with_dates() -> None:
    foot = texts(sheet())[-6:]
    assert [t.split("：")[0] for t in foot] == ["制表人", "审核人", "批准人", "日期", "日期", "日期"]
    assert "批准人：王主任 __________" in foot and "日期：2026年12月3日" in foot


def test_the_form_prints_on_a4_landscape_fit_to_width_with_the_header_on_every_page() -> None:
    ws = sheet()
    top = header_row(ws)
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == f"${top}:${top}" and ws.freeze_panes == f"A{top + 1}"


def test_no_cell_shows_a_code_a_person_would_not_know() -> None:
    for ws in load_workbook(io.BytesIO(bonus_xlsx(month(), heading=HEADING))):
        assert not [t for t in texts(ws) if CODES.search(t)], ws.title


def test_the_department_sheet_names_departments_with_their_totals() -> None:
    ws = load_workbook(io.BytesIO(bonus_xlsx(month(), heading=HEADING)))["部门合计"]
    totals = {r[0]: (r[1], r[3]) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert totals == {"县民政局": (1, 1000.00), "县税务局": (4, 3000.00)}


def test_the_form_is_in_english_when_asked() -> None:
    english = PayrollHeading(
        month=date(2026, 11, 1),
        unit="Guiyang County Service Centre",
        state="Approved",
        approver="Wang",
        approved_on=date(2026, 12, 3),
        departments={"tax": "Tax Bureau", "civil": "Civil Affairs"},
        grades={"excellent": "Excellent", "good": "Good", "pass": "Pass", "fail": "Fail"},
        lang="en",
    )
    wb = load_workbook(io.BytesIO(bonus_xlsx(month(), heading=english)))
    ws = wb["Bonus"]
    words = texts(ws)
    assert ws["A1"].value == "Target-management bonus, November 2026"
    assert "Month: November 2026" in words and "Approved on: 3 December 2026" in words
    assert "Employee no." in words and "Coefficient" in words and "Tax Bureau subtotal" in words
    assert "Prepared by: __________" in words


def test_the_xlsx_writes_a_formula_like_name_as_text() -> None:
    ws = sheet()
    cell = ws.cell(row=header_row(ws) + 1, column=3)
    assert cell.value == "'=HYPERLINK(1)" and cell.data_type == "s"


def test_the_csv_neutralises_a_name_after_a_leading_space_or_line_break() -> None:
    people = [staff("001", "95", name=" =1+1"), staff("002", "90", name="\n@SUM(A1)")]
    rows = list(
        csv.reader(io.StringIO(bonus_csv(compute_bonuses(people, rules=pool_rules(pool="1000.00"))).decode("utf-8-sig"), newline=""))
    )
    assert sorted(r[1] for r in rows[1:]) == sorted(["' =1+1", "'\n@SUM(A1)"])


def test_a_long_window_name_widens_its_column_instead_of_being_cut_off() -> None:
    long = "城关镇便民服务中心 B01 综合窗口"
    ws = sheet(heading=PayrollHeading(month=date(2026, 11, 1), windows={"001": long}))
    assert ws.column_dimensions["E"].width >= text_width(long)
