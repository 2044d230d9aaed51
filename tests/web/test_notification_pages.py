"""Messages in a browser: the staff member reads what the appraisal told them and marks it all read."""

from __future__ import annotations

from tests.web.browser import page_as, shot
from tests.web.test_hr_pages import demo_month


async def test_staff_read_that_their_sheet_is_shown_and_mark_all_read(site, browser) -> None:
    page = await page_as(browser, site, "staff", phone=True, next_path="/app")
    await page.click("header a[href='/app/notifications']")
    await page.wait_for_url("**/app/notifications")  # waits for the page's load, not only the address
    shown = page.locator("tr.notification[data-kind=appraisal_shown]").filter(has_text=demo_month())
    assert await shown.count() == 1
    assert "考核结果已公示" in await shown.inner_text() and "前对扣分项提出申诉" in await shown.inner_text()
    await shot(page, "staff-messages-phone")
    async with page.expect_navigation():
        await page.click("#read-all")
    assert await page.locator("#unread").get_attribute("data-unread") == "0"
    assert await page.locator("tr.notification.unread").count() == 0


async def test_staff_follow_the_message_of_their_shown_sheet_to_that_months_sheet(site, browser) -> None:
    page = await page_as(browser, site, "staff", phone=True, next_path="/app/notifications")
    shown = page.locator("tr.notification[data-kind=appraisal_shown]").filter(has_text=demo_month())
    await shown.locator("a.subject").click()
    await page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/app/me/appraisal?month={demo_month()}")
    assert await page.locator("#total").count() == 1
