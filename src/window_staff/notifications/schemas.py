"""What the caller reads of their notifications."""

from __future__ import annotations

from datetime import datetime

import msgspec


class NotificationOut(msgspec.Struct, kw_only=True):
    """A message for the caller."""

    id: int
    kind: str
    subject_type: str
    subject_id: int
    text: str
    created_at: datetime
    read_at: datetime | None


class NotificationPage(msgspec.Struct, kw_only=True):
    """A page of the caller's notifications, newest first, with the unread count."""

    items: list[NotificationOut]
    total: int
    unread: int
    limit: int
    offset: int
    next_offset: int | None
