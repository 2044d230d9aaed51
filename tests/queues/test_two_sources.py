"""A site whose queue machine both pushes its events and exports them: each event is stored once, whichever came first."""

from __future__ import annotations

from tests.queues.support import Hall, csv_bytes, make_hall, stored_counts
from window_staff.queues.schemas import EventIn
from window_staff.queues.service import events

DEVICE = "terminal:7"


def pushed(hall: Hall, event_id: str, kind: str = "issued", **changes: str) -> EventIn:
    """The device's report of a row of the hall (its own event id, the same event)."""
    values = hall.row(event_id, kind, **changes)
    return EventIn(**{"window_number": "", "employee_no": "", "to_window": "", **values})


async def test_an_exported_event_the_device_already_pushed_is_not_stored_again(ctx) -> None:
    hall = await make_hall(ctx)
    await events.record_events(ctx, [pushed(hall, "D-1"), pushed(hall, "D-2", "called", at="2025-03-03 09:10")], source=DEVICE, actor="t")
    rows = [hall.row("X-1"), hall.row("X-2", "called", at="2025-03-03 09:10"), hall.row("X-3", "started", at="2025-03-03 09:11")]
    out = await events.import_csv(ctx, csv_bytes(rows), filename="0303.csv", actor="test")
    assert (out.imported, out.received_elsewhere, out.skipped) == (1, 2, 0)
    assert (await stored_counts())[0] == 3


async def test_a_pushed_event_the_export_already_brought_is_not_stored_again(ctx) -> None:
    hall = await make_hall(ctx)
    await events.import_csv(ctx, csv_bytes([hall.row("X-1")]), filename="0303.csv", actor="test")
    out = await events.record_events(ctx, [pushed(hall, "D-1"), pushed(hall, "D-2", ticket="A002")], source=DEVICE, actor="t")
    assert (out.imported, out.received_elsewhere) == (1, 1) and (await stored_counts())[0] == 2


async def test_the_caller_named_by_one_source_only_is_still_the_same_event(ctx) -> None:
    hall = await make_hall(ctx)
    await events.record_events(ctx, [pushed(hall, "D-1", "called", employee_no=hall.staff.employee_no)], source=DEVICE, actor="t")
    out = await events.import_csv(ctx, csv_bytes([hall.row("X-1", "called")]), filename="0303.csv", actor="test")
    assert (out.imported, out.received_elsewhere) == (0, 1)


async def test_events_alike_from_one_source_are_all_kept(ctx) -> None:
    hall = await make_hall(ctx)
    # Two issues of one ticket number in the same second (a machine restarted its numbering): the sender's own ids differ.
    out = await events.import_csv(ctx, csv_bytes([hall.row("X-1"), hall.row("X-2")]), filename="0303.csv", actor="test")
    assert (out.imported, out.received_elsewhere) == (2, 0)


async def test_the_same_ticket_at_another_second_or_window_is_another_event(ctx) -> None:
    hall = await make_hall(ctx)
    await events.record_events(ctx, [pushed(hall, "D-1", "called")], source=DEVICE, actor="t")
    rows = [hall.row("X-1", "called", at="2025-03-03 09:00:01"), hall.row("X-2", "called", window_number=hall.other_window.number)]
    out = await events.import_csv(ctx, csv_bytes(rows), filename="0303.csv", actor="test")
    assert (out.imported, out.received_elsewhere) == (2, 0)
