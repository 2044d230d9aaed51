"""Notification errors."""

from __future__ import annotations

from window_staff.common.errors import NotFound


class NotificationNotFound(NotFound):
    """No such notification for this user (someone else's answers the same)."""

    code = "notification_not_found"
    title = "Notification not found"
