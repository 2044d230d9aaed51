"""Base classes for domain errors; each domain declares its own subclasses.

The HTTP mapping lives only in ``window_staff.errors``: domains never import Litestar exceptions.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A failure the caller can act on; ``code`` is a stable machine-readable reason."""

    code: str = "domain_error"
    title: str = "Request could not be completed"

    def __init__(self, detail: str | None = None, /, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        if code is not None:
            self.code = code
        self.extra = extra


class MalformedRequest(DomainError):
    """The request cannot be read at all (broken framing, e.g. a malformed multipart body) (400)."""

    code = "malformed_request"
    title = "Malformed request"


class InvalidInput(DomainError):
    """The request is well-formed but its content cannot be accepted (422)."""

    code = "invalid_input"
    title = "Invalid input"


class NotFound(DomainError):
    """The object does not exist or is not visible to the caller (404)."""

    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    """The request conflicts with the current state (409)."""

    code = "conflict"
    title = "Conflict"


class Unauthenticated(DomainError):
    """No valid credentials (401)."""

    code = "unauthenticated"
    title = "Authentication required"


class Forbidden(DomainError):
    """Authenticated but not allowed (403)."""

    code = "forbidden"
    title = "Forbidden"


class TooManyRequests(DomainError):
    """Throttled; ``retry_after`` seconds (429)."""

    code = "too_many_requests"
    title = "Too many requests"

    def __init__(self, detail: str | None = None, /, *, retry_after: int = 60, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after


class PayloadTooLarge(DomainError):
    """The body or an uploaded part is over its limit (413)."""

    code = "payload_too_large"
    title = "Payload too large"


class UnsupportedMediaType(DomainError):
    """The content type or file format is not accepted (415)."""

    code = "unsupported_media_type"
    title = "Unsupported media type"


class Busy(DomainError):
    """A bounded resource is saturated; retry after ``retry_after`` seconds (503)."""

    code = "busy"
    title = "Service busy"

    def __init__(self, detail: str | None = None, /, *, retry_after: int = 2, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A capability is not configured on this deployment (503, no Retry-After: it needs an operator)."""

    code = "unavailable"
    title = "Service unavailable"
