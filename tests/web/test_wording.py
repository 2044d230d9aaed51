"""Every page and export a role can reach, in both languages, in its reader's words: no code, user reference or hash."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.web.browser import Site, api, api_job, token_of
from tests.web.test_hr_queue_pages import queue_tickets
from tests.web.test_month_to_close import let_the_appeal_window_run, months_ago
from tests.web.wording import crawl, known_codes, leaks, read_html
from window_staff.demo import DEMO_SITE

ROLES = ("staff", "hr", "approver", "inspector", "lead", "auditor", "delegate", "admin")


def test_the_detector_catches_codes_user_references_hashes_and_fact_keys() -> None:
    codes = known_codes()
    texts = [
        "published",
        "扣分 att.late",
        "user:2:hr",
        "规则 626b5a075166",
        "attendance.late:2026-11-06:am",
        "hr.did.compute",
        "截止 2026-12-12",
    ]
    fine = ["已发布", "Published", "The month is published", "2026年12月12日 21:32", "GY0001"]
    assert leaks(texts + fine, codes, lang="en") == texts


def test_on_a_chinese_page_a_code_inside_a_text_is_caught() -> None:
    assert leaks(["basic 服务基础标准", "等次 excellent"], known_codes(), lang="zh") == ["basic 服务基础标准", "等次 excellent"]


def test_the_reader_keeps_visible_text_and_labels_but_not_scripts() -> None:
    html = '<p>已发布</p><script>var s="published"</script><input type="submit" value="批准"><a href="/app/x" title="查看">x</a>'
    texts, links = read_html(html + '<td translate="no">hr</td><td>张敏</td>')
    assert texts == ["已发布", "批准", "查看", "x", "张敏"] and links == ["/app/x"]


@pytest.fixture(scope="module")
async def lived_in(site) -> Site:
    """The demo centre with a month of each kind of work behind it: a month approved and published with an appeal
    decided, a month in its appeal window with an appeal waiting, an inspection finding, a leave request.

    (Run after the other page tests, the centre holds much more; these make sure the crawl meets each kind of
    record even when this file runs alone.)
    """
    published, waiting = months_ago(8), months_ago(7)  # months no other page test takes
    for month in (published, waiting):
        await api_job(site, "hr", f"/api/v1/appraisal/periods/{month}/compute")
        await api(site, "hr", "POST", f"/api/v1/appraisal/periods/{month}/open-appeals")
        appeal = {"rule_id": "att.absent", "reason": "当天在省中心参加培训，有培训通知为证。"}
        filed = await api(site, "staff", "POST", f"/api/v1/me/appraisal/{month}/appeals", expect=201, json=appeal)
        if month == published:
            decision = {"outcome": "upheld", "reason": "培训通知已核实。"}
            await api(site, "hr", "POST", f"/api/v1/appraisal/appeals/{filed['id']}/decision", json=decision)
    let_the_appeal_window_run(site, published)
    await api(site, "hr", "POST", f"/api/v1/appraisal/periods/{published}/end-appeals")
    await api(site, "approver", "POST", f"/api/v1/appraisal/periods/{published}/approve")
    await api(site, "hr", "POST", f"/api/v1/appraisal/periods/{published}/publish")

    demo_visit = (await api(site, "lead", "GET", "/api/v1/inspections/visits", params={"limit": 200}))["items"][-1]
    visit = {
        "kind": "open",
        "site_id": demo_visit["site_id"],
        "planned_at": (datetime.now(UTC) - timedelta(minutes=30)).isoformat(),
        "inspector_ids": demo_visit["inspector_ids"],
        "window_ids": demo_visit["window_ids"],
    }
    planned = await api(site, "lead", "POST", "/api/v1/inspections/visits", json=visit)
    await api(site, "inspector", "POST", f"/api/v1/inspections/visits/{planned['id']}/start")
    finding = {"window_id": planned["window_ids"][0], "item": "badge_worn", "observed_at": datetime.now(UTC).isoformat(), "note": "未戴牌"}
    await api(site, "inspector", "POST", f"/api/v1/inspections/visits/{planned['id']}/findings", json=finding)

    day = datetime.now(UTC).date() + timedelta(days=30)
    leave = {"kind": "training", "start": f"{day}T09:00:00+08:00", "end": f"{day}T11:00:00+08:00", "reason": "参加业务培训"}
    await api(site, "staff", "POST", "/api/v1/me/leave", json=leave)
    annual = {"kind": "annual", "start": f"{day}T15:00:00+08:00", "end": f"{day}T17:30:00+08:00", "reason": "探亲"}
    await api(site, "staff", "POST", "/api/v1/me/leave", json=annual)
    # 补卡: one approved (marked in the month and the sheet), one waiting for HR
    last_month = datetime.now(UTC).date().replace(day=1) - timedelta(days=1)
    for hour, session in ((8, "am"), (17, "pm")):
        body = {"day": f"{last_month.replace(day=3)}", "session": session, "kind": "in" if session == "am" else "out"}
        body |= {"time": f"{hour:02d}:25:00", "reason": "忘记打卡"}
        asked = await api(site, "staff", "POST", "/api/v1/me/missed-punches", json=body)
        if session == "am":
            await api(site, "hr", "POST", f"/api/v1/attendance/missed-punches/{asked['id']}/decision", json={"approved": True})
    await _evaluation_work(site)
    await _queue_work(site)
    return site


async def _evaluation_work(site: Site) -> None:
    """HR's evaluation pages with something on them: a campaign with an invitation, a window's rating code, a bad review's
    case under appeal, and an import refused line by line."""
    today = datetime.now(UTC).date()
    department = (await api(site, "hr", "GET", "/api/v1/departments"))["items"][0]
    delegate = await api(site, "hr", "POST", "/api/v1/evaluations/delegates", json={"name": "周代表", "kind": "cppcc_member"})
    body = {
        "title": "窗口作风评议",
        "month": f"{today:%Y-%m}",
        "opens_on": str(today),
        "closes_on": str(today),
        "targets": [{"kind": "department", "id": department["id"]}],
    }
    campaign = await api(site, "hr", "POST", "/api/v1/evaluations/campaigns", json=body)
    await api(site, "hr", "POST", f"/api/v1/evaluations/campaigns/{campaign['id']}/open")
    await api(site, "hr", "POST", f"/api/v1/evaluations/campaigns/{campaign['id']}/invitations", json={"delegate_id": delegate["id"]})
    window = (await api(site, "hr", "GET", "/api/v1/windows", params={"limit": 200}))["items"][0]
    made = await api(site, "hr", "POST", f"/api/v1/evaluations/windows/{window['id']}/rating-code")
    rating = {"ticket": "W001", "level": 1, "efficiency": 1, "service_level": 2, "attitude": 1, "comment": "态度生硬"}
    async with httpx.AsyncClient(base_url=site.url) as client:
        assert (await client.post(f"/rate/{made['token']}", data=rating)).status_code < 300
    case = (await api(site, "hr", "GET", "/api/v1/evaluations/cases", params={"status": "open", "limit": 1}))["items"][0]
    await api(site, "hr", "POST", f"/api/v1/evaluations/cases/{case['id']}/appeal", json={"reason": "该群众未在本窗口办理业务"})
    header = "external_id,item,site_code,window_number,employee_no,received_at,promised_at,completed_at,onsite"
    bad = f"{header}\nX1,营业执照,NOWHERE,1,E1,2026-01-05 09:00,2026-01-06 09:00,,否\n".encode()
    async with httpx.AsyncClient(base_url=site.url, headers={"Authorization": f"Bearer {await token_of(site, 'hr')}"}) as client:
        assert (await client.post("/api/v1/evaluations/transactions/import", files={"file": ("x.csv", bad, "text/csv")})).status_code == 202


async def _queue_work(site: Site) -> None:
    """HR's queue page with something on it: a mapped category and the events of a code nobody has mapped."""
    county = next(s for s in (await api(site, "hr", "GET", "/api/v1/sites"))["items"] if s["code"] == DEMO_SITE)
    window = next(
        w for w in (await api(site, "hr", "GET", "/api/v1/windows", params={"limit": 200}))["items"] if w["site_id"] == county["id"]
    )
    code = f"W{uuid.uuid4().hex[:5].upper()}"
    body = {
        "site_id": county["id"],
        "code": code,
        "name": "不动产登记",
        "department_id": window["department_id"],
        "window_ids": [window["id"]],
    }
    await api(site, "hr", "POST", "/api/v1/queues/categories", json=body)
    await queue_tickets(site, f"X{code}", 2)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", ROLES)
async def test_every_page_a_role_reaches_is_in_words(lived_in, role, lang) -> None:
    site = lived_in
    seen = await crawl(site.url, token=await token_of(site, role), lang=lang)
    assert seen.pages > 1
    assert not seen.failures, f"links leading to an error: {seen.failures}"
    assert not seen.leaks, "\n".join(f"{page}: {texts[:8]}" for page, texts in seen.leaks.items())


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", ["hr", "approver", "staff"])
async def test_the_today_page_and_its_live_board_are_in_words(lived_in, role, lang) -> None:
    # HR and the approver start there, the demo's staff member heads a department: each reads it, and its fragment.
    site = lived_in
    for start in ("/app/today", "/app/today/live"):
        seen = await crawl(site.url, token=await token_of(site, role), lang=lang, start=start, limit=1)
        assert seen.pages == 1 and not seen.failures
        assert not seen.leaks, "\n".join(f"{page}: {texts[:8]}" for page, texts in seen.leaks.items())
