"""The hall's screens in Chromium at their sizes: who is on duty at each window now, with the public photo HR keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PIL import Image

from tests.web.browser import Site, api, api_job, page_as, shot
from tests.web.test_hr_org_pages import new_person, new_window
from tests.web.test_today_pages import _check_in, _county_staff, morning  # noqa: F401 (the fixture is used by name)
from window_staff.demo import DEMO_SITE

HALL = {"width": 1920, "height": 1080}
WINDOW_SCREEN = {"width": 1280, "height": 720}


async def _public_photo(site: Site, browser, staff_id: int, tmp_path) -> None:
    """HR uploads the person's public photo with the day of their written consent (as on the person page)."""
    photo = tmp_path / "portrait.jpg"
    Image.new("RGB", (600, 800), (150, 110, 90)).save(photo, format="JPEG")
    page = await page_as(browser, site, "hr", next_path=f"/app/hr/org/staff/{staff_id}")
    await page.set_input_files("#photo-file", str(photo))
    await page.fill("#photo-day", "2026-12-01")
    await page.click("#photo-form button[type=submit]")
    await page.wait_for_load_state("networkidle")
    await page.close()


async def _window_of(site: Site, person: dict) -> dict:
    windows = (await api(site, "hr", "GET", "/api/v1/windows/", params={"limit": 200}))["items"]
    return next(w for w in windows if w["id"] == person["window_id"])


async def _screen(browser, viewport: dict):
    context = await browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
    return await context.new_page()


async def test_the_hall_shows_who_is_on_duty_at_each_window_with_their_photo(site, browser, morning, tmp_path) -> None:  # noqa: F811
    person = (await _county_staff(site, morning))[0]
    window = next(
        w for w in (await api(site, "hr", "GET", "/api/v1/windows/", params={"limit": 200}))["items"] if w["id"] == person["window_id"]
    )
    await _public_photo(site, browser, person["id"], tmp_path)
    await _check_in(site, person["id"])
    page = await _screen(browser, HALL)
    answer = await page.goto(f"{site.url}/hall/{DEMO_SITE}")
    assert answer.status == 200 and "refresh" in (await page.locator("meta[http-equiv=refresh]").get_attribute("http-equiv"))
    card = page.locator(f"article.window[data-window='{window['number']}']")
    text = await card.inner_text()
    assert person["name"] in text and person["employee_no"] in text and "当前在岗" in text
    # The post (the demo gives everyone one) under the name.
    assert person["post"] and await card.locator(".person", has_text=person["name"]).locator(".ppost").inner_text() == person["post"]
    assert await card.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    assert await page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    # Up to 24 windows (the demo's 16 and what other tests add) fit the screen: a hall display cannot be scrolled.
    if await page.locator("article.window").count() <= 24:
        height = await page.evaluate("document.documentElement.scrollHeight")
        assert height <= 1080, (height, await page.locator("article.window").count())
    assert await page.locator("script").count() == 0
    await shot(page, "hall-1920")


async def test_the_window_screen_shows_one_window_and_an_unknown_site_is_not_found(site, browser, morning) -> None:  # noqa: F811
    person = (await _county_staff(site, morning))[1]
    window = next(
        w for w in (await api(site, "hr", "GET", "/api/v1/windows/", params={"limit": 200}))["items"] if w["id"] == person["window_id"]
    )
    await _check_in(site, person["id"])
    page = await _screen(browser, WINDOW_SCREEN)
    await page.goto(f"{site.url}/hall/{DEMO_SITE}/windows/{window['number']}")
    assert await page.locator("article.window").count() == 1
    assert person["name"] in await page.locator("article.window").inner_text()
    assert person["post"] and await page.locator(".person", has_text=person["name"]).locator(".ppost").inner_text() == person["post"]
    assert await page.evaluate("document.documentElement.scrollHeight <= innerHeight")
    await shot(page, "hall-window-1280")
    assert (await page.goto(f"{site.url}/hall/NO-SUCH-SITE")).status == 404


async def test_a_person_without_a_post_shows_no_post_line(site, browser, morning) -> None:  # noqa: F811
    window = await new_window(site)
    person = await new_person(site, window, name="无职务")
    await _check_in(site, person["id"])
    page = await _screen(browser, WINDOW_SCREEN)
    await page.goto(f"{site.url}/hall/{DEMO_SITE}/windows/{window['number']}")
    assert "无职务" in await page.locator(".person").inner_text()
    assert await page.locator(".ppost").count() == 0


async def _queue_today(site: Site, person: dict, window: dict) -> None:
    """A category served at the person's window and this morning's tickets: A001 waiting 20 minutes, A002 at the window."""
    county = next(s for s in (await api(site, "hr", "GET", "/api/v1/sites/", params={"limit": 50}))["items"] if s["code"] == DEMO_SITE)
    code = f"Q{window['id']}"
    body = {
        "site_id": county["id"],
        "code": code,
        "name": "不动产登记",
        "department_id": window["department_id"],
        "window_ids": [window["id"]],
    }
    await api(site, "hr", "POST", "/api/v1/queues/categories", json=body)
    now = datetime.now(UTC)
    rows = [
        (f"{code}-1", "issued", now - timedelta(minutes=20), "A001", ""),
        (f"{code}-2", "issued", now - timedelta(minutes=10), "A002", ""),
        (f"{code}-3", "called", now - timedelta(minutes=2), "A002", window["number"]),
        (f"{code}-4", "started", now - timedelta(minutes=1), "A002", window["number"]),
    ]
    lines = ["event_id,site_code,kind,at,ticket,category,window_number,employee_no,to_window"]
    lines += [f"{eid},{DEMO_SITE},{kind},{at.isoformat()},{ticket},{code},{number},," for eid, kind, at, ticket, number in rows]
    data = ("\r\n".join(lines) + "\r\n").encode()
    await api_job(site, "hr", "/api/v1/queues/import", files={"file": ("today.csv", data, "text/csv")})


async def test_the_hall_and_today_show_the_ticket_served_and_who_waits(site, browser, morning) -> None:  # noqa: F811
    person = (await _county_staff(site, morning))[2]
    window = await _window_of(site, person)
    await _check_in(site, person["id"])
    await _queue_today(site, person, window)
    screen = await _screen(browser, HALL)
    await screen.goto(f"{site.url}/hall/{DEMO_SITE}")
    card = await screen.locator(f"article.window[data-window='{window['number']}'] .queue").inner_text()
    assert "正在办理" in card and "A002" in card and "等候1人" in card
    await shot(screen, "hall-1920-queue")
    page = await page_as(browser, site, "hr", next_path="/app/today")
    row = await page.locator("#queue-now tbody tr", has_text="不动产登记").inner_text()
    waiting, longest = [int(cell) for cell in row.split()[1:3]]
    assert waiting == 1 and 19 <= longest <= 25
    await shot(page, "today-queue")
