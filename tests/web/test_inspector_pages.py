"""The inspector's pages in a browser, on a phone: the checklist as problems found with praise apart, photo previews, the notice
after a submit, the confirmed end of a visit and the history of outcomes; the draft survives a reload and works offline."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from playwright.async_api import Error as PlaywrightError

from tests.web.browser import api, log_in, open_page, page_as, shot, wait_for


async def own_visit(site, *, start: bool) -> dict:
    """A new visit of the demo inspector at the demo visit's site and window (planned by the lead, started when asked)."""
    demo_visit = (await api(site, "lead", "GET", "/api/v1/inspections/visits", params={"limit": 200}))["items"][-1]
    visit = await api(
        site,
        "lead",
        "POST",
        "/api/v1/inspections/visits",
        json={
            "kind": "open",
            "site_id": demo_visit["site_id"],
            "planned_at": (datetime.now(UTC) - timedelta(minutes=30)).isoformat(),
            "inspector_ids": demo_visit["inspector_ids"],
            "window_ids": demo_visit["window_ids"],
        },
    )
    if start:
        visit = await api(site, "inspector", "POST", f"/api/v1/inspections/visits/{visit['id']}/start")
    return visit


def small_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


async def test_the_inspector_on_a_phone_logs_a_finding_with_a_photo(site, browser) -> None:
    visit = await own_visit(site, start=False)
    page = await page_as(browser, site, "inspector", phone=True)
    await page.goto(f"{site.url}/app/inspect")
    await page.click(f"section[data-visit='{visit['id']}'] button[type=submit]")  # start
    await page.wait_for_url(f"**/app/inspect/visits/{visit['id']}")
    await page.check("input[name=item][value=badge_worn]")
    person = await page.locator("#staff_id option[data-window]").first.get_attribute("value")
    await page.select_option("#staff_id", person)
    await page.select_option("#severity", "major")
    await page.fill("#note", "未佩戴工作牌（页面测试）")
    await page.set_input_files("#photo", files=[{"name": "desk.png", "mimeType": "image/png", "buffer": small_png()}])
    await wait_for(page, "document.querySelectorAll('#photo-previews img').length === 1")  # the chosen photo is previewed
    await wait_for(page, "document.querySelector('#photo-previews img').naturalWidth === 64")
    await shot(page, "inspector-phone-form")
    await page.click("#finding-form button[type=submit]")
    await page.wait_for_url(f"**/app/inspect/visits/{visit['id']}*")
    findings = page.locator("li.finding")
    assert await findings.count() == 1
    assert "未佩戴工作牌" in await findings.first.inner_text()
    notice = page.locator("#logged[role=status]")
    assert "已记录 1 条" in await notice.inner_text() and "未佩戴工作牌" in await notice.inner_text()
    assert await notice.is_visible() and (await notice.bounding_box())["y"] < 844  # on the first screen, not past the form
    await shot(page, "inspector-phone")
    logged = (await api(site, "inspector", "GET", f"/api/v1/inspections/visits/{visit['id']}/findings"))["items"]
    assert [(f["item"], f["staff_id"], f["severity"]) for f in logged] == [("badge_worn", int(person), "major")]
    photos = await api(site, "inspector", "GET", f"/api/v1/inspections/findings/{logged[0]['id']}/evidence")
    assert len(photos) == 1


async def test_a_draft_survives_a_page_reload(site, browser) -> None:
    visit = await own_visit(site, start=True)
    page = await page_as(browser, site, "inspector", phone=True)
    await page.goto(f"{site.url}/app/inspect/visits/{visit['id']}")
    await page.check("input[name=item][value=badge_worn]")
    await page.fill("#note", "草稿内容：排队较长")
    await wait_for(page, "document.getElementById('draft-status').textContent.length > 0")
    assert await page.locator("#draft-status").inner_text() == "草稿已保存"
    await page.reload()
    assert await page.input_value("#note") == "草稿内容：排队较长"
    assert await page.is_checked("input[name=item][value=badge_worn]")
    assert await page.locator("#draft-status").inner_text() == "已恢复草稿"


async def test_the_lead_publishes_a_draft_finding(site, browser) -> None:
    visit = await own_visit(site, start=True)
    finding = await api(
        site,
        "inspector",
        "POST",
        f"/api/v1/inspections/visits/{visit['id']}/findings",
        json={
            "window_id": visit["window_ids"][0],
            "item": "badge_worn",
            "observed_at": datetime.now(UTC).isoformat(),
            "note": "待审核（页面测试）",
        },
    )
    page = await page_as(browser, site, "lead")
    await page.goto(f"{site.url}/app/inspections")
    draft = page.locator(f"section.draft[data-finding='{finding['id']}']")
    assert "待审核（页面测试）" in await draft.inner_text()
    await shot(page, "lead")
    await draft.locator("form[action$='/publish'] button").click()
    await page.wait_for_url("**/app/inspections?done=1")
    assert await page.locator(f"section.draft[data-finding='{finding['id']}']").count() == 0
    assert await page.locator(f"tr.published[data-finding='{finding['id']}']").count() == 1
    published = await api(site, "lead", "GET", f"/api/v1/inspections/findings/{finding['id']}")
    assert published["status"] == "published"


async def test_the_lead_rejects_a_draft_with_a_reason(site, browser) -> None:
    visit = await own_visit(site, start=True)
    finding = await api(
        site,
        "inspector",
        "POST",
        f"/api/v1/inspections/visits/{visit['id']}/findings",
        json={
            "window_id": visit["window_ids"][0],
            "item": "badge_worn",
            "observed_at": datetime.now(UTC).isoformat(),
        },
    )
    page = await page_as(browser, site, "lead")
    await page.goto(f"{site.url}/app/inspections")
    draft = page.locator(f"section.draft[data-finding='{finding['id']}']")
    await draft.locator("input[name=reason]").fill("看错窗口了")
    await draft.locator("form[action$='/reject'] button").click()
    await page.wait_for_url("**/app/inspections?done=1")
    assert (await api(site, "lead", "GET", f"/api/v1/inspections/findings/{finding['id']}"))["status"] == "rejected"


async def test_the_lead_plans_an_undercover_visit_through_the_form(site, browser) -> None:
    page = await page_as(browser, site, "lead")
    await page.goto(f"{site.url}/app/inspections")
    await page.select_option("#kind", "undercover")
    await page.fill("#planned_at", "2030-03-04T09:30")
    await page.locator("input[name=inspector_ids]").first.check()
    await page.locator("#plan-form .site-windows:not([hidden]) input[name=window_ids]").first.check()
    await page.fill("#plan-note", "暗访（页面测试）")
    await page.click("form[action='/app/inspections/visits'] button[type=submit]")
    await page.wait_for_url("**/app/inspections?done=1")
    visits = (await api(site, "lead", "GET", "/api/v1/inspections/visits", params={"kind": "undercover", "limit": 200}))["items"]
    planned = [v for v in visits if v["note"] == "暗访（页面测试）"]
    assert len(planned) == 1 and planned[0]["status"] == "planned"
    assert datetime.fromisoformat(planned[0]["planned_at"]) == datetime(2030, 3, 4, 1, 30, tzinfo=UTC)  # 09:30 in Asia/Shanghai


async def test_two_ticked_items_without_a_photo_log_two_findings_in_english(site, browser) -> None:
    visit = await own_visit(site, start=True)
    page = await page_as(browser, site, "inspector", phone=True)
    await page.goto(f"{site.url}/app/inspect/visits/{visit['id']}?lang=en")
    await page.check("input[name=item][value=badge_worn]")
    await page.click("#praise summary")  # the commendations are a section of their own
    await page.check("input[name=item][value=praise_letter]")
    await page.fill("#note", "two at once")
    assert await page.locator("#finding-form button[type=submit]").inner_text() == "Log the findings"
    await page.click("#finding-form button[type=submit]")
    await page.wait_for_url(f"**/app/inspect/visits/{visit['id']}*")
    assert await page.locator("li.finding").count() == 2
    assert "Not wearing the staff badge" in await page.locator("#logged").inner_text()
    assert await page.locator("#note").input_value() == ""  # the draft was cleared, not restored


async def _wait_until_kept(page) -> None:
    """Wait until the worker controls the page and has a copy of it (the first visit registers it)."""
    await wait_for(
        page, "async () => !!(navigator.serviceWorker && navigator.serviceWorker.controller && await caches.match(location.pathname))"
    )


async def test_a_visited_visit_page_reopens_offline_with_a_banner(site, browser) -> None:
    visit = await own_visit(site, start=True)
    page = await page_as(browser, site, "inspector", phone=True)
    await page.goto(f"{site.url}/app/inspect/visits/{visit['id']}")
    assert await page.locator("#offline-banner").is_hidden()
    await _wait_until_kept(page)
    await page.context.set_offline(True)
    try:
        await page.reload()
        assert "公开检查" in await page.locator("h1").inner_text()  # the kept page, named by its kind and place
        assert await page.locator(f"#finding-form[action='/app/inspect/visits/{visit['id']}/findings']").count() == 1
        banner = page.locator("#offline-banner")
        assert await banner.is_visible()
        assert "离线" in await banner.inner_text()
        assert (
            await page.evaluate("getComputedStyle(document.querySelector('header.top')).borderBottomStyle") == "solid"
        )  # app.css from the copy
        await shot(page, "inspector-offline")
    finally:
        await page.context.set_offline(False)
    await page.reload()
    assert await page.locator("#offline-banner").is_hidden()


async def test_a_chosen_photo_survives_a_reload_and_is_uploaded(site, browser) -> None:
    visit = await own_visit(site, start=True)
    page = await page_as(browser, site, "inspector", phone=True)
    await page.goto(f"{site.url}/app/inspect/visits/{visit['id']}")
    await page.check("input[name=item][value=badge_worn]")
    await page.set_input_files("#photo", files=[{"name": "queue.png", "mimeType": "image/png", "buffer": small_png()}])
    await wait_for(page, "document.getElementById('photo').getAttribute('data-kept') === '1'")
    await page.reload()
    await wait_for(page, "document.getElementById('photo').files.length === 1")
    assert await page.evaluate("document.getElementById('photo').files[0].name") == "queue.png"
    assert await page.is_checked("input[name=item][value=badge_worn]")
    assert await page.locator("#draft-status").inner_text() == "已恢复草稿"
    await shot(page, "inspector-photo-restored")
    await page.click("#finding-form button[type=submit]")
    await page.wait_for_url(f"**/app/inspect/visits/{visit['id']}*")
    logged = (await api(site, "inspector", "GET", f"/api/v1/inspections/visits/{visit['id']}/findings"))["items"]
    assert [f["item"] for f in logged] == ["badge_worn"]
    assert len(await api(site, "inspector", "GET", f"/api/v1/inspections/findings/{logged[0]['id']}/evidence")) == 1
    # The confirmed submit cleared the kept photo: a reload starts with an empty input.
    await wait_for(
        page,
        """() => new Promise((done) => { const o = indexedDB.open('ws-inspect-drafts', 1);
             o.onsuccess = () => { const r = o.result.transaction('photos').objectStore('photos').get('visit-' + VISIT);
               r.onsuccess = () => { done(r.result === undefined); o.result.close(); }; }; })""".replace("VISIT", str(int(visit["id"]))),
    )
    await page.reload()
    await page.wait_for_load_state("networkidle")
    assert await page.evaluate("document.getElementById('photo').files.length") == 0


async def test_logging_out_clears_the_kept_pages(site, browser) -> None:
    visit = await own_visit(site, start=True)
    page = await open_page(browser, phone=True)
    await log_in(page, site, "inspector", next_path=f"/app/inspect/visits/{visit['id']}")  # its own session: logging out ends only that
    await page.goto(f"{site.url}/app/inspect/visits/{visit['id']}")
    await _wait_until_kept(page)
    await page.click("form[action='/logout'] button")
    await page.wait_for_url("**/login*")
    assert await page.evaluate("caches.keys().then((keys) => keys.filter((k) => k.startsWith('ws-inspect-')).length)") == 0
    # Offline, nothing of the last inspector's is left to show: the browser can only report the missing network.
    await page.context.set_offline(True)
    try:
        with pytest.raises(PlaywrightError):
            await page.goto(f"{site.url}/app/inspect/visits/{visit['id']}")
    finally:
        await page.context.set_offline(False)
    await shot(page, "inspector-logged-out-offline")


async def test_the_checklist_asks_for_the_problems_found_and_keeps_praise_apart(site, browser) -> None:
    visit = await own_visit(site, start=True)
    page = await page_as(browser, site, "inspector", phone=True)
    await page.goto(f"{site.url}/app/inspect/visits/{visit['id']}")
    problems = page.locator("fieldset.problems")
    assert "请只勾选本次检查中发现的问题" in await problems.locator(".hint").inner_text()
    badge = await problems.locator("label.check", has=page.locator("input[value=badge_worn]")).inner_text()
    assert badge.strip() == "未佩戴工作牌"
    assert "统一戴牌上岗" not in await problems.inner_text()
    assert await problems.locator("input[value=praise_letter]").count() == 0
    praise = page.locator("details#praise")
    assert "表扬事项" in await praise.locator("summary").inner_text()
    assert await praise.locator("input[value=praise_letter]").count() == 1


async def _log(site, visit: dict, item: str, note: str = "") -> dict:
    return await api(
        site,
        "inspector",
        "POST",
        f"/api/v1/inspections/visits/{visit['id']}/findings",
        json={"window_id": visit["window_ids"][0], "item": item, "observed_at": datetime.now(UTC).isoformat(), "note": note},
    )


async def test_ending_a_visit_asks_first_and_then_lists_it_with_its_outcome(site, browser) -> None:
    visit = await own_visit(site, start=True)
    await _log(site, visit, "badge_worn")
    page = await page_as(browser, site, "inspector", phone=True)
    await page.goto(f"{site.url}/app/inspect/visits/{visit['id']}")
    await page.click(f"a[href='/app/inspect/visits/{visit['id']}/end']")
    confirm = page.locator("section.confirm")
    assert "结束后，本次检查不能再记录问题；已记录的 1 条由检查组长审核" in await confirm.inner_text()
    assert (await api(site, "inspector", "GET", f"/api/v1/inspections/visits/{visit['id']}"))["status"] == "in_progress"  # asked only
    await shot(page, "inspector-end-confirm-phone")
    await confirm.locator("button[name=confirm]").click()
    await page.wait_for_url(f"**/app/inspect?ended={visit['id']}")
    assert "本次检查已结束" in await page.locator(".notice[role=status]").inner_text()
    ended = page.locator(f"section.ended[data-visit='{visit['id']}']")
    assert "未佩戴工作牌" in await ended.inner_text() and "待检查组长审核" in await ended.inner_text()


async def test_the_history_says_what_the_lead_did_with_each_finding(site, browser) -> None:
    visit = await own_visit(site, start=True)
    kept, dismissed = await _log(site, visit, "badge_worn"), await _log(site, visit, "no_eating")
    await api(site, "inspector", "POST", f"/api/v1/inspections/visits/{visit['id']}/end")
    await api(site, "lead", "POST", f"/api/v1/inspections/findings/{kept['id']}/publish")
    await api(site, "lead", "POST", f"/api/v1/inspections/findings/{dismissed['id']}/reject", json={"reason": "照片看不清窗口号"})
    lead = await api(site, "lead", "GET", "/api/v1/auth/me")
    page = await page_as(browser, site, "inspector", phone=True)
    await page.goto(f"{site.url}/app/inspect")
    ended = page.locator(f"section.ended[data-visit='{visit['id']}']")
    kept_text = await ended.locator(f"li[data-finding='{kept['id']}']").inner_text()
    assert "未佩戴工作牌" in kept_text and f"已采纳并发布（{lead['display_name'] or 'lead'}" in kept_text
    dismissed_text = await ended.locator(f"li[data-finding='{dismissed['id']}']").inner_text()
    assert "在窗口吃东西" in dismissed_text and "未采纳（" in dismissed_text and "理由：照片看不清窗口号" in dismissed_text
    assert "user:" not in await ended.inner_text()  # people by name, never by the audit's account key
    await ended.scroll_into_view_if_needed()
    await shot(page, "inspector-history-phone")
