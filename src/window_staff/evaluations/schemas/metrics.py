"""Service transactions (办件) and their rates: input and output schemas."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import msgspec

# 50,000 rows of a few hundred bytes each; Litestar answers 413 itself past the route's ceiling.
FILE_LIMIT = 16 * 1024 * 1024
MULTIPART_OVERHEAD = 64 * 1024
# Browsers label .csv files differently (Windows often says application/vnd.ms-excel); the content decides.
CSV_TYPES = frozenset({None, "text/csv", "text/plain", "application/csv", "application/octet-stream", "application/vnd.ms-excel"})


class TransactionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One transaction of a JSON import: the CSV's columns, checked the same way (times are text, as in the CSV)."""

    external_id: str
    item: str
    site_code: str
    window_number: str
    employee_no: str
    received_at: str
    promised_at: str
    completed_at: str | None = None
    onsite: bool


class ImportOut(msgspec.Struct, kw_only=True):
    """What an import did: new rows, pending rows now completed, identical rows skipped; ``batch_id`` is null when nothing changed."""

    batch_id: int | None
    rows: int
    imported: int
    completed: int
    skipped: int


class TransactionOut(msgspec.Struct, kw_only=True):
    """A stored transaction (instants in UTC)."""

    id: int
    external_id: str
    item: str
    window_id: int
    staff_id: int
    department_id: int
    received_at: datetime
    promised_at: datetime
    completed_at: datetime | None
    onsite: bool
    batch_id: int


class ServiceRateOut(msgspec.Struct, kw_only=True):
    """One staff member's, window's or department's month: counts and the two rates (null when there is nothing to divide)."""

    id: int
    label: str
    transactions: int
    onsite: int
    onsite_rate: Decimal | None
    due: int
    on_time: int
    ontime_rate: Decimal | None
