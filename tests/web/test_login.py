"""Logging in through the pages: password and TOTP, the role's start pages, errors shown in words."""

from __future__ import annotations

from tests.web.browser import log_in, open_page, page_as, shot


async def test_hr_logs_in_with_totp_and_sees_the_appraisal_console_link(site, browser) -> None:
    page = await open_page(browser)
    await log_in(page, site, "hr")
    assert page.url.endswith("/app/today")  # HR starts from Today; the other start pages are in the navigation
    assert await page.locator("a[href='/app/hr/appraisal']").count() >= 1
    await shot(page, "hr-home")


async def test_a_wrong_password_is_said_on_the_login_page(site, browser) -> None:
    page = await open_page(browser, phone=True)
    await page.goto(f"{site.url}/login")
    await page.fill("#username", "staff")
    await page.fill("#password", "not-the-password")
    await page.click("button[type=submit]")
    assert await page.locator("[role=alert]").inner_text() == "用户名、密码或动态验证码错误"
    assert "/login" in page.url
    await shot(page, "login-wrong-password-phone")


async def test_a_page_without_a_session_leads_to_the_login_page_and_back(site, browser) -> None:
    page = await open_page(browser)
    await page.goto(f"{site.url}/app")
    assert "/login?next=/app" in page.url
    await log_in(page, site, "staff", next_path="/app")
    assert page.url.endswith("/app")


async def test_the_language_switch_shows_english(site, browser) -> None:
    page = await open_page(browser)
    await page.goto(f"{site.url}/login")
    await page.click("text=English")
    assert await page.locator("h1").inner_text() == "Log in"


async def test_a_language_asked_for_in_the_address_stays_after_a_form_is_sent(site, browser) -> None:
    page = await open_page(browser)
    await page.goto(f"{site.url}/login?lang=en")
    await page.fill("#username", "staff")
    await page.fill("#password", "not-the-password")
    await page.click("button[type=submit]")
    assert await page.locator("[role=alert]").inner_text() == "Wrong username, password or authenticator code"


async def test_a_page_the_role_may_not_use_says_so_in_chinese(site, browser) -> None:
    page = await page_as(browser, site, "staff", next_path="/app/hr/appraisal")
    assert await page.locator("[role=alert]").inner_text() == "您的角色无权使用此页面"
    assert await page.locator("h1").inner_text() == "出错了"
    await shot(page, "error-role-required")
