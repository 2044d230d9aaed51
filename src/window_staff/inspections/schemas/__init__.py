"""The inspections schemas: the public names of ``visits`` here; the rest in sibling modules."""

from window_staff.inspections.schemas.visits import (  # noqa: F401 (the package's face)
    VisitKind,
    Severity,
    ItemId,
    Note,
    Reason,
    Id,
    ChecklistItemOut,
    VisitIn,
    VisitOut,
    FindingIn,
    FindingEditIn,
    VisitCancelIn,
    FindingRejectIn,
    FindingOut,
    MyFindingOut,
    RevisionOut,
)
