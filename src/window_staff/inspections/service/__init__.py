"""The inspections service: the public names of ``visits`` here; the rest in sibling modules."""

from window_staff.inspections.service.visits import (  # noqa: F401 (the package's face)
    FINDING_COLUMNS,
    checklist,
    plan_visit,
    get_visit,
    list_visits,
    move_visit,
    cancel_visit,
    finding_out,
    check_placement,
    log_finding,
    add_revision,
    get_finding,
    list_findings,
    my_findings,
    my_finding,
    month_facts,
    finding_makers,
)
