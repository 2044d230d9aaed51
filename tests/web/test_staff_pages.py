"""Staff pages on a phone: my appraisal (lines and facts in sentences, appeals per fact), my month (calendar), the staff-only guard."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.web.browser import api, log_in, open_page, shot


async def test_staff_read_their_late_days_in_sentences_and_appeal_one_day_on_a_phone(site, browser) -> None:
    page = await open_page(browser, phone=True)
    await log_in(page, site, "staff", next_path="/app/me/appraisal")
    assert "/app/me/appraisal" in page.url
    shown = await page.locator("main").inner_text()
    assert "att.late" not in shown and "attendance.late" not in shown and "management" not in shown
    line = page.locator("section.line[data-rule='att.late']")
    assert await line.count() == 1
    text = await line.inner_text()
    assert "迟到（30分钟以内）" in text
    assert "规则：迟到30分钟以内的，每10分钟扣0.2分" in text and "本月第3次迟到起每次加倍扣分" in text
    sentences = await line.locator("li.fact .sentence").all_inner_texts()
    assert re.fullmatch(r"\d+月\d+日上午迟到\d+分钟.*，本月第1次，扣\d+\.\d\d分", sentences[0])
    assert any("，本月第3次，按规则加倍扣" in t for t in sentences)  # the demo's staff member is late five times
    assert re.search(r"本月共\d+次，合计扣\d+\.\d\d分", await line.locator(".summary").inner_text())

    fact = line.locator("li.fact:has(summary)").first
    sentence = await fact.locator(".sentence").inner_text()
    await fact.locator("summary").click()
    await fact.locator("textarea[name=reason]").fill("那天地铁停运，有站方证明。")
    await fact.locator("button[type=submit]").click()
    await page.wait_for_load_state("networkidle")

    assert await page.locator("[role=status]").inner_text() == "申诉已提交，等待审核。"
    appeal = page.locator("#appeal-list tr[data-rule='att.late']", has_text=sentence)
    assert await appeal.locator(".status").inner_text() == "待审核"
    assert "地铁停运" in await appeal.inner_text()
    appealed = line.locator("li.fact", has_text=sentence)
    assert await appealed.locator(".badge").inner_text() == "已申诉" and await appealed.locator("form").count() == 0
    assert await line.locator("li.fact form").count() >= 1  # the line's other days may still be appealed, each on its own
    await shot(page, "staff-appraisal-phone")


async def test_an_appeal_the_sheet_refuses_is_said_on_the_page_not_as_json(site, browser) -> None:
    page = await open_page(browser, phone=True)
    await log_in(page, site, "staff", next_path="/app/me/appraisal")
    action = await page.locator("form[action$='/appeals']").first.get_attribute("action")  # the page's own appeal address
    token = await page.locator("input[name=csrf_token]").first.get_attribute("value")  # the page's own form token
    form = {"csrf_token": token, "rule_id": "att.no_such_line", "reason": "不应扣分"}
    response = await page.request.post(f"{site.url}{action}", form=form)
    assert response.status == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "您的考核表中没有可申诉的此条记录。" in await response.text()


async def test_staff_my_month_shows_the_attendance_calendar(site, browser) -> None:
    page = await open_page(browser, phone=True)
    await log_in(page, site, "staff", next_path="/app/me")
    assert page.url.endswith("/app/me")
    assert await page.locator("#calendar thead th").all_inner_texts() == ["日期", "上午", "下午"]
    assert await page.locator("#calendar tbody tr").count() >= 28
    assert await page.locator("#consent").count() == 1
    assert await page.locator("#ratings").count() == 1  # my citizen ratings of the month, counted
    await shot(page, "staff-month-current-phone")


async def test_staff_last_month_shows_late_mornings_in_the_calendar(site, browser) -> None:
    page = await open_page(browser, phone=True)
    await log_in(page, site, "staff", next_path="/app/me")
    link = page.locator("a[href='/app/me/appraisal']").first
    assert await link.count() == 1
    month = await page.locator("#month").input_value()
    year, mon = int(month[:4]), int(month[5:])
    last = f"{year - 1}-12" if mon == 1 else f"{year:04d}-{mon - 1:02d}"
    await page.goto(f"{site.url}/app/me?month={last}")
    cells = await page.locator("#calendar tbody td").all_inner_texts()
    assert any(c.startswith("迟到") and "分钟" in c for c in cells)
    assert any(c == "出勤" for c in cells)
    await shot(page, "staff-month-phone")


async def test_the_staff_pages_refuse_a_user_without_the_staff_role(site, browser) -> None:
    page = await open_page(browser)
    await log_in(page, site, "auditor")
    response = await page.goto(f"{site.url}/app/me")
    assert response is not None and response.status == 403
    assert await page.locator("[role=alert]").count() == 1


async def test_staff_read_a_published_finding_about_them_as_the_problem_found(site, browser) -> None:
    me = await api(site, "staff", "GET", "/api/v1/auth/me")
    person = await api(site, "hr", "GET", f"/api/v1/staff/{me['staff_id']}")
    window = await api(site, "hr", "GET", f"/api/v1/windows/{person['window_id']}")
    inspector = await api(site, "inspector", "GET", "/api/v1/auth/me")
    plan = {
        "kind": "open",
        "site_id": window["site_id"],
        "planned_at": (datetime.now(UTC) - timedelta(minutes=30)).isoformat(),
        "inspector_ids": [inspector["id"]],
        "window_ids": [window["id"]],
    }
    visit = await api(site, "lead", "POST", "/api/v1/inspections/visits", json=plan)
    await api(site, "inspector", "POST", f"/api/v1/inspections/visits/{visit['id']}/start")
    found = {"window_id": window["id"], "staff_id": me["staff_id"], "item": "badge_worn", "observed_at": datetime.now(UTC).isoformat()}
    finding = await api(site, "inspector", "POST", f"/api/v1/inspections/visits/{visit['id']}/findings", json=found)
    await api(site, "lead", "POST", f"/api/v1/inspections/findings/{finding['id']}/publish")

    page = await open_page(browser, phone=True)
    await log_in(page, site, "staff", next_path="/app/me")
    findings = await page.locator("#findings").inner_text()
    assert "未佩戴工作牌" in findings and "统一戴牌上岗" not in findings
