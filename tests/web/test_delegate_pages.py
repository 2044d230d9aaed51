"""A delegate (no staff account) opens the invitation link on a phone, enters the code and evaluates the targets one at a time."""

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


async def _start(site, browser, invitation: dict):
    page = await open_page(browser, phone=True)
    await page.goto(f"{site.url}/delegate/start?token={invitation['token']}")
    await page.fill("#code", invitation["code"])
    await page.click("button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert page.url.endswith("/delegate")
    return page


async def _rate(page, value: str) -> None:
    """Rate every line of the target on screen with ``value``."""
    form = page.locator("form.target")
    for index in range(await form.locator("fieldset").count()):
        await form.locator("fieldset").nth(index).locator(f"input[value='{value}']").check()


async def test_a_delegate_goes_through_the_targets_one_at_a_time_and_submits_at_the_end(site, browser) -> None:
    invitation, staff = await _invitation(site, targets=3)
    page = await _start(site, browser, invitation)
    assert await page.locator("#progress").inner_text() == "第1/3项"
    assert await page.locator("form.target").count() == 1  # one target per screen
    assert await page.locator(f"form.target[data-target='staff-{staff[0]['id']}']").count() == 1
    assert "非常满意" in await page.locator("form.target").inner_text()
    await _rate(page, "5")
    await page.fill("#comment", "办事快，态度好。")
    await page.click("button[name=go][value=next]")
    assert await page.locator("#progress").inner_text() == "第2/3项"
    await _rate(page, "4")
    await page.click("button[name=go][value=next]")
    assert await page.locator("#progress").inner_text() == "第3/3项"
    assert "提交后全部评价一并保存" in await page.locator("form.target .hint").inner_text()
    await _rate(page, "3")
    await shot(page, "delegate-phone")
    await page.click("button[name=go][value=submit]")
    await page.wait_for_url("**/delegate/done")
    assert "感谢" in await page.locator("main").inner_text()


async def test_going_back_keeps_the_answers_already_given(site, browser) -> None:
    invitation, staff = await _invitation(site, targets=3)
    page = await _start(site, browser, invitation)
    await _rate(page, "5")
    await page.fill("#comment", "第一位：热情。")
    await page.click("button[name=go][value=next]")
    await _rate(page, "2")
    await page.click("button[name=go][value=next]")
    assert await page.locator("#progress").inner_text() == "第3/3项"
    await page.click("button[name=go][value=back]")
    assert await page.locator("#progress").inner_text() == "第2/3项"
    assert (
        await page.locator("form.target input[type=radio][value='2']:checked").count() == await page.locator("form.target fieldset").count()
    )
    await page.click("button[name=go][value=back]")
    assert await page.locator("#progress").inner_text() == "第1/3项"
    assert await page.input_value("#comment") == "第一位：热情。"
    assert (
        await page.locator("form.target input[type=radio][value='5']:checked").count() == await page.locator("form.target fieldset").count()
    )
    await shot(page, "delegate-back-phone")


async def test_next_asks_for_every_rating_of_the_target_on_screen(site, browser) -> None:
    invitation, _ = await _invitation(site, targets=2)
    page = await _start(site, browser, invitation)
    await page.locator("form.target fieldset").first.locator("input[value='4']").check()
    await page.click("button[name=go][value=next]")
    assert "第1项尚未评完" in await page.locator("[role=alert]").inner_text()
    assert await page.locator("#progress").inner_text() == "第1/2项"
    assert await page.locator("form.target fieldset").first.locator("input[value='4']").is_checked()  # kept


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
