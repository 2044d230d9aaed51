"""HR's queue-machine page in a browser: a category added, changed and removed (after saying what happens), a code already used
refused in words, and the events of an unmapped code mapped from the list (settling them) or closed with a note."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from tests.web.browser import api, page_as, shot, token_of
from window_staff import demo

SH = ZoneInfo("Asia/Shanghai")
HERE = "/app/hr/queues"


async def _county(site) -> dict:
    """The demo's county centre (the site the page shows first)."""
    return next(s for s in (await api(site, "hr", "GET", "/api/v1/sites"))["items"] if s["code"] == demo.DEMO_SITE)


def _code() -> str:
    """A ticket code no other test uses (the browser tests share one demo centre)."""
    return f"T{uuid.uuid4().hex[:5].upper()}"


async def queue_tickets(site, code: str, n: int) -> None:
    """``n`` tickets of ``code`` issued at the county centre an hour ago, sent as the machine's CSV export."""
    at = datetime.now(SH) - timedelta(hours=1)
    rows = [f"{code}-{i},{demo.DEMO_SITE},issued,{at:%Y-%m-%d %H:%M:%S},{code}{i:03d},{code}" for i in range(n)]
    body = ("event_id,site_code,kind,at,ticket,category\n" + "\n".join(rows) + "\n").encode()
    async with httpx.AsyncClient(
        base_url=site.url, timeout=60, headers={"Authorization": f"Bearer {await token_of(site, 'hr')}"}
    ) as client:
        sent = await client.post("/api/v1/queues/import", files={"file": ("queue.csv", body, "text/csv")})
        assert sent.status_code in (200, 202), sent.text
        job = sent.json()
        # the import may answer at once or as a job (202): wait for it either way
        for _ in range(300):
            if sent.status_code == 200 or job.get("state") in ("done", "failed"):
                break
            await asyncio.sleep(0.2)
            job = (await client.get(job["href"])).json()
        assert sent.status_code == 200 or job["state"] == "done", job


async def _fill(page, *, name: str, windows: int) -> None:
    await page.fill("#name", name)
    await page.select_option("#department", index=1)
    boxes = page.locator("#windows input[type=checkbox]")
    for i in range(await boxes.count()):
        if (i < windows) != await boxes.nth(i).is_checked():
            await boxes.nth(i).click()


async def test_hr_adds_changes_and_removes_a_category_after_being_told_what_happens(site, browser) -> None:
    county, code = await _county(site), _code()
    page = await page_as(browser, site, "hr", next_path=f"{HERE}?site={county['id']}")
    await page.click("#add")
    await page.fill("#code", code)
    await _fill(page, name="社保业务", windows=2)
    await shot(page, "hr-queues-add")
    await page.click("#save")
    assert "已添加业务类型" in await page.locator("#notice").inner_text()
    row = page.locator(f"#categories tr.category[data-code='{code}']")
    text = await row.inner_text()
    assert "社保业务" in text and "号、" in text and "号窗口" in text and demo.DEMO_NAMES["hr"] in text and "年" in text
    await shot(page, "hr-queues")

    await page.click("#add")  # the same code again: refused in words, nothing changed
    await page.fill("#code", code)
    await _fill(page, name="重复", windows=1)
    await page.click("#save")
    assert "本场所已有相同业务代码" in await page.locator("#message").inner_text()
    assert await page.input_value("#name") == "重复"
    await page.goto(f"{site.url}{HERE}?site={county['id']}")
    assert await row.count() == 1 and "社保业务" in await row.inner_text()

    await row.locator("a[data-action=change]").click()
    assert await page.locator("#fixed-code").inner_text() == code and await page.locator("#code").count() == 0
    await _fill(page, name="社会保险", windows=1)
    await page.click("#save")
    assert "已保存修改" in await page.locator("#notice").inner_text()
    text = await row.inner_text()
    assert "社会保险" in text and "号、" not in text

    await row.locator("a[data-action=change]").click()
    await page.click("summary[data-action=queue-remove]")
    what = await page.locator("[data-what=queue-remove]").inner_text()
    assert "仍然保留" in what and "待处理的排号事件" in what
    await shot(page, "hr-queues-remove-confirm")
    await page.click("button[data-confirm=queue-remove]")
    assert "已删除业务类型" in await page.locator("#notice").inner_text()
    assert await row.count() == 0


async def test_mapping_a_code_from_the_events_to_look_at_settles_them(site, browser) -> None:
    county, code = await _county(site), _code()
    await queue_tickets(site, code, 3)
    page = await page_as(browser, site, "hr", next_path=f"{HERE}?site={county['id']}")
    group = page.locator(f"#groups li.group[data-code='{code}']")
    assert await group.get_attribute("data-site") == county["name"] and await group.locator(".events").inner_text() == "3"
    assert "年" in await group.locator(".first").inner_text() and "年" in await group.locator(".last").inner_text()
    assert "待处理的排号事件" in await page.locator("#pending-count").inner_text()
    await shot(page, "hr-queues-pending")
    await group.locator("[data-action=map]").click()
    assert await page.input_value("#code") == code and await page.locator("#site-name").inner_text() == county["name"]
    await _fill(page, name="出入境", windows=1)
    await page.click("#save")
    assert "该业务代码的 3 条待处理事件已一并处理" in await page.locator("#notice").inner_text()
    assert await group.count() == 0
    assert await page.locator(f"#categories tr.category[data-code='{code}']").count() == 1


async def test_hr_closes_the_events_of_a_test_ticket_with_a_note_after_confirming(site, browser) -> None:
    county, code = await _county(site), _code()
    await queue_tickets(site, code, 1)
    page = await page_as(browser, site, "hr", phone=True, next_path=f"{HERE}?site={county['id']}&lang=en")
    group = page.locator(f"#groups li.group[data-code='{code}']")
    await group.locator("summary[data-action=queue-close]").click()
    assert "are kept" in await group.locator("[data-what=queue-close]").inner_text()
    await group.locator("textarea").fill("A test ticket printed while installing the machine")
    await shot(page, "hr-queues-close-en-phone")
    await group.locator("button[data-confirm=queue-close]").click()
    assert "1 event(s) closed" in await page.locator("#notice").inner_text()
    assert await group.count() == 0


async def test_today_tells_hr_of_the_events_to_look_at(site, browser) -> None:
    county = await _county(site)
    await queue_tickets(site, _code(), 1)
    page = await page_as(browser, site, "hr", next_path=f"/app/today?site={county['id']}")
    count = page.locator("#month-counts a", has=page.locator("#m-queue"))
    assert int(await page.locator("#m-queue").inner_text()) >= 1 and "待处理的排号事件" in await count.inner_text()
    await count.click()
    assert HERE in page.url and await page.locator("#groups li.group").count() >= 1


async def test_the_page_reads_in_english_and_on_a_phone(site, browser) -> None:
    county, code = await _county(site), _code()
    await queue_tickets(site, code, 2)
    for phone, lang, name in ((False, "en", "hr-queues-en"), (True, "zh", "hr-queues-phone"), (True, "en", "hr-queues-en-phone")):
        page = await page_as(browser, site, "hr", phone=phone, next_path=f"{HERE}?site={county['id']}&lang={lang}")
        assert await page.locator(f"#groups li.group[data-code='{code}']").count() == 1
        if lang == "en":
            assert "Queue events to look at" in await page.locator("#pending").inner_text()
        await shot(page, name)
        await page.click("#add")
        await shot(page, f"{name}-add")


async def test_only_hr_reaches_the_page(site) -> None:
    for role in ("approver", "auditor", "staff"):
        async with httpx.AsyncClient(base_url=site.url, cookies={"ws_session": await token_of(site, role)}) as client:
            assert (await client.get(HERE)).status_code == 403, role
