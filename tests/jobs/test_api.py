"""The jobs API while nothing runs the jobs (``job_runner = "worker"`` with no worker): what is queued and what is refused."""

from __future__ import annotations

import pytest

from tests.appraisal.support import MONTH, make_month
from tests.appraisal.test_api import approved
from tests.factories import logged_in
from window_staff.common.cli import replace_settings
from window_staff.jobs.tables import Job

COMPUTE = f"/api/v1/appraisal/periods/{MONTH}/compute"
PROBLEM = "application/problem+json"


@pytest.fixture
def settings(settings):
    """The web process only queues: the jobs stay where the tests can look at them."""
    return replace_settings(settings, job_runner="worker")


async def test_compute_answers_202_with_the_jobs_address(client, app_ctx) -> None:
    await make_month(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    accepted = await client.post(COMPUTE, headers=hr)
    assert accepted.status_code == 202
    body = accepted.json()
    assert accepted.headers["location"] == body["href"] == f"/api/v1/jobs/{body['id']}"
    assert (body["state"], body["kind_name"], body["subject"]) == ("queued", "月度考核计算", MONTH)
    assert (await client.get(body["href"], headers=hr)).json()["state"] == "queued"


async def test_asking_again_while_the_compute_waits_answers_the_same_job(client, app_ctx) -> None:
    await make_month(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    first = (await client.post(COMPUTE, headers=hr)).json()
    again = await client.post(COMPUTE, headers=hr)
    assert again.status_code == 202 and again.json()["id"] == first["id"]
    assert await Job.count() == 1


async def test_a_malformed_month_is_refused_at_once_and_queues_nothing(client, app_ctx) -> None:
    _, hr = await logged_in(client, app_ctx, "hr")
    refused = await client.post("/api/v1/appraisal/periods/2025-13/compute", headers=hr)
    assert refused.status_code == 422 and refused.json()["code"] == "month_invalid"
    assert await Job.count() == 0


async def test_a_step_the_months_state_does_not_allow_is_refused_at_once_and_queues_nothing(client, app_ctx) -> None:
    month = await make_month(app_ctx)
    await approved(app_ctx, month)
    _, hr = await logged_in(client, app_ctx, "hr")
    refused = await client.post(COMPUTE, headers=hr)
    assert refused.status_code == 409 and refused.json()["code"] == "period_state_conflict"
    early_close = await client.post(f"/api/v1/appraisal/periods/{MONTH}/close", headers=hr)
    assert early_close.status_code == 409 and early_close.json()["code"] == "period_state_conflict"
    assert await Job.count() == 0


async def test_the_months_jobs_are_listed_newest_first(client, app_ctx) -> None:
    await make_month(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    queued = (await client.post(COMPUTE, headers=hr)).json()
    listed = (await client.get(f"/api/v1/jobs?subject={MONTH}&lang=en", headers=hr)).json()
    assert [(j["id"], j["kind_name"], j["state_name"]) for j in listed] == [(queued["id"], "Computing the month's appraisal", "queued")]


async def test_an_unknown_job_is_a_404_problem(client, app_ctx) -> None:
    _, hr = await logged_in(client, app_ctx, "hr")
    missing = await client.get("/api/v1/jobs/999999", headers=hr)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(PROBLEM)
    assert missing.json()["code"] == "job_not_found"


async def test_staff_cannot_follow_jobs(client, app_ctx) -> None:
    await make_month(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    queued = (await client.post(COMPUTE, headers=hr)).json()
    _, staff = await logged_in(client, app_ctx, "staff")
    assert (await client.get(queued["href"], headers=staff)).status_code == 403
