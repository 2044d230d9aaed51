"""A delegate (no staff account) opens the invitation link on a phone, enters the code and evaluates a target."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta

import httpx

from tests.web.browser import open_page, shot, totp_of
from window_staff import demo


_HR_TOKENS: dict[str, str] = {}


async def _hr_client(site) -> httpx.AsyncClient:
    """An API client logged in as hr (waits for the next TOTP window when this code was just used by another test)."""
    client = httpx.AsyncClient(base_url=site.url, timeout=30)
    if site.url in _HR_TOKENS:
        client.headers["Authorization"] = f"Bearer {_HR_TOKENS[site.url]}"
        return client
    for _ in range(3):
        response = await client.post("/api/v1/auth/login", json={"username": "hr", "password": demo.DEMO_PASSWORD, "totp": totp_of("hr")})
        if response.status_code == 200:
            _HR_TOKENS[site.url] = response.json()["token"]
            client.headers["Authorization"] = f"Bearer {_HR_TOKENS[site.url]}"
            # A TOTP code counts once: let the window pass so the next test's hr login gets a fresh code.
            await asyncio.sleep(30.5 - time.time() % 30)
            return client
        await asyncio.sleep(30.5 - time.time() % 30)
    raise AssertionError(f"hr could not log in: {response.text}")


async def _invitation(site, *, targets: int = 2) -> tuple[dict, list[dict]]:
    hr = await _hr_client(site)
    try:
        staff = (await hr.get("/api/v1/staff/", params={"limit": targets, "status": "active"})).json()["items"]
        assert len(staff) == targets
        delegate = (await hr.post("/api/v1/evaluations/delegates", json={"name": "王代表", "kind": "npc_deputy"})).json()
        today = date.today()
        campaign = await hr.post("/api/v1/evaluations/campaigns", json={
            "title": "窗口作风监督评议", "month": f"{today.year:04d}-{today.month:02d}",
            "opens_on": (today - timedelta(days=1)).isoformat(), "closes_on": (today + timedelta(days=1)).isoformat(),
            "targets": [{"kind": "staff", "id": s["id"]} for s in staff],
        })
        assert campaign.status_code == 201, campaign.text
        campaign_id = campaign.json()["id"]
        assert (await hr.post(f"/api/v1/evaluations/campaigns/{campaign_id}/open")).status_code == 200
        invitation = await hr.post(f"/api/v1/evaluations/campaigns/{campaign_id}/invitations", json={"delegate_id": delegate["id"]})
        assert invitation.status_code == 201, invitation.text
        return invitation.json(), staff
    finally:
        await hr.aclose()


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
