"""Importing queue events from a CSV export: every row or none, each bad line named, re-imports skipped, reused ids refused."""

from __future__ import annotations

import pytest

from tests.queues.support import csv_bytes, make_hall, stored_counts
from window_staff.common.pagination import PageParams
from window_staff.queues.errors import QueueEventConflict, QueueImportRejected
from window_staff.queues.service import categories, events

ALL = PageParams(limit=100, offset=0)


async def test_a_good_file_stores_every_event_in_one_batch(ctx) -> None:
    hall = await make_hall(ctx)
    rows = [hall.row("E1"), hall.row("E2", "called", at="2025-03-03 09:10"), hall.row("E3", "paused", at="2025-03-03 10:00", ticket="")]
    out = await events.import_csv(ctx, csv_bytes(rows), filename="0303.csv", actor="test")
    assert (out.rows, out.imported, out.skipped, out.exceptions) == (3, 3, 0, 0) and out.batch_id is not None
    assert await stored_counts() == (3, 1, 0)


async def test_bad_lines_are_each_named_by_line_and_column_and_nothing_is_stored(ctx) -> None:
    hall = await make_hall(ctx)
    rows = [
        hall.row("E1"),
        hall.row("E2", "shouted"),
        hall.row("E3", "called", window_number="W-none"),
        hall.row("E4", at="yesterday"),
        hall.row("E5", "called", ticket=""),
    ]
    with pytest.raises(QueueImportRejected) as refused:
        await events.import_csv(ctx, csv_bytes(rows), filename="0303.csv", actor="test")
    assert [(e["line"], e["column"]) for e in refused.value.extra["errors"]] == [
        (3, "kind"),
        (4, "window_number"),
        (5, "at"),
        (6, "ticket"),
    ]
    assert await stored_counts() == (0, 0, 0)


async def test_re_importing_the_same_file_skips_every_row(ctx) -> None:
    hall = await make_hall(ctx)
    data = csv_bytes([hall.row("E1"), hall.row("E2", "called", at="2025-03-03 09:10")])
    await events.import_csv(ctx, data, filename="0303.csv", actor="test")
    again = await events.import_csv(ctx, data, filename="0303.csv", actor="test")
    assert (again.imported, again.skipped, again.batch_id) == (0, 2, None) and await stored_counts() == (2, 1, 0)


async def test_a_different_event_under_a_used_id_is_a_conflict_and_nothing_new_is_stored(ctx) -> None:
    hall = await make_hall(ctx)
    await events.import_csv(ctx, csv_bytes([hall.row("E1")]), filename="a.csv", actor="test")
    with pytest.raises(QueueEventConflict) as refused:
        await events.import_csv(ctx, csv_bytes([hall.row("E2"), hall.row("E1", ticket="A999")]), filename="b.csv", actor="test")
    assert [(e["line"], e["column"]) for e in refused.value.extra["errors"]] == [(3, "event_id")]
    assert await stored_counts() == (1, 1, 0)


async def test_an_unmapped_category_is_kept_and_put_on_the_exception_list(ctx) -> None:
    hall = await make_hall(ctx)
    out = await events.import_csv(ctx, csv_bytes([hall.row("E1", category="passport")]), filename="a.csv", actor="test")
    listed = (await categories.list_exceptions(ctx, ALL)).items
    assert out.exceptions == 1 and [(x.reason, x.category, x.ticket) for x in listed] == [("unknown_category", "passport", "A001")]
    assert (await stored_counts())[0] == 1


async def test_a_file_without_required_columns_is_refused_at_the_header(ctx) -> None:
    with pytest.raises(QueueImportRejected) as refused:
        await events.import_csv(ctx, b"event_id,kind\r\nE1,issued\r\n", filename="a.csv", actor="test")
    assert {(e["line"], e["column"]) for e in refused.value.extra["errors"]} == {(1, "site_code"), (1, "at")}
