"""The appraisal controllers: the public names of ``periods`` here; the rest in sibling modules."""

from window_staff.appraisal.controllers.periods import (  # noqa: F401 (the package's face)
    CSV,
    XLSX,
    AppraisalController,
    Lang,
    can_approve,
    can_prepare,
    can_read,
)
