"""The public pages in a browser: a visitor reads the exposure board on a phone, a citizen rates a window from its QR code."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx

from tests.web.browser import api, open_page, shot
from window_staff.web.pages import HEADERS


async def live_entries(site) -> list[dict]:
    """The board's live entries; when none is left (another test withdrew them) the lead puts a fresh finding there."""
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as client:
        entries = (await client.get("/api/v1/board", params={"limit": 50})).json()["items"]
    if entries:
        return entries
    demo_visit = (await api(site, "lead", "GET", "/api/v1/inspections/visits", params={"limit": 200}))["items"][-1]
    visit = await api(
        site,
        "lead",
        "POST",
        "/api/v1/inspections/visits",
        json={
            "kind": "open",
            "site_id": demo_visit["site_id"],
            "planned_at": datetime.now(UTC).isoformat(),
            "inspector_ids": demo_visit["inspector_ids"],
            "window_ids": demo_visit["window_ids"],
        },
    )
    await api(site, "inspector", "POST", f"/api/v1/inspections/visits/{visit['id']}/start")
    finding = await api(
        site,
        "inspector",
        "POST",
        f"/api/v1/inspections/visits/{visit['id']}/findings",
        json={
            "window_id": visit["window_ids"][0],
            "item": "badge_worn",
            "observed_at": datetime.now(UTC).isoformat(),
            "note": "曝光台（页面测试）",
        },
    )
    await api(site, "lead", "POST", f"/api/v1/inspections/findings/{finding['id']}/publish")
    await api(site, "lead", "POST", "/api/v1/inspections/board", json={"finding_id": finding["id"], "text": "公开说明（页面测试）"})
    return await live_entries(site)


async def test_a_visitor_reads_the_exposure_board_on_a_phone(site, browser) -> None:
    entries = await live_entries(site)
    page = await open_page(browser, phone=True)
    response = await page.goto(f"{site.url}/board")
    assert response is not None and response.status == 200
    assert response.headers["content-security-policy"] == HEADERS["Content-Security-Policy"]  # the one policy of every page
    assert "曝光台" in await page.locator("header h1").inner_text()
    articles = page.locator("article")
    assert await articles.count() == len(entries)  # both show the first 50
    first = await articles.first.inner_text()
    assert entries[0]["item"] in first and entries[0]["department"] in first
    assert entries[0]["text"] in first and ("整改中" if entries[0]["rectification"] == "in_progress" else "已整改（") in first
    assert "统一戴牌上岗" not in await page.content()  # the headline is the problem found, not the standard it broke
    assert "曝光台（页面测试）" not in await page.content()  # the inspector's note stays inside
    assert await page.locator("script").count() == 0
    await shot(page, "public-board-phone")


async def rating_url(site) -> tuple[str, str]:
    """A fresh QR code of a demo window made by HR (the previous code of that window stops working), and the window's name."""
    windows = (await api(site, "hr", "GET", "/api/v1/windows", params={"limit": 200}))["items"]
    window = windows[-1]
    code = await api(site, "hr", "POST", f"/api/v1/evaluations/windows/{window['id']}/rating-code")
    return code["url"], window["name"]


async def test_a_citizen_rates_a_window_from_its_qr_code(site, browser) -> None:
    url, window_name = await rating_url(site)
    page = await open_page(browser, phone=True)
    response = await page.goto(f"{site.url}{url}")
    assert response is not None and response.status == 200
    assert response.headers["content-security-policy"] == HEADERS["Content-Security-Policy"]
    assert window_name in await page.locator("header").inner_text()
    assert await page.locator("script").count() == 0
    await page.fill("#ticket", f"A{int(time.time() * 1000) % 10**9}")
    for indicator in ("level", "efficiency", "service_level", "attitude"):
        await page.check(f"input[name={indicator}][value='5']")
    await shot(page, "public-rating-form-phone")
    await page.click("button[type=submit]")
    await page.wait_for_load_state("domcontentloaded")
    assert "感谢您的评价" in await page.locator("main").inner_text()
    assert window_name in await page.locator("header").inner_text()
    await shot(page, "public-rating-thanks-phone")


async def test_a_citizen_is_told_when_a_rating_code_is_unknown(site, browser) -> None:
    page = await open_page(browser, phone=True)
    response = await page.goto(f"{site.url}/rate/no-such-code-0000")
    assert response is not None and response.status == 404
    assert "评价码无效或已停用" in await page.locator("main").inner_text()
    assert await page.locator("form").count() == 0
    await shot(page, "public-rating-unknown-phone")
