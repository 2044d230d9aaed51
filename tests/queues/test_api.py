"""The queue routes: HR's CSV upload, the category mapping and the exception list; a queue device's signed pushes."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

import httpx

from tests.evaluations.support_ratings import settings  # noqa: F401  (a vault key: device secrets are sealed)
from tests.factories import logged_in
from tests.jobs.support import finished
from tests.queues.support import Hall, csv_bytes, local, make_hall, stored_counts
from window_staff.terminals import service as terminals
from window_staff.terminals.schemas.registry import TerminalIn
from window_staff.terminals.signatures import sign

PROBLEM = "application/problem+json"
EVENTS = "/api/v1/queues/events"


def upload(data: bytes) -> dict[str, Any]:
    """A multipart ``file`` part."""
    return {"file": ("0303.csv", data, "text/csv")}


async def _imported(client: httpx.AsyncClient, data: bytes, *, hr: dict[str, str]) -> dict[str, Any]:
    """Upload a CSV and follow its job to the end."""
    return await finished(client, await client.post("/api/v1/queues/import", files=upload(data), headers=hr), headers=hr)


async def test_an_upload_answers_202_with_the_job_that_imports_it(client, app_ctx) -> None:
    hall = await make_hall(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    accepted = await client.post("/api/v1/queues/import", files=upload(csv_bytes([hall.row("E1")])), headers=hr)
    assert accepted.status_code == 202 and accepted.headers["location"] == accepted.json()["href"]
    assert (accepted.json()["kind_name"], accepted.json()["subject"]) == ("排号数据导入", "排号数据文件（1 行）")
    job = await finished(client, accepted, headers=hr)
    assert job["state"] == "done" and job["result"]["imported"] == 1 and (await stored_counts())[0] == 1


async def test_a_bad_line_fails_the_job_naming_it_and_nothing_is_stored(client, app_ctx) -> None:
    hall = await make_hall(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    bad = await _imported(client, csv_bytes([hall.row("E2"), hall.row("E3", at="soon")]), hr=hr)
    assert bad["state"] == "failed" and bad["problem"]["code"] == "queue_import_rejected"
    assert [(e["line"], e["column"]) for e in bad["problem"]["extensions"]["errors"]] == [(3, "at")] and (await stored_counts())[0] == 0


async def test_a_file_that_cannot_be_read_is_refused_at_once_and_queues_nothing(client, app_ctx) -> None:
    from window_staff.jobs.tables import Job

    await make_hall(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    refused = await client.post("/api/v1/queues/import", files=upload("编号\n".encode("gb18030")), headers=hr)
    assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM and await Job.count() == 0


async def test_a_reused_event_id_fails_the_job_as_a_conflict(client, app_ctx) -> None:
    hall = await make_hall(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    await _imported(client, csv_bytes([hall.row("E1")]), hr=hr)
    again = await _imported(client, csv_bytes([hall.row("E1", ticket="A2")]), hr=hr)
    assert again["state"] == "failed" and again["problem"]["code"] == "queue_event_conflict" and (await stored_counts())[0] == 1


async def test_only_hr_imports_and_keeps_the_mapping(client, app_ctx) -> None:
    hall = await make_hall(app_ctx, mapped=False)
    _, staff = await logged_in(client, app_ctx, "staff")
    assert (await client.post("/api/v1/queues/import", files=upload(csv_bytes([hall.row("E1")])), headers=staff)).status_code == 403
    assert (await client.get("/api/v1/queues/categories", headers=staff)).status_code == 403


async def test_hr_maps_a_category_changes_it_and_a_second_with_the_same_code_is_409(client, app_ctx) -> None:
    hall = await make_hall(app_ctx, mapped=False)
    _, hr = await logged_in(client, app_ctx, "hr")
    body = {
        "site_id": hall.site.id,
        "code": "tax",
        "name": "税务",
        "department_id": hall.window.department_id,
        "window_ids": [hall.window.id],
    }
    made = await client.post("/api/v1/queues/categories", json=body, headers=hr)
    assert made.status_code == 201 and made.json()["window_ids"] == [hall.window.id]
    assert (await client.post("/api/v1/queues/categories", json=body, headers=hr)).status_code == 409
    changed = await client.put(
        f"/api/v1/queues/categories/{made.json()['id']}", json={**body, "window_ids": [hall.other_window.id]}, headers=hr
    )
    assert changed.status_code == 200 and changed.json()["window_ids"] == [hall.other_window.id]


async def test_hr_resolves_an_exception_with_a_note(client, app_ctx) -> None:
    hall = await make_hall(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    await _imported(client, csv_bytes([hall.row("E1", category="passport")]), hr=hr)
    (item,) = (await client.get("/api/v1/queues/exceptions", headers=hr)).json()["items"]
    done = await client.post(f"/api/v1/queues/exceptions/{item['id']}/resolve", json={"note": "已补充映射"}, headers=hr)
    assert done.status_code == 200 and done.json()["resolved_by"] is not None
    assert (await client.get("/api/v1/queues/exceptions", headers=hr)).json()["items"] == []


async def _device(app_ctx, hall: Hall, *, kind: str = "queue") -> tuple[str, bytes]:
    serial = f"QUEUE-{secrets.token_hex(4)}"
    terminal, secret = await terminals.register_approved(app_ctx, TerminalIn(serial=serial, site_id=hall.site.id, kind=kind), actor="test")
    return terminal.serial, secret


def _push(client: httpx.AsyncClient, events: list[dict[str, str]], *, serial: str, secret: bytes, clock: Any) -> httpx.Request:
    raw = json.dumps(events, ensure_ascii=False).encode()
    request = client.build_request("POST", EVENTS, content=raw, headers={"content-type": "application/json"})
    request.headers.update(sign("POST", str(request.url), raw, key_id=serial, secret=secret, created=clock.now()))
    return request


def _event(hall: Hall, event_id: str, clock: Any) -> dict[str, str]:
    return {"event_id": event_id, "kind": "issued", "at": local(clock.now() - timedelta(minutes=5)), "ticket": "A1", "category": "tax"}


async def test_a_queue_device_pushes_a_batch_and_a_replay_stores_each_event_once(client, app_ctx, clock) -> None:
    hall = await make_hall(app_ctx)
    serial, secret = await _device(app_ctx, hall)
    batch = [_event(hall, "D1", clock), _event(hall, "D2", clock)]
    first = await client.send(_push(client, batch, serial=serial, secret=secret, clock=clock))
    assert first.status_code == 200 and first.json()["imported"] == 2
    replay = await client.send(_push(client, [*batch, _event(hall, "D3", clock)], serial=serial, secret=secret, clock=clock))
    assert (replay.json()["imported"], replay.json()["skipped"]) == (1, 2) and (await stored_counts())[0] == 3


async def test_a_check_in_terminal_cannot_push_queue_events(client, app_ctx, clock) -> None:
    hall = await make_hall(app_ctx)
    serial, secret = await _device(app_ctx, hall, kind="signed")
    refused = await client.send(_push(client, [_event(hall, "D1", clock)], serial=serial, secret=secret, clock=clock))
    assert refused.status_code == 403 and (await stored_counts())[0] == 0


async def test_an_unsigned_push_is_401(client, app_ctx, clock) -> None:
    hall = await make_hall(app_ctx)
    assert (await client.post(EVENTS, json=[_event(hall, "D1", clock)])).status_code == 401


async def test_a_file_over_the_size_limit_is_413_and_nothing_is_stored(client, app_ctx) -> None:
    hall = await make_hall(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    row = csv_bytes([hall.row("E1")])
    big = row + b"\r\n" * (16 * 1024 * 1024)  # blank lines: a readable CSV, only too large
    refused = await client.post("/api/v1/queues/import", files=upload(big), headers=hr)
    assert refused.status_code == 413 and (await stored_counts())[0] == 0
