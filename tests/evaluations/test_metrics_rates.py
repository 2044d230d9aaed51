"""The month's on-site and on-time completion rates from stored transactions: facts for the appraisal, the report, the list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.evaluations.support_metrics import Scene, csv_bytes, make_scene
from tests.factories import logged_in
from window_staff.common.context import AppContext
from window_staff.evaluations import facts
from window_staff.evaluations.service import metrics as service_metrics, metrics_import
from window_staff.org import service as org
from window_staff.scoring.vocabulary import fact_problems

MARCH = date(2025, 3, 1)


async def march(ctx: AppContext) -> Scene:
    """Five transactions of ``staff`` (onsite 2 of 4 received in March, on time 2 of 4 due) and one of ``other`` (both 100 %)."""
    scene = await make_scene(ctx)
    other = scene.other.employee_no
    rows = [
        scene.row("T1"),  # on the spot, on time
        scene.row(
            "T2", received_at="2025-03-10 09:00", promised_at="2025-03-12 17:00", completed_at="2025-03-13 10:00", onsite="0"
        ),  # late
        scene.row("T3", received_at="2025-03-20 09:00", promised_at="2025-03-25 17:00", completed_at="", onsite="0"),  # open, overdue: late
        scene.row(
            "T4", received_at="2025-02-26 09:00", promised_at="2025-03-02 17:00", completed_at="2025-03-02 12:00", onsite="0"
        ),  # due in March
        scene.row("T5", received_at="2025-03-28 09:00", promised_at="2025-04-03 17:00", completed_at="2025-03-28 09:20"),  # due in April
        scene.row("T6", employee_no=other, received_at="2025-03-05 10:00", promised_at="2025-03-05 17:00", completed_at="2025-03-05 10:10"),
    ]
    await metrics_import.import_csv(ctx, csv_bytes(rows), filename="march.csv", actor="test")
    return scene


async def test_month_facts_give_each_staff_member_both_rates(ctx) -> None:
    scene = await march(ctx)
    facts = await service_metrics.month_facts(ctx, staff_ids=[scene.staff.id, scene.other.id], month=MARCH)
    mine = {f.kind: (f.id, f.occurred_on, dict(f.fields)) for f in facts[scene.staff.id]}
    assert mine == {
        "service.onsite_rate": ("service.onsite_rate:2025-03", date(2025, 3, 31), {"rate": Decimal("50.00"), "transactions": 4}),
        "service.ontime_rate": ("service.ontime_rate:2025-03", date(2025, 3, 31), {"rate": Decimal("50.00"), "transactions": 4}),
    }
    assert {f.kind: f.fields["rate"] for f in facts[scene.other.id]} == {
        "service.onsite_rate": Decimal("100.00"),
        "service.ontime_rate": Decimal("100.00"),
    }
    assert [p for fs in facts.values() for f in fs for p in fact_problems(f)] == []


async def test_month_facts_leave_out_staff_without_transactions_and_other_months(ctx) -> None:
    scene = await march(ctx)
    assert await service_metrics.month_facts(ctx, staff_ids=[scene.staff.id], month=date(2025, 1, 1)) == {}
    april = await service_metrics.month_facts(ctx, staff_ids=[scene.staff.id, scene.other.id], month=date(2025, 4, 1))
    assert list(april) == [scene.staff.id] and [f.kind for f in april[scene.staff.id]] == ["service.ontime_rate"]  # T5, due in April


async def test_month_facts_for_a_province_read_the_month_without_a_huge_in_list(ctx) -> None:
    scene = await march(ctx)
    many = [*range(10_000_000, 10_006_000), scene.staff.id]
    facts = await service_metrics.month_facts(ctx, staff_ids=many, month=MARCH)
    assert list(facts) == [scene.staff.id] and len(facts[scene.staff.id]) == 2


async def test_the_evaluations_month_facts_include_the_service_rates(ctx) -> None:
    scene = await march(ctx)
    found = await facts.month_facts(ctx, postings=await org.postings_of([scene.staff.id]), first=MARCH)
    assert {"service.onsite_rate", "service.ontime_rate"} <= {f.kind for f in found[scene.staff.id]}


async def test_the_rates_report_by_staff_window_and_department(client, app_ctx) -> None:
    scene = await march(app_ctx)
    _, approver = await logged_in(client, app_ctx, "approver")
    url = "/api/v1/evaluations/service-rates"
    by_staff = await client.get(url, params={"month": "2025-03", "by": "staff"}, headers=approver)
    assert by_staff.status_code == 200, by_staff.text
    assert by_staff.json()["items"] == [
        {
            "id": scene.staff.id,
            "label": f"{scene.staff.employee_no} {scene.staff.name}",
            "transactions": 4,
            "onsite": 2,
            "onsite_rate": "50.00",
            "due": 4,
            "on_time": 2,
            "ontime_rate": "50.00",
        },
        {
            "id": scene.other.id,
            "label": f"{scene.other.employee_no} {scene.other.name}",
            "transactions": 1,
            "onsite": 1,
            "onsite_rate": "100.00",
            "due": 1,
            "on_time": 1,
            "ontime_rate": "100.00",
        },
    ]
    for by, key in (("window", scene.window.id), ("department", scene.window.department_id)):
        items = (await client.get(url, params={"month": "2025-03", "by": by}, headers=approver)).json()["items"]
        assert [(i["id"], i["transactions"], i["onsite_rate"], i["due"], i["ontime_rate"]) for i in items] == [
            (key, 5, "60.00", 5, "60.00")
        ]
    april = (await client.get(url, params={"month": "2025-04", "by": "staff"}, headers=approver)).json()["items"]
    assert [(i["transactions"], i["onsite_rate"], i["due"], i["ontime_rate"]) for i in april] == [(0, None, 1, "100.00")]


async def test_the_rates_report_is_refused_to_staff_and_checks_its_parameters(client, app_ctx) -> None:
    _, staff = await logged_in(client, app_ctx, "staff")
    _, auditor = await logged_in(client, app_ctx, "auditor")
    url = "/api/v1/evaluations/service-rates"
    assert (await client.get(url, params={"month": "2025-03"}, headers=staff)).status_code == 403
    assert (await client.get(url, params={"month": "2025-13"}, headers=auditor)).status_code == 400
    assert (await client.get(url, params={"month": "2025-03", "by": "site"}, headers=auditor)).status_code == 400


async def test_the_list_filters_by_local_month_staff_and_window(client, app_ctx) -> None:
    scene = await march(app_ctx)
    tokyo = await make_scene(app_ctx, timezone="Asia/Tokyo")
    # 1 March 00:30 in Tokyo is still February in Shanghai; 1 April 00:30 in Tokyo is still March there.
    rows = [
        tokyo.row("K1", received_at="2025-03-01 00:30", completed_at="2025-03-01 00:40"),
        tokyo.row("K2", received_at="2025-04-01 00:30", promised_at="2025-04-02 17:00", completed_at="2025-04-01 00:40"),
    ]
    await metrics_import.import_csv(app_ctx, csv_bytes(rows), filename="tokyo.csv", actor="test")
    _, hr = await logged_in(client, app_ctx, "hr")
    url = "/api/v1/evaluations/transactions"
    got = (await client.get(url, params={"month": "2025-03", "limit": 3}, headers=hr)).json()
    assert (got["total"], got["next_offset"]) == (6, 3)
    assert [t["external_id"] for t in got["items"]] == ["K1", "T1", "T6"]
    mine = (await client.get(url, params={"month": "2025-03", "staff_id": scene.staff.id}, headers=hr)).json()
    assert [t["external_id"] for t in mine["items"]] == ["T1", "T2", "T3", "T5"]
    at_window = (await client.get(url, params={"window_id": tokyo.window.id}, headers=hr)).json()
    assert [t["external_id"] for t in at_window["items"]] == ["K1", "K2"]
