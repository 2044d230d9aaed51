"""Printed pages: the month sheet, the appraisal sheet and the board come out on A4 with the content only."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.web.browser import api, page_as, shot

# A4 in PDF points (595 x 842), as Chromium writes each page's MediaBox (594.95996 841.91998).
A4 = re.compile(rb"/MediaBox \[0 0 59[45](?:\.\d+)? 84[12](?:\.\d+)?\]")


def _last_month() -> str:
    today = date.today()
    return f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}"


async def _printed(page, name: str) -> bytes:
    """The page under print styles: what is hidden, a screenshot, and the PDF Chromium would print."""
    await page.emulate_media(media="print")
    hidden = "els => els.every(e => getComputedStyle(e).display === 'none')"
    assert await page.locator("header.top, nav, form, #print-button").evaluate_all(hidden)
    await shot(page, name)
    return await page.pdf(prefer_css_page_size=True)


@pytest.mark.parametrize(
    ("user", "path", "name"),
    [
        ("staff", "/app/me", "print-staff-month"),
        ("staff", "/app/me/appraisal", "print-staff-appraisal"),
        ("hr", "{sheet}", "print-hr-sheet"),
    ],
)
async def test_a_sheet_prints_on_a4_without_navigation_or_buttons(site, browser, user: str, path: str, name: str) -> None:
    if path == "{sheet}":
        # The demo's first staff member (other tests add people without a sheet for last month).
        person = (await api(site, "hr", "GET", "/api/v1/staff/", params={"q": "GY0001"}))["items"][0]
        path = f"/app/hr/appraisal/{_last_month()}/sheets/{person['id']}"
    page = await page_as(browser, site, user, next_path=path)
    assert await page.locator("#print-button").is_visible()
    pdf = await _printed(page, name)
    assert pdf.startswith(b"%PDF") and A4.search(pdf)


async def test_the_board_prints_on_a4(site, browser) -> None:
    page = await browser.new_page()
    await page.goto(f"{site.url}/board")
    pdf = await _printed(page, "print-board")
    assert A4.search(pdf)
