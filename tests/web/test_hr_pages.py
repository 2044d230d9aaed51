"""HR's appraisal console in a browser: months and states, the grade chart and rankings, lifecycle buttons and their refusals."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.web.browser import api_job, page_as, shot, wait_for
from tests.web.test_month_to_close import months_ago
from window_staff.common.clock import DEFAULT_TIME_ZONE


def demo_month() -> str:
    """The month the demo computed and opened for appeals: last month, in the centre's time zone."""
    first = datetime.now(ZoneInfo(DEFAULT_TIME_ZONE)).date().replace(day=1)
    return f"{first - timedelta(days=1):%Y-%m}"


async def _demo_month_state(page, site) -> tuple[str, str]:
    """The demo's month in the console's list and the state the service reports for it (other tests may have moved it)."""
    await page.goto(f"{site.url}/app/hr/appraisal")
    row = page.locator(f"#months tbody tr[data-month='{demo_month()}']")
    return await row.get_attribute("data-month"), await row.get_attribute("data-state")


async def test_hr_opens_the_console_and_sees_the_month_chart_and_rankings(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app/hr/appraisal")
    month, state = await _demo_month_state(page, site)
    assert state in {"computed", "appeals", "decided", "approved", "published", "closed"}
    await page.click(f"#months a[href='/app/hr/appraisal/{month}']")
    assert page.url.endswith(f"/app/hr/appraisal/{month}")
    assert await page.locator("#period .state").get_attribute("data-state") == state
    assert await page.locator("svg.chart g.bar rect").count() >= 1
    assert await page.locator("#sheets tbody tr").count() >= 1
    assert await page.locator("h2").filter(has_text="部门排名").count() == 1
    await shot(page, "hr-appraisal")


async def test_hr_finds_a_sheet_by_pinyin_initials_without_leaving_the_month(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path=f"/app/hr/appraisal/{demo_month()}")
    before = await page.locator("#sheets tbody tr").count()
    await page.fill("#sheet-q", "ww")  # 王伟, the demo's first staff member
    await page.click("#sheet-find button[type=submit]")
    await wait_for(page, f"document.querySelectorAll('#sheets tbody tr').length < {before}")
    names = await page.locator("#sheets tbody tr td:nth-child(2)").all_inner_texts()
    assert "王伟" in names
    assert "q=ww" in page.url  # the address keeps the search, so back and reload show the same list
    await shot(page, "hr-appraisal-find")


async def test_hr_recomputes_the_month_and_sees_the_notice(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app/hr/appraisal")
    month, _ = await _demo_month_state(page, site)
    await page.goto(f"{site.url}/app/hr/appraisal/{month}")
    button = page.locator("button[data-action=compute]")
    if await button.count() == 0:  # another test moved the month past approval: nothing to recompute
        assert await page.locator("#period .state").get_attribute("data-state") in {"approved", "published", "closed"}
        return
    await button.click()
    # The compute is a job: the page follows it and comes back to the month when it has finished.
    await page.wait_for_selector("#job[data-state=done]", timeout=30_000)
    assert f"/app/hr/appraisal/{month}?job=" in page.url
    assert "已完成：共" in await page.locator("#job .notice").inner_text()
    await shot(page, "hr-month-recomputed")


async def test_ending_appeals_is_not_offered_while_the_appeal_period_runs_and_says_until_when(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app/hr/appraisal")
    month, state = await _demo_month_state(page, site)
    assert state == "appeals"  # the demo's month is open for appeals for days, whatever the other tests do
    await page.goto(f"{site.url}/app/hr/appraisal/{month}")
    assert await page.locator("button[data-action=end-appeals]").is_disabled()
    assert await page.locator("form[action$='/end-appeals']").count() == 0
    why = await page.locator("#why-end-appeals").inner_text()
    assert "申诉期至" in why and "截止后方可结束申诉" in why
    assert await page.locator("#period .state").get_attribute("data-state") == "appeals"
    await shot(page, "hr-month-appeals")


async def test_the_auditor_reads_the_console_without_action_buttons(site, browser) -> None:
    page = await page_as(browser, site, "auditor", next_path="/app/hr/appraisal")
    month, _ = await _demo_month_state(page, site)
    await page.goto(f"{site.url}/app/hr/appraisal/{month}")
    assert await page.locator("#period .state").count() == 1
    assert await page.locator("#actions button").count() == 0


async def test_a_sheet_page_tells_each_line_in_sentences_without_codes_or_hashes(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app/hr/appraisal")
    month, _ = await _demo_month_state(page, site)
    await page.goto(f"{site.url}/app/hr/appraisal/{month}")
    await page.locator("#sheets tbody a", has_text="GY0001").click()  # the demo's staff login, late five times
    assert "/sheets/" in page.url
    line = page.locator("section.line[data-rule='att.late']")
    text = await line.inner_text()
    assert "规则：迟到30分钟以内的" in text and "，本月第3次，按规则加倍扣" in text
    assert re.search(r"第\d+次计算，计算时间：\d{4}年\d+月\d+日 \d\d:\d\d", await page.locator("#computed").inner_text())
    shown = await page.locator("main").inner_text()  # the check code stays folded away for the auditor
    assert "att.late" not in shown and "attendance.late" not in shown and not re.search(r"[0-9a-f]{64}", shown)
    await shot(page, "hr-sheet-desk")
    await page.goto(page.url.split("?")[0] + "?lang=en")
    english = await page.locator("section.line[data-rule='att.late']").inner_text()
    assert "The rule: Up to 30 minutes late" in english and "the 3rd time this month: doubled by the rule, −" in english
    assert re.search(r"Computation no\. \d+, run on \d+ [A-Z][a-z]+ \d{4},? \d\d:\d\d", await page.locator("#computed").inner_text())
    await shot(page, "hr-sheet-desk-en")


async def test_hr_reads_an_appeal_about_one_day_as_a_sentence_with_its_punch_times(site, browser) -> None:
    staff = await page_as(browser, site, "staff", phone=True, next_path="/app/me/appraisal")
    fact = staff.locator("section.line[data-rule='att.late'] li.fact:has(summary)").last
    sentence = await fact.locator(".sentence").inner_text()
    await fact.locator("summary").click()
    await fact.locator("textarea[name=reason]").fill("当天签到机故障，已报修。")
    await fact.locator("button[type=submit]").click()
    await staff.wait_for_load_state("networkidle")

    page = await page_as(browser, site, "hr", next_path=f"/app/hr/appraisal/{demo_month()}")
    card = page.locator(".card.appeal", has_text=sentence)
    assert await card.count() == 1
    text = await card.inner_text()
    assert "迟到（30分钟以内）" in text and "签到机故障" in text
    assert re.search(r"签到时间 \d\d:\d\d", text) and re.search(r"签退时间 \d\d:\d\d", text)
    assert "att.late" not in text and "management" not in text and "条目" not in text
    assert await card.locator("li.fact").count() == 1  # the one day appealed, not the whole line
    await card.scroll_into_view_if_needed()
    await shot(page, "hr-appeal-card-desk")


async def test_the_bonus_export_is_not_offered_before_approval(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app/hr/appraisal")
    month, state = await _demo_month_state(page, site)
    assert state == "appeals"
    await page.goto(f"{site.url}/app/hr/appraisal/{month}")
    export = page.locator("#bonus-export")
    assert await export.locator("a").count() == 0  # no link that leads to a refusal
    assert await export.locator("button[disabled]").count() == 2
    assert "批准后可导出" in await export.inner_text()


async def test_the_department_trend_is_a_line_chart(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app/hr/trend")
    assert await page.locator("svg.chart polyline").count() == 1
    assert await page.locator("svg.chart circle").count() >= 1
    await shot(page, "hr-trend")


async def test_the_console_fits_a_phone_screen_without_sideways_scrolling(site, browser) -> None:
    page = await page_as(browser, site, "hr", phone=True, next_path="/app/hr/appraisal")
    month, _ = await _demo_month_state(page, site)
    await page.goto(f"{site.url}/app/hr/appraisal/{month}")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"
    assert await page.locator("svg.chart").first.is_visible()
    await shot(page, "hr-appraisal-phone")


async def test_grades_are_named_in_the_page_language(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app/hr/appraisal")
    month, _ = await _demo_month_state(page, site)
    await page.goto(f"{site.url}/app/hr/appraisal/{month}")
    labels = await page.locator("svg.chart text").evaluate_all("nodes => nodes.map(n => n.textContent.trim())")
    grades = await page.locator("#sheets tbody td:nth-child(5)").all_inner_texts()
    assert "优秀" in labels and "excellent" not in labels
    assert grades and all(g.split()[0] in {"优秀", "良好", "合格", "基本合格", "不合格"} for g in grades)


async def test_paging_the_sheets_swaps_the_list_in_place_and_keeps_the_address(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app/hr/appraisal")
    month, _ = await _demo_month_state(page, site)
    await page.goto(f"{site.url}/app/hr/appraisal/{month}?limit=10")
    first = await page.locator("#sheets tbody tr").first.inner_text()
    await page.evaluate("window.notReloaded = true")
    await page.click("#sheet-list a[rel=next]")
    await page.wait_for_url(f"**/app/hr/appraisal/{month}?offset=10&limit=10")
    assert await page.locator("#sheets tbody tr").first.inner_text() != first
    assert await page.locator("#sheets tbody tr").count() == 10
    assert await page.evaluate("window.notReloaded === true")  # htmx swapped the list, the page stayed
    assert await page.locator("svg.chart").count() >= 1 and await page.locator("#sheet-list").count() == 1
    await page.reload()  # the pushed address is a whole page of its own
    assert await page.locator("#sheets tbody tr").first.inner_text() != first and await page.locator("svg.chart").count() >= 1


async def test_asking_for_the_bonus_file_before_approval_says_why_in_words_and_leads_back(site, browser) -> None:
    month = months_ago(9)  # a month no other page test takes, computed and not yet approved
    await api_job(site, "hr", f"/api/v1/appraisal/periods/{month}/compute")
    page = await page_as(browser, site, "hr")
    response = await page.goto(f"{site.url}/app/hr/appraisal/{month}/bonus.xlsx")
    assert response is not None and response.status == 409
    said = await page.locator("[role=alert]").inner_text()
    assert "已计算" in said and "批准后方可导出" in said and "payroll" not in said and "approved" not in said
    await page.click("text=返回上一页")
    assert page.url.endswith(f"/app/hr/appraisal/{month}")
