"""Evaluation errors: delegates, ratings, bad-review cases, service imports (mapped to HTTP only in ``window_staff.errors``)."""

from __future__ import annotations

from window_staff.common.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated


class EvaluationPolicyInvalid(InvalidInput):
    """rules/evaluations/policy.toml is missing or wrong (the detail names the key)."""

    code = "evaluations_policy_invalid"
    title = "Invalid evaluations policy"


class EvaluationInputInvalid(InvalidInput):
    """An evaluation, rating, case step or import cannot be accepted as sent."""

    code = "evaluation_input_invalid"
    title = "Invalid evaluation input"


class CampaignNotFound(NotFound):
    """No such campaign."""

    code = "campaign_not_found"
    title = "Campaign not found"


class DelegateNotFound(NotFound):
    """No such delegate."""

    code = "delegate_not_found"
    title = "Delegate not found"


class InvitationInvalid(Unauthenticated):
    """The invitation link or code is unknown, expired, used or revoked (one answer for all, so links cannot be probed)."""

    code = "invitation_invalid"
    title = "Invitation not valid"


class CampaignStateConflict(Conflict):
    """The campaign is not in a state that allows this (e.g. evaluating a closed campaign)."""

    code = "campaign_state_conflict"
    title = "Not allowed in the campaign's state"


class AlreadyEvaluated(Conflict):
    """This delegate has already evaluated this target in this campaign."""

    code = "already_evaluated"
    title = "Already evaluated"


class RatingMonthClosed(Conflict):
    """The rating's month is closed for attendance at the window's site: its figures no longer change."""

    code = "rating_month_closed"
    title = "The rating's month is closed"


class RatingConflict(Conflict):
    """This service transaction has already been rated."""

    code = "already_rated"
    title = "Transaction already rated"


class CaseNotFound(NotFound):
    """No such bad-review case (or not visible to the caller)."""

    code = "case_not_found"
    title = "Bad-review case not found"


class CaseStateConflict(Conflict):
    """The case's step is not allowed from its current status."""

    code = "case_state_conflict"
    title = "Not allowed in the case's status"


class CaseReviewerNotAllowed(Forbidden):
    """A void appeal is decided by someone other than the staff member and their supervisor."""

    code = "case_reviewer_not_allowed"
    title = "Reviewer not allowed for this case"


class ImportRejected(InvalidInput):
    """The import has bad rows; nothing was imported (``errors`` lists each row and field)."""

    code = "import_rejected"
    title = "Import rejected"


class RatingDeviceRequired(Forbidden):
    """Only a window's evaluator device (a signed terminal) posts ratings; a queue machine or a ZKTeco device does not."""

    code = "rating_device_required"
