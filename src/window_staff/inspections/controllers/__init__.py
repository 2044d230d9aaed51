"""The inspections controllers: the public names of ``visits`` here; the rest in sibling modules."""

from window_staff.inspections.controllers.visits import (  # noqa: F401 (the package's face)
    SMALL_BODY,
    FindingController,
    FindingStatus,
    MyFindingsController,
    VisitController,
    VisitStatus,
)
