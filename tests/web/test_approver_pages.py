"""The approver's pages in a browser: months to approve, a month's changes and forms, refusals in words."""

from __future__ import annotations

from tests.web.browser import page_as, shot
from tests.web.test_hr_pages import demo_month


async def test_the_approver_opens_the_approvals_page(site, browser) -> None:
    page = await page_as(browser, site, "approver", next_path="/app/approver")
    assert page.url.endswith("/app/approver")
    assert await page.locator("h1").inner_text() == "审批"
    assert await page.locator("tr[data-month]").count() >= 1  # the demo's month, in whichever list its state puts it
    await shot(page, "approver")


async def test_approving_a_month_that_is_not_decided_shows_the_state_message(site, browser) -> None:
    page = await page_as(browser, site, "approver", next_path="/app/approver")
    month = demo_month()
    assert await page.locator(f"tr[data-month='{month}']").get_attribute("data-state") == "appeals"  # its appeal window runs for days
    await page.goto(f"{site.url}/app/approver/{month}")
    assert await page.locator("#diff").count() == 1
    await page.click("button[data-action=approve]")
    message = await page.locator(".message[role=alert]").inner_text()
    assert "cannot approve a period that is appeals" in message
    assert await page.locator("#period .state").get_attribute("data-state") == "appeals"
    await shot(page, "approver-refused")


async def test_hr_cannot_open_the_approver_pages(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app/approver")
    response = await page.goto(f"{site.url}/app/approver")
    assert response.status == 403
