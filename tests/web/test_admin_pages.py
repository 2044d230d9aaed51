"""The administration page in a browser: the audit chain's state, the users, no secrets among the settings."""

from __future__ import annotations

from tests.web.browser import api, page_as, shot


async def test_the_admin_sees_the_audit_chain_ok_and_the_users(site, browser) -> None:
    page = await page_as(browser, site, "admin")
    await page.goto(f"{site.url}/app/admin")
    chain = await page.locator("#audit-chain").inner_text()
    assert "完整" in chain and "条事件已校验" in chain
    users = await page.locator("#users").inner_text()
    assert "inspector" in users and "lead" in users and "admin" in users  # login names, where accounts are managed
    assert "王芳" in users and "检查员" in users  # the person's name and the role in words
    settings = await page.locator("#settings").inner_text()
    assert "数据库类型" in settings and "SQLite" in settings and "database_engine" not in settings
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


async def _new_user(site, username: str, roles: list[str]) -> dict:
    created = await api(
        site,
        "admin",
        "POST",
        "/api/v1/users/",
        expect=201,
        json={"username": username, "password": "a-long-enough-passphrase-2026", "display_name": f"测试人员{username[-1]}", "roles": roles},
    )
    return created["user"]


async def test_the_admin_gives_a_user_another_role_and_disables_them_after_confirming(site, browser) -> None:
    target = await _new_user(site, "clerk1", ["staff"])
    page = await page_as(browser, site, "admin", next_path="/app/admin")
    await page.click(f"#users a[href='/app/admin/users/{target['id']}']")
    await page.check("input[name=roles][value=auditor]")
    await page.click("#user-form button[type=submit]")
    assert await page.locator("[role=status]").inner_text() == "已保存"
    after = await api(site, "admin", "GET", f"/api/v1/users/{target['id']}")
    assert sorted(after["roles"]) == ["auditor", "staff"] and after["active"] is True

    await page.click("summary[data-action=deactivate]")
    assert "所有登录立即退出" in await page.locator("#confirm-deactivate .what").inner_text()
    assert (await api(site, "admin", "GET", f"/api/v1/users/{target['id']}"))["active"] is True
    await shot(page, "admin-user")
    await page.click("button[data-confirm=deactivate]")
    assert (await api(site, "admin", "GET", f"/api/v1/users/{target['id']}"))["active"] is False
    assert await page.locator("#active-form [data-active=no]").count() == 1
    # A disabled user's reset link would not work: it is not offered, and the page says why.
    assert await page.locator("button[data-action=password-reset]").is_disabled()


async def test_taking_every_role_away_is_refused_on_the_page_and_changes_nothing(site, browser) -> None:
    target = await _new_user(site, "clerk2", ["staff"])
    page = await page_as(browser, site, "admin", next_path=f"/app/admin/users/{target['id']}")
    await page.uncheck("input[name=roles][value=staff]")
    await page.click("#user-form button[type=submit]")
    assert await page.locator("[role=alert]").count() == 1
    assert (await api(site, "admin", "GET", f"/api/v1/users/{target['id']}"))["roles"] == ["staff"]


async def test_resetting_the_authenticator_shows_the_new_address_once(site, browser) -> None:
    target = await _new_user(site, "inspector3", ["inspector"])
    page = await page_as(browser, site, "admin", next_path=f"/app/admin/users/{target['id']}")
    await page.click("summary[data-action=totp-reset]")
    assert await page.locator("#totp-uri").count() == 0  # the first click only says what will happen
    await page.click("button[data-confirm=totp-reset]")
    assert (await page.locator("#totp-uri code").inner_text()).startswith("otpauth://totp/")
    await page.goto(f"{site.url}/app/admin/users/{target['id']}")
    assert await page.locator("#totp-uri").count() == 0


async def test_revoking_a_terminal_takes_a_second_click_that_says_it_cannot_be_undone(site, browser) -> None:
    site_id = (await api(site, "admin", "GET", "/api/v1/terminals/"))["items"][0]["site_id"]
    terminal = await api(
        site, "admin", "POST", "/api/v1/terminals/", json={"serial": "WS-TEST-REVOKE", "site_id": site_id, "name": "测试终端"}
    )
    await api(site, "admin", "POST", f"/api/v1/terminals/{terminal['id']}/approve")
    page = await page_as(browser, site, "admin", next_path="/app/admin")
    row = page.locator("#terminals tr[data-terminal='WS-TEST-REVOKE']")

    await row.locator("summary[data-action=revoke]").click()
    assert "不能恢复" in await row.locator(".what").inner_text()
    assert (await api(site, "admin", "GET", f"/api/v1/terminals/{terminal['id']}"))["status"] == "approved"
    await shot(page, "admin-revoke-confirm")

    await row.locator("button[data-confirm=revoke]").click()
    await page.wait_for_load_state("networkidle")
    assert (await api(site, "admin", "GET", f"/api/v1/terminals/{terminal['id']}"))["status"] == "revoked"
    assert await page.locator("#terminals tr[data-terminal='WS-TEST-REVOKE'] [data-action=revoke]").count() == 0


async def test_the_admin_links_an_account_to_a_staff_member_by_employee_number(site, browser) -> None:
    target = await _new_user(site, "linkme1", ["staff"])
    window = (await api(site, "hr", "GET", "/api/v1/windows/", params={"limit": 1}))["items"][0]
    person = await api(
        site,
        "hr",
        "POST",
        "/api/v1/staff",
        json={
            "employee_no": f"LK{target['id']:06d}",
            "name": "关联测试",
            "department_id": window["department_id"],
            "window_id": window["id"],
            "hired_on": "2024-03-01",
        },
    )
    page = await page_as(browser, site, "admin", next_path=f"/app/admin/users/{target['id']}")
    assert "尚未关联工作人员" in await page.locator("#staff-linked").inner_text()
    await page.fill("#link-employee-no", "NO-SUCH-NUMBER")
    await page.click("#staff-link button[type=submit]")
    assert "没有此工号的人员" in await page.locator("[role=alert]").inner_text()
    await page.fill("#link-employee-no", person["employee_no"])
    await page.click("#staff-link button[type=submit]")
    assert await page.locator("[role=status]").inner_text() == "已关联工作人员"
    assert "关联测试" in await page.locator("#staff-linked").inner_text()
    assert (await api(site, "admin", "GET", f"/api/v1/users/{target['id']}"))["staff_id"] == person["id"]
    await shot(page, "admin-user-linked")


async def test_the_account_link_reads_in_english(site, browser) -> None:
    target = await _new_user(site, "linkme2", ["staff"])
    page = await page_as(browser, site, "admin", next_path=f"/app/admin/users/{target['id']}?lang=en")
    assert "Not linked to a staff member" in await page.locator("#staff-linked").inner_text()
    assert "Staff member of this account" in await page.locator("#staff-link h2").inner_text()
    await shot(page, "admin-user-link-en")
