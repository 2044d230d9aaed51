"""Reading and checking queue events as sent, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

from window_staff.queues.reading import RawRow, SiteRef, Stored, against_stored, check_rows, read_csv

SITE = SiteRef(id=1, zone="Asia/Shanghai", windows={"1": 11, "2": 12})
NOW = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)


def row(line: int, **values: str) -> RawRow:
    """A row of an issued ticket at site GY unless changed."""
    base = {"event_id": f"E{line}", "site_code": "GY", "kind": "issued", "at": "2025-03-03 09:00", "ticket": "A1", "category": "tax"}
    return RawRow(line, {**base, **values})


def check(*rows: RawRow):  # noqa: ANN201
    """Check rows against one site and one employee."""
    return check_rows(rows, sites={"GY": SITE}, staff={"E001": 101}, now=NOW)


def test_a_local_time_is_read_in_the_sites_zone() -> None:
    (ok,), errors = check(row(2))
    assert errors == [] and ok.at == datetime(2025, 3, 3, 1, 0, tzinfo=UTC)


def test_each_kind_needs_its_own_columns() -> None:
    _, errors = check(row(2, kind="called", window_number=""), row(3, kind="paused", ticket="", window_number="1"))
    assert [(e.line, e.column) for e in errors] == [(2, "window_number")]


def test_the_same_event_id_twice_in_a_file_names_the_first_line() -> None:
    _, errors = check(row(2, event_id="X"), row(3, event_id="X"))
    assert [(e.line, e.column, e.message) for e in errors] == [(3, "event_id", "event_id 'X' also on line 2")]


def test_an_event_in_the_future_is_refused() -> None:
    _, errors = check(row(2, at="2025-03-03 16:10"))
    assert [(e.line, e.column, e.message) for e in errors] == [(2, "at", "in the future")]


def test_an_identical_resend_is_skipped_and_a_different_one_conflicts() -> None:
    (a, b), _ = check(row(2, event_id="X"), row(3, event_id="Y"))
    stored = {
        (1, "X"): Stored(1, "issued", a.at, "A1", "tax", None, None, None),
        (1, "Y"): Stored(1, "issued", b.at, "A2", "tax", None, None, None),
    }
    new, skipped, conflicts = against_stored([a, b], stored=stored)
    assert (new, skipped, [(c.line, c.column) for c in conflicts]) == ([], 1, [(3, "event_id")])


def test_a_file_that_is_not_utf8_is_named_at_its_line() -> None:
    rows, errors = read_csv(b"event_id,site_code,kind,at\r\nE1,GY,issued,\xb0\r\n")
    assert rows == [] and [(e.line, e.column) for e in errors] == [(2, None)]
