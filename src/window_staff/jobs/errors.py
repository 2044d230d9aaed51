"""Jobs' errors (mapped to HTTP in window_staff.errors)."""

from __future__ import annotations

from window_staff.common.errors import Conflict, DomainError, NotFound


class JobNotFound(NotFound):
    """No job with that number."""

    code = "job_not_found"


class JobRunning(Conflict):
    """Another job holds the same subject (one month's work runs one job at a time)."""

    code = "job_running"


class JobCrashed(DomainError):
    """A job's handler failed with an internal error (logged); recorded as the job's problem, never raised to a client."""

    code = "job_crashed"
    title = "任务执行中出现内部错误，已记录日志，请联系系统管理员"


class JobAbandoned(DomainError):
    """A job's runner died too often while running it; recorded as the job's problem."""

    code = "job_abandoned"
    title = "任务多次中断未能完成，请检查服务器日志后重新提交"
