"""The inspection lead's page on a desk: review with the photos, inspectors by name, windows of the chosen site, and the board's
public wording, confirmed before it is published, then marked rectified."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from tests.web.browser import api, open_page, page_as, shot, wait_for
from tests.web.test_inspector_pages import own_visit, small_png


async def _finding(site, *, note: str = "", photo: bool = False) -> dict:
    visit = await own_visit(site, start=True)
    finding = await api(
        site,
        "inspector",
        "POST",
        f"/api/v1/inspections/visits/{visit['id']}/findings",
        json={"window_id": visit["window_ids"][0], "item": "badge_worn", "observed_at": datetime.now(UTC).isoformat(), "note": note},
    )
    if photo:
        files = {"photo": ("desk.png", small_png(), "image/png")}
        await api(site, "inspector", "POST", f"/api/v1/inspections/findings/{finding['id']}/evidence", files=files)
    return finding


async def test_the_lead_reviews_a_finding_with_its_photo_and_the_inspectors_name(site, browser) -> None:
    finding = await _finding(site, note="窗口无人佩戴工作牌", photo=True)
    inspector = await api(site, "inspector", "GET", "/api/v1/auth/me")
    page = await page_as(browser, site, "lead")
    await page.goto(f"{site.url}/app/inspections")
    draft = page.locator(f"section.draft[data-finding='{finding['id']}']")
    text = await draft.inner_text()
    assert "未佩戴工作牌" in text and f"检查人员 {inspector['display_name'] or 'inspector'}" in text
    await wait_for(page, f"document.querySelector(\"section.draft[data-finding='{finding['id']}'] .thumbs img\").naturalWidth === 64")
    await draft.scroll_into_view_if_needed()
    await shot(page, "lead-desk")


async def test_the_plan_form_shows_only_the_chosen_sites_windows_and_inspectors_by_name(site, browser) -> None:
    page = await page_as(browser, site, "lead")
    await page.goto(f"{site.url}/app/inspections")
    groups = page.locator("#plan-form .site-windows")
    assert await groups.count() >= 2  # the demo's windows stand at more than one site
    for value in await page.locator("#site_id option").evaluate_all("(os) => os.map((o) => o.value)"):
        await page.select_option("#site_id", value)
        visible = page.locator("#plan-form .site-windows:not([hidden])")
        assert await visible.count() <= 1 and await visible.evaluate_all(
            "(gs) => gs.every((g) => g.dataset.site === SITE)".replace("SITE", repr(value))
        )
    names = await page.locator("#plan-form input[name=inspector_ids]").evaluate_all(
        "(bs) => bs.map((b) => b.parentElement.textContent.trim())"
    )
    inspector = await api(site, "inspector", "GET", "/api/v1/auth/me")
    assert (inspector["display_name"] or "inspector") in names


async def test_the_board_gets_the_leads_public_words_after_a_confirmation_never_the_private_note(site, browser) -> None:
    finding = await _finding(site, note="私下记录：第三次发现")
    await api(site, "inspector", "POST", f"/api/v1/inspections/visits/{finding['visit_id']}/end")
    await api(site, "lead", "POST", f"/api/v1/inspections/findings/{finding['id']}/publish")
    page = await page_as(browser, site, "lead")
    await page.goto(f"{site.url}/app/inspections/findings/{finding['id']}/board")
    assert await page.input_value("#headline") == "未佩戴工作牌"
    assert "已责令限期整改" in await page.input_value("#text")  # a suggestion the lead may accept
    await page.fill("#text", "窗口工作人员未佩戴工作牌，已责令整改。")
    await page.click("form[action$='/board'] button[type=submit]")
    confirm = page.locator("section.confirm")
    assert "确认后，以下内容将在“自亮家丑”曝光台向公众公开" in await confirm.inner_text()
    assert "窗口工作人员未佩戴工作牌，已责令整改。" in await confirm.locator(".board-preview").inner_text()
    await shot(page, "lead-board-confirm")
    entries = (await api(site, "lead", "GET", "/api/v1/inspections/board", params={"limit": 200}))["items"]
    assert finding["id"] not in [e["finding_id"] for e in entries]  # nothing published by the first step
    await confirm.locator("button[name=confirm]").click()
    await page.wait_for_url("**/app/inspections?done=1")

    public = await open_page(browser, phone=True)
    await public.goto(f"{site.url}/board")
    article = public.locator("article", has=public.locator("text=窗口工作人员未佩戴工作牌，已责令整改。"))
    text = await article.inner_text()
    assert "未佩戴工作牌" in await article.locator("h2").inner_text() and "整改中" in text
    assert "私下记录" not in await public.content()

    entry = next(
        e
        for e in (await api(site, "lead", "GET", "/api/v1/inspections/board", params={"limit": 200}))["items"]
        if e["finding_id"] == finding["id"]
    )
    await page.locator(f"tr.board-entry[data-entry='{entry['id']}'] button").click()
    await page.wait_for_url("**/app/inspections?done=1")
    await public.reload()
    assert "已整改（" in await article.inner_text()
    await shot(public, "public-board-rectified-phone")


async def test_going_back_from_the_confirmation_keeps_the_wording(site, browser) -> None:
    finding = await _finding(site)
    await api(site, "inspector", "POST", f"/api/v1/inspections/visits/{finding['visit_id']}/end")
    await api(site, "lead", "POST", f"/api/v1/inspections/findings/{finding['id']}/publish")
    page = await page_as(browser, site, "lead")
    await page.goto(f"{site.url}/app/inspections/findings/{finding['id']}/board")
    await page.fill("#text", "自拟公开说明")
    await page.click("form[action$='/board'] button[type=submit]")
    await page.click("section.confirm button[name=back]")
    assert await page.input_value("#text") == "自拟公开说明"
    async with httpx.AsyncClient(base_url=site.url) as client:
        assert "自拟公开说明" not in (await client.get("/board")).text
