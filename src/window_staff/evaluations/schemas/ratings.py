"""Schemas of citizen ratings (好差评), rating codes, bad-review cases and the satisfaction report.

Inputs never carry protected fields (window, staff id, source, device, status, deadline, voided, actors):
the service takes them from the signed device, the QR code, the case and the caller.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

Level = Annotated[int, msgspec.Meta(ge=1, le=5)]
Comment = Annotated[str, msgspec.Meta(max_length=500)]
# No control characters, no blank at either end: the ref is a key, and "A1" and "A1 " must not be two transactions.
TransactionRef = Annotated[
    str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$")
]
Note = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
Reason = Annotated[str, msgspec.Meta(min_length=2, max_length=1000)]
CaseStatus = Literal["open", "verified", "rectified", "called_back", "closed", "appealed", "voided"]


class DeviceRatingIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One rating from a window evaluator device; ``level`` is the overall indicator (1 非常不满意 .. 5 非常满意)."""

    transaction_ref: TransactionRef
    level: Level
    efficiency: Level
    service_level: Level
    attitude: Level
    rated_at: Annotated[datetime, msgspec.Meta(tz=True)]
    event_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None
    staff_employee_no: Annotated[str, msgspec.Meta(min_length=1, max_length=32)] | None = None
    comment: Comment = ""


class RatingOut(msgspec.Struct, kw_only=True):
    """A stored rating, as the device that sent it (or HR) sees it."""

    id: int
    window_id: int
    staff_id: int | None
    transaction_ref: str
    level: int
    efficiency: int
    service_level: int
    attitude: int
    comment: str
    source: str
    rated_at: datetime
    received_at: datetime
    case_id: int | None


class RatingCodeOut(msgspec.Struct, kw_only=True):
    """A window's new QR code secret: shown this once (only its hash is kept); the previous code stops working."""

    window_id: int
    token: str
    url: str
    created_at: datetime


class CaseStepIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A step of a bad-review case (verify, rectify, call back, close) with what was done."""

    note: Note


class CaseAppealIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An appeal (复核): why the review is mistaken or malicious."""

    reason: Reason


class CaseDecisionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A reviewer voids the review (it stops counting) or upholds it (the case goes back to verified)."""

    outcome: Literal["void", "uphold"]
    note: Note


class CaseEventOut(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One step of a case; ``actor`` is shown to reviewers only."""

    action: str
    from_status: str
    to_status: str
    note: str
    at: datetime
    actor: str | None = None


class CaseRatingOut(msgspec.Struct, kw_only=True):
    """The rating behind a case as the staff member sees it: the indicators and the comment, nothing about the citizen."""

    window_id: int
    level: int
    efficiency: int
    service_level: int
    attitude: int
    comment: str
    rated_at: datetime


class CaseOut(msgspec.Struct, kw_only=True):
    """A bad-review case for reviewers; ``days_overdue`` counts calendar days past the deadline while it is not finished."""

    id: int
    rating_id: int
    staff_id: int | None
    staff_name: str | None
    window_id: int
    department_id: int
    transaction_ref: str
    status: str
    deadline: date
    opened_at: datetime
    rectified_at: datetime | None
    closed_at: datetime | None
    voided: bool
    overdue: bool
    days_overdue: int
    rating: CaseRatingOut
    events: list[CaseEventOut]


class MyCaseOut(msgspec.Struct, kw_only=True):
    """A bad-review case as the staff member it is about sees it."""

    id: int
    status: str
    deadline: date
    opened_at: datetime
    rectified_at: datetime | None
    closed_at: datetime | None
    voided: bool
    overdue: bool
    days_overdue: int
    rating: CaseRatingOut
    events: list[CaseEventOut]


class SatisfactionOut(msgspec.Struct, kw_only=True):
    """One group's month: valid ratings, how many were 基本满意 or better, and the rate in percent."""

    group_id: int
    label: str
    ratings: int
    satisfied: int
    rate: Decimal


class SatisfactionPage(msgspec.Struct, kw_only=True):
    """The satisfaction report of a month, one row per staff member, window or department."""

    month: str
    by: str
    items: list[SatisfactionOut]
    total: int
    limit: int
    offset: int
    next_offset: int | None


class MyRatingsOut(msgspec.Struct, kw_only=True):
    """A staff member's own valid ratings of a month: how many at each level (1..5) and the satisfaction rate; nothing about citizens."""

    month: str
    ratings: int
    satisfied: int
    rate: Decimal | None  # None without ratings
    levels: dict[int, int]
