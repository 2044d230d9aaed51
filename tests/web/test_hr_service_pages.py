"""The service-transaction upload in a browser: HR sends the approval system's CSV; a file with bad lines is reported line by
line in words and imports nothing; a good file is imported by the job and counted."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.web.browser import api, page_as, shot, upload_and_wait

SH = ZoneInfo("Asia/Shanghai")
HEADER = "external_id,item,site_code,window_number,employee_no,received_at,promised_at,completed_at,onsite"


async def _someone_at_a_window(site) -> tuple[str, str, str]:
    """(site code, window number, employee number) of a demo staff member posted at a window of the county centre."""
    sites = {s["id"]: s["code"] for s in (await api(site, "hr", "GET", "/api/v1/sites"))["items"]}
    windows = {w["id"]: w for w in (await api(site, "hr", "GET", "/api/v1/windows", params={"limit": 200}))["items"]}
    staff = (await api(site, "hr", "GET", "/api/v1/staff", params={"limit": 200}))["items"]
    person = next(s for s in staff if s["window_id"] in windows and s["status"] == "active")
    window = windows[person["window_id"]]
    return sites[window["site_id"]], window["number"], person["employee_no"]


def _row(tag: str, where: tuple[str, str, str], *, received: datetime, **changes: str) -> str:
    site_code, number, employee_no = where
    values = {
        "external_id": f"{tag}",
        "item": "营业执照变更登记",
        "site_code": site_code,
        "window_number": number,
        "employee_no": employee_no,
        "received_at": f"{received:%Y-%m-%d %H:%M}",
        "promised_at": f"{received + timedelta(days=3):%Y-%m-%d %H:%M}",
        "completed_at": f"{received + timedelta(hours=1):%Y-%m-%d %H:%M}",
        "onsite": "是",
        **changes,
    }
    return ",".join(values[c] for c in HEADER.split(","))


async def test_a_file_with_bad_lines_is_reported_line_by_line_in_words_and_imports_nothing(site, browser) -> None:
    where = await _someone_at_a_window(site)
    received = datetime.now(SH) - timedelta(days=2)
    tag = uuid.uuid4().hex[:6]
    lines = [
        HEADER,
        _row(f"OK-{tag}", where, received=received),
        _row(f"BAD1-{tag}", where, received=received, employee_no="NOBODY-1"),
        _row(f"BAD2-{tag}", where, received=received, received_at="昨天上午"),
        _row(f"BAD3-{tag}", where, received=received, onsite="也许"),
    ]
    page = await page_as(browser, site, "hr", next_path="/app/hr/services")
    await upload_and_wait(page, "bad.csv", "\n".join(lines) + "\n")
    assert await page.locator("#report").get_attribute("data-ok") == "no"
    assert "未导入任何数据" in await page.locator("#rejected").inner_text()
    bad = {await r.get_attribute("data-line"): await r.inner_text() for r in await page.locator("#bad-lines tr.bad-line").all()}
    assert set(bad) == {"3", "4", "5"}
    assert "第 3 行" in bad["3"] and "经办人工号" in bad["3"] and "没有工号为“NOBODY-1”的工作人员" in bad["3"]
    assert "受理时间" in bad["4"] and "不是有效的时间" in bad["4"]
    assert "是否即办" in bad["5"] and "请填写 是 或 否" in bad["5"]
    await shot(page, "hr-services-rejected")
    listed = await api(site, "hr", "GET", "/api/v1/evaluations/transactions", params={"limit": 200})
    assert not any(t["external_id"] == f"OK-{tag}" for t in listed["items"])

    en = await page_as(browser, site, "hr", phone=True, next_path=f"{page.url.split(site.url, 1)[1]}&lang=en")
    text = await en.locator("#bad-lines").inner_text()
    assert "line 3" in text and "No staff member has the employee number" in text and "employee_no" not in text
    await shot(en, "hr-services-rejected-en-phone")


async def test_a_good_file_is_imported_and_counted(site, browser) -> None:
    where = await _someone_at_a_window(site)
    received = datetime.now(SH) - timedelta(days=1)
    tag = uuid.uuid4().hex[:6]
    text = "\n".join([HEADER, _row(f"G1-{tag}", where, received=received), _row(f"G2-{tag}", where, received=received)]) + "\n"
    page = await page_as(browser, site, "hr", next_path="/app/hr/services")
    await upload_and_wait(page, "good.csv", text)
    assert await page.locator("#report").get_attribute("data-ok") == "yes"
    assert "新导入 2 件" in await page.locator("#imported").inner_text()
    assert await page.locator("#transactions tr.transaction", has_text=f"G1-{tag}").count() == 1
    await shot(page, "hr-services-imported")


async def test_a_file_that_is_not_utf8_is_refused_at_once_in_words(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app/hr/services")
    await page.set_input_files(
        "#file", files=[{"name": "gbk.csv", "mimeType": "text/csv", "buffer": (HEADER + "\n营业执照,\n").encode("gbk")}]
    )
    await page.click("#upload-form button[type=submit]")
    assert "CSV UTF-8" in await page.locator("#bad-lines").inner_text()
    assert "文件不是 UTF-8 编码" in await page.locator("#bad-lines").inner_text()
