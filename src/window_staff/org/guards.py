"""Who may read and change the organisation."""

from window_staff.common.guards import roles

ORG_READERS = ("staff", "inspector", "inspection_lead", "hr", "approver", "auditor", "admin")
ORG_WRITERS = ("hr", "admin")
# Roles that see staff contact details; inspection roles see the brief view.
STAFF_FULL_READERS = frozenset({"hr", "admin", "auditor", "approver"})

can_read_org = roles(*ORG_READERS)
can_write_org = roles(*ORG_WRITERS)
