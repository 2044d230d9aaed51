"""HR's evaluation work in a browser: delegate campaigns with the printed invitation letter, windows' QR table cards, the
bad-review cases from a bad rating to closing and appeal, and the service-transaction upload with its line-by-line report."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import httpx

from tests.web.browser import accessibility_violations, api, page_as, shot, violations_text, wait_for

SH = ZoneInfo("Asia/Shanghai")


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


async def _print_shot(page, name: str) -> None:
    """How the page comes out on paper: the print stylesheet, checked by a screenshot."""
    await page.emulate_media(media="print")
    assert not await page.locator("header.top").is_visible()  # no navigation on paper
    assert not await page.locator(".no-print").first.is_visible()
    await shot(page, name)
    await page.emulate_media(media="screen")


async def _fill_campaign(page, title: str) -> None:
    today = datetime.now(SH).date()
    await page.fill("#title", title)
    await page.fill("#opens_on", today.isoformat())
    await page.fill("#closes_on", (today + timedelta(days=7)).isoformat())
    await page.locator("#dimensions input[value=punctual]").uncheck()
    await page.locator("#targets input[name=t_department]").first.check()


async def test_hr_runs_a_delegate_campaign_from_draft_to_closed_with_a_printed_letter(site, browser) -> None:
    delegate, title = _unique("代表"), _unique("2026年作风评议")
    page = await page_as(browser, site, "hr", next_path="/app/hr/campaigns")
    await page.fill("#d-name", delegate)
    await page.select_option("#d-kind", "npc_deputy")
    await page.fill("#d-org", "县人大常委会")
    await page.click("#delegate-form button[type=submit]")
    assert "已登记评议代表" in await page.locator("#notice").inner_text()
    assert "人大代表" in await page.locator("#delegate-list tr", has_text=delegate).inner_text()

    await _fill_campaign(page, title)
    await shot(page, "hr-campaigns-new")
    await page.click("#campaign-form button[type=submit]")
    assert "保存为草稿" in await page.locator("#notice").inner_text()
    assert await page.locator("#summary").get_attribute("data-status") == "draft"
    dimensions = await page.locator("#summary").inner_text()
    assert "受理咨询一样热情" in dimensions and "来早来晚一样接待" not in dimensions
    await page.click("#steps button[data-action=open]")
    assert await page.locator("#summary").get_attribute("data-status") == "open"

    await page.select_option("#delegate_id", label=f"{delegate}（人大代表）")
    await page.click("#invite-form button[type=submit]")
    code = (await page.locator("#invite-code").inner_text()).strip()
    link = (await page.locator("#invite-link").inner_text()).strip()
    assert re.fullmatch(r"\d{6}", code) and "/delegate/start?token=" in link
    assert await page.locator("#letter svg.qr").count() == 1 and delegate in await page.locator("#letter").inner_text()
    await shot(page, "hr-campaign-letter")
    assert not (found := await accessibility_violations(page)), violations_text(found)
    await _print_shot(page, "hr-campaign-letter-print")

    # The letter works: its link and code give the delegate a session.
    token = link.split("token=", 1)[1]
    async with httpx.AsyncClient(base_url=site.url) as client:
        assert (await client.post("/api/v1/delegate/redeem", json={"token": token, "code": code})).status_code == 200

    campaign_page = urlparse(page.url).path.rsplit("/invitations", 1)[0]
    await page.goto(f"{site.url}{campaign_page}")
    html = await page.content()
    assert code not in html and token not in html  # shown once, never again
    invitation = page.locator("#invitation-list tr.invitation", has_text=delegate)
    assert await invitation.get_attribute("data-state") == "used" and "已评 0/1 项" in await invitation.inner_text()
    assert "还差 3 份" in await page.locator("#results tr.target").first.inner_text()

    await page.click("#confirm-campaign-close summary")
    assert "不可撤回" in await page.locator("#confirm-campaign-close .what").inner_text()
    await page.click("#confirm-campaign-close button[data-confirm]")
    assert "评议已结束" in await page.locator("#notice").inner_text()
    assert await page.locator("#summary").get_attribute("data-status") == "closed"
    assert await page.locator("button[data-action=invite][disabled]").count() == 1
    await shot(page, "hr-campaign-closed")


async def test_hr_invites_in_english_on_a_phone(site, browser) -> None:
    delegate, title = _unique("Delegate "), _unique("Campaign ")
    await api(site, "hr", "POST", "/api/v1/evaluations/delegates", json={"name": delegate, "kind": "business"})
    today = datetime.now(SH).date()
    departments = await api(site, "hr", "GET", "/api/v1/departments")
    body = {
        "title": title,
        "month": f"{today:%Y-%m}",
        "opens_on": today.isoformat(),
        "closes_on": today.isoformat(),
        "targets": [{"kind": "department", "id": departments["items"][0]["id"]}],
    }
    campaign = await api(site, "hr", "POST", "/api/v1/evaluations/campaigns", json=body)
    page = await page_as(browser, site, "hr", phone=True, next_path="/app/hr/campaigns?lang=en")
    await shot(page, "hr-campaigns-en-phone")
    await page.goto(f"{site.url}/app/hr/campaigns/{campaign['id']}")
    assert "Draft" in await page.locator("#status").inner_text()
    await page.select_option("#delegate_id", label=f"{delegate}（Business representative）")
    await page.click("#invite-form button[type=submit]")
    assert "shown this once" in await page.locator("#once").inner_text()
    assert f"Dear {delegate}," in await page.locator("#letter").inner_text()
    await shot(page, "hr-campaign-letter-en-phone")
    await _print_shot(page, "hr-campaign-letter-en-print")


async def test_a_campaign_without_targets_is_refused_in_words_and_keeps_what_was_typed(site, browser) -> None:
    title = _unique("无对象评议")
    page = await page_as(browser, site, "hr", next_path="/app/hr/campaigns")
    await _fill_campaign(page, title)
    await page.locator("#targets input[name=t_department]").first.uncheck()
    await page.click("#campaign-form button[type=submit]")
    assert "请至少选择一个评议对象" in await page.locator("#message").inner_text()
    assert await page.locator("#title").input_value() == title


async def test_hr_finds_staff_to_target_by_pinyin_initials_and_keeps_those_ticked(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app/hr/campaigns")
    await page.click("#targets details:last-of-type summary")
    await page.fill("#t-staff-find", "ww")  # 王伟
    await wait_for(page, "document.querySelectorAll('#t-staff-opts input[name=t_staff]').length < 10")
    wang = page.locator("#t-staff-opts label", has_text="王伟")
    await wang.locator("input").check()
    await page.fill("#t-staff-find", "ll")  # 李磊 and others; 王伟 stays ticked
    await wait_for(page, "[...document.querySelectorAll('#t-staff-opts label')].some(l => l.textContent.includes('李磊'))")
    assert await page.locator("#t-staff-opts label", has_text="王伟").locator("input").is_checked()
    await shot(page, "hr-campaign-find-staff")
