"""A month's whole path through the pages: HR decides an appeal, ends appeals, the approver approves, HR publishes and closes.

The demo's own month is left in its appeal window for the other page tests; these tests take earlier months, which the
demo never punched, so every staff member has absent lines to appeal.
"""

from __future__ import annotations

import io
import re
import sqlite3
from datetime import date, datetime, timedelta

from openpyxl import load_workbook

from tests.web.browser import Site, api, api_job, page_as, shot


def months_ago(n: int) -> str:
    """The month ``n`` months before this one (YYYY-MM)."""
    first = date.today().replace(day=1)
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
    return f"{first:%Y-%m}"


async def month_in_appeals(site: Site, month: str) -> None:
    """HR computes the month and opens its appeal window (through the API: the pages for these steps have their own tests)."""
    await api_job(site, "hr", f"/api/v1/appraisal/periods/{month}/compute")
    await api(site, "hr", "POST", f"/api/v1/appraisal/periods/{month}/open-appeals")


def let_the_appeal_window_run(site: Site, month: str) -> None:
    """Move the month's appeal window into the past, as if its days had gone by (the clock is the one edge faked here)."""
    with sqlite3.connect(site.database) as db:
        opened, until = db.execute("SELECT appeal_opened_at, appeal_until FROM appraisal_period WHERE month = ?", (month,)).fetchone()
        shift = datetime.fromisoformat(until) - datetime.fromisoformat(opened) + timedelta(hours=1)
        moved = [(datetime.fromisoformat(v) - shift).isoformat(sep=" ") for v in (opened, until)]
        db.execute("UPDATE appraisal_period SET appeal_opened_at = ?, appeal_until = ? WHERE month = ?", (*moved, month))


async def confirm(page, action: str, *, before: str, screenshot: str | None = None) -> None:
    """Take an irreversible step: its first click only opens the confirmation (the state stays), the second takes it."""
    await page.click(f"summary[data-action={action}]")
    assert await page.locator(f"#confirm-{action} .what").is_visible()
    assert await page.locator("#period .state").get_attribute("data-state") == before
    if screenshot:
        await shot(page, screenshot)
    await page.click(f"button[data-confirm={action}]")
    await page.wait_for_load_state("networkidle")


async def test_hr_upholds_an_appeal_on_the_console_and_the_sheet_gains_the_points(site, browser) -> None:
    month = months_ago(3)
    await month_in_appeals(site, month)
    before = await api(site, "staff", "GET", f"/api/v1/me/appraisal/{month}")
    await api(
        site,
        "staff",
        "POST",
        f"/api/v1/me/appraisal/{month}/appeals",
        expect=201,
        json={"rule_id": "att.absent", "reason": "该月在省中心借调，考勤在借调单位。"},
    )

    page = await page_as(browser, site, "hr", next_path=f"/app/hr/appraisal/{month}")
    appeal = page.locator(".card.appeal").filter(has_text="借调")
    assert await appeal.count() == 1
    # Sent without its confirmation step (as a stray or replayed form would be), the decision changes nothing.
    await appeal.locator("input[name=outcome][value=upheld]").check()
    await appeal.locator("textarea[name=reason]").fill("借调函已核实，考勤不在本中心。")
    async with page.expect_navigation():
        await appeal.locator("form").evaluate("form => form.submit()")
    assert await appeal.locator("details.confirm[open]").count() == 1, page.url  # back with the step open
    await page.goto(f"{site.url}/app/hr/appraisal/{month}")
    await appeal.locator("input[name=outcome][value=upheld]").check()
    await appeal.locator("textarea[name=reason]").fill("借调函已核实，考勤不在本中心。")
    await appeal.locator("summary[data-action=decide]").click()  # the decision is final: it asks first
    assert "决定作出后不能更改" in await appeal.locator("p.what").inner_text()
    await appeal.locator("button[data-confirm=decide]").click()
    await page.wait_for_load_state("networkidle")

    assert "申诉已处理" in await page.locator(".notice").inner_text()
    assert await page.locator(".card.appeal").filter(has_text="借调").count() == 0
    after = await api(site, "staff", "GET", f"/api/v1/me/appraisal/{month}")
    assert float(after["total"]) > float(before["total"])
    await shot(page, "hr-appeal-decided")


async def test_a_month_goes_from_appeals_to_closed_through_the_pages(site, browser) -> None:
    month = months_ago(2)
    await month_in_appeals(site, month)
    let_the_appeal_window_run(site, month)

    hr = await page_as(browser, site, "hr", next_path=f"/app/hr/appraisal/{month}")
    assert await hr.locator("#bonus-export a").count() == 0  # payroll files only once approved
    await confirm(hr, "end-appeals", before="appeals")
    assert await hr.locator("#period .state").get_attribute("data-state") == "decided"

    approver = await page_as(browser, site, "approver", next_path="/app/approver")
    assert await approver.locator(f"tr[data-month='{month}']").get_attribute("data-state") == "decided"
    await approver.goto(f"{site.url}/app/approver/{month}")
    assert await approver.locator("#changes").count() == 1
    await confirm(approver, "approve", before="decided")
    assert await approver.locator("#period .state").get_attribute("data-state") == "approved"
    await shot(approver, "approver-approved")

    await hr.goto(f"{site.url}/app/hr/appraisal/{month}")
    assert await hr.locator("#bonus-export a[data-export=csv]").count() == 1
    for action, state, before in (("publish", "published", "approved"), ("close", "closed", "published")):
        await hr.goto(f"{site.url}/app/hr/appraisal/{month}")
        await confirm(hr, action, before=before, screenshot=f"hr-confirm-{action}")
        if action == "close":  # a job: the page follows it and comes back when it has finished
            assert await hr.locator("button[data-action]").count() == 0 or await hr.locator("#job[data-state=done]").count() == 1
            await hr.wait_for_selector("#job[data-state=done]", timeout=30_000)
        assert await hr.locator("#period .state").get_attribute("data-state") == state
    await shot(hr, "hr-month-closed")

    bonus = await hr.request.get(f"{site.url}/app/hr/appraisal/{month}/bonus.csv")
    assert bonus.status == 200 and bonus.headers["content-type"].startswith("text/csv")
    assert "GY0001" in (await bonus.body()).decode("utf-8-sig")
    form = await hr.request.get(f"{site.url}/app/hr/appraisal/{month}/bonus.xlsx")
    sheet = load_workbook(io.BytesIO(await form.body()))["奖金"]
    words = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert "单位：贵阳县政务服务中心" in words and "状态：已结账" in words
    assert not [w for w in words if re.search(r"user:\d+:|\b(closed|approved|published)\b", w)]

    await approver.goto(f"{site.url}/app/approver/{month}")
    assert await approver.locator("summary[data-action=reopen]").count() == 1
    assert await approver.locator("[data-action=approve]").count() == 0
