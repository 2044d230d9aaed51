"""The appraisal service: the public names of ``lifecycle`` here; the rest in sibling modules."""

from window_staff.appraisal.service.lifecycle import (  # noqa: F401 (the package's face)
    local_today,
    checked_month,
    period_out,
    get_period,
    list_periods,
    trail,
    month_facts,
    score_sheets,
    compute,
    write_computation,
    transition,
    open_appeals,
    end_appeals,
    preparers,
    approve,
    return_month,
    publish,
    appeals_open,
    decisions_allowed,
)
