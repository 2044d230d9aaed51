"""The approver's pages in a browser: months to approve, a month's changes in words and figures, decided appeals, bonus by
department, and approval behind a confirmation step."""

from __future__ import annotations

from tests.web.browser import SESSION_COOKIE, Site, api, page_as, shot, token_of
from tests.web.test_hr_pages import demo_month
from tests.web.test_month_to_close import let_the_appeal_window_run, month_in_appeals, months_ago

# Months of their own (test_month_to_close takes two and three months ago): nobody punched in them, so the demo staff
# login's person has an absence line to appeal. One stays decided for reading, the other is approved.
REVIEWED, APPROVED = months_ago(4), months_ago(5)


async def _month_with_an_upheld_appeal(site: Site, month: str = REVIEWED) -> str:
    """HR computes the month and opens appeals, the staff login appeals its absence, HR upholds it and ends appeals."""
    if await _state(site, month) is None:  # the first test to need it sets it up
        await month_in_appeals(site, month)
        await api(
            site,
            "staff",
            "POST",
            f"/api/v1/me/appraisal/{month}/appeals",
            expect=201,
            json={"rule_id": "att.absent", "reason": "该月在市中心集中培训，有培训通知为证。"},
        )
        appeals = await api(site, "hr", "GET", f"/api/v1/appraisal/periods/{month}/appeals")
        appeal_id = next(a["id"] for a in appeals if a["outcome"] is None)
        await api(
            site,
            "hr",
            "POST",
            f"/api/v1/appraisal/appeals/{appeal_id}/decision",
            json={"outcome": "upheld", "reason": "培训通知已核实，按公出处理。"},
        )
        let_the_appeal_window_run(site, month)
        await api(site, "hr", "POST", f"/api/v1/appraisal/periods/{month}/end-appeals")
    return month


async def _state(site: Site, month: str) -> str | None:
    """The month's state as the service reports it (None before it was first computed)."""
    periods = await api(site, "hr", "GET", "/api/v1/appraisal/periods")
    return next((p["state"] for p in periods if p["month"] == month), None)


async def test_the_approver_opens_the_approvals_page(site, browser) -> None:
    page = await page_as(browser, site, "approver", next_path="/app/approver")
    assert page.url.endswith("/app/approver")
    assert await page.locator("h1").inner_text() == "审批"
    assert await page.locator("tr[data-month]").count() >= 1  # the demo's month, in whichever list its state puts it
    await shot(page, "approver")


async def test_approval_is_not_offered_before_appeals_end_and_says_why(site, browser) -> None:
    page = await page_as(browser, site, "approver", next_path="/app/approver")
    month = demo_month()
    assert await page.locator(f"tr[data-month='{month}']").get_attribute("data-state") == "appeals"  # its appeal window runs for days
    await page.goto(f"{site.url}/app/approver/{month}")
    approve = page.locator("button[data-action=approve]")
    assert await approve.is_disabled()
    assert "申诉结束后方可批准" in await page.locator("#why-approve").inner_text()
    assert await page.locator("form[action$='/approve']").count() == 0
    await shot(page, "approver-not-yet")


async def test_the_approver_sees_the_changes_in_words_with_appeals_and_bonus_by_department(site, browser) -> None:
    month = await _month_with_an_upheld_appeal(site)
    page = await page_as(browser, site, "approver", next_path=f"/app/approver/{month}")

    # Compared with what staff were shown when appeals opened, not with nothing.
    assert await page.locator("#baseline").get_attribute("data-kind") == "appeals"
    assert "开放申诉时" in await page.locator("#baseline").inner_text()
    change = page.locator("#diff tr.change[data-staff='GY0001']")
    text = await change.inner_text()
    assert "→" in text and "新增" not in text  # a before and an after total and grade
    assert "att." not in text and "absent" not in text  # the rule in words, never its id
    assert any(grade in text for grade in ("优秀", "良好", "合格", "不合格"))  # grades by their titles
    assert "申诉调整" in text  # the upheld appeal's line, by its title
    appeal = page.locator("#decided-appeals tr[data-outcome=upheld]")
    assert await appeal.count() == 1
    words = await appeal.inner_text()
    assert "支持申诉" in words and "培训通知已核实" in words and "hr" in words
    departments = await page.locator("#bonus-departments tbody tr td:first-child").all_inner_texts()
    assert departments and all(d and not d.isascii() for d in departments)  # department names, not codes
    assert "合计" in await page.locator("#bonus-total").inner_text()
    await shot(page, "approver-review")


async def test_one_click_on_approve_only_opens_the_confirmation_and_the_second_approves(site, browser) -> None:
    month = await _month_with_an_upheld_appeal(site, APPROVED)
    # Without JavaScript: the confirmation step is the page's own, not a script's dialog.
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", java_script_enabled=False)
    await context.add_cookies([{"name": SESSION_COOKIE, "value": await token_of(site, "approver"), "url": site.url}])
    page = await context.new_page()
    await page.goto(f"{site.url}/app/approver/{month}")
    assert await page.locator("#period .state").get_attribute("data-state") == "decided"

    await page.click("summary[data-action=approve]")
    what = page.locator("#confirm-approve .what")
    assert await what.is_visible() and "批准后" in await what.inner_text()
    assert await _state(site, month) == "decided"
    await shot(page, "approver-confirm")

    await page.click("button[data-confirm=approve]")
    assert await page.locator("#period .state").get_attribute("data-state") == "approved"
    assert await _state(site, month) == "approved"
    await context.close()


async def test_a_form_sent_without_its_confirmation_only_opens_the_step(site, browser) -> None:
    page = await page_as(browser, site, "approver", next_path=f"/app/approver/{demo_month()}")
    token = await page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = await page.request.post(f"{site.url}/app/approver/{demo_month()}/return", form={"csrf_token": token, "reason": "再核一遍"})
    assert response.url.endswith(f"/app/approver/{demo_month()}?confirm=return#confirm-return")
    assert await _state(site, demo_month()) == "appeals"


async def test_hr_cannot_open_the_approver_pages(site, browser) -> None:
    page = await page_as(browser, site, "hr", next_path="/app/approver")
    response = await page.goto(f"{site.url}/app/approver")
    assert response.status == 403


async def test_the_review_is_in_english_when_the_page_is(site, browser) -> None:
    month = await _month_with_an_upheld_appeal(site)
    page = await page_as(browser, site, "approver", next_path=f"/app/approver/{month}?lang=en")
    assert "staff were shown when appeals opened" in await page.locator("#baseline").inner_text()
    change = await page.locator("#diff tr.change[data-staff='GY0001']").inner_text()
    assert "Fail" in change and "不合格" not in change  # grade titles in the page's language
    assert "Appeal adjustment" in change or "appeal" in change.lower()
    assert "Upheld" in await page.locator("#decided-appeals").inner_text()
    assert "Total" in await page.locator("#bonus-total").inner_text()
    await shot(page, "approver-review-en")
