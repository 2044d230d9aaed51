"""The auditor reads the audit log on a page: the chain's state, events in words, filters, the CSV, in both languages."""

from __future__ import annotations

import csv
import io

from tests.web.browser import page_as, shot


async def test_the_auditor_filters_the_log_by_action_and_reads_each_event_in_words(site, browser) -> None:
    page = await page_as(browser, site, "auditor", next_path="/app")
    await page.click("a[href='/app/audit']")
    await page.wait_for_load_state("networkidle")
    assert await page.locator("#chain-state [data-chain=ok]").count() == 1
    await page.select_option("#a-action", label="新增人员")
    await page.click("#audit-filters button[type=submit]")
    await page.wait_for_load_state("networkidle")
    rows = page.locator("#events tr.event")
    assert await rows.count() > 0
    for text in [await r.inner_text() for r in await rows.all()][:5]:
        assert "新增人员" in text and "人员" in text
    await shot(page, "audit-log-filtered")
    # The CSV holds the same events in the same words.
    href = await page.locator("#audit-export").get_attribute("href")
    answer = await page.request.get(f"{site.url}{href}")
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO((await answer.body()).decode("utf-8-sig"))))
    assert table[0] == ["时间", "操作人", "操作", "对象", "内容"] and len(table) - 1 == await _total(page)
    assert all(row[2] == "新增人员" for row in table[1:])


async def _total(page) -> int:
    return int("".join(ch for ch in await page.locator("#audit-total").inner_text() if ch.isdigit()))


async def test_the_log_reads_in_english_and_a_bad_date_is_said_not_fatal(site, browser) -> None:
    page = await page_as(browser, site, "admin", next_path="/app/audit?lang=en&from=2026-02-30")
    assert "A date was not valid" in await page.locator("[role=alert]").inner_text()
    assert "Audit log" in await page.locator("h1").inner_text()
    assert await page.locator("#events tr.event").count() > 0
    await shot(page, "audit-log-en")


async def test_staff_and_hr_cannot_open_the_log(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app")
    answer = await page.request.get(f"{site.url}/app/audit")
    assert answer.status == 403 and await page.locator("a[href='/app/audit']").count() == 0
