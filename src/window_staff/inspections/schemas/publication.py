"""Schemas after publication: notifications, appeals (staff and reviewer views), the exposure board.

Inputs never carry protected fields (staff, status, decided_by, chosen_by, withdrawn_at): the service
sets them from the caller and the finding.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

Id = Annotated[int, msgspec.Meta(ge=1)]
Reason = Annotated[str, msgspec.Meta(min_length=2, max_length=1000)]
Note = Annotated[str, msgspec.Meta(max_length=1000)]
Headline = Annotated[str, msgspec.Meta(max_length=60)]
PublicText = Annotated[str, msgspec.Meta(max_length=500)]
Outcome = Literal["upheld", "rejected"]


class AppealIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A staff member appeals a published finding about them."""

    reason: Reason


class AppealDecisionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A reviewer upholds (the finding stops counting) or rejects an appeal."""

    outcome: Outcome
    note: Note = ""


class AppealOut(msgspec.Struct, kw_only=True):
    """An appeal as its appellant sees it (the reviewer's account is not shown)."""

    id: int
    finding_id: int
    item: str
    reason: str
    filed_at: datetime
    status: str
    decided_at: datetime | None
    decision_note: str


class AppealReviewOut(msgspec.Struct, kw_only=True):
    """An appeal as a reviewer sees it."""

    id: int
    finding_id: int
    staff_id: int
    item: str
    reason: str
    filed_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str


class ExposureIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The lead puts a published finding on the board; ``anonymous`` may hide the person even when the policy names.

    ``headline`` (empty: the item's problem wording) and ``text`` are what the public reads; the inspector's note never is.
    """

    finding_id: Id
    expires_on: date | None = None
    show_photos: bool = False
    anonymous: bool = False
    headline: Headline = ""
    text: PublicText = ""


class ExposureWithdrawIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Why the lead takes an entry off the board."""

    reason: Note = ""


class ExposureOut(msgspec.Struct, kw_only=True):
    """A board entry as the lead sees it (with its state)."""

    id: int
    finding_id: int
    named: bool
    show_photos: bool
    chosen_by: str
    chosen_at: datetime
    expires_on: date
    withdrawn_at: datetime | None
    state: str  # live | expired | withdrawn | upheld
    headline: str
    text: str
    rectified_at: datetime | None
    rectified_by: str | None


class BoardEntryOut(msgspec.Struct, kw_only=True):
    """A public board entry: no staff ids, no evidence unless allowed; the person named per the policy."""

    id: int
    item: str
    category: str
    severity: str
    observed_on: date
    site: str
    department: str
    window: str | None
    person: str | None
    text: str  # the lead's public text (never the inspector's note)
    rectification: Literal["in_progress", "rectified"]  # 整改中 / 已整改
    rectified_on: date | None
    expires_on: date
    photos: list[str]


class BoardPage(msgspec.Struct, kw_only=True):
    """One page of the public board."""

    items: list[BoardEntryOut]
    total: int
    limit: int
    offset: int
    next_offset: int | None
