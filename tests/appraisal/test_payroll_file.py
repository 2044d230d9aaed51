"""The bonus file payroll downloads: the centre, the month in words, department names, the approver by name and date."""

from __future__ import annotations

import io
import re
from decimal import Decimal as D
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from tests.appraisal.support import MONTH, Month, make_month
from tests.appraisal.test_api import approved, closed
from tests.factories import logged_in
from window_staff.appraisal import service
from window_staff.appraisal.service import close as service_close
from window_staff.auth import service as auth_service
from window_staff.auth.schemas import UserUpdateIn
from window_staff.org import service as org

BASE = f"/api/v1/appraisal/periods/{MONTH}"


async def named_approver(ctx, month: Month) -> None:
    """Give the month's approver a display name, as admins do."""
    await auth_service.update_user(ctx, month.approver.user_id, UserUpdateIn(display_name="王审批"), actor="test")


async def download(client, ctx, *, lang: str = "zh"):
    _, hr = await logged_in(client, ctx, "hr")
    response = await client.get(f"{BASE}/bonus?format=xlsx&lang={lang}", headers=hr)
    assert response.status_code == 200, response.text
    return load_workbook(io.BytesIO(response.content))


def words(ws) -> list[str]:
    return [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]


async def test_the_file_names_the_centre_the_month_the_state_and_the_approver(client, app_ctx) -> None:
    month = await make_month(app_ctx)
    await named_approver(app_ctx, month)
    await approved(app_ctx, month)
    period = await service.get_period(app_ctx, MONTH)
    site = (await org.get_window(app_ctx, month.window.id)).site_id
    unit = (await org.get_site(app_ctx, site)).name
    ws = (await download(client, app_ctx))["奖金"]
    found = words(ws)
    assert ws["A1"].value == "2025年3月目标管理考核奖发放表"
    assert {f"单位：{unit}", "月份：2025年3月", "状态：已批准", "批准人：王审批"} <= set(found)
    assert period.approved_at is not None
    day = period.approved_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert f"批准日期：{day.year}年{day.month}月{day.day}日" in found


async def test_people_are_listed_by_employee_number_with_department_names_not_codes(client, app_ctx) -> None:
    month = await make_month(app_ctx)
    await closed(app_ctx, month)
    code, name = (await org.department_codes([month.window.department_id]))[month.window.department_id]
    ws = (await download(client, app_ctx))["奖金"]
    people = [row for row in ws.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert sorted(r[1] for r in people) == sorted(s.employee_no for s in month.staff)
    assert {r[3] for r in people} == {name}
    assert all(r[8] is not None for r in people)  # the coefficient, kept at the close
    found = words(ws)
    assert f"{name} 小计" in found
    codes = re.compile(rf"user:\d+:|\b(approved|published|closed|excellent|good|pass|fail)\b|^{re.escape(code)}$")
    assert not [w for w in found if codes.search(w)]


async def test_the_file_is_in_english_when_asked(client, app_ctx) -> None:
    month = await make_month(app_ctx)
    await named_approver(app_ctx, month)
    await closed(app_ctx, month)
    ws = (await download(client, app_ctx, lang="en"))["Bonus"]
    found = words(ws)
    assert ws["A1"].value == "Target-management bonus, March 2025"
    assert {"State: Closed", "Approved by: 王审批", "Employee no.", "Coefficient"} <= set(found)


def test_a_closed_pool_month_shows_each_persons_share_as_at_the_close() -> None:
    summary = {"formula": "pool", "coefficients": {"good": "1.0"}, "pool_exclude_grades": ["fail"]}
    people = [
        ("tax", "001", D("90"), "good"),
        ("tax", "002", D("30"), "good"),
        ("tax", "003", D("50"), "fail"),
        ("civil", "101", D("80"), "good"),
    ]
    assert service_close._frozen_factors(summary, people) == {"001": D("0.75"), "002": D("0.25"), "003": D("0"), "101": D("1")}


def test_a_month_closed_before_factors_were_kept_shows_none_rather_than_a_guess() -> None:
    assert service_close._frozen_factors({"formula": "per_person"}, [("tax", "001", D("90"), "good")]) == {}
