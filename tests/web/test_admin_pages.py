"""The administration page in a browser: the audit chain's state, the users, no secrets among the settings."""

from __future__ import annotations

from tests.web.browser import page_as, shot


async def test_the_admin_sees_the_audit_chain_ok_and_the_users(site, browser) -> None:
    page = await page_as(browser, site, "admin")
    await page.goto(f"{site.url}/app/admin")
    chain = await page.locator("#audit-chain").inner_text()
    assert "完整" in chain and "条事件已校验" in chain
    users = await page.locator("#users").inner_text()
    assert "inspector" in users and "lead" in users and "admin" in users
    settings = await page.locator("#settings").inner_text()
    assert "database_engine" in settings and "sqlite" in settings
    assert "vault" not in settings and "database_url" not in settings
    await shot(page, "admin")


async def test_the_admin_creates_an_inspector_and_sees_the_authenticator_address_once(site, browser) -> None:
    page = await page_as(browser, site, "admin")
    await page.goto(f"{site.url}/app/admin")
    await page.fill("#new-username", "inspector2")
    await page.fill("#new-display", "第二检查员")
    await page.fill("#new-password", "a-long-enough-passphrase-2026")
    await page.check("input[name=roles][value=inspector]")
    await page.click("form[action='/app/admin/users'] button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert (await page.locator("#totp-uri code").inner_text()).startswith("otpauth://totp/")
    assert "inspector2" in await page.locator("#users").inner_text()
    await page.goto(f"{site.url}/app/admin")
    assert await page.locator("#totp-uri").count() == 0
