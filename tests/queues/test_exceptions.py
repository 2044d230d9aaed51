"""HR's list of events to look at, by site and category: mapping a category settles its open events, HR closes a group."""

from __future__ import annotations

import msgspec
import pytest

from tests.queues.support import Hall, make_hall
from window_staff.common.audit import verify
from window_staff.common.context import AppContext
from window_staff.common.db import execute
from window_staff.common.pagination import PageParams
from window_staff.queues.errors import QueueExceptionNotFound, QueueInputInvalid
from window_staff.queues.schemas import CategoryIn, EventIn, ResolveGroupIn
from window_staff.queues.service import categories, events

ALL = PageParams(limit=100, offset=0)


async def _unmapped(ctx: AppContext, hall: Hall, *ids: str, category: str = "passport", at: str = "2025-03-03 09:00") -> None:
    """Tickets of a category the hall has not mapped (each goes on the exception list)."""
    rows = [EventIn(**hall.row(i, category=category, at=at)) for i in ids]
    await events.record_events(ctx, rows, source="test", actor="test")


def _mapping(hall: Hall, code: str = "passport") -> CategoryIn:
    return CategoryIn(site_id=hall.site.id, code=code, name="出入境", department_id=hall.window.department_id, window_ids=[hall.window.id])


async def _open(ctx: AppContext) -> list[tuple[int, str]]:
    return [(x.site_id, x.category) for x in (await categories.list_exceptions(ctx, ALL)).items]


async def test_the_open_events_are_grouped_by_site_and_code_with_their_first_and_last_time(ctx) -> None:
    hall = await make_hall(ctx)
    await _unmapped(ctx, hall, "E1", at="2025-03-03 09:00")
    await _unmapped(ctx, hall, "E2", at="2025-03-04 10:30")
    await _unmapped(ctx, hall, "E3", category="visa")
    groups = await categories.exception_groups(ctx)
    passport = next(g for g in groups if g.category == "passport")
    assert [(g.site_id, g.category, g.events) for g in groups] == [(hall.site.id, "passport", 2), (hall.site.id, "visa", 1)]
    assert (passport.first_at.isoformat(), passport.last_at.isoformat()) == ("2025-03-03T01:00:00+00:00", "2025-03-04T02:30:00+00:00")
    assert await categories.open_exception_count(ctx) == 3 and await categories.open_exception_count(ctx, site_id=hall.site.id) == 3


async def test_mapping_a_category_settles_its_open_events_at_that_site_only(ctx) -> None:
    hall, elsewhere = await make_hall(ctx), await make_hall(ctx)
    await _unmapped(ctx, hall, "E1", "E2")
    await _unmapped(ctx, hall, "E3", category="visa")
    await _unmapped(ctx, elsewhere, "E4")
    made = await categories.create_category(ctx, _mapping(hall), actor="user:1:hr")
    assert made.resolved_exceptions == 2
    assert sorted(await _open(ctx)) == sorted([(hall.site.id, "visa"), (elsewhere.site.id, "passport")])
    settled = [x for x in (await categories.list_exceptions(ctx, ALL, open_only=False)).items if x.resolved_at is not None]
    assert {(x.resolved_by, x.note) for x in settled} == {("user:1:hr", categories.MAPPED_NOTE)} and len(settled) == 2


async def test_settling_by_mapping_is_audited_with_the_count(ctx) -> None:
    hall = await make_hall(ctx)
    await _unmapped(ctx, hall, "E1", "E2")
    made = await categories.create_category(ctx, _mapping(hall), actor="user:1:hr")
    rows = await execute(ctx.engine, "SELECT actor, subject_id FROM audit_event WHERE action = {}", "queue_exception.resolved_by_mapping")
    assert [dict(r) for r in rows] == [{"actor": "user:1:hr", "subject_id": str(made.id)}] and (await verify(ctx.engine)).ok


async def test_a_refused_mapping_settles_nothing(ctx) -> None:
    hall = await make_hall(ctx)
    await _unmapped(ctx, hall, "E1", category="tax2")
    with pytest.raises(QueueInputInvalid):
        await categories.create_category(ctx, msgspec.structs.replace(_mapping(hall, "tax2"), name=" "), actor="t")
    assert await _open(ctx) == [(hall.site.id, "tax2")]


async def test_a_mapping_without_open_events_records_no_settlement(ctx) -> None:
    hall = await make_hall(ctx)
    made = await categories.create_category(ctx, _mapping(hall), actor="t")
    rows = await execute(ctx.engine, "SELECT id FROM audit_event WHERE action = {}", "queue_exception.resolved_by_mapping")
    assert made.resolved_exceptions == 0 and rows == []


async def test_hr_closes_a_group_with_a_note_up_to_what_the_page_showed(ctx) -> None:
    hall = await make_hall(ctx)
    await _unmapped(ctx, hall, "E1", "E2")
    (shown,) = await categories.exception_groups(ctx)
    await _unmapped(ctx, hall, "E3")  # arrives after the page was read: stays open
    done = await categories.resolve_group(
        ctx, ResolveGroupIn(site_id=hall.site.id, category="passport", through_id=shown.through_id, note="测试票"), actor="user:1:hr"
    )
    assert done == 2 and [g.events for g in await categories.exception_groups(ctx)] == [1]
    rows = await execute(ctx.engine, "SELECT subject_id FROM audit_event WHERE action = {}", "queue_exception.group_resolved")
    assert [dict(r) for r in rows] == [{"subject_id": str(hall.site.id)}] and (await verify(ctx.engine)).ok


async def test_closing_a_group_needs_a_note_and_an_open_event(ctx) -> None:
    hall = await make_hall(ctx)
    await _unmapped(ctx, hall, "E1")
    (shown,) = await categories.exception_groups(ctx)
    with pytest.raises(QueueInputInvalid):
        await categories.resolve_group(
            ctx, ResolveGroupIn(site_id=hall.site.id, category="passport", through_id=shown.through_id, note=" "), actor="t"
        )
    with pytest.raises(QueueExceptionNotFound):
        await categories.resolve_group(
            ctx, ResolveGroupIn(site_id=hall.site.id, category="visa", through_id=shown.through_id, note="x"), actor="t"
        )
