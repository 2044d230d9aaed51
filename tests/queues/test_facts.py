"""The queues as a fact source: stored events, attendance's on-duty time and the policy give the month's facts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.attendance.support import full_day, make_world
from tests.factories import logged_in, make_site
from tests.queues.support import csv_bytes, local, site_code
from window_staff.app import FACT_SOURCES
from window_staff.org import service as org
from window_staff.queues import facts
from window_staff.queues.schemas import CategoryIn
from window_staff.queues.service import categories, events

MARCH = date(2025, 3, 1)


def test_the_queues_are_a_registered_fact_source() -> None:
    assert facts.month_facts in FACT_SOURCES


async def test_a_served_ticket_and_a_long_pause_become_the_staff_members_facts(ctx) -> None:
    world = await make_world(ctx)
    anna = world.staff[0]
    await categories.create_category(
        ctx,
        CategoryIn(site_id=world.site_id, code="tax", name="税务", department_id=world.window.department_id, window_ids=[world.window.id]),
        actor="test",
    )
    await full_day(ctx, anna.id, 3, site_id=world.site_id)  # checked in 08:20-12:05 and 14:20-17:35
    code = await site_code(ctx, world.site_id)
    w = world.window.number
    rows = [
        {"event_id": "1", "kind": "issued", "at": "2025-03-03 09:00", "ticket": "A1", "category": "tax"},
        {"event_id": "2", "kind": "called", "at": "2025-03-03 09:20", "ticket": "A1", "window_number": w},
        {"event_id": "3", "kind": "started", "at": "2025-03-03 09:21", "ticket": "A1", "window_number": w},
        {"event_id": "4", "kind": "finished", "at": "2025-03-03 09:30", "ticket": "A1", "window_number": w},
        {
            "event_id": "5",
            "kind": "paused",
            "at": "2025-03-03 10:00",
            "window_number": w,
            "employee_no": anna.employee_no,
        },
        {"event_id": "6", "kind": "resumed", "at": "2025-03-03 10:45", "window_number": w},
    ]
    await events.import_csv(ctx, csv_bytes([{**r, "site_code": code} for r in rows]), filename="0303.csv", actor="test")
    postings = await org.postings_of([anna.id])
    found = await facts.month_facts(ctx, postings=postings, first=MARCH)
    assert {(f.kind, tuple(sorted(f.fields.items()))) for f in found[anna.id]} == {
        ("queue.served", (("tickets", 1),)),
        ("queue.wait_p90_minutes", (("minutes", Decimal("20.0")), ("tickets", 1))),
        ("queue.paused_minutes", (("minutes", 45),)),
        ("queue.vacant", (("minutes", 45), ("reason", "long_pause"))),
    }


async def test_a_call_before_anyone_checked_in_is_vacant_for_the_rostered_staff(ctx) -> None:
    world = await make_world(ctx)
    anna = world.staff[0]
    await full_day(ctx, anna.id, 3, site_id=world.site_id, am_in=(9, 0))  # checked in only at 09:00
    code = await site_code(ctx, world.site_id)
    row = {
        "event_id": "1",
        "site_code": code,
        "kind": "called",
        "at": "2025-03-03 08:45",
        "ticket": "A1",
        "window_number": world.window.number,
    }
    await events.import_csv(ctx, csv_bytes([row]), filename="0303.csv", actor="test")
    found = await facts.month_facts(ctx, postings=await org.postings_of([anna.id]), first=MARCH)
    assert [(f.kind, f.occurred_on, f.fields["reason"]) for f in found[anna.id]] == [("queue.vacant", date(2025, 3, 3), "call_unstaffed")]


async def test_the_figures_route_gives_the_month_and_one_day_per_window(client, app_ctx) -> None:
    world = await make_world(app_ctx)
    await full_day(app_ctx, world.staff[0].id, 3, site_id=world.site_id)
    code, w = await site_code(app_ctx, world.site_id), world.window.number
    rows = [
        {"event_id": "1", "kind": "issued", "at": "2025-03-03 09:00", "ticket": "A1", "category": "tax"},
        {"event_id": "2", "kind": "called", "at": "2025-03-03 09:06", "ticket": "A1", "window_number": w},
        {"event_id": "3", "kind": "finished", "at": "2025-03-03 09:16", "ticket": "A1", "window_number": w},
    ]
    await events.import_csv(app_ctx, csv_bytes([{**r, "site_code": code} for r in rows]), filename="0303.csv", actor="test")
    _, approver = await logged_in(client, app_ctx, "approver")
    month = await client.get("/api/v1/queues/figures", params={"month": "2025-03", "by": "window"}, headers=approver)
    assert month.status_code == 200
    assert [(f["id"], f["served"], f["wait_median_minutes"], f["service_median_minutes"]) for f in month.json()["items"]] == [
        (world.window.id, 1, "6.0", "10.0")
    ]
    other_day = await client.get(
        "/api/v1/queues/figures", params={"month": "2025-03", "by": "window", "day": "2025-03-04"}, headers=approver
    )
    assert other_day.json()["items"] == []
    here = await client.get("/api/v1/queues/figures", params={"month": "2025-03", "site_id": world.site_id}, headers=approver)
    assert [f["id"] for f in here.json()["items"]] == [world.staff[0].id]
    elsewhere = await make_site(app_ctx)
    there = await client.get("/api/v1/queues/figures", params={"month": "2025-03", "site_id": elsewhere.id}, headers=approver)
    assert there.json()["items"] == []
    _, staff = await logged_in(client, app_ctx, "staff")
    assert (await client.get("/api/v1/queues/figures", params={"month": "2025-03"}, headers=staff)).status_code == 403


async def test_a_day_that_is_not_over_does_not_count_yet(ctx, clock) -> None:
    world = await make_world(ctx)
    anna = world.staff[0]
    code, w, now = await site_code(ctx, world.site_id), world.window.number, local(clock.now())
    rows = [
        {"event_id": "1", "kind": "called", "at": now, "ticket": "A1", "window_number": w, "employee_no": anna.employee_no},
        {"event_id": "2", "kind": "finished", "at": now, "ticket": "A1", "window_number": w, "employee_no": anna.employee_no},
    ]
    await events.import_csv(ctx, csv_bytes([{**r, "site_code": code} for r in rows]), filename="today.csv", actor="test")
    today = date.fromisoformat(now[:10])
    found = await facts.month_facts(ctx, postings=await org.postings_of([anna.id]), first=today.replace(day=1))
    assert found[anna.id] == []
    clock.advance(seconds=24 * 3600)  # the day is over: the ticket counts
    found = await facts.month_facts(ctx, postings=await org.postings_of([anna.id]), first=today.replace(day=1))
    assert "queue.served" in {f.kind for f in found[anna.id]}
