"""The queue machine's export uploaded in a browser: HR sends the CSV; bad lines are reported one by one in words and nothing
is imported; a good file is imported by the job and counted, with the events of an unmapped category pointed out."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.web.browser import api, page_as, shot, upload_and_wait
from window_staff.demo import DEMO_SITE

SH = ZoneInfo("Asia/Shanghai")
HEADER = "event_id,site_code,kind,at,ticket,category,window_number,employee_no,to_window"
HERE = "/app/hr/queues/import"


async def _a_window_number(site) -> str:
    county = next(s for s in (await api(site, "hr", "GET", "/api/v1/sites/", params={"limit": 50}))["items"] if s["code"] == DEMO_SITE)
    windows = (await api(site, "hr", "GET", "/api/v1/windows/", params={"limit": 200, "site_id": county["id"]}))["items"]
    return next(w["number"] for w in windows if w["site_id"] == county["id"])


def _line(event_id: str, kind: str, at: datetime, *, ticket: str = "A001", category: str = "", window: str = "") -> str:
    return f"{event_id},{DEMO_SITE},{kind},{at:%Y-%m-%d %H:%M:%S},{ticket},{category},{window},,"


async def test_a_good_export_is_imported_and_an_unmapped_category_is_pointed_out(site, browser) -> None:
    tag = uuid.uuid4().hex[:8]
    number = await _a_window_number(site)
    morning = datetime.now(SH).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=1)
    lines = [
        HEADER,
        _line(f"{tag}-1", "issued", morning, category=f"U{tag}"),
        _line(f"{tag}-2", "called", morning + timedelta(minutes=7), window=number),
        _line(f"{tag}-3", "started", morning + timedelta(minutes=8), window=number),
    ]
    page = await page_as(browser, site, "hr", next_path=HERE)
    await upload_and_wait(page, f"{tag}.csv", "\r\n".join(lines) + "\r\n")
    assert await page.locator("#report").get_attribute("data-ok") == "yes"
    said = await page.locator("#imported").inner_text()
    assert "共 3 行" in said and "新导入 3 条" in said
    assert "1 条的业务类型尚未对应" in await page.locator("#imported-more").inner_text()
    await shot(page, "hr-queue-import-done")

    await upload_and_wait(page, f"{tag}.csv", "\r\n".join(lines) + "\r\n")
    assert "已导入过而跳过 3 条" in await page.locator("#imported").inner_text()


async def test_bad_lines_are_reported_in_words_and_nothing_is_imported(site, browser) -> None:
    tag = uuid.uuid4().hex[:8]
    number = await _a_window_number(site)
    morning = datetime.now(SH).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=1)
    lines = [
        HEADER,
        _line(f"{tag}-1", "issued", morning, category="A"),
        _line(f"{tag}-2", "shouted", morning, window=number),
        _line(f"{tag}-3", "called", morning),
        f"{tag}-4,{DEMO_SITE},called,昨天上午,A001,,{number},,",
    ]
    page = await page_as(browser, site, "hr", next_path=HERE)
    await upload_and_wait(page, "bad.csv", "\r\n".join(lines) + "\r\n")
    assert await page.locator("#report").get_attribute("data-ok") == "no"
    bad = {await r.get_attribute("data-line"): await r.inner_text() for r in await page.locator("#bad-lines tr.bad-line").all()}
    assert set(bad) == {"3", "4", "5"}
    assert "事件类型" in bad["3"] and "无法识别的事件类型“shouted”" in bad["3"]
    assert "窗口号" in bad["4"] and "此类事件必须填写此项" in bad["4"]
    assert "发生时间" in bad["5"] and "不是有效的时间" in bad["5"]
    await shot(page, "hr-queue-import-rejected")

    en = await page_as(browser, site, "hr", phone=True, next_path=f"{page.url.split(site.url, 1)[1]}&lang=en")
    await upload_and_wait(en, "bad.csv", "\r\n".join(lines) + "\r\n")
    rows = await en.locator("#bad-lines").inner_text()
    assert "Unknown kind of event “shouted”" in rows and "Required for this kind of event" in rows
    await shot(en, "hr-queue-import-rejected-en-phone")


async def test_a_file_that_is_not_utf8_is_refused_at_once(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path=HERE)
    await page.set_input_files("#file", files=[{"name": "gbk.csv", "mimeType": "text/csv", "buffer": "事件编号\r\n".encode("gb18030")}])
    await page.click("#upload-form button[type=submit]")
    await page.wait_for_load_state("load")
    assert "不是 UTF-8 编码" in await page.locator("#bad-lines").inner_text()
