"""Every role's main pages pass axe-core's serious and critical checks (WCAG AA contrast, names, keyboard reach) on the device
its people use: staff, inspectors, delegates and citizens on a phone, HR, approvers, the lead and the admin on a desk."""

from __future__ import annotations

import pytest

from tests.web.browser import accessibility_violations, api, open_page, page_as, shot, violations_text
from tests.web.test_delegate_pages import _invitation, _start
from tests.web.test_hr_pages import demo_month
from tests.web.test_inspector_pages import own_visit
from tests.web.test_public_pages import rating_url

# name: (demo user, address, on a phone). Addresses with a {placeholder} are filled in by _address.
PAGES = {
    "login": (None, "/login", True),
    "board": (None, "/board", True),
    "rating": (None, "{rating}", True),
    "delegate-form": (None, "{delegate}", True),
    "home-staff": ("staff", "/app", True),
    "staff-month": ("staff", "/app/me", True),
    "staff-appraisal": ("staff", "/app/me/appraisal", True),
    "staff-leave": ("staff", "/app/me/leave", True),
    "staff-missed-punches": ("staff", "/app/me/missed-punches", True),
    "notifications": ("staff", "/app/notifications", True),
    "inspector-home": ("inspector", "/app/inspect", True),
    "inspector-visit": ("inspector", "{visit}", True),
    "hr-months": ("hr", "/app/hr/appraisal", False),
    "hr-month": ("hr", "/app/hr/appraisal/{month}", False),
    "hr-org-staff": ("hr", "/app/hr/org", False),
    "hr-org-person": ("hr", "{person}", False),
    "hr-org-windows": ("hr", "/app/hr/org/windows", False),
    "hr-leave": ("hr", "/app/hr/leave", False),
    "hr-missed-punches": ("hr", "/app/missed-punches", False),
    "hr-campaigns": ("hr", "/app/hr/campaigns", False),
    "hr-rating-codes": ("hr", "/app/hr/rating-codes", False),
    "hr-cases": ("hr", "/app/hr/cases", False),
    "hr-services": ("hr", "/app/hr/services", False),
    "hr-queue-import": ("hr", "/app/hr/queues/import", False),
    "queue-figures": ("approver", "/app/queues/figures?month={month}&by=staff", False),
    "approver": ("approver", "/app/approver", False),
    "approver-month": ("approver", "/app/approver/{month}", False),
    "lead": ("lead", "/app/inspections", False),
    "admin": ("admin", "/app/admin", False),
    "audit-log": ("auditor", "/app/audit", False),
    "hr-org-search": ("hr", "/app/hr/org?q=wl", False),
    "today-hr": ("hr", "/app/today", False),
    "today-head": ("staff", "/app/today", True),
}


async def _address(site, path: str) -> str:
    if path == "{visit}":
        return f"/app/inspect/visits/{(await own_visit(site, start=True))['id']}"
    if path == "{rating}":
        return (await rating_url(site))[0]
    if path == "{person}":
        person = (await api(site, "hr", "GET", "/api/v1/staff/", params={"limit": 1, "status": "active"}))["items"][0]
        return f"/app/hr/org/staff/{person['id']}"
    return path.replace("{month}", demo_month())


async def _open(site, browser, user: str | None, path: str, *, phone: bool):
    if path == "{delegate}":
        invitation, _ = await _invitation(site)
        return await _start(site, browser, invitation)
    address = await _address(site, path)
    if user is None:
        page = await open_page(browser, phone=phone)
        await page.goto(f"{site.url}{address}")
    else:
        page = await page_as(browser, site, user, phone=phone, next_path=address)
    await page.wait_for_load_state("networkidle")
    return page


@pytest.mark.parametrize("name", list(PAGES))
async def test_the_page_has_no_serious_accessibility_violations(site, browser, name: str) -> None:
    user, path, phone = PAGES[name]
    page = await _open(site, browser, user, path, phone=phone)
    try:
        assert "/login" not in page.url or user is None, f"{name}: not logged in"
        violations = await accessibility_violations(page)
        await shot(page, f"a11y-{name}")
        assert not violations, f"{name} ({page.url}):\n{violations_text(violations)}"
    finally:
        await page.context.close()


async def test_on_a_phone_the_tab_key_reaches_each_table_by_its_name(site, browser) -> None:
    page = await page_as(browser, site, "staff", phone=True, next_path="/app/me")
    try:
        names = await page.evaluate("() => [...document.querySelectorAll('.table-wrap')].map(w => w.getAttribute('aria-label'))")
        assert names and all(names), names
        reached = []
        for _ in range(60):
            await page.keyboard.press("Tab")
            here = await page.evaluate(
                "() => document.activeElement.matches('.table-wrap') && document.activeElement.getAttribute('aria-label')"
            )
            if here:
                assert await page.get_by_role("region", name=here).count() == 1
                reached.append(here)
        assert set(reached) == set(names)
    finally:
        await page.context.close()


@pytest.mark.parametrize(("user", "path"), [("staff", "/app/notifications"), ("admin", "/app/admin"), ("lead", "/app/inspections")])
async def test_status_badges_stay_on_one_line_on_a_phone(site, browser, user: str, path: str) -> None:
    page = await page_as(browser, site, user, phone=True, next_path=path)
    try:
        badges = await page.evaluate(
            """() => [...document.querySelectorAll('.badge')].map(b => {
                const lines = b.getClientRects().length, style = getComputedStyle(b);
                return [b.textContent, b.getBoundingClientRect().height <= parseFloat(style.lineHeight) * 1.2 + 4 && lines === 1];
            })"""
        )
        assert badges and all(one for _, one in badges), badges
    finally:
        await page.context.close()
