"""The inspections service: the public names of ``visits`` here; the rest in sibling modules."""

from window_staff.inspections.service.visits import (  # noqa: F401 (the package's face)
    FINDING_COLUMNS,
    add_revision,
    cancel_visit,
    check_placement,
    checklist,
    finding_makers,
    finding_out,
    get_finding,
    get_visit,
    list_findings,
    list_visits,
    log_finding,
    month_facts,
    move_visit,
    my_finding,
    my_findings,
    plan_visit,
)
