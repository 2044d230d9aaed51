"""Imports as jobs, while nothing runs them (``job_runner = "worker"``): what is queued, what is refused at once."""

from __future__ import annotations

import pytest

from tests.evaluations.support_metrics import csv_bytes, make_scene, stored_counts
from tests.factories import logged_in
from window_staff.common.cli import replace_settings
from window_staff.jobs.runner import Runner
from window_staff.jobs.tables import Job

UPLOAD = "/api/v1/evaluations/transactions/import"
JSON = "/api/v1/evaluations/transactions"


@pytest.fixture
def settings(settings):
    """The web process only queues: the jobs stay where the tests can look at them."""
    return replace_settings(settings, job_runner="worker")


def upload(data: bytes) -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("march.csv", data, "text/csv")}


async def test_an_upload_answers_202_with_the_jobs_address(client, app_ctx) -> None:
    scene = await make_scene(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    accepted = await client.post(UPLOAD, files=upload(csv_bytes([scene.row("T1"), scene.row("T2")])), headers=hr)
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()
    assert accepted.headers["location"] == job["href"] == f"/api/v1/jobs/{job['id']}"
    assert (job["kind"], job["kind_name"], job["state"]) == ("evaluations.import", "办件数据导入", "queued")
    assert job["subject"] == "CSV文件（2 行）"
    assert await stored_counts() == (0, 0)


async def test_the_same_upload_twice_while_queued_is_the_same_job(client, app_ctx) -> None:
    scene = await make_scene(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    data = csv_bytes([scene.row("T1")])
    first = (await client.post(UPLOAD, files=upload(data), headers=hr)).json()
    again = await client.post(UPLOAD, files=upload(data), headers=hr)
    assert again.status_code == 202 and again.json()["id"] == first["id"]
    other = await client.post(UPLOAD, files=upload(csv_bytes([scene.row("T2")])), headers=hr)
    assert other.status_code == 202 and other.json()["id"] != first["id"]
    assert await Job.count() == 2


async def test_what_can_be_refused_at_once_is_refused_and_queues_nothing(client, app_ctx, monkeypatch) -> None:
    from window_staff.evaluations import domain_metrics

    scene = await make_scene(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    not_utf8 = await client.post(UPLOAD, files=upload(csv_bytes([scene.row("T1", item="营业执照")]).decode().encode("gb18030")), headers=hr)
    assert not_utf8.status_code == 422 and not_utf8.json()["code"] == "import_rejected"
    assert not_utf8.json()["errors"][0]["message"].startswith("the file is not UTF-8")
    header_only = await client.post(UPLOAD, files=upload(csv_bytes([])), headers=hr)
    assert header_only.status_code == 422 and header_only.json()["errors"] == [
        {"line": 2, "column": None, "message": "the file has a header but no rows"}
    ]
    wrong_part = await client.post(UPLOAD, files={"other": ("a.csv", b"x", "text/csv")}, headers=hr)
    assert wrong_part.status_code == 422 and wrong_part.json()["code"] == "unknown_field"
    empty_list = await client.post(JSON, json=[], headers=hr)
    assert empty_list.status_code == 422 and empty_list.json()["code"] == "import_rejected"
    monkeypatch.setattr(domain_metrics, "MAX_ROWS", 1)
    too_many = await client.post(JSON, json=[{**scene.row(f"J{i}"), "onsite": True} for i in range(2)], headers=hr)
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["message"] == "more than 1 rows: split the import"
    assert await Job.count() == 0


async def test_a_queued_upload_is_imported_by_a_runner_that_started_after_it(client, app_ctx) -> None:
    """The upload lives in the job row: a runner that never saw the request (a restarted process) imports it."""
    scene = await make_scene(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    queued = (await client.post(UPLOAD, files=upload(csv_bytes([scene.row("T1"), scene.row("T2")])), headers=hr)).json()
    phases: list[str] = []

    async def watch(phase: str, *, done: int, total: int) -> None:
        phases.append(phase)

    assert await Runner(app_ctx).run_next(progress=watch) == queued["id"]
    job = (await client.get(f"{queued['href']}?lang=en", headers=hr)).json()
    assert (job["state"], job["percent"], job["result"]["imported"], job["result"]["rows"]) == ("done", 100, 2, 2)
    assert sorted(set(phases)) == ["check", "write"] and job["phase_name"] == "Writing the transactions"
    assert await stored_counts() == (2, 1)
    assert (await Job.select(Job.params).where(Job.id == queued["id"]).first())["params"] == "{}"  # the upload is not kept
