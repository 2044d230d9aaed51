"""The queues service: imports and pushes (``events``), HR's mapping and exceptions (``categories``), figures (``figures``)."""

from window_staff.queues.service.categories import category_names, open_exception_count, window_categories  # noqa: F401
from window_staff.queues.service.events import import_csv, record_events  # noqa: F401 (the package's face)
from window_staff.queues.service.now import queue_now_at  # noqa: F401
