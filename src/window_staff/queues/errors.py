"""Queue errors (mapped to HTTP only in ``window_staff.errors``)."""

from __future__ import annotations

from window_staff.common.errors import Conflict, Forbidden, InvalidInput, MalformedRequest, NotFound, PayloadTooLarge


class QueuePolicyInvalid(InvalidInput):
    """rules/queues/policy.toml is missing or wrong (the detail names the key)."""

    code = "queues_policy_invalid"
    title = "Invalid queues policy"


class QueueInputInvalid(InvalidInput):
    """A category, exception note or import request cannot be accepted as sent."""

    code = "queue_input_invalid"
    title = "Invalid queue input"


class QueueImportRejected(InvalidInput):
    """The import has bad rows; nothing was imported (``errors`` lists each row and column)."""

    code = "queue_import_rejected"
    title = "Queue import rejected"


class QueueEventConflict(Conflict):
    """A different event was sent under an event id already used (``errors`` names the lines)."""

    code = "queue_event_conflict"
    title = "Event id already used for a different event"


class QueueFileTooLarge(PayloadTooLarge):
    """The CSV file is over the synchronous import's size limit."""

    code = "queue_file_too_large"
    title = "Queue file too large"


class CategoryNotFound(NotFound):
    """No such category mapping."""

    code = "queue_category_not_found"
    title = "Category not found"


class CategoryConflict(Conflict):
    """The site already has a category with this code."""

    code = "queue_category_exists"
    title = "Category already exists"


class QueueExceptionNotFound(NotFound):
    """No such exception (or it is already resolved)."""

    code = "queue_exception_not_found"
    title = "Queue exception not found"


class QueueDeviceNotAllowed(Forbidden):
    """The signed terminal is not a queue device (its kind is not ``queue``)."""

    code = "queue_device_required"
    title = "Not a queue device"


class QueueBatchMalformed(MalformedRequest):
    """A pushed batch is not a JSON list of events."""

    code = "queue_batch_malformed"
    title = "Malformed queue batch"
