"""What the API says of a job."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class JobProblemOut(msgspec.Struct, kw_only=True):
    """Why a job failed: a stable code, a sentence, and the error's extension members (e.g. an import's bad lines)."""

    code: str
    detail: str
    extensions: dict[str, Any] | None = None


class JobOut(msgspec.Struct, kw_only=True):
    """A job: what it is about, how far it has come, and its outcome once finished."""

    id: int
    href: str
    kind: str
    kind_name: str
    subject: str
    state: str
    state_name: str
    phase: str
    phase_name: str
    done: int
    total: int
    percent: int
    requested_by: str
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any] | None
    problem: JobProblemOut | None
