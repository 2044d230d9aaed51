"""The hall's screens in Chromium at their sizes: who is on duty at each window now, with the public photo HR keeps."""

from __future__ import annotations

from PIL import Image

from tests.web.browser import Site, api, page_as, shot
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
    assert await card.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    # The demo's 18 windows fit the screen: a hall display cannot be scrolled.
    assert await page.evaluate("document.documentElement.scrollWidth <= innerWidth && document.documentElement.scrollHeight <= innerHeight")
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
    await shot(page, "hall-window-1280")
    assert (await page.goto(f"{site.url}/hall/NO-SUCH-SITE")).status == 404
