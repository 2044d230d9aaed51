"""Jobs' errors (mapped to HTTP in window_staff.errors)."""

from __future__ import annotations

from window_staff.common.errors import Conflict, NotFound


class JobNotFound(NotFound):
    """No job with that number."""

    code = "job_not_found"


class JobRunning(Conflict):
    """Another job holds the same subject (one month's work runs one job at a time)."""

    code = "job_running"
