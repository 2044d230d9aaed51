"""Queues: input and output schemas (HR's imports, mapping and exception list; the figures)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import msgspec

# An upload's envelope: the multipart framing around the file, and the types browsers and vendors' tools send a CSV as.
MULTIPART_OVERHEAD = 64 * 1024
CSV_TYPES = frozenset({None, "text/csv", "text/plain", "application/csv", "application/octet-stream", "application/vnd.ms-excel"})


class EventIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One event of a pushed batch: the CSV's columns, checked the same way (the time is text, as in the CSV)."""

    event_id: str
    site_code: str
    kind: str
    at: str
    ticket: str = ""
    category: str = ""
    window_number: str = ""
    employee_no: str = ""
    to_window: str = ""


class DeviceEventIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One event a queue device pushes: the CSV's columns but the site, which is the device's."""

    event_id: str
    kind: str
    at: str
    ticket: str = ""
    category: str = ""
    window_number: str = ""
    employee_no: str = ""
    to_window: str = ""


class ImportOut(msgspec.Struct, kw_only=True):
    """What an import did: new events stored, identical events skipped, events already stored from the other source
    (the device's push or the vendor's export) and not stored again, events sent to the exception list."""

    batch_id: int | None
    rows: int
    imported: int
    skipped: int
    exceptions: int
    received_elsewhere: int = 0


class CategoryIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A service category of a site's machine and where it is served."""

    site_id: int
    code: str
    name: str
    department_id: int
    window_ids: list[int] = msgspec.field(default_factory=list)


class CategoryOut(msgspec.Struct, kw_only=True):
    """A stored category mapping."""

    id: int
    site_id: int
    code: str
    name: str
    department_id: int
    window_ids: list[int]
    updated_by: str
    updated_at: datetime


class ExceptionOut(msgspec.Struct, kw_only=True):
    """An event HR must look at, with the event."""

    id: int
    reason: str
    detail: str
    event_id: int
    site_id: int
    kind: str
    at: datetime
    ticket: str
    category: str
    created_at: datetime
    resolved_by: str | None
    resolved_at: datetime | None
    note: str


class ResolveIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """HR's note when closing an exception (e.g. "category mapped on 3 March")."""

    note: str


class FiguresOut(msgspec.Struct, kw_only=True):
    """One staff member's or window's figures for a day or a month (minutes; null without data)."""

    id: int
    served: int
    wait_median_minutes: Decimal | None
    wait_p90_minutes: Decimal | None
    service_median_minutes: Decimal | None
    missed: int
    paused_minutes: int
    vacant: int
