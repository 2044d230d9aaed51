"""Who may touch biometric data: the enrolment desk (HR) writes; staff see and withdraw their own consent."""

from window_staff.common.guards import roles

# HR runs the enrolment desk (TOTP is enforced for HR at login).
ENROLMENT_DESK = ("hr",)
# Roles that see anyone's consent records; a staff user sees only their own.
CONSENT_FULL_READERS = frozenset({"hr", "admin", "auditor"})

can_enrol = roles(*ENROLMENT_DESK)
can_read_consent = roles("hr", "admin", "auditor", "staff")
can_withdraw_consent = roles("hr", "staff")
can_read_summary = roles("hr", "admin", "auditor")
