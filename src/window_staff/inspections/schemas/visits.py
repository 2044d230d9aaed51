"""Inspection input and output schemas, one per role where the roles see different things.

Inputs never carry protected fields (status, revision, published_at/by, logged_by, category,
positive): the service sets them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

VisitKind = Literal["open", "undercover"]
Severity = Literal["minor", "major", "serious"]
ItemId = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]
Note = Annotated[str, msgspec.Meta(max_length=2000)]
Reason = Annotated[str, msgspec.Meta(min_length=2, max_length=1000)]
Id = Annotated[int, msgspec.Meta(ge=1)]
Outcome = Literal["pending", "published", "rejected", "appeal_upheld"]


class ChecklistItemOut(msgspec.Struct, kw_only=True):
    """A checklist item from the loaded rules."""

    id: str
    title_zh: str
    title_en: str
    category: str
    positive: bool


class VisitIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The inspection lead plans a visit: kind, site, time, inspectors (user ids) and windows covered."""

    kind: VisitKind
    site_id: Id
    planned_at: datetime
    inspector_ids: Annotated[list[Id], msgspec.Meta(min_length=1, max_length=20)]
    window_ids: Annotated[list[Id], msgspec.Meta(min_length=1, max_length=200)]
    note: Note = ""


class VisitOut(msgspec.Struct, kw_only=True):
    """A visit as the inspection roles and oversight (HR, admin, auditor) see it."""

    id: int
    kind: str
    site_id: int
    planned_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    status: str
    note: str
    planned_by: str
    created_at: datetime
    published_at: datetime | None
    inspector_ids: list[int]
    window_ids: list[int]


class FindingIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An inspector logs what they saw: at a window, about a staff member when known."""

    window_id: Id
    staff_id: Id | None = None
    item: ItemId
    observed_at: datetime
    severity: Severity = "minor"
    note: Note = ""


class FindingEditIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The lead corrects a draft; ``revision`` is the one the edit is based on, ``reason`` is kept with it.

    A field left out keeps its value; ``staff_id: null`` means the person is unknown.
    """

    revision: Id
    reason: Reason
    window_id: Id | msgspec.UnsetType = msgspec.UNSET
    staff_id: Id | None | msgspec.UnsetType = msgspec.UNSET
    item: ItemId | msgspec.UnsetType = msgspec.UNSET
    observed_at: datetime | msgspec.UnsetType = msgspec.UNSET
    severity: Severity | msgspec.UnsetType = msgspec.UNSET
    note: Note | msgspec.UnsetType = msgspec.UNSET


class VisitCancelIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The lead cancels a planned visit, saying why."""

    reason: Reason


class FindingRejectIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The lead rejects a draft, saying why."""

    reason: Reason


class FindingOut(msgspec.Struct, kw_only=True):
    """A finding as the inspection roles and oversight see it."""

    id: int
    visit_id: int
    visit_kind: str
    staff_id: int | None
    window_id: int | None
    item: str
    category: str
    positive: bool
    severity: str
    observed_at: datetime
    note: str
    status: str
    revision: int
    logged_by: int
    created_at: datetime
    published_at: datetime | None
    published_by: str | None


class MyFindingOut(msgspec.Struct, kw_only=True):
    """A published finding as the staff member it is about sees it (no inspector's identity)."""

    id: int
    visit_kind: str
    window_id: int | None
    item: str
    title_zh: str
    title_en: str
    category: str
    positive: bool
    severity: str
    observed_at: datetime
    note: str
    published_at: datetime


class RevisionOut(msgspec.Struct, kw_only=True):
    """One kept state of a finding: what the action left and why."""

    revision: int
    action: str
    data: dict[str, Any]
    reason: str
    changed_by: str
    changed_at: datetime


class ReviewOutcomeOut(msgspec.Struct, kw_only=True):
    """What became of a finding after the inspector logged it: waiting, published, rejected (with why), or cleared on appeal."""

    finding_id: int
    outcome: Outcome
    by: str | None  # the reviewer as the audit chain names them (user:ID:username)
    at: datetime | None
    reason: str
