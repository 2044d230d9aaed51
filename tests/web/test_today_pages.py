"""Today in a browser: HR sees the whole site on the hall's wall screen and on a phone, a department head only their
department on a phone, and the live board takes in a new check-in without the page reloading."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.web.browser import SESSION_COOKIE, Site, api, shot, token_of
from window_staff.demo import DEMO_SITE

WALL = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


def _morning_zone(now: datetime) -> str:
    """A fixed-offset zone in which it is now between 9 and 10 in the morning (after the late grace, before the midpoint)."""
    for offset in range(-12, 15):
        if now.astimezone(ZoneInfo(f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT")).hour == 9:
            return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"
    raise AssertionError("some zone has 9 o'clock now")


@pytest.fixture
async def morning(site: Site) -> AsyncIterator[int]:
    """The demo's county centre moved to a time zone where it is a working morning now (the clock is the edge faked);
    put back afterwards. Yields the site's id."""
    zone = _morning_zone(datetime.now(UTC))
    local_day = datetime.now(UTC).astimezone(ZoneInfo(zone)).date()
    with sqlite3.connect(site.database) as db:
        site_id, was = db.execute("SELECT id, timezone FROM site WHERE code = ?", (DEMO_SITE,)).fetchone()
        db.execute("UPDATE site SET timezone = ? WHERE id = ?", (zone, site_id))
        if local_day.weekday() >= 5:  # a weekend: the centre opens that day (a service day, as HR would set it)
            db.execute(
                "INSERT INTO calendar_override (site, day, kind, note, created_at) VALUES (?, ?, 'working', '周末服务日', ?)",
                (site_id, local_day.isoformat(), datetime.now(UTC).isoformat(sep=" ")),
            )
    yield site_id
    with sqlite3.connect(site.database) as db:
        db.execute("UPDATE site SET timezone = ? WHERE id = ?", (was, site_id))
        db.execute("DELETE FROM calendar_override WHERE site = ? AND note = '周末服务日'", (site_id,))


async def _page(browser, site: Site, username: str, *, viewport: dict, lang: str = "zh"):
    context = await browser.new_context(
        viewport=viewport, locale="zh-CN" if lang == "zh" else "en-GB", device_scale_factor=1, is_mobile=viewport == PHONE
    )
    await context.add_cookies([{"name": SESSION_COOKIE, "value": await token_of(site, username), "url": site.url}])
    return await context.new_page()


async def _check_in(site: Site, staff_id: int, *, at: datetime | None = None) -> None:
    """A check-in (now unless given), recorded by HR for the staff member and attested (it counts from then on)."""
    body = {"staff_id": staff_id, "captured_at": (at or datetime.now(UTC)).isoformat(), "kind": "in", "reason": "终端故障，人工补录签到"}
    punch = await api(site, "hr", "POST", "/api/v1/attendance/punches/manual", json=body)
    await api(site, "hr", "POST", f"/api/v1/attendance/punches/{punch['id']}/attestation", json={"approved": True, "note": "已核实"})


async def _county_staff(site: Site, site_id: int) -> list[dict]:
    windows = {
        w["id"] for w in (await api(site, "hr", "GET", "/api/v1/windows/", params={"limit": 200}))["items"] if w["site_id"] == site_id
    }
    staff = (await api(site, "hr", "GET", "/api/v1/staff/", params={"limit": 200}))["items"]
    return [s for s in staff if s["window_id"] in windows and s["left_on"] is None]


async def _month_behind(site: Site, browser, site_id: int) -> None:
    """Some of the month before today: sign-ins on the last working days (a few late), and citizens' ratings of four
    windows (one bad, which opens a case with a deadline)."""
    zone = ZoneInfo(await _site_zone(site, site_id))
    today = datetime.now(UTC).astimezone(zone).date()
    days = [today - timedelta(days=n) for n in range(1, today.day) if (today - timedelta(days=n)).weekday() < 5][:2]
    staff = (await _county_staff(site, site_id))[:8]
    for day in days:
        for i, member in enumerate(staff):
            at = datetime(day.year, day.month, day.day, 8, 20 + 9 * (i % 4), tzinfo=zone)
            await _check_in(site, member["id"], at=at)
    # Four different windows of the centre (other tests post their own staff at a window or two of it).
    windows = sorted({s["window_id"] for s in await _county_staff(site, site_id)})[:4]
    for window_id, level in zip(windows, (5, 2, 4, 5), strict=False):
        code = await api(site, "hr", "POST", f"/api/v1/evaluations/windows/{window_id}/rating-code")
        page = await browser.new_page()
        await page.goto(f"{site.url}{code['url']}")
        await page.fill("#ticket", f"T{window_id}{int(datetime.now(UTC).timestamp() * 1000) % 10**8}")
        for indicator in ("level", "efficiency", "service_level", "attitude"):
            await page.check(f"input[name={indicator}][value='{level}']")
        await page.click("button[type=submit]")
        await page.wait_for_load_state("domcontentloaded")
        await page.close()


async def _site_zone(site: Site, site_id: int) -> str:
    with sqlite3.connect(site.database) as db:
        return db.execute("SELECT timezone FROM site WHERE id = ?", (site_id,)).fetchone()[0]


async def test_hr_starts_on_today_and_sees_every_window_of_the_site_on_the_wall(site, browser, morning) -> None:
    await _month_behind(site, browser, morning)
    page = await _page(browser, site, "hr", viewport=WALL)
    await page.goto(f"{site.url}/app")
    assert page.url.endswith("/app/today")
    windows = await page.locator("#live li.window").count()
    with sqlite3.connect(site.database) as db:  # other tests add windows to the shared demo centre
        (active,) = db.execute("SELECT COUNT(*) FROM service_window WHERE site = ? AND active", (morning,)).fetchone()
    assert windows == active >= 16  # every window of the county centre
    assert await page.locator("#live li.window.vacant").count() >= 1
    assert int(await page.locator("#n-late").inner_text()) >= 1  # nobody signed in yet after the grace
    assert await page.locator("#month-counts a[href='/app/hr/leave']").count() == 1
    assert await page.locator("figure.sat svg g.bar").count() >= 4  # the four windows rated this month
    await shot(page, "today-hr-wall-zh")
    await page.goto(f"{site.url}/app/today?lang=en")
    assert await page.locator("h1").inner_text() == "Today at the windows"
    await shot(page, "today-hr-wall-en")


async def test_a_new_check_in_shows_on_the_board_without_a_reload(site, browser, morning) -> None:
    staff = await _county_staff(site, morning)
    heads = {d["head_staff_id"] for d in (await api(site, "hr", "GET", "/api/v1/departments/", params={"limit": 200}))["items"]}
    page = await _page(browser, site, "hr", viewport=PHONE)
    await page.goto(f"{site.url}/app/today?every=5")

    async def on_board(person: dict) -> bool:
        return person["name"] in await page.locator(f"#live li.window[data-window='{person['window_id']}']").inner_text()

    # Someone not on the board yet: the hall's tests check some of the demo's people in on the same shared centre.
    comer = [s for s in staff if s["id"] not in heads and not await on_board(s)][0]
    card = page.locator(f"#live li.window[data-window='{comer['window_id']}']")
    await page.evaluate("window.sameDocument = true")
    await _check_in(site, comer["id"])
    await card.locator(".who", has_text=comer["name"]).wait_for(timeout=30_000)
    assert await page.evaluate("window.sameDocument === true")  # the fragment was swapped in; the page never reloaded
    assert "staffed" in (await card.get_attribute("class") or "")
    assert await page.locator("#late-list li", has_text=comer["name"]).count() == 1  # signed in after the grace: late
    await shot(page, "today-hr-phone-zh")


async def test_a_department_head_sees_only_their_department_on_a_phone(site, browser, morning) -> None:
    page = await _page(browser, site, "staff", viewport=PHONE)
    await page.goto(f"{site.url}/app")
    await page.click("nav.links a[href='/app/today']")
    await page.wait_for_url("**/app/today")  # the address changes before the page has loaded: wait for its load
    assert await page.locator("#scope").count() == 1
    departments = {t.strip() for t in await page.locator("#live li.window .wdept").all_inner_texts()}
    assert len(departments) == 1  # one department's windows, nobody else's
    others = await page.locator("#live li.window").count()
    assert 1 <= others < 16
    assert await page.locator("#m-terminals").count() == 0  # terminals are the centre's, not a department's
    await shot(page, "today-head-phone-zh")
    await page.goto(f"{site.url}/app/today?lang=en")
    assert "Your departments only" in await page.locator("#scope").inner_text()
    await shot(page, "today-head-phone-en")


async def test_someone_who_heads_nothing_is_refused(site, browser) -> None:
    page = await _page(browser, site, "inspector", viewport=PHONE)
    await page.goto(f"{site.url}/app/today")
    assert await page.locator("[role=alert]").inner_text() == "您的角色无权使用此页面"
