"""Importing service transactions (办件) by CSV and JSON: all rows or none, every bad line reported, re-imports."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.evaluations.support_metrics import csv_bytes, make_scene, stored_counts
from tests.factories import logged_in
from tests.jobs.support import finished
from window_staff.common.audit import verify
from window_staff.common.db import execute
from window_staff.common.pagination import PageParams
from window_staff.evaluations.errors import ImportRejected
from window_staff.evaluations.schemas.metrics import TransactionIn
from window_staff.evaluations.service import metrics, metrics_import as service
from window_staff.jobs.tables import Job

PROBLEM = "application/problem+json"
ALL = PageParams(limit=100, offset=0)


async def test_a_good_csv_imports_every_row_in_one_batch(ctx) -> None:
    scene = await make_scene(ctx)
    rows = [
        scene.row("T1"),
        scene.row("T2", onsite="0", completed_at=""),
        scene.row("T3", employee_no=scene.other.employee_no, onsite="否", completed_at="2025-03-06 10:00"),
    ]
    out = await service.import_csv(ctx, csv_bytes(rows), filename="march.csv", actor="test")
    assert (out.rows, out.imported, out.completed, out.skipped) == (3, 3, 0, 0) and out.batch_id is not None
    listed = (await metrics.list_transactions(ctx, ALL)).items
    assert [(t.external_id, t.staff_id, t.window_id, t.department_id, t.onsite, t.batch_id) for t in listed] == [
        ("T1", scene.staff.id, scene.window.id, scene.window.department_id, True, out.batch_id),
        ("T2", scene.staff.id, scene.window.id, scene.window.department_id, False, out.batch_id),
        ("T3", scene.other.id, scene.window.id, scene.window.department_id, False, out.batch_id),
    ]
    assert listed[1].completed_at is None and listed[0].received_at == datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
    events = [
        dict(r)
        for r in await execute(ctx.engine, "SELECT action, subject_id FROM audit_event WHERE action = {}", "service_transactions.imported")
    ]
    assert events == [{"action": "service_transactions.imported", "subject_id": str(out.batch_id)}] and (await verify(ctx.engine)).ok


async def test_three_different_bad_rows_are_each_reported_and_nothing_is_stored(ctx) -> None:
    scene = await make_scene(ctx)
    await service.import_csv(ctx, csv_bytes([scene.row("OLD")]), filename="before.csv", actor="test")
    before = await stored_counts()
    rows = [
        scene.row("T1"),
        scene.row("T2", window_number="Z99"),  # line 3: no such window at the site
        scene.row("T3"),
        scene.row("T4", onsite="maybe"),  # line 5: not a yes/no value
        scene.row("T5", completed_at="2025-03-02 17:00"),  # line 6: completed before received
    ]
    with pytest.raises(ImportRejected) as caught:
        await service.import_csv(ctx, csv_bytes(rows), filename="bad.csv", actor="test")
    errors = caught.value.extra["errors"]
    assert [(e["line"], e["column"]) for e in errors] == [(3, "window_number"), (5, "onsite"), (6, "completed_at")]
    assert "Z99" in errors[0]["message"] and "before received_at" in errors[2]["message"]
    assert caught.value.extra["error_count"] == 3
    assert await stored_counts() == before


async def test_a_file_with_a_byte_order_mark_imports(ctx) -> None:
    scene = await make_scene(ctx)
    out = await service.import_csv(ctx, csv_bytes([scene.row("T1")], bom=True), filename="excel.csv", actor="test")
    assert out.imported == 1


async def test_local_times_are_read_in_the_sites_zone(ctx) -> None:
    scene = await make_scene(ctx, timezone="Asia/Tokyo")
    rows = [
        scene.row("LOCAL", received_at="2025-03-03 09:00"),
        scene.row("OFFSET", received_at="2025-03-03T09:00:00+08:00", completed_at="2025-03-03T11:00:00+08:00"),
    ]
    await service.import_csv(ctx, csv_bytes(rows), filename="tokyo.csv", actor="test")
    got = {t.external_id: t.received_at for t in (await metrics.list_transactions(ctx, ALL)).items}
    assert got == {"LOCAL": datetime(2025, 3, 3, 0, 0, tzinfo=UTC), "OFFSET": datetime(2025, 3, 3, 1, 0, tzinfo=UTC)}


async def test_reimporting_the_same_rows_skips_them_and_writes_nothing(ctx) -> None:
    scene = await make_scene(ctx)
    data = csv_bytes([scene.row("T1"), scene.row("T2")])
    await service.import_csv(ctx, data, filename="march.csv", actor="test")
    before = await stored_counts()
    again = await service.import_csv(ctx, data, filename="march.csv", actor="test")
    assert (again.batch_id, again.imported, again.skipped) == (None, 0, 2)
    assert await stored_counts() == before


async def test_a_changed_row_under_a_stored_external_id_is_an_error(ctx) -> None:
    scene = await make_scene(ctx)
    await service.import_csv(ctx, csv_bytes([scene.row("T1")]), filename="march.csv", actor="test")
    with pytest.raises(ImportRejected) as caught:
        await service.import_csv(ctx, csv_bytes([scene.row("T2"), scene.row("T1", item="另一事项")]), filename="again.csv", actor="test")
    assert caught.value.extra["errors"] == [
        {"line": 3, "column": "external_id", "message": "external_id 'T1' was imported before with a different item"}
    ]
    assert await stored_counts() == (1, 1)


async def test_a_pending_transaction_is_completed_by_a_later_import(ctx) -> None:
    scene = await make_scene(ctx)
    await service.import_csv(ctx, csv_bytes([scene.row("T1", onsite="0", completed_at="")]), filename="day1.csv", actor="test")
    out = await service.import_csv(
        ctx, csv_bytes([scene.row("T1", onsite="0", completed_at="2025-03-04 16:00"), scene.row("T2")]), filename="day2.csv", actor="test"
    )
    assert (out.imported, out.completed, out.skipped) == (1, 1, 0)
    listed = {t.external_id: t.completed_at for t in (await metrics.list_transactions(ctx, ALL)).items}
    assert listed["T1"] == datetime(2025, 3, 4, 8, 0, tzinfo=UTC)


async def test_json_rows_are_checked_like_csv_rows(ctx) -> None:
    scene = await make_scene(ctx)

    def item(external_id: str, **changes: object) -> TransactionIn:
        values: dict[str, object] = {**scene.row(external_id), "onsite": True}
        values.update(changes)
        return TransactionIn(**values)  # type: ignore[arg-type]

    with pytest.raises(ImportRejected) as caught:
        await service.import_json(
            ctx, [item("J1"), item("J2", employee_no="E-NOBODY"), item("J3", promised_at="2025-03-01 09:00")], actor="test"
        )
    assert [(e["line"], e["column"]) for e in caught.value.extra["errors"]] == [(2, "employee_no"), (3, "promised_at")]
    assert await stored_counts() == (0, 0)
    out = await service.import_json(ctx, [item("J1"), item("J2", onsite=False, completed_at=None)], actor="test")
    assert (out.imported, out.skipped) == (2, 0)


async def test_the_upload_route_imports_a_file_in_a_job_that_fails_with_every_bad_line(client, app_ctx) -> None:
    scene = await make_scene(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    url = "/api/v1/evaluations/transactions/import"
    good = await client.post(url, files={"file": ("march.csv", csv_bytes([scene.row("T1")], bom=True), "text/csv")}, headers=hr)
    done = await finished(client, good, headers=hr)
    assert done["state"] == "done", done
    assert done["result"] == {"batch_id": done["result"]["batch_id"], "rows": 1, "imported": 1, "completed": 0, "skipped": 0}
    assert done["result"]["batch_id"] is not None
    bad = await client.post(
        url,
        files={
            "file": (
                "bad.csv",
                csv_bytes([scene.row("T2", received_at="3 March"), scene.row("T3", site_code="NOPE")]),
                "application/vnd.ms-excel",
            )
        },
        headers=hr,
    )
    failed = await finished(client, bad, headers=hr)
    assert failed["state"] == "failed" and failed["problem"]["code"] == "import_rejected"
    report = failed["problem"]["extensions"]
    assert report["error_count"] == 2
    assert [(e["line"], e["column"]) for e in report["errors"]] == [(2, "received_at"), (3, "site_code")]
    assert await stored_counts() == (1, 1)
    again = await client.post(url, files={"file": ("march.csv", csv_bytes([scene.row("T1")]), "text/csv")}, headers=hr)
    skipped = (await finished(client, again, headers=hr))["result"]
    assert (skipped["batch_id"], skipped["skipped"]) == (None, 1)


async def test_the_json_route_refuses_a_bad_row_with_the_same_report(client, app_ctx) -> None:
    scene = await make_scene(app_ctx)
    _, hr = await logged_in(client, app_ctx, "hr")
    rows = [{**scene.row("J1"), "onsite": True}, {**scene.row("J2", completed_at="2025-03-01 08:00"), "onsite": False}]
    bad = await finished(client, await client.post("/api/v1/evaluations/transactions", json=rows, headers=hr), headers=hr)
    assert bad["state"] == "failed" and bad["problem"]["code"] == "import_rejected"
    assert [(e["line"], e["column"]) for e in bad["problem"]["extensions"]["errors"]] == [(2, "completed_at")]
    assert await stored_counts() == (0, 0)
    good = await finished(client, await client.post("/api/v1/evaluations/transactions", json=rows[:1], headers=hr), headers=hr)
    assert good["state"] == "done" and good["result"]["imported"] == 1
    unknown = await client.post("/api/v1/evaluations/transactions", json=[{**rows[0], "colour": "red"}], headers=hr)
    assert unknown.status_code == 400


async def test_only_hr_imports_and_lists(client, app_ctx) -> None:
    _, approver = await logged_in(client, app_ctx, "approver")
    response = await client.post("/api/v1/evaluations/transactions", json=[], headers=approver)
    assert response.status_code == 403
    assert (await client.get("/api/v1/evaluations/transactions", headers=approver)).status_code == 403


async def test_the_upload_route_enforces_its_limits(client, app_ctx, monkeypatch) -> None:
    from window_staff.evaluations.controllers import metrics as controllers_metrics

    _, hr = await logged_in(client, app_ctx, "hr")
    url = "/api/v1/evaluations/transactions/import"
    monkeypatch.setattr(controllers_metrics, "FILE_LIMIT", 1000)
    too_big = await client.post(url, files={"file": ("big.csv", b"x" * 2000, "text/csv")}, headers=hr)
    assert too_big.status_code == 413 and too_big.headers["content-type"].startswith(PROBLEM)
    not_a_form = await client.post(url, content=b"external_id\n", headers={**hr, "content-type": "text/csv"})
    assert not_a_form.status_code == 415
    wrong_field = await client.post(url, files={"upload": ("a.csv", b"x", "text/csv")}, headers=hr)
    assert wrong_field.status_code == 422 and wrong_field.json()["code"] == "unknown_field"
    assert await Job.count() == 0


async def test_a_json_import_over_the_row_cap_is_refused_whole(ctx, monkeypatch) -> None:
    from window_staff.evaluations import domain_metrics

    scene = await make_scene(ctx)
    monkeypatch.setattr(domain_metrics, "MAX_ROWS", 2)
    items = [TransactionIn(**{**scene.row(f"J{i}"), "onsite": True}) for i in range(3)]  # type: ignore[arg-type]
    with pytest.raises(ImportRejected) as caught:
        await service.import_json(ctx, items, actor="test")
    assert caught.value.extra["errors"] == [{"line": 3, "column": None, "message": "more than 2 rows: split the import"}]
    assert await stored_counts() == (0, 0)
