"""The attendance service: the public names of ``records`` here; the rest in sibling modules."""

from window_staff.attendance.service.records import (  # noqa: F401 (the package's face)
    LATE_GRACE,
    PunchMeaning,
    meaning_of,
    DAY_CACHE_SECONDS,
    describe_punch,
    closed_sites,
    is_month_closed,
    derive,
    store,
    load_stored,
    stored_sessions,
    recompute,
    recompute_staff_month,
    Correction,
    corrections_of,
    apply_corrections,
    derived_month,
    effective_month,
    posting_or_404,
    by_staff,
)
