"""The month's queue figures in a browser: the demo centre's queue machine over last month, per window and per staff
member, for HR and centre management; staff are not shown them."""

from __future__ import annotations

from tests.web.browser import api, page_as, shot
from tests.web.test_hr_pages import demo_month

HERE = "/app/queues/figures"


async def test_hr_reads_last_months_figures_per_window_in_words(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path=f"{HERE}?month={demo_month()}&by=window")
    rows = page.locator("#figures tr.figure-row")
    assert await rows.count() >= 2
    first = await rows.first.inner_text()
    assert "窗口" in first and "分钟" in first
    assert "年" in await page.locator("#of-month").inner_text()
    await shot(page, "queue-figures-window")


async def test_per_staff_member_each_row_names_a_person_and_their_window(site, browser) -> None:
    page = await page_as(browser, site, "approver", phone=True, next_path=f"{HERE}?month={demo_month()}&by=staff&lang=en")
    assert await page.locator("#figures").get_attribute("data-by") == "staff"
    row = await page.locator("#figures tr.figure-row").first.inner_text()
    assert "min" in row and "Window" not in row
    await shot(page, "queue-figures-staff-en-phone")


async def test_a_month_without_queue_data_says_so(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path=f"{HERE}?month=2020-01")
    assert await page.locator("#no-figures").count() == 1


async def test_a_site_without_a_queue_machine_shows_no_figures(site, browser) -> None:
    town = next(s for s in (await api(site, "hr", "GET", "/api/v1/sites/", params={"limit": 50}))["items"] if s["code"] == "GY-T01")
    page = await page_as(browser, site, "hr", next_path=f"{HERE}?month={demo_month()}&site={town['id']}")
    assert await page.locator("#site").input_value() == str(town["id"])
    assert town["name"] in await page.locator("#of-month").inner_text() and await page.locator("#no-figures").count() == 1


async def test_staff_are_not_shown_the_figures(site, browser) -> None:
    page = await page_as(browser, site, "staff", next_path="/app/me")
    assert (await page.goto(f"{site.url}{HERE}")).status == 403
