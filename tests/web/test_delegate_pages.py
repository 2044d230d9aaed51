"""A delegate (no staff account) opens the invitation link on a phone, enters the code and evaluates a target."""

from __future__ import annotations

from datetime import date, timedelta

from tests.web.browser import api, open_page, shot


async def _invitation(site, *, targets: int = 2) -> tuple[dict, list[dict]]:
    staff = (await api(site, "hr", "GET", "/api/v1/staff/", params={"limit": targets, "status": "active"}))["items"]
    assert len(staff) == targets
    delegate = await api(site, "hr", "POST", "/api/v1/evaluations/delegates", json={"name": "王代表", "kind": "npc_deputy"})
    today = date.today()
    campaign = await api(
        site,
        "hr",
        "POST",
        "/api/v1/evaluations/campaigns",
        expect=201,
        json={
            "title": "窗口作风监督评议",
            "month": f"{today.year:04d}-{today.month:02d}",
            "opens_on": (today - timedelta(days=1)).isoformat(),
            "closes_on": (today + timedelta(days=1)).isoformat(),
            "targets": [{"kind": "staff", "id": s["id"]} for s in staff],
        },
    )
    await api(site, "hr", "POST", f"/api/v1/evaluations/campaigns/{campaign['id']}/open", expect=200)
    invitation = await api(
        site, "hr", "POST", f"/api/v1/evaluations/campaigns/{campaign['id']}/invitations", expect=201, json={"delegate_id": delegate["id"]}
    )
    return invitation, staff


async def test_a_delegate_enters_the_code_evaluates_a_target_and_sees_it_done(site, browser) -> None:
    invitation, staff = await _invitation(site)
    page = await open_page(browser, phone=True)
    await page.goto(f"{site.url}/delegate/start?token={invitation['token']}")
    await page.fill("#code", invitation["code"])
    await page.click("button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert page.url.endswith("/delegate")

    target = page.locator(f"section.target[data-target='staff-{staff[0]['id']}']")
    assert await target.count() == 1
    assert "非常满意" in await target.inner_text()
    for legend_index in range(await target.locator("fieldset").count()):
        await target.locator("fieldset").nth(legend_index).locator("input[value='5']").check()
    await target.locator("textarea[name=comment]").fill("办事快，态度好。")
    await target.locator("button[type=submit]").click()
    await page.wait_for_load_state("networkidle")

    assert page.url.split("?")[0].endswith("/delegate")
    assert await page.locator("[role=status]").count() == 1
    assert await target.locator(".badge.done").inner_text() == "已评价"
    assert await target.locator("form").count() == 0
    assert await page.locator(f"section.target[data-target='staff-{staff[1]['id']}'] form").count() == 1
    await shot(page, "delegate-phone")


async def test_a_wrong_code_is_said_on_the_start_page(site, browser) -> None:
    invitation, _ = await _invitation(site, targets=1)
    page = await open_page(browser, phone=True)
    await page.goto(f"{site.url}/delegate/start?token={invitation['token']}")
    await page.fill("#code", "000000" if invitation["code"] != "000000" else "111111")
    await page.click("button[type=submit]")
    assert await page.locator("[role=alert]").inner_text() == "邀请链接或验证码无效、已使用或已过期。"


async def test_the_form_without_a_delegate_session_leads_back_to_the_start_page(site, browser) -> None:
    page = await open_page(browser, phone=True)
    await page.goto(f"{site.url}/delegate")
    assert "/delegate/start" in page.url
    assert await page.locator("[role=alert]").inner_text() == "评议会话已结束，请重新使用邀请链接进入。"
