"""Who may call which inspection route; which rows they then see is decided in ``store`` (the embargo)."""

from window_staff.common.guards import authenticated, roles
from window_staff.inspections.store import FINDING_READERS, INSPECTOR, LEAD, VISIT_READERS

# Route-level roles only: an inspector not on a visit passes the guard and then gets 404/403 from the store.
can_plan_visits = roles(LEAD)
can_read_visits = roles(LEAD, INSPECTOR, *VISIT_READERS)
is_inspector = roles(INSPECTOR)
can_review = roles(LEAD)
can_read_findings = roles(LEAD, INSPECTOR, *FINDING_READERS)
# Revisions show what a finding looked like before publication: inspection roles, and oversight of published ones.
can_read_revisions = roles(LEAD, INSPECTOR, *VISIT_READERS)
is_staff_member = roles("staff")
can_read_checklist = authenticated
