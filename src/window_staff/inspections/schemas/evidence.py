"""Evidence photo output (msgspec): what a caller learns about a photo, never where it is stored."""

from __future__ import annotations

from datetime import datetime

import msgspec


class EvidenceOut(msgspec.Struct, frozen=True, kw_only=True):
    """One evidence photo of a finding; ``url`` serves the stripped image, ``uploaded_by`` only for the inspection roles."""

    id: int
    finding_id: int
    media_type: str
    size: int
    width: int
    height: int
    sha256: str
    uploaded_at: datetime
    url: str
    uploaded_by: str | None = None
