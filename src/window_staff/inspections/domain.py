"""Pure inspection logic: the checklist, a finding's canonical state, the review's allowed steps."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from window_staff.inspections.errors import ChecklistItemUnknown, FindingNotEditable, InspectionInputInvalid, VisitStateConflict
from window_staff.scoring.rules import ChecklistItem, RuleSet

DRAFT, REJECTED, PUBLISHED = "draft", "rejected", "published"
PLANNED, IN_PROGRESS, DONE, CANCELLED = "planned", "in_progress", "done", "cancelled"
# A phone's clock may run a little ahead of the server's; more than this is a wrong time, not skew.
CLOCK_SKEW = timedelta(minutes=5)
# The fields a FindingRevision keeps, in this order (the canonical JSON sorts them anyway).
SNAPSHOT_FIELDS = (
    "staff",
    "window",
    "item",
    "category",
    "positive",
    "severity",
    "observed_at",
    "note",
    "status",
    "published_at",
    "published_by",
)


def checklist_of(rules: RuleSet) -> dict[str, ChecklistItem]:
    """The checklist items of a rule set by id."""
    return {item.id: item for item in rules.checklist}


def checklist_item(rules: RuleSet, item_id: str) -> ChecklistItem:
    """The checklist item ``item_id``; ChecklistItemUnknown (422) when the rules have none."""
    item = checklist_of(rules).get(item_id)
    if item is None:
        raise ChecklistItemUnknown(f"{item_id!r} is not a checklist item of the loaded rules", item=item_id)
    return item


def aware(value: datetime, *, field: str) -> datetime:
    """``value`` in UTC; naive times are refused (a phone must send its offset)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InspectionInputInvalid(f"{field} needs a time zone offset", field=field)
    return value.astimezone(UTC)


def check_observed_at(observed_at: datetime, *, now: datetime, visit_started_at: datetime | None) -> datetime:
    """The observation time in UTC: not in the future and not before the visit started."""
    at = aware(observed_at, field="observed_at")
    if at > now + CLOCK_SKEW:
        raise InspectionInputInvalid("observed_at is in the future", field="observed_at")
    if visit_started_at is not None and at < visit_started_at - CLOCK_SKEW:
        raise InspectionInputInvalid("observed_at is before the visit started", field="observed_at")
    return at


def snapshot(row: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical state of a finding row, as a FindingRevision keeps it."""
    out: dict[str, Any] = {}
    for name in SNAPSHOT_FIELDS:
        value = row.get(name)
        out[name] = value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
    out["positive"] = bool(out["positive"])
    return out


def require_draft(status: str, *, action: str) -> None:
    """Only a draft may be edited, rejected or published; after publication corrections are appeals."""
    if status != DRAFT:
        hint = " (corrections after publication go through an appeal)" if status == PUBLISHED else ""
        raise FindingNotEditable(f"cannot {action} a {status} finding{hint}", finding_status=status)


def next_visit_status(current: str, *, action: str) -> str:
    """The visit's status after ``start`` or ``end``; VisitStateConflict when the step does not apply."""
    steps = {("start", PLANNED): IN_PROGRESS, ("end", IN_PROGRESS): DONE}
    new = steps.get((action, current))
    if new is None:
        raise VisitStateConflict(f"cannot {action} a visit that is {current}", visit_status=current)
    return new


def can_log_on(visit_status: str) -> bool:
    """Findings are logged once the visit started (and may sync after it ended: phones go offline)."""
    return visit_status in (IN_PROGRESS, DONE)
