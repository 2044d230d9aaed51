"""Leave as people take it, in a browser: annual leave against its balance, 补卡 asked on the phone and approved by HR,
and the staff month browsed back to see the punch marked 补卡 (zh-CN and English)."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

import pytest

from tests.web.browser import api, page_as, shot
from tests.web.test_hr_org_pages import new_person, new_window, unique
from window_staff import demo

WORDS = {
    "zh": {
        "annual": "年休假",
        "sent": "等待人事审批",
        "beyond": "年休假余额不足",
        "mp_sent": "等待部门负责人或人事审批",
        "approved": "已记入考勤",
        "mark": "补卡",
        "missed_how": "补卡（经审批）",
    },
    "en": {
        "annual": "Annual leave",
        "sent": "awaits HR",
        "beyond": "Annual leave: not enough days left",
        "mp_sent": "awaits your department head or HR",
        "approved": "counts now",
        "mark": "补卡",
        "missed_how": "补卡: missed punch, approved",
    },
}
# Each language takes its own half day and direction, so the two runs never ask for the same 补卡.
MISSED = {"zh": ("am", "in", "08:25"), "en": ("pm", "out", "17:45")}


_TAKEN: set[date] = set()


def _future_weekday() -> date:
    """A weekday after today not taken yet in this session (random, so reruns against one centre do not overlap);
    never 30 days ahead, the afternoon the wording crawl's fixture asks annual leave for."""
    today = date.today()
    days = [today + timedelta(days=n) for n in range(1, 40) if n != 30]
    ahead = [d for d in days if d.weekday() < 5 and d.year == today.year and d not in _TAKEN]
    chosen = random.choice(ahead or [d for d in days if d.weekday() < 5 and d not in _TAKEN])
    _TAKEN.add(chosen)
    return chosen


def _last_month_weekday() -> date:
    """A weekday of last month, never the 3rd: the wording crawl's fixture asks its own 补卡 for that day."""
    first = date.today().replace(day=1)
    last = first - timedelta(days=1)
    days = [last.replace(day=n) for n in range(1, last.day + 1)]
    chosen = random.choice([d for d in days if d.weekday() < 5 and 4 <= d.day <= 27 and d not in _TAKEN])
    _TAKEN.add(chosen)
    return chosen


async def _left(page) -> float:
    return float(await page.locator("#balances tr.balance[data-kind=annual] td").nth(3).inner_text())


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_staff_member_requests_annual_leave_seeing_the_balance(site, browser, lang) -> None:
    w = WORDS[lang]
    page = await page_as(browser, site, "staff", phone=True, next_path=f"/app/me/leave?lang={lang}")
    assert w["annual"] in await page.locator("#balances").inner_text()
    before = await _left(page)
    day = _future_weekday()
    await page.select_option("#kind", "annual")
    await page.fill("#start", f"{day.isoformat()}T15:00")  # the afternoon: other leave tests take mornings
    await page.fill("#end", f"{day.isoformat()}T17:30")
    reason = f"{'家中有事' if lang == 'zh' else 'Family matters'} {uuid.uuid4().hex[:4]}"
    await page.fill("#reason", reason)
    await page.click("#request-form button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert w["sent"] in await page.locator("#notice").inner_text()
    assert await _left(page) == before - 0.5  # half a working day
    await shot(page, f"me-leave-annual-{lang}")

    # HR sees the request with what is left of the requester's annual leave (this request counted).
    hr = await page_as(browser, site, "hr", next_path=f"/app/hr/leave?lang={lang}")
    balances = await hr.locator("#pending tr.leave", has_text=reason).locator("td.balances").inner_text()
    assert w["annual"] in balances and f"{before - 0.5:g}" in balances
    await shot(hr, f"hr-leave-balances-{lang}")

    # A year's leave at once is more than is left: refused in words, nothing sent.
    year = date.today().year
    await page.select_option("#kind", "annual")
    await page.fill("#start", f"{year}-01-05T08:30")
    await page.fill("#end", f"{year}-12-31T17:30")
    await page.click("#request-form button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert w["beyond"] in await page.locator("#message").inner_text()
    await shot(page, f"me-leave-beyond-balance-{lang}")


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_missed_punch_is_asked_approved_by_hr_and_marked_in_the_month(site, browser, lang) -> None:
    w = WORDS[lang]
    session, kind, at = MISSED[lang]
    day = _last_month_weekday()
    reason = f"{'终端未识别' if lang == 'zh' else 'The terminal did not recognise me'} {uuid.uuid4().hex[:6]}"
    me = await page_as(browser, site, "staff", phone=True, next_path=f"/app/me/missed-punches?lang={lang}")
    await me.fill("#day", day.isoformat())
    await me.select_option("#session", session)
    await me.select_option("#kind", kind)
    await me.fill("#time", at)
    await me.fill("#reason", reason)
    await me.click("#missed-form button[type=submit]")
    await me.wait_for_load_state("networkidle")
    assert w["mp_sent"] in await me.locator("#notice").inner_text()
    assert await me.locator("#mine tr.missed", has_text=reason).get_attribute("data-status") == "requested"
    await shot(me, f"me-missed-punch-asked-{lang}")

    hr = await page_as(browser, site, "hr", next_path=f"/app/missed-punches?lang={lang}")
    row = hr.locator("#pending tr.missed", has_text=reason)
    await row.locator("[name=note]").fill("已核实" if lang == "zh" else "Checked")
    await row.locator("button[value=approve]").click()
    await hr.wait_for_load_state("networkidle")
    assert w["approved"] in await hr.locator("#notice").inner_text()
    assert await hr.locator("#recent tr.missed", has_text=reason).count() == 1
    await shot(hr, f"hr-missed-punch-approved-{lang}")

    await me.goto(f"{site.url}/app/me?lang={lang}")
    await me.click("#prev-month")
    await me.wait_for_load_state("networkidle")
    punches = await me.locator(f"#punches tr[data-day='{day.isoformat()}']").inner_text()
    assert at in punches and w["missed_how"] in punches
    assert await me.locator("#next-month").count() == 1  # from last month, this month is a button away
    await shot(me, f"me-month-missed-punch-{lang}")


async def test_a_department_head_approves_their_staffs_missed_punch(site, browser) -> None:
    code = unique("MP")
    await api(site, "hr", "POST", "/api/v1/departments/", json={"code": code, "name": "补卡测试科"})
    window = await new_window(site, department_code=code)
    colleague, head = await new_person(site, window, name="补卡申请人"), await new_person(site, window, name="科室负责人")
    logins = {}
    for who, person in (("colleague", colleague), ("head", head)):
        logins[who] = unique("u").lower()
        user = {"username": logins[who], "password": demo.DEMO_PASSWORD, "display_name": person["name"], "roles": ["staff"]}
        await api(site, "admin", "POST", "/api/v1/users/", json={**user, "staff_id": person["id"]})
    await api(site, "hr", "PUT", f"/api/v1/departments/{window['department_id']}/head", json={"staff_id": head["id"]})
    day = _last_month_weekday()
    reason = f"外出办事未打卡 {uuid.uuid4().hex[:6]}"
    body = {"day": day.isoformat(), "session": "pm", "kind": "in", "time": "14:25:00", "reason": reason}
    await api(site, logins["colleague"], "POST", "/api/v1/me/missed-punches", json=body)

    page = await page_as(browser, site, logins["head"], phone=True, next_path="/app/me/missed-punches")
    await page.click("#to-approvals")  # only a department head is offered the way to the approvals
    await page.wait_for_load_state("networkidle")
    row = page.locator("#pending tr.missed", has_text=reason)
    assert "补卡申请人" in await row.inner_text()
    await row.locator("button[value=approve]").click()
    await page.wait_for_load_state("networkidle")
    assert "已记入考勤" in await page.locator("#notice").inner_text()
    assert "已同意" in await page.locator("#recent tr.missed", has_text=reason).inner_text()
    await shot(page, "head-missed-punch-approved-zh")
