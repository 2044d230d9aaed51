"""Windows' QR rating codes and the bad-review cases in a browser: HR prints table cards, replaces a leaked code and stops one;
a bad rating opens a case that HR walks from verify to close, and an appeal the inspection lead decides."""

from __future__ import annotations

import re
import uuid

import httpx

from tests.web.browser import accessibility_violations, api, page_as, shot, violations_text
from tests.web.test_hr_evaluation_pages import _print_shot


def _token_of(link: str) -> str:
    return link.rsplit("/rate/", 1)[1]


async def _rate(site, token: str, *, level: int, comment: str) -> httpx.Response:
    """A citizen's rating from the window's QR page (public, no cookie)."""
    form = {"ticket": f"A{uuid.uuid4().hex[:5]}", "level": level, "efficiency": level, "service_level": level, "attitude": level}
    async with httpx.AsyncClient(base_url=site.url) as client:
        return await client.post(f"/rate/{token}", data={**form, "comment": comment})


async def _code_status(site, token: str) -> int:
    async with httpx.AsyncClient(base_url=site.url) as client:
        return (await client.get(f"/rate/{token}")).status_code


async def test_hr_prints_table_cards_then_replaces_a_leaked_code_and_stops_another(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app/hr/rating-codes")
    free = page.locator("#windows tr.window[data-code=none]")
    chosen = [await free.nth(i).get_attribute("data-id") for i in (0, 1)]
    for window_id in chosen:
        await page.locator(f"#w-{window_id}").check()
    await shot(page, "hr-rating-codes")
    await page.click("#generate-button")
    cards = page.locator("article.table-card")
    assert await cards.count() == 2 and await page.locator("article.table-card svg.qr").count() == 2
    assert "好差评" in await cards.first.inner_text() and "取号单" in await cards.first.inner_text()
    links = [await page.locator("article.table-card").nth(i).get_attribute("data-link") for i in (0, 1)]
    await shot(page, "hr-rating-cards")
    assert not (found := await accessibility_violations(page)), violations_text(found)
    await _print_shot(page, "hr-rating-cards-print")
    # On paper each card takes its own A4 page (Chromium's PDF of the page as printed, at the stylesheet's page size).
    await page.emulate_media(media="print")
    pdf = await page.pdf(prefer_css_page_size=True)
    await page.emulate_media(media="screen")
    assert len(re.findall(rb"/MediaBox \[0 0 59[45](?:\.\d+)? 84[12](?:\.\d+)?\]", pdf)) == 2
    assert [await _code_status(site, _token_of(link)) for link in links] == [200, 200]

    await page.goto(f"{site.url}/app/hr/rating-codes")
    first, second = (page.locator(f"#windows tr.window[data-id='{w}']") for w in chosen)
    assert await first.get_attribute("data-code") == "live" and "使用中" in await first.inner_text()

    await first.locator("summary[data-action=code-replace]").click()
    assert "原有二维码立即失效" in await first.locator(".what[data-what=code-replace]").inner_text()
    await first.locator("button[data-confirm=code-replace]").click()
    new_link = await page.locator("article.table-card").first.get_attribute("data-link")
    assert await _code_status(site, _token_of(links[0])) == 404 and await _code_status(site, _token_of(new_link)) == 200

    await page.goto(f"{site.url}/app/hr/rating-codes")
    await second.locator("summary[data-action=code-revoke]").click()
    await second.locator("button[data-confirm=code-revoke]").click()
    assert "二维码已停用" in await page.locator("#notice").inner_text()
    assert await second.get_attribute("data-code") == "none" and await _code_status(site, _token_of(links[1])) == 404
    await shot(page, "hr-rating-code-revoked")


async def test_rating_cards_in_english_on_a_phone(site, browser) -> None:
    page = await page_as(browser, site, "hr", phone=True, next_path="/app/hr/rating-codes?lang=en")
    window_id = await page.locator("#windows tr.window[data-code=none]").first.get_attribute("data-id")
    await page.locator(f"#w-{window_id}").check()
    await shot(page, "hr-rating-codes-en-phone")
    await page.click("#generate-button")
    assert "Rate our service" in await page.locator("article.table-card").inner_text()
    await shot(page, "hr-rating-cards-en-phone")
    await _print_shot(page, "hr-rating-cards-en-print")


async def _bad_case(site, *, comment: str) -> dict:
    """A window's code made through the API and a bad rating from its QR page: the case it opened."""
    windows = (await api(site, "hr", "GET", "/api/v1/windows", params={"limit": 200}))["items"]
    window = windows[-1]
    made = await api(site, "hr", "POST", f"/api/v1/evaluations/windows/{window['id']}/rating-code")
    assert (await _rate(site, made["token"], level=1, comment=comment)).status_code in (200, 201)
    cases = (await api(site, "hr", "GET", "/api/v1/evaluations/cases", params={"limit": 200}))["items"]
    return next(c for c in cases if c["rating"]["comment"] == comment)


async def test_hr_walks_a_bad_review_from_the_queue_to_closed_with_a_note_at_each_step(site, browser) -> None:
    comment = f"等候太久 {uuid.uuid4().hex[:6]}"
    case = await _bad_case(site, comment=comment)
    told = (await api(site, "hr", "GET", "/api/v1/me/notifications", params={"limit": 50}))["items"]
    assert any(n["kind"] == "bad_review_opened" and n["subject_id"] == case["id"] for n in told)

    # HR's message about it leads to the case.
    page = await page_as(browser, site, "hr", next_path="/app/notifications")
    assert await page.locator(f"a.subject[href='/app/hr/cases/{case['id']}']").count() == 1

    await page.goto(f"{site.url}/app/hr/cases?status=open")
    row = page.locator(f"#cases tr.case[data-id='{case['id']}']")
    assert "非常不满意" in await row.inner_text() and "个工作日" in await row.inner_text()
    await shot(page, "hr-cases-queue")
    await row.locator("a").click()
    assert comment in await page.locator("#summary").inner_text()
    for step, note, status in (
        ("verify", "调阅录像属实", "verified"),
        ("rectify", "已对窗口人员批评教育", "rectified"),
        ("call_back", "电话回访，群众表示满意", "called_back"),
    ):
        await page.fill("#note", note)
        await page.click(f"#step-form button[data-step={step}]")
        assert await page.locator("#summary").get_attribute("data-status") == status
        assert note in await page.locator("#events").inner_text()
    assert not (found := await accessibility_violations(page)), violations_text(found)
    await page.click("#confirm-case-close summary")
    await page.fill("#note", "整改到位，予以办结")
    await shot(page, "hr-case-close-confirm")
    await page.click("#confirm-case-close button[data-confirm]")
    assert "案件已办结" in await page.locator("#notice").inner_text()
    assert await page.locator("#summary").get_attribute("data-status") == "closed"
    assert "张敏" in await page.locator("#events li[data-action=close]").inner_text()  # the step by name
    await shot(page, "hr-case-closed")


async def test_a_step_without_its_note_is_refused_in_words(site, browser) -> None:
    case = await _bad_case(site, comment=f"态度差 {uuid.uuid4().hex[:6]}")
    page = await page_as(browser, site, "hr", next_path=f"/app/hr/cases/{case['id']}")
    await page.evaluate("document.querySelector('#note').removeAttribute('required')")
    await page.click("#step-form button[data-step=verify]")
    assert "请填写说明" in await page.locator("#message").inner_text()
    assert await page.locator("#summary").get_attribute("data-status") == "open"


async def test_hr_files_an_appeal_and_the_inspection_lead_is_told_and_decides_it_in_english(site, browser) -> None:
    case = await _bad_case(site, comment=f"恶意差评 {uuid.uuid4().hex[:6]}")
    page = await page_as(browser, site, "hr", next_path=f"/app/hr/cases/{case['id']}")
    await page.fill("#reason", "监控显示该群众未在本窗口办理业务")
    await page.click("#appeal-form button[type=submit]")
    assert "复核申请已提交" in await page.locator("#notice").inner_text()
    assert await page.locator("#summary").get_attribute("data-status") == "appealed"
    told = (await api(site, "lead", "GET", "/api/v1/me/notifications", params={"limit": 50}))["items"]
    assert any(n["kind"] == "bad_review_appealed" and n["subject_id"] == case["id"] for n in told)

    lead = await page_as(browser, site, "lead", phone=True, next_path=f"/app/hr/cases/{case['id']}?lang=en")
    assert "Under review" in await lead.locator("#status").inner_text()
    assert await lead.locator("#appeal-form").count() == 0  # HR files appeals
    await lead.click("#confirm-case-decide summary")
    await lead.check("input[name=outcome][value=void]")
    await lead.fill("#decision-note", "Video confirms the citizen was never served here")
    await shot(lead, "lead-case-decide-en-phone")
    await lead.click("#confirm-case-decide button[data-confirm]")
    assert "decided" in await lead.locator("#notice").inner_text()
    assert await lead.locator("#summary").get_attribute("data-status") == "voided"
    await shot(lead, "lead-case-voided-en-phone")
