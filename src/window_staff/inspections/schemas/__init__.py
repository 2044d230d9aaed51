"""The inspections schemas: the public names of ``visits`` here; the rest in sibling modules."""

from window_staff.inspections.schemas.visits import (  # noqa: F401 (the package's face)
    ChecklistItemOut,
    FindingEditIn,
    FindingIn,
    FindingOut,
    FindingRejectIn,
    Id,
    ItemId,
    MyFindingOut,
    Note,
    Reason,
    RevisionOut,
    Severity,
    VisitCancelIn,
    VisitIn,
    VisitKind,
    VisitOut,
)
