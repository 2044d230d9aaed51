"""Leave in a browser: a staff member asks on their own page, HR decides on the approvals page, refusals need a reason."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from tests.web.browser import api, page_as, shot


def _some_day() -> date:
    """A random weekday of this year, ahead of today while enough are left.

    This year only: approving leave recomputes its month, which needs the year's national calendar. Random, and
    each test below takes its own hour, so requests of these and other tests do not overlap (the service refuses that).
    """
    today = date.today()
    year = [
        date(today.year, 1, 1) + timedelta(days=n) for n in range(366) if (date(today.year, 1, 1) + timedelta(days=n)).year == today.year
    ]
    # Never 30 days ahead: the wording crawl's fixture asks that day's leave for the same staff member.
    weekdays = [d for d in year if d.weekday() < 5 and d != today + timedelta(days=30)]
    ahead = [d for d in weekdays if d > today]
    return random.choice(ahead if len(ahead) >= 10 else weekdays)


async def _request_via_api(site, reason: str, *, hour: int) -> dict:
    day = _some_day()
    body = {
        "kind": "leave",
        "start": f"{day.isoformat()}T{hour:02d}:00:00+08:00",
        "end": f"{day.isoformat()}T{hour:02d}:45:00+08:00",
        "reason": reason,
    }
    return await api(site, "staff", "POST", "/api/v1/me/leave", json=body)


async def _my_status(site, leave_id: int) -> str:
    items = (await api(site, "staff", "GET", "/api/v1/me/leave", params={"limit": 100}))["items"]
    return next(i["status"] for i in items if i["id"] == leave_id)


async def test_a_staff_member_requests_leave_on_their_page_and_sees_it_pending(site, browser) -> None:
    reason = f"家中有事 {uuid.uuid4().hex[:6]}"
    day = _some_day()
    page = await page_as(browser, site, "staff", phone=True, next_path="/app/me/leave")
    await page.select_option("#kind", "personal")
    await page.fill("#start", f"{day.isoformat()}T08:00")
    await page.fill("#end", f"{day.isoformat()}T08:45")
    await page.fill("#reason", reason)
    await page.click("#request-form button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "等待人事审批" in await page.locator("#notice").inner_text()
    row = page.locator("#mine tr.leave", has_text=reason)
    assert await row.get_attribute("data-status") == "requested"
    text = await row.inner_text()
    # The times typed are Beijing time and come back unchanged.
    assert "待审批" in text and f"{day.year}年{day.month}月{day.day}日 08:00" in text and f"{day.month}月{day.day}日 08:45" in text
    await shot(page, "me-leave-requested")


async def test_hr_approves_a_request_and_the_staff_member_sees_it_approved(site, browser) -> None:
    reason = f"参加婚礼 {uuid.uuid4().hex[:6]}"
    leave = await _request_via_api(site, reason, hour=9)
    hr = await page_as(browser, site, "hr", next_path="/app/hr/leave")
    row = hr.locator("#pending tr.leave", has_text=reason)
    assert "事假" in await row.inner_text()
    await row.locator("[name=note]").fill("同意")
    await row.locator("button[value=approve]").click()
    await hr.wait_for_load_state("networkidle")
    assert "已同意该申请" in await hr.locator("#notice").inner_text()
    assert await hr.locator("#pending tr.leave", has_text=reason).count() == 0
    assert "已同意" in await hr.locator("#recent tr.leave", has_text=reason).inner_text()
    await shot(hr, "hr-leave-approved")

    me = await page_as(browser, site, "staff", phone=True, next_path="/app/me/leave")
    mine = me.locator(f"#mine tr.leave[data-id='{leave['id']}']")
    assert await mine.get_attribute("data-status") == "approved"
    assert "已同意" in await mine.inner_text()
    await shot(me, "me-leave-approved")


async def test_hr_refusing_without_a_reason_is_told_why_and_nothing_changes(site, browser) -> None:
    reason = f"看病 {uuid.uuid4().hex[:6]}"
    leave = await _request_via_api(site, reason, hour=10)
    hr = await page_as(browser, site, "hr", next_path="/app/hr/leave")
    row = hr.locator("#pending tr.leave", has_text=reason)
    await row.locator("button[value=refuse]").click()
    await hr.wait_for_load_state("networkidle")
    assert "必须填写理由" in await hr.locator("#message").inner_text()
    assert await hr.locator("#pending tr.leave", has_text=reason).count() == 1
    assert await _my_status(site, leave["id"]) == "requested"
    await shot(hr, "hr-leave-refusal-needs-reason")


async def test_hr_cancels_approved_leave_with_a_reason(site, browser) -> None:
    reason = f"培训班 {uuid.uuid4().hex[:6]}"
    leave = await _request_via_api(site, reason, hour=11)
    await api(site, "hr", "POST", f"/api/v1/attendance/leave/{leave['id']}/decision", json={"approved": True})
    hr = await page_as(browser, site, "hr", next_path="/app/hr/leave?status=approved")
    row = hr.locator("#recent tr.leave", has_text=reason)
    await row.locator("input[name=note]").fill("活动取消")
    await row.locator("form.cancel button").click()
    await hr.wait_for_load_state("networkidle")
    assert "已撤销" in await hr.locator("#notice").inner_text()
    assert await _my_status(site, leave["id"]) == "cancelled"
    await shot(hr, "hr-leave-cancelled")


async def test_a_staff_member_withdraws_their_pending_request(site, browser) -> None:
    reason = f"改期 {uuid.uuid4().hex[:6]}"
    leave = await _request_via_api(site, reason, hour=14)
    me = await page_as(browser, site, "staff", phone=True, next_path="/app/me/leave")
    await me.locator(f"#mine tr.leave[data-id='{leave['id']}'] button").click()
    await me.wait_for_load_state("networkidle")
    assert await me.locator(f"#mine tr.leave[data-id='{leave['id']}']").get_attribute("data-status") == "cancelled"
    assert await _my_status(site, leave["id"]) == "cancelled"
    await shot(me, "me-leave-withdrawn")
