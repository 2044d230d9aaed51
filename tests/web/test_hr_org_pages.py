"""HR's staff, windows and schedules pages in a browser: each test does one job HR relies on and checks what HR then sees."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from PIL import Image

from tests.web.browser import Site, api, page_as, shot, wait_for

_serial = count(1)


def this_month() -> date:
    """The first day of the centre's current month (the schedules page's default)."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date().replace(day=1)


def unique(prefix: str) -> str:
    """A code no other test (or an earlier run of this session) has used."""
    return f"{prefix}{datetime.now():%H%M%S}{next(_serial):02d}"


async def county(site: Site) -> dict:
    """The demo's county centre."""
    return next(s for s in (await api(site, "hr", "GET", "/api/v1/sites/"))["items"] if s["code"] == "GY-COUNTY")


async def department(site: Site, code: str) -> dict:
    """A demo department by code."""
    return next(d for d in (await api(site, "hr", "GET", "/api/v1/departments/"))["items"] if d["code"] == code)


async def new_window(site: Site, *, department_code: str = "TAX") -> dict:
    """A fresh window at the county centre (so closures on it clash with nothing)."""
    where, dept = await county(site), await department(site, department_code)
    return await api(
        site,
        "hr",
        "POST",
        "/api/v1/windows/",
        json={"site_id": where["id"], "department_id": dept["id"], "number": unique("T"), "name": "测试窗口"},
    )


async def new_person(site: Site, window: dict, *, name: str) -> dict:
    """A fresh staff member posted at ``window``."""
    return await api(
        site,
        "hr",
        "POST",
        "/api/v1/staff/",
        json={
            "employee_no": unique("HT"),
            "name": name,
            "department_id": window["department_id"],
            "window_id": window["id"],
            "hired_on": "2020-01-01",
        },
    )


async def test_hr_creates_a_staff_member_through_the_form_and_finds_them_in_the_list(site, browser) -> None:
    dept = await department(site, "SOCIAL")
    employee_no = unique("NEW")
    page = await page_as(browser, site, "hr", phone=True, next_path="/app/hr/org")
    await page.fill("#new-employee-no", employee_no)
    await page.fill("#new-name", "欧阳新人")
    await page.select_option("#new-department", str(dept["id"]))
    await page.fill("#new-hired", "2026-03-01")
    await page.click("#new-staff button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "已添加人员" in await page.locator("[role=status]").inner_text()
    row = page.locator(f"#staff tr[data-employee-no='{employee_no}']")
    assert "欧阳新人" in await row.inner_text()
    assert "人力资源和社会保障局" in await row.inner_text() and "在岗" in await row.inner_text()
    await shot(page, "hr-org-staff-created")
    # The find box finds the new person by the pinyin initials of their name (欧阳新人: oyxr) ...
    await page.fill("#find-q", "OYXR")
    await page.click("#filters button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert [await r.get_attribute("data-employee-no") for r in await page.locator("#staff tr.person").all()] == [employee_no]
    await shot(page, "hr-org-staff-found-by-initials")
    # ... and a whole employee number opens their page.
    await page.fill("#find-q", employee_no)
    await page.click("#filters button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert employee_no in await page.locator("h1").inner_text()


async def test_hr_posts_a_staff_member_to_another_window_and_sees_it_on_their_page(site, browser) -> None:
    first, second = await new_window(site), await new_window(site, department_code="LAND")
    person = await new_person(site, first, name="调岗测试")
    page = await page_as(browser, site, "hr", next_path=f"/app/hr/org/staff/{person['id']}")
    assert first["number"] in await page.locator("#person-window").inner_text()
    await page.select_option("#edit-department", str(second["department_id"]))
    await page.select_option("#edit-window", str(second["id"]))
    await page.click("#edit-staff button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "已保存" in await page.locator("[role=status]").inner_text()
    assert second["number"] in await page.locator("#person-window").inner_text()
    assert "自然资源局" in await page.locator("#person-department").inner_text()
    await shot(page, "hr-org-staff-posted")


async def test_a_refused_staff_form_shows_the_reason_and_creates_nobody(site, browser) -> None:
    dept = await department(site, "TAX")
    page = await page_as(browser, site, "hr", next_path="/app/hr/org")
    await page.fill("#new-employee-no", "GY0001")  # the demo's first staff member has it already
    await page.fill("#new-name", "重号测试")
    await page.select_option("#new-department", str(dept["id"]))
    await page.fill("#new-hired", "2026-03-01")
    await page.click("#new-staff button[type=submit]")
    await page.wait_for_load_state("networkidle")
    alert = await page.locator("[role=alert]").inner_text()
    assert alert == "编号已被使用（不能重复）"
    assert await page.locator("#new-name").input_value() == "重号测试"  # the form keeps what was typed
    await shot(page, "hr-org-staff-refused")
    everyone = (await api(site, "hr", "GET", "/api/v1/staff/", params={"limit": 200}))["items"]
    assert not [s for s in everyone if s["name"] == "重号测试"]
    assert len([s for s in everyone if s["employee_no"] == "GY0001"]) == 1


async def test_hr_creates_a_window_and_sees_it_listed(site, browser) -> None:
    where, dept = await county(site), await department(site, "CIVIL")
    number = unique("W")
    page = await page_as(browser, site, "hr", phone=True, next_path="/app/hr/org/windows")
    await page.select_option("#nw-site", str(where["id"]))
    await page.select_option("#nw-department", str(dept["id"]))
    await page.fill("#nw-number", number)
    await page.fill("#nw-name", "民政综合窗口")
    await page.click("#new-window button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "已添加窗口" in await page.locator("[role=status]").inner_text()
    row = await page.locator(f"#windows tr[data-number='{number}']").inner_text()
    assert "民政综合窗口" in row and "民政局" in row and "贵阳县政务服务中心" in row
    await shot(page, "hr-org-window-created")


async def test_hr_adds_a_window_closure_on_the_schedules_page_then_deletes_it(site, browser) -> None:
    window = await new_window(site)
    day = (this_month() + timedelta(days=14)).isoformat()
    page = await page_as(browser, site, "hr", phone=True, next_path="/app/hr/org/schedules")
    first = this_month()
    assert f"{first.year}年{first.month}月" in await page.locator("h1").inner_text()  # the month as people write it
    await page.select_option("#c-window", str(window["id"]))
    await page.fill("#c-day", day)
    await page.fill("#c-note", "设备检修")
    await page.click("#add-closure button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "已添加窗口停办日" in await page.locator("[role=status]").inner_text()
    row = page.locator("#closures tr.closure", has_text=window["number"])
    shown = this_month() + timedelta(days=14)
    assert f"{shown.year}年{shown.month}月{shown.day}日" in await row.inner_text() and "设备检修" in await row.inner_text()
    await shot(page, "hr-org-closure-added")
    await row.locator("button[type=submit]").click()
    await page.wait_for_load_state("networkidle")
    assert "已删除窗口停办日" in await page.locator("[role=status]").inner_text()
    assert await page.locator("#closures tr.closure", has_text=window["number"]).count() == 0
    await shot(page, "hr-org-closure-deleted")


async def test_hr_adds_weekend_duty_to_the_rota_and_sees_it(site, browser) -> None:
    person = await new_person(site, await new_window(site), name="周末值班")
    first = this_month()
    saturday = first + timedelta(days=(5 - first.weekday()) % 7)
    page = await page_as(browser, site, "hr", next_path="/app/hr/org/schedules")
    # HR types the person's pinyin initials (周末值班: zmzb) and the choice narrows to them without a reload.
    await page.fill("#r-find", "zmzb")
    await wait_for(page, "document.querySelectorAll('#r-staff option').length === 1")
    assert person["employee_no"] in await page.locator("#r-staff option").inner_text()
    await page.select_option("#r-staff", str(person["id"]))
    await page.fill("#r-day", saturday.isoformat())
    await page.select_option("#r-session", "am")
    await page.select_option("#r-action", "add")
    await page.fill("#r-note", "周末延时服务")
    await page.click("#add-rota button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "已添加排班调整" in await page.locator("[role=status]").inner_text()
    row = await page.locator("#rota tr.rota", has_text=person["employee_no"]).inner_text()
    assert f"{saturday.month}月{saturday.day}日" in row and "周末值班" in row and "加班/值班" in row and "周末延时服务" in row
    await shot(page, "hr-org-rota-added")


async def test_hr_downloads_a_departments_attendance_sheet_from_the_schedules_page(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app/hr/org/schedules")
    async with page.expect_download() as waiting:
        await page.click("#attendance-sheet button[type=submit]")
    download = await waiting.value
    assert download.suggested_filename.startswith("attendance-") and download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO((await download.path()).read_bytes())).active  # the saved file has no .xlsx suffix
    words = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert str(sheet["A1"].value).endswith("考勤表") and "单位：贵阳县政务服务中心" in words


async def test_the_attendance_sheet_downloaded_from_the_english_page_is_in_english(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app/hr/org/schedules?lang=en")
    async with page.expect_download() as waiting:
        await page.click("#attendance-sheet button[type=submit]")
    sheet = load_workbook(io.BytesIO((await (await waiting.value).path()).read_bytes())).active
    assert str(sheet["A1"].value).startswith("Attendance sheet, ")


async def test_hr_closes_a_sites_month_and_the_page_follows_the_job_to_the_end(site, browser) -> None:
    where = await county(site)
    month = f"2025-{next(_serial) % 12 + 1:02d}"  # the demo's hours start in 2025; no other test works in that year
    page = await page_as(browser, site, "hr", next_path=f"/app/hr/org/schedules?site_id={where['id']}&month={month}")
    await page.check("#close-month input[name=confirm]")
    await page.click("#close-month button[type=submit]")
    await page.wait_for_selector("#job[data-state=done]", timeout=30_000)
    assert "已保存" in await page.locator("#job .notice").inner_text()
    assert await page.locator("#month-closed").count() == 1 and await page.locator("#close-month").count() == 0
    await shot(page, "hr-org-month-closed")


async def test_hr_uploads_a_public_photo_with_consent_and_deletes_it_when_consent_is_withdrawn(site, browser, tmp_path) -> None:
    person = await new_person(site, await new_window(site), name="亮牌测试")
    photo = tmp_path / "portrait.jpg"
    Image.new("RGB", (900, 1200), (170, 130, 100)).save(photo, format="JPEG")
    page = await page_as(browser, site, "hr", next_path=f"/app/hr/org/staff/{person['id']}")
    assert "未上传公示照片" in await page.locator("#photo-consent").inner_text()
    await page.set_input_files("#photo-file", str(photo))
    await page.fill("#photo-day", "2026-12-01")
    await page.click("#photo-form button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "已保存公示照片" in await page.locator("[role=status]").inner_text()
    assert "2026年12月1日" in await page.locator("#photo-consent").inner_text()
    src = await page.locator("#public-photo img").get_attribute("src")
    shown = await page.request.get(f"{site.url}{src}")
    assert shown.status == 200 and shown.headers["content-type"] == "image/jpeg"
    await shot(page, "hr-org-public-photo")
    await page.click("summary[data-action=photo-remove]")
    assert "不能恢复" in await page.locator("#confirm-photo-remove .what").inner_text()
    await page.click("button[data-confirm=photo-remove]")
    await page.wait_for_load_state("networkidle")
    assert "已删除公示照片" in await page.locator("[role=status]").inner_text()
    assert (await page.request.get(f"{site.url}{src}")).status == 404


async def test_hr_records_a_service_start_for_annual_leave(site, browser) -> None:
    person = await new_person(site, await new_window(site), name="工龄测试")
    page = await page_as(browser, site, "hr", next_path=f"/app/hr/org/staff/{person['id']}")
    assert "未登记" in await page.locator("#person-service-start").inner_text()
    await page.fill("#edit-service-start", "2004-07-01")
    await page.click("#edit-staff button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "已保存" in await page.locator("[role=status]").inner_text()
    assert "2004年7月1日" in await page.locator("#person-service-start").inner_text()


async def test_hr_sets_changes_and_clears_a_post_and_the_list_shows_it(site, browser) -> None:
    person = await new_person(site, await new_window(site), name="职务测试")
    page = await page_as(browser, site, "hr", next_path=f"/app/hr/org/staff/{person['id']}")
    assert await page.locator("#person-post").inner_text() == "未设置"
    await page.fill("#edit-post", "  窗口负责人 ")
    await page.click("#edit-staff button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "已保存" in await page.locator("[role=status]").inner_text()
    assert await page.locator("#person-post").inner_text() == "窗口负责人"
    assert await page.locator("#edit-post").input_value() == "窗口负责人"
    await shot(page, "hr-org-person-post")
    await page.goto(f"{site.url}/app/hr/org?q={person['employee_no'][:-1]}")
    assert "窗口负责人" in await page.locator(f"#staff tr[data-employee-no='{person['employee_no']}']").inner_text()
    await shot(page, "hr-org-staff-list-post")
    await page.goto(f"{site.url}/app/hr/org/staff/{person['id']}")
    await page.fill("#edit-post", "科员")
    await page.click("#edit-staff button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert await page.locator("#person-post").inner_text() == "科员"
    await page.fill("#edit-post", "")
    await page.click("#edit-staff button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert await page.locator("#person-post").inner_text() == "未设置"
    assert (await api(site, "hr", "GET", f"/api/v1/staff/{person['id']}"))["post"] == ""


async def test_the_post_reads_in_english_on_the_person_page(site, browser) -> None:
    person = await new_person(site, await new_window(site), name="职务英文")
    page = await page_as(browser, site, "hr", next_path=f"/app/hr/org/staff/{person['id']}?lang=en")
    assert await page.locator("#person-post").inner_text() == "Not set"
    await page.fill("#edit-post", "首席代表")
    await page.click("#edit-staff button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "Saved" in await page.locator("[role=status]").inner_text()
    assert await page.locator("#person-post").inner_text() == "首席代表"
    assert "hall's screens" in await page.locator("#edit-post-hint").inner_text()
    await shot(page, "hr-org-person-post-en")


async def test_the_staff_search_reads_in_english_and_says_when_nobody_matches(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app/hr/org?lang=en&q=zzzzqq")
    assert "No staff member matches" in await page.locator("#no-match").inner_text()
    assert "pinyin initials" in await page.locator("#find-hint").inner_text()
    await shot(page, "hr-org-search-en")
