"""Appraisal errors (mapped to HTTP only in ``window_staff.errors``)."""

from __future__ import annotations

from window_staff.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from window_staff.common.periods import MonthInvalid  # noqa: F401 (the appraisal raises it too)


class PeriodNotFound(NotFound):
    """No appraisal for that month yet (or not visible to the caller)."""

    code = "period_not_found"
    title = "Appraisal period not found"


class SheetNotFound(NotFound):
    """No sheet for that staff member in that month (or not visible to the caller)."""

    code = "sheet_not_found"
    title = "Appraisal sheet not found"


class AppealNotFound(NotFound):
    """No such appraisal appeal (or not visible to the caller)."""

    code = "appraisal_appeal_not_found"
    title = "Appraisal appeal not found"


class AppraisalInputInvalid(InvalidInput):
    """An appeal, decision or reason cannot be accepted as sent."""

    code = "appraisal_input_invalid"
    title = "Invalid appraisal input"


class PeriodStateConflict(Conflict):
    """The action is not allowed in the period's current state (the problem names both)."""

    code = "period_state_conflict"
    title = "Not allowed in the period's state"


class PeriodChanged(Conflict):
    """The period changed while this request was computing; nothing was written, try again."""

    code = "period_changed"
    title = "The period changed meanwhile"


class AppealConflict(Conflict):
    """The appeal cannot be filed or decided now (already filed, already decided, window over)."""

    code = "appraisal_appeal_conflict"
    title = "Appeal not possible now"


class FourEyesRequired(Forbidden):
    """Approval and reopening need a second person: not the preparer, not the first approver."""

    code = "four_eyes_required"
    title = "A second person must do this"


class RankingNotAllowed(Forbidden):
    """Rankings are for HR, approvers, auditors and department heads."""

    code = "ranking_not_allowed"
    title = "Rankings are for HR, approvers, auditors and department heads"


class ReviewerNotAllowed(Forbidden):
    """A reviewer may not decide an appeal they are party to (appellant or maker of the finding)."""

    code = "reviewer_not_allowed"
    title = "Reviewer not allowed for this appeal"


class AppraisalPolicyInvalid(InvalidInput):
    """rules/appraisal/policy.toml is missing or wrong (the detail names the key)."""

    code = "appraisal_policy_invalid"
    title = "Invalid appraisal policy"
