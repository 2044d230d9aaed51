"""Inspection errors: visits, findings, the lead's review (mapped to HTTP only in ``window_staff.errors``)."""

from __future__ import annotations

from window_staff.common.errors import Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge, UnsupportedMediaType


class VisitNotFound(NotFound):
    """No such visit, or not visible to the caller (an embargoed undercover visit answers the same)."""

    code = "visit_not_found"
    title = "Visit not found"


class FindingNotFound(NotFound):
    """No such finding, or not visible to the caller (an embargoed finding answers the same)."""

    code = "finding_not_found"
    title = "Finding not found"


class InspectionStaffNotFound(NotFound):
    """The account is not linked to a staff member, or the staff member is not visible."""

    code = "staff_not_found"
    title = "Staff not found"


class InspectionInputInvalid(InvalidInput):
    """A visit or finding cannot be accepted as sent (naive time, empty list, bad kind)."""

    code = "inspection_input_invalid"
    title = "Invalid inspection input"


class ChecklistItemUnknown(InvalidInput):
    """The finding names an item that is not in the checklist of the loaded rules."""

    code = "checklist_item_unknown"
    title = "Unknown checklist item"


class WindowNotCovered(InvalidInput):
    """The finding's window is not one the visit covers."""

    code = "window_not_covered"
    title = "Window not covered by the visit"


class StaffNotAtWindow(InvalidInput):
    """The finding's staff member is not posted at the finding's window."""

    code = "staff_not_at_window"
    title = "Staff member not at that window"


class InspectorInvalid(InvalidInput):
    """An inspector named for a visit is not an active user holding the inspector role."""

    code = "inspector_invalid"
    title = "Not an inspector"


class NotOnVisit(Forbidden):
    """The inspector is not assigned to this visit (and so may not start, end or log on it)."""

    code = "not_on_visit"
    title = "Not an inspector of this visit"


class VisitStateConflict(Conflict):
    """The visit is not in a state that allows this step (e.g. ending a visit that never started)."""

    code = "visit_state_conflict"
    title = "Visit state does not allow this"


class FindingNotEditable(Conflict):
    """The finding is published or rejected: corrections after publication go through an appeal."""

    code = "finding_not_editable"
    title = "Finding can no longer be changed"


class FindingRevisionConflict(Conflict):
    """The edit was based on an older revision than the current one (someone changed it meanwhile)."""

    code = "finding_revision_conflict"
    title = "Finding changed meanwhile"


# --- after publication: policy, notifications, appeals, the exposure board ---


class InspectionPolicyInvalid(InvalidInput):
    """rules/inspections/policy.toml has an unknown key, a missing key or a value of the wrong type."""

    code = "inspection_policy_invalid"
    title = "Invalid inspection policy"


class AppealNotFound(NotFound):
    """No such appeal, or not visible to the caller."""

    code = "appeal_not_found"
    title = "Appeal not found"


class AppealWindowClosed(Conflict):
    """The appeal period after publication (``appeal_days``) is over."""

    code = "appeal_window_closed"
    title = "Appeal period is over"


class AppealAlreadyOpen(Conflict):
    """The finding already has an open appeal (one at a time)."""

    code = "appeal_already_open"
    title = "An appeal is already open"


class AppealAlreadyDecided(Conflict):
    """The appeal was already upheld or rejected."""

    code = "appeal_already_decided"
    title = "Appeal already decided"


class AppealNotAllowed(Forbidden):
    """Only the staff member the finding is about may appeal it."""

    code = "appeal_not_allowed"
    title = "Only the staff member concerned may appeal"


class OwnFindingReview(Forbidden):
    """The inspector who logged the finding, or the appellant, may not decide the appeal."""

    code = "own_finding_review"
    title = "You cannot decide this appeal"


class ExposureEntryNotFound(NotFound):
    """No such board entry."""

    code = "exposure_entry_not_found"
    title = "Board entry not found"


class ExposureConflict(Conflict):
    """The finding is already on the board, its appeal was upheld, or the entry is already withdrawn."""

    code = "exposure_conflict"
    title = "Board entry conflict"


class ExposureInputInvalid(InvalidInput):
    """The expiry date is in the past or too far, or photos are asked for when the policy forbids them."""

    code = "exposure_input_invalid"
    title = "Invalid board entry"


# --- evidence photos ---


class EvidenceUnsupported(UnsupportedMediaType):
    """The upload is not a JPEG or PNG by its magic bytes (name and declared type are not trusted)."""

    code = "evidence_format_unsupported"
    title = "Only JPEG and PNG photos are accepted"


class EvidenceTooLarge(PayloadTooLarge):
    """The photo is over the byte or pixel limit (decompression bombs included)."""

    code = "evidence_too_large"
    title = "Photo is too large"


class EvidenceInvalid(InvalidInput):
    """The photo is empty, truncated or cannot be decoded."""

    code = "evidence_invalid"
    title = "Photo cannot be decoded"


class EvidenceNotFound(NotFound):
    """No such photo, removed, or on a finding the caller may not see (all answer the same)."""

    code = "evidence_not_found"
    title = "Evidence not found"


class EvidenceNotAllowed(Forbidden):
    """Only the inspector who logged a draft finding, or the inspection lead, may add or remove photos."""

    code = "evidence_not_allowed"
    title = "You may not change the evidence of this finding"
