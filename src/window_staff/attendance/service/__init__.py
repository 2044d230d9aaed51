"""The attendance service: the public names of ``records`` here; the rest in sibling modules."""

from window_staff.attendance.service.records import (  # noqa: F401 (the package's face)
    DAY_CACHE_SECONDS,
    LATE_GRACE,
    Correction,
    PunchMeaning,
    apply_corrections,
    by_staff,
    closed_sites,
    corrections_of,
    derive,
    derived_month,
    describe_punch,
    effective_month,
    is_month_closed,
    load_stored,
    meaning_of,
    posting_or_404,
    recompute,
    recompute_staff_month,
    store,
    stored_sessions,
)
