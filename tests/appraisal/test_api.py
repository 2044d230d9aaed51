"""The appraisal API as HR, approvers, reviewers and staff use it, through the real app."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.appraisal.support import MONTH, Month, make_month
from tests.factories import TestUser, logged_in, login, make_user
from tests.jobs.support import finished
from window_staff.appraisal import service
from window_staff.appraisal.service import close as service_close
from window_staff.common.signing import public_key_hex, signing_key, verify_document

BASE = f"/api/v1/appraisal/periods/{MONTH}"
PROBLEM = "application/problem+json"
BADGE = {"rule_id": "cond.badge_worn", "reason": "I wore it under my coat"}


async def decided(ctx, month: Month) -> None:
    """Computed by HR, appeals opened, the window run out and ended (through the services)."""
    await service.compute(ctx, MONTH, principal=month.hr)
    await service.open_appeals(ctx, MONTH, principal=month.hr)
    ctx.clock.advance(days=6)
    await service.end_appeals(ctx, MONTH, principal=month.hr)


async def approved(ctx, month: Month) -> None:
    """Decided, then approved by the month's first approver."""
    await decided(ctx, month)
    await service.approve(ctx, MONTH, principal=month.approver)


async def closed(ctx, month: Month) -> None:
    """Approved, published and closed by HR."""
    await approved(ctx, month)
    await service.publish(ctx, MONTH, principal=month.hr)
    await service_close.close(ctx, MONTH, principal=month.hr)


async def staff_headers(client, ctx, month: Month, i: int) -> dict[str, str]:
    """Log staff member ``i`` in."""
    return await login(client, ctx, month.staff_users[i])


async def relogin(client, ctx, user: TestUser) -> dict[str, str]:
    """A fresh session (sessions last 12 hours; the tests move the clock by days), on the next TOTP step."""
    ctx.clock.advance(seconds=30)
    return await login(client, ctx, user)


async def test_hr_computes_a_month_and_gets_the_counts(client, app_ctx) -> None:
    await make_month(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    job = await finished(client, await client.post(f"{BASE}/compute", headers=hr), headers=hr)
    assert job["state"] == "done", job
    body = job["result"]
    assert (body["computation"], body["staff"], body["changed"]) == (1, 2, 2)
    assert body["facts"] > 0 and body["period"]["state"] == "computed" and body["period"]["staff"] == 2


async def test_staff_cannot_compute(client, app_ctx) -> None:
    month = await make_month(app_ctx)
    response = await client.post(f"{BASE}/compute", headers=await staff_headers(client, app_ctx, month, 0))
    assert response.status_code == 403
    assert response.headers["content-type"].startswith(PROBLEM) and response.json()["code"] == "role_required"


async def test_an_invalid_month_is_a_422_problem(client, app_ctx) -> None:
    _, hr = await logged_in(client, app_ctx, "hr")
    for response in (
        await client.get("/api/v1/appraisal/periods/2025-13", headers=hr),
        await client.post("/api/v1/appraisal/periods/2025-13/compute", headers=hr),
    ):
        assert response.status_code == 422
        assert response.headers["content-type"].startswith(PROBLEM) and response.json()["code"] == "month_invalid"


async def test_staff_do_not_see_their_sheet_before_appeals_open(client, app_ctx) -> None:
    month = await make_month(app_ctx)
    await service.compute(app_ctx, MONTH, principal=month.hr)
    response = await client.get(f"/api/v1/me/appraisal/{MONTH}", headers=await staff_headers(client, app_ctx, month, 0))
    assert response.status_code == 404 and response.json()["code"] == "period_not_found"


async def test_staff_see_their_own_sheet_with_its_explanation_once_appeals_open(client, app_ctx) -> None:
    month = await make_month(app_ctx)
    await service.compute(app_ctx, MONTH, principal=month.hr)
    await service.open_appeals(app_ctx, MONTH, principal=month.hr)
    response = await client.get(f"/api/v1/me/appraisal/{MONTH}?lang=en", headers=await staff_headers(client, app_ctx, month, 0))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["staff_id"] == month.staff[0].id and body["state"] == "appeals"
    assert "cond.badge_worn" in {line["rule_id"] for line in body["lines"]}
    assert "Not wearing the staff badge [cond.badge_worn]" in body["explanation"]


async def test_staff_never_see_another_persons_sheet(client, app_ctx) -> None:
    month = await make_month(app_ctx)
    await service.compute(app_ctx, MONTH, principal=month.hr)
    await service.open_appeals(app_ctx, MONTH, principal=month.hr)
    response = await client.get(f"{BASE}/sheets/{month.staff[1].id}", headers=await staff_headers(client, app_ctx, month, 0))
    assert response.status_code == 404 and response.json()["code"] == "sheet_not_found"


async def test_a_delegate_or_staff_member_gets_no_ranking(client, app_ctx) -> None:
    month = await make_month(app_ctx)
    await service.compute(app_ctx, MONTH, principal=month.hr)
    await service.open_appeals(app_ctx, MONTH, principal=month.hr)
    for headers in (await staff_headers(client, app_ctx, month, 0), (await logged_in(client, app_ctx, "delegate"))[1]):
        r = await client.get(f"{BASE}/ranking?by=window", headers=headers)
        assert r.status_code == 403 and r.headers["content-type"].startswith(PROBLEM)
        assert r.json()["code"] == "ranking_not_allowed" and "average" not in r.text


async def test_a_line_is_appealed_once(client, app_ctx) -> None:
    month = await make_month(app_ctx)
    await service.compute(app_ctx, MONTH, principal=month.hr)
    await service.open_appeals(app_ctx, MONTH, principal=month.hr)
    headers = await staff_headers(client, app_ctx, month, 0)
    first = await client.post(f"/api/v1/me/appraisal/{MONTH}/appeals", json=BADGE, headers=headers)
    assert first.status_code == 201, first.text
    assert (first.json()["rule_id"], first.json()["outcome"]) == ("cond.badge_worn", None)
    second = await client.post(f"/api/v1/me/appraisal/{MONTH}/appeals", json=BADGE, headers=headers)
    assert second.status_code == 409 and second.json()["code"] == "appraisal_appeal_conflict"


async def test_staff_list_their_own_appeals(client, app_ctx) -> None:
    month = await make_month(app_ctx)
    await service.compute(app_ctx, MONTH, principal=month.hr)
    await service.open_appeals(app_ctx, MONTH, principal=month.hr)
    headers = await staff_headers(client, app_ctx, month, 0)
    await client.post(f"/api/v1/me/appraisal/{MONTH}/appeals", json=BADGE, headers=headers)
    mine = await client.get("/api/v1/me/appraisal/appeals", headers=headers)
    assert mine.status_code == 200 and [(a["month"], a["rule_id"]) for a in mine.json()] == [(MONTH, "cond.badge_worn")]
    others = await client.get("/api/v1/me/appraisal/appeals", headers=await staff_headers(client, app_ctx, month, 1))
    assert others.json() == []


async def test_a_reviewer_upholds_an_appeal_from_the_queue(client, app_ctx) -> None:
    month = await make_month(app_ctx)
    await service.compute(app_ctx, MONTH, principal=month.hr)
    await service.open_appeals(app_ctx, MONTH, principal=month.hr)
    await client.post(f"/api/v1/me/appraisal/{MONTH}/appeals", json=BADGE, headers=await staff_headers(client, app_ctx, month, 0))
    _, reviewer = await logged_in(client, app_ctx, "hr")
    [queued] = (await client.get(f"{BASE}/appeals?pending=true", headers=reviewer)).json()
    response = await client.post(
        f"/api/v1/appraisal/appeals/{queued['id']}/decision", json={"outcome": "upheld", "reason": "photo shows it"}, headers=reviewer
    )
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "upheld" and response.json()["staff_id"] == month.staff[0].id
    assert (await client.get(f"{BASE}/appeals?pending=true", headers=reviewer)).json() == []


async def test_an_approver_who_computed_the_month_cannot_approve_it(client, app_ctx) -> None:
    month = await make_month(app_ctx)
    both = await make_user(app_ctx, "hr", "approver")
    headers = await relogin(client, app_ctx, both)
    assert (await finished(client, await client.post(f"{BASE}/compute", headers=headers), headers=headers))["state"] == "done"
    await service.open_appeals(app_ctx, MONTH, principal=month.hr)
    app_ctx.clock.advance(days=6)
    await service.end_appeals(app_ctx, MONTH, principal=month.hr)
    response = await client.post(f"{BASE}/approve", headers=await relogin(client, app_ctx, both))
    assert response.status_code == 403 and response.json()["code"] == "four_eyes_required"


async def test_the_whole_month_from_compute_to_close(client, app_ctx) -> None:
    await make_month(app_ctx)
    hr_user, hr = await logged_in(client, app_ctx, "hr")
    approver_user, _ = await logged_in(client, app_ctx, "approver")
    assert (await finished(client, await client.post(f"{BASE}/compute", headers=hr), headers=hr))["state"] == "done"
    opened = await client.post(f"{BASE}/open-appeals", headers=hr)
    assert opened.status_code == 200 and opened.json()["state"] == "appeals"
    app_ctx.clock.advance(days=6)
    hr = await relogin(client, app_ctx, hr_user)
    approver = await relogin(client, app_ctx, approver_user)
    states = []
    for step, headers in (("end-appeals", hr), ("approve", approver), ("publish", hr)):
        response = await client.post(f"{BASE}/{step}", headers=headers)
        assert response.status_code == 200, (step, response.text)
        states.append(response.json()["state"])
    closing = await finished(client, await client.post(f"{BASE}/close", headers=hr), headers=hr)
    states.append(closing["result"]["state"])
    assert states == ["decided", "approved", "published", "closed"]
    trail = (await client.get(f"{BASE}/trail", headers=hr)).json()
    assert [e["action"] for e in trail] == ["compute", "open_appeals", "end_appeals", "approve", "publish", "close"]


async def test_payroll_gets_no_bonus_file_before_approval(client, app_ctx) -> None:
    month = await make_month(app_ctx)
    await service.compute(app_ctx, MONTH, principal=month.hr)
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await client.get(f"{BASE}/bonus", headers=hr)
    assert response.status_code == 409 and response.json()["code"] == "period_state_conflict"


async def test_the_bonus_xlsx_has_a_row_per_staff_member(client, app_ctx) -> None:
    month = await make_month(app_ctx)
    await closed(app_ctx, month)
    _, auditor = await logged_in(client, app_ctx, "auditor")
    response = await client.get(f"{BASE}/bonus?format=xlsx", headers=auditor)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert f'filename="bonus-{MONTH}.xlsx"' in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["奖金"]
    numbers = [row[1] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert sorted(numbers) == sorted(s.employee_no for s in month.staff)


async def test_the_chain_head_download_verifies_against_the_signing_key(client, app_ctx) -> None:
    month = await make_month(app_ctx)
    await closed(app_ctx, month)
    _, hr = await logged_in(client, app_ctx, "hr")
    response = await client.get(f"{BASE}/chain-head", headers=hr)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert f'filename="chain-head-{MONTH}.json"' in response.headers["content-disposition"]
    payload = verify_document(response.content, public_key_hex=public_key_hex(signing_key(app_ctx.settings)))
    period = (await client.get(BASE, headers=hr)).json()
    assert (payload["month"], payload["results_hash"]) == (MONTH, period["results_hash"])


async def test_reopening_needs_two_different_approvers(client, app_ctx) -> None:
    month = await make_month(app_ctx)
    await closed(app_ctx, month)
    _, first = await logged_in(client, app_ctx, "approver")
    _, second = await logged_in(client, app_ctx, "approver")
    asked = await client.post(f"{BASE}/reopen", json={"reason": "a finding was withdrawn"}, headers=first)
    assert asked.status_code == 200 and asked.json()["state"] == "closed"
    same = await client.post(f"{BASE}/reopen/confirm", headers=first)
    assert same.status_code == 403 and same.json()["code"] == "four_eyes_required"
    other = await client.post(f"{BASE}/reopen/confirm", headers=second)
    assert other.status_code == 200 and other.json()["state"] == "computed"
